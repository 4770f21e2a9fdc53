/*
 * jsonw.h - the JSON text writer of every reply (report.c), made for the
 * big ones (status of 100 000 targets): straight into a growable buffer,
 * numbers printed by hand.
 * vsnprintf spent most of a status's time parsing its format strings and
 * printing doubles through multi-precision arithmetic.
 */
#ifndef FUTD_JSONW_H
#define FUTD_JSONW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct evbuffer;
union sockaddr_union;

struct jsonw {
	char		*b;
	size_t		 n;		/* bytes written */
	size_t		 cap;
	int		 nomem;		/* a write was lost */
};

#define JSONW_CHUNK	(64 * 1024)

void	 jsonw_init(struct jsonw *);
void	 jsonw_free(struct jsonw *);
char	*jsonw_grow(struct jsonw *, size_t);
int	 jsonw_flush(struct jsonw *, struct evbuffer *);
void	 jsonw_str(struct jsonw *, const char *);
void	 jsonw_u64(struct jsonw *, uint64_t);
void	 jsonw_i64(struct jsonw *, int64_t);
void	 jsonw_g16_us(struct jsonw *, int64_t);
void	 jsonw_f6_us(struct jsonw *, int64_t);
void	 jsonw_g6(struct jsonw *, double);
void	 jsonw_addr(struct jsonw *, const union sockaddr_union *);
void	 jsonw_escape(struct jsonw *, struct evbuffer *);

/* Room for need more bytes, or NULL when memory ran out. */
static inline char *
jsonw_room(struct jsonw *jw, size_t need)
{
	if (jw->cap - jw->n >= need)
		return jw->b + jw->n;
	return jsonw_grow(jw, need);
}

static inline void
jsonw_raw(struct jsonw *jw, const char *s, size_t len)
{
	char *p;

	if ((p = jsonw_room(jw, len)) == NULL)
		return;
	memcpy(p, s, len);
	jw->n += len;
}

/* A string literal, its length known when compiled. */
#define jsonw_lit(jw, s)	jsonw_raw((jw), "" s, sizeof(s) - 1)

#endif /* FUTD_JSONW_H */
