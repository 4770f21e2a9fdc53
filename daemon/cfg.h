/*
 * cfg.h - a reader of libconfig's file syntax, built for size.
 *
 * libconfig builds a tree of separately allocated settings, one malloc for
 * each setting, each name and each string: a million targets are seven
 * million settings and 5 s of parsing before futd has looked at one.  This
 * reader keeps a parsed file in three flat arrays (nodes, children, bytes)
 * and parses a million targets in a fraction of that.  It reads the same
 * syntax with the same results (tests/check_cfg.c compares it with
 * libconfig on every config of the test suite, fuzz/cfg_diff.c on fuzzed
 * input) and gives the same error texts, with the line of the mistake.
 */
#ifndef FUTD_CFG_H
#define FUTD_CFG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

enum cfg_type {
	CFG_NONE,
	CFG_GROUP,	/* { name = value; ... } */
	CFG_INT,	/* fits 32 bits */
	CFG_INT64,
	CFG_FLOAT,
	CFG_STRING,
	CFG_BOOL,
	CFG_ARRAY,	/* [ scalars of one type ] */
	CFG_LIST,	/* ( values ) */
};

struct cfg_node {
	union {
		long long	 i;
		double		 f;
		uint64_t	 str;	/* into the bytes */
		struct {
			uint32_t off;	/* into the children */
			uint32_t n;
		} kids;
	} v;
	uint32_t		 name;	/* into the bytes; 0: none */
	uint32_t		 line;
	uint16_t		 file;
	uint8_t			 type;	/* enum cfg_type */
};

struct cfg;

struct cfg_error {
	char			 file[PATH_MAX];
	int			 line;	/* 0: none */
	char			 text[128];
};

/*
 * Read path; @include "x" is looked up in include_dir (NULL: as written).
 * NULL on error, with err filled in.
 */
struct cfg		*cfg_read(const char *path, const char *include_dir,
			    struct cfg_error *err);
/*
 * The same, telling hook->elem each element of the top-level list named
 * hook->list as soon as it is read; when elem answers 1 the element is
 * dropped (the list goes on without it, and its memory is reused).  elem
 * may look at the element and at cfg (not at nodes it kept from before:
 * they move) and must not keep pointers into either.
 */
struct cfg_hook {
	const char		*list;
	int			(*elem)(void *, struct cfg *,
				    const struct cfg_node *);
	void			*arg;
};
struct cfg		*cfg_read_hook(const char *path, const char *include_dir,
			    struct cfg_error *err, const struct cfg_hook *);
struct cfg		*cfg_read_mem(const char *text, size_t len,
			    const char *name, struct cfg_error *err);
void			 cfg_free(struct cfg *);

const struct cfg_node	*cfg_root(const struct cfg *);
/*
 * A group's member by name, or NULL.  The key must not change while the
 * cfg lives (a string literal, say): its answer is remembered by address.
 */
const struct cfg_node	*cfg_member(struct cfg *, const struct cfg_node *,
			    const char *);
/* the i-th member or element of a group, list or array, or NULL */
const struct cfg_node	*cfg_elem(const struct cfg *, const struct cfg_node *,
			    unsigned);
unsigned		 cfg_length(const struct cfg_node *);
const char		*cfg_name(const struct cfg *, const struct cfg_node *);
const char		*cfg_file(const struct cfg *, const struct cfg_node *);
/* NULL unless a string */
const char		*cfg_string(const struct cfg *, const struct cfg_node *);
/* an int or int64, or 0 */
long long		 cfg_int64(const struct cfg_node *);
/* a float, int or int64, or 0 */
double			 cfg_float(const struct cfg_node *);
/*
 * A 64-bit digest of n and all it holds: names, types and values, in
 * their order; not lines or files.  Two settings that read the same have
 * the same digest, in any file; different ones have different digests but
 * with a chance of 2^-64.
 */
uint64_t		 cfg_digest(const struct cfg *, const struct cfg_node *);

static inline int
cfg_is_group(const struct cfg_node *n)
{
	return n->type == CFG_GROUP;
}

static inline int
cfg_is_list(const struct cfg_node *n)
{
	return n->type == CFG_LIST;
}

static inline int
cfg_is_array(const struct cfg_node *n)
{
	return n->type == CFG_ARRAY;
}

#endif /* FUTD_CFG_H */
