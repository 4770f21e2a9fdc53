/*
 * cfg.c - libconfig's file syntax, read into flat arrays (see cfg.h).
 *
 * The grammar, as libconfig reads it:
 *	file	= { setting }
 *	setting	= name ( "=" | ":" ) value [ ";" | "," ]
 *	value	= scalar | "[" [ scalar { "," scalar } ] "]"
 *		| "(" [ value { "," value } ] ")" | "{" { setting } "}"
 *	scalar	= bool | int | int64 | hex | hex64 | float | string { string }
 * with #, // and C comments, and `@include "file"` at the start of a line.
 *
 * Where libconfig 1.5 is wrong we are not: an integer that does not fit 32
 * bits is an int64 (1.5 truncates it, so "port = 4294967297" would be port
 * 1), and a decimal one that does not fit 64 bits is an error; a # or //
 * comment that ends a file without a newline is a comment (1.5's rule
 * wants the newline: "syntax error").  And nesting deeper than 200 is an
 * error; a scalar element of a list or array has the line of its own
 * token (1.5's is where its scanner was, often the next token's).
 *
 * Where libconfig 1.5 is odd we are too, as tests/check_cfg.c and
 * fuzz/cfg_diff.c hold us to: a string, a C comment or an @include name
 * still open at the end of an included file goes on in the including
 * file, and at the end of the main file is dropped (the input ends
 * there); \x00 adds nothing to a string, a NUL ends a run of it; a
 * backslash in an @include name other than \\ and \" is dropped; an
 * error's line is where libconfig's scanner was: the end of a string.
 *
 * Memory: a node is 24 bytes, a child index 4, a string its bytes and a
 * NUL; names are interned (a file has a few dozen distinct ones).  The
 * arrays grow by mremap() and ask for huge pages once they are big: a
 * million targets touch 200 MB here, and 4 KiB page faults would cost
 * more than the parse.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfg.h"

#define CFG_MAX_INCLUDE		10	/* nesting of @include, libconfig's */
#define CFG_MAX_NEST		200	/* groups and lists within one another */
#define CFG_MAX_FILE		((size_t)1 << 31)
#define CFG_VEC_MIN		(64 * 1024)
#define CFG_VEC_HUGE		(16 * 1024 * 1024)

struct cfg_vec {
	char			*p;
	size_t			 len, cap;
};

/* a file being read: the main one, or an @include'd one */
struct cfg_src {
	const char		*p, *end;
	void			*map;
	size_t			 maplen;
	uint32_t		 line;
	uint16_t		 file;
	int			 bol;	/* only blanks since the line began */
};

enum cfg_tok {
	T_EOF, T_ERROR, T_NAME, T_EQUALS, T_COMMA, T_SEMI, T_GROUP_START,
	T_GROUP_END, T_ARRAY_START, T_ARRAY_END, T_LIST_START, T_LIST_END,
	T_BOOL, T_INT, T_INT64, T_FLOAT, T_STRING,
};

struct cfg {
	struct cfg_vec		 nodes;	/* struct cfg_node; the root first */
	struct cfg_vec		 kids;	/* uint32_t node indexes */
	struct cfg_vec		 bytes;	/* names and strings, NUL-terminated */
	char			**files;
	size_t			 nfiles;
	uint32_t		*names;	/* interned: offsets into bytes */
	size_t			 names_cap, nnames;
	size_t			 names_end;	/* bytes: the newest name's end */
	const struct cfg_hook	*hook;	/* cfg_read_hook's, or NULL */
	int			 parsing;	/* names still come */

	/* while parsing */
	struct cfg_vec		 stack;	/* uint32_t: the open containers' */
	struct cfg_src		 src[CFG_MAX_INCLUDE + 1];
	int			 nsrc;
	const char		*include_dir;
	struct cfg_error	*err;
	int			 failed;
	enum cfg_tok		 tok;	/* the token read ahead */
	uint32_t		 tok_line;	/* a string's: where it ends */
	uint16_t		 tok_file;
	int			 in_comment;	/* a C comment goes on */
	const char		*tok_p;	/* a name */
	size_t			 tok_len;
	long long		 tok_i;
	double			 tok_f;
	uint64_t		 tok_str;	/* a string: open, in bytes */

	/*
	 * cfg_member's keys, the few dozen a reader asks for again and
	 * again (a million targets, 30 keys each): which name, 0 for none.
	 */
	struct cfg_key {
		const char	*key;
		uint32_t	 name;
	}			 keys[256];
	size_t			 nkeys;
};

static int
cfg_vec_grow(struct cfg_vec *v, size_t more)
{
	size_t cap;
	void *p;

	if (v->len + more <= v->cap)
		return 0;
	cap = v->cap ? v->cap : CFG_VEC_MIN;
	while (cap < v->len + more) {
		if (cap > SIZE_MAX / 4)
			return -1;
		cap *= 2;
	}
	if (v->p == NULL)
		p = mmap(NULL, cap, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mremap(v->p, v->cap, cap, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return -1;
	if (cap >= CFG_VEC_HUGE)
		(void)madvise(p, cap, MADV_HUGEPAGE);	/* a hint only */
	v->p = p;
	v->cap = cap;
	return 0;
}

static void
cfg_vec_free(struct cfg_vec *v)
{
	if (v->p != NULL)
		munmap(v->p, v->cap);
	memset(v, 0, sizeof(*v));
}

static void cfg_fail(struct cfg *, uint32_t, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* The first error wins: what follows it is only its consequence. */
static void
cfg_fail(struct cfg *c, uint32_t line, const char *fmt, ...)
{
	const char *file = "";
	va_list ap;

	if (c->failed)
		return;
	c->failed = 1;
	if (c->nsrc > 0)
		file = c->files[c->src[c->nsrc - 1].file];
	snprintf(c->err->file, sizeof(c->err->file), "%s", file);
	c->err->line = (int)line;
	va_start(ap, fmt);
	vsnprintf(c->err->text, sizeof(c->err->text), fmt, ap);
	va_end(ap);
}

static void
cfg_nomem(struct cfg *c)
{
	cfg_fail(c, 0, "out of memory");
}

static int
cfg_put(struct cfg *c, const void *p, size_t n)
{
	char *d;
	size_t i;

	if (c->bytes.len + n > c->bytes.cap &&
	    cfg_vec_grow(&c->bytes, n) == -1) {
		cfg_nomem(c);
		return -1;
	}
	d = c->bytes.p + c->bytes.len;
	if (n <= 32)	/* names, hosts: shorter than a call to memcpy */
		for (i = 0; i < n; i++)
			d[i] = ((const char *)p)[i];
	else
		memcpy(d, p, n);
	c->bytes.len += n;
	return 0;
}

static int
cfg_putc(struct cfg *c, char ch)
{
	if (c->bytes.len == c->bytes.cap && cfg_vec_grow(&c->bytes, 1) == -1) {
		cfg_nomem(c);
		return -1;
	}
	c->bytes.p[c->bytes.len++] = ch;
	return 0;
}

static uint32_t
cfg_hash(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0) {
		h ^= (unsigned char)*p++;
		h *= 16777619u;
	}
	return h;
}

/* Is the NUL-terminated a the len bytes of b?  Names: a few bytes. */
static int
cfg_same(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return 0;
	return a[len] == '\0';
}

/* The name's offset in bytes, added the first time it is seen; 0: no memory */
static uint32_t
cfg_intern(struct cfg *c, const char *p, size_t len)
{
	uint32_t *t, off;
	size_t i, cap;

	if (c->nnames * 2 >= c->names_cap) {
		cap = c->names_cap ? c->names_cap * 2 : 64;
		if ((t = calloc(cap, sizeof(*t))) == NULL) {
			cfg_nomem(c);
			return 0;
		}
		for (i = 0; i < c->names_cap; i++) {
			const char *s;
			size_t j;

			if ((off = c->names[i]) == 0)
				continue;
			s = c->bytes.p + off;
			j = cfg_hash(s, strlen(s)) & (cap - 1);
			while (t[j] != 0)
				j = (j + 1) & (cap - 1);
			t[j] = off;
		}
		free(c->names);
		c->names = t;
		c->names_cap = cap;
	}
	i = cfg_hash(p, len) & (c->names_cap - 1);
	while ((off = c->names[i]) != 0) {
		if (cfg_same(c->bytes.p + off, p, len))
			return off;
		i = (i + 1) & (c->names_cap - 1);
	}
	if (c->bytes.len > UINT32_MAX - len - 1) {
		cfg_nomem(c);
		return 0;
	}
	off = (uint32_t)c->bytes.len;
	if (cfg_put(c, p, len) == -1 || cfg_putc(c, '\0') == -1)
		return 0;
	c->names_end = c->bytes.len;
	c->names[i] = off;
	c->nnames++;
	return off;
}

/* ------------------------------------------------------------ files */

static int
cfg_push_file(struct cfg *c, const char *path, int fd, uint32_t line)
{
	struct cfg_src *s;
	struct stat st;
	char **files;
	void *map = NULL;
	size_t len;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		cfg_fail(c, line, "cannot include \"%s\": not a regular file",
		    path);
		return -1;
	}
	if ((size_t)st.st_size > CFG_MAX_FILE) {
		cfg_fail(c, line, "%s is larger than 2 GiB", path);
		return -1;
	}
	len = (size_t)st.st_size;
	if (len > 0 && (map = mmap(NULL, len, PROT_READ,
	    MAP_PRIVATE | MAP_POPULATE, fd, 0)) == MAP_FAILED) {
		cfg_fail(c, line, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (c->nfiles >= UINT16_MAX ||
	    (files = reallocarray(c->files, c->nfiles + 1,
	    sizeof(*files))) == NULL) {
		if (map != NULL)
			munmap(map, len);
		cfg_nomem(c);
		return -1;
	}
	c->files = files;
	if ((files[c->nfiles] = strdup(path)) == NULL) {
		if (map != NULL)
			munmap(map, len);
		cfg_nomem(c);
		return -1;
	}
	s = &c->src[c->nsrc++];
	memset(s, 0, sizeof(*s));
	s->map = map;
	s->maplen = len;
	s->p = map != NULL ? map : "";	/* NULL + 0 is undefined */
	s->end = s->p + len;
	s->line = 1;
	s->bol = 1;
	s->file = (uint16_t)c->nfiles++;
	return 0;
}

static void
cfg_pop_file(struct cfg *c)
{
	struct cfg_src *s = &c->src[--c->nsrc];

	if (s->map != NULL)
		munmap(s->map, s->maplen);
	s->map = NULL;
}

/*
 * @include "name": read name now, then go on after it.  As libconfig's
 * scanner: \\ and \" are a backslash and a quote, any other backslash
 * is dropped (its flex rules do not match it: the default rule echoes it
 * to stdout); a name still open at the end of an included file goes on in
 * the including file, and one open at the end of the main file ends the
 * input (0, c->tok is T_EOF).
 */
static void	cfg_next(struct cfg *);

static int
cfg_include(struct cfg *c, struct cfg_src *s, const char *p)
{
	char name[PATH_MAX], full[PATH_MAX];
	size_t n = 0;
	int fd, r;

	for (;;) {
		while (p < s->end && *p != '"') {
			if (*p == '\\') {
				if (p + 1 == s->end || (p[1] != '\\' &&
				    p[1] != '"')) {
					p++;
					continue;
				}
				p++;
			}
			if (*p == '\n')
				s->line++;
			if (n + 1 < sizeof(name))
				name[n++] = *p;
			p++;
		}
		if (p < s->end)
			break;
		s->p = p;
		if (c->nsrc == 1) {
			c->tok = T_EOF;
			c->tok_line = s->line;
			c->tok_file = s->file;
			return 0;
		}
		cfg_pop_file(c);
		s = &c->src[c->nsrc - 1];
		p = s->p;
	}
	name[n] = '\0';
	s->p = p + 1;
	s->bol = 0;
	if (name[0] == '/' || c->include_dir == NULL)
		r = snprintf(full, sizeof(full), "%s", name);
	else
		r = snprintf(full, sizeof(full), "%s/%s", c->include_dir,
		    name);
	/* libconfig's line: where the name ends */
	if (r < 0 || (size_t)r >= sizeof(full)) {
		cfg_fail(c, s->line, "cannot open include file");
		return -1;
	}
	if (c->nsrc > CFG_MAX_INCLUDE) {
		cfg_fail(c, s->line, "include file nesting too deep");
		return -1;
	}
	/* O_NONBLOCK: a FIFO must not hang us; fstat then refuses it */
	if ((fd = open(full, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		cfg_fail(c, s->line, "cannot open include file");
		return -1;
	}
	r = cfg_push_file(c, full, fd, s->line);
	close(fd);
	if (r == 0)
		cfg_next(c);
	return r;
}

/* ------------------------------------------------------------ tokens */

static int
cfg_isdigit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
cfg_isxdigit(int ch)
{
	return cfg_isdigit(ch) || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/* What a byte can be: a table, the scanner's inner loops ask per byte. */
#define CFG_C_FIRST	0x01	/* starts a name: A-Z a-z * */
#define CFG_C_NAME	0x02	/* in a name: those, 0-9 - _ */
#define CFG_C_BLANK	0x04	/* space, tab */
#define CFG_C_STRING	0x08	/* ends or interrupts a run of a string */

static const uint8_t cfg_class[256] = {
	[' '] = CFG_C_BLANK, ['\t'] = CFG_C_BLANK,
	['"'] = CFG_C_STRING, ['\\'] = CFG_C_STRING, ['\n'] = CFG_C_STRING,
	['\0'] = CFG_C_STRING,
	['*'] = CFG_C_FIRST | CFG_C_NAME,
	['-'] = CFG_C_NAME, ['_'] = CFG_C_NAME,
#define CFG_R(a) [a] = CFG_C_FIRST | CFG_C_NAME
	CFG_R('A'), CFG_R('B'), CFG_R('C'), CFG_R('D'), CFG_R('E'),
	CFG_R('F'), CFG_R('G'), CFG_R('H'), CFG_R('I'), CFG_R('J'),
	CFG_R('K'), CFG_R('L'), CFG_R('M'), CFG_R('N'), CFG_R('O'),
	CFG_R('P'), CFG_R('Q'), CFG_R('R'), CFG_R('S'), CFG_R('T'),
	CFG_R('U'), CFG_R('V'), CFG_R('W'), CFG_R('X'), CFG_R('Y'),
	CFG_R('Z'),
	CFG_R('a'), CFG_R('b'), CFG_R('c'), CFG_R('d'), CFG_R('e'),
	CFG_R('f'), CFG_R('g'), CFG_R('h'), CFG_R('i'), CFG_R('j'),
	CFG_R('k'), CFG_R('l'), CFG_R('m'), CFG_R('n'), CFG_R('o'),
	CFG_R('p'), CFG_R('q'), CFG_R('r'), CFG_R('s'), CFG_R('t'),
	CFG_R('u'), CFG_R('v'), CFG_R('w'), CFG_R('x'), CFG_R('y'),
	CFG_R('z'),
#undef CFG_R
	['0'] = CFG_C_NAME, ['1'] = CFG_C_NAME, ['2'] = CFG_C_NAME,
	['3'] = CFG_C_NAME, ['4'] = CFG_C_NAME, ['5'] = CFG_C_NAME,
	['6'] = CFG_C_NAME, ['7'] = CFG_C_NAME, ['8'] = CFG_C_NAME,
	['9'] = CFG_C_NAME,
};

static int
cfg_isname(int ch, int first)
{
	return (cfg_class[ch & 0xff] & (first ? CFG_C_FIRST : CFG_C_NAME)) !=
	    0;
}

/*
 * A decimal float as strtod reads it.  Most are short ("60.0", "2.5"):
 * up to 15 significant digits and 22 decimals, the digits and the power
 * of ten are both exact doubles, so one division rounds correctly.
 */
static double
cfg_float_text(const char *p, size_t len)
{
	char buf[64], *copy;
	uint64_t m = 0;
	size_t i = 0, digits = 0, decimals = 0;
	int neg = 0, dot = 0;
	double v;
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};

	if (i < len && (p[i] == '-' || p[i] == '+'))
		neg = p[i++] == '-';
	for (; i < len; i++) {
		if (p[i] == '.' && !dot) {
			dot = 1;
			continue;
		}
		if (!cfg_isdigit(p[i]))
			break;
		if (m == 0 && p[i] == '0') {
			decimals += dot;	/* leading zeros */
			continue;
		}
		m = m * 10 + (uint64_t)(p[i] - '0');
		decimals += dot;
		if (++digits > 15)
			break;
	}
	if (i == len && decimals <= 22) {
		v = (double)m / pow10[decimals];
		return neg ? -v : v;
	}
	if (len < sizeof(buf)) {
		memcpy(buf, p, len);
		buf[len] = '\0';
		return strtod(buf, NULL);
	}
	if ((copy = strndup(p, len)) == NULL)
		return 0;
	v = strtod(copy, NULL);
	free(copy);
	return v;
}

/*
 * A number, the longest libconfig would match: int, int64 ("L"), hex,
 * hex64, float.  Its length, or 0: not a number.
 */
static size_t
cfg_number(struct cfg *c, const char *p, const char *end)
{
	const char *q = p, *d, *e;
	int isfloat = 0, neg = 0;
	uint64_t u = 0;
	size_t nd, sig = 0;

	if (q < end && (*q == '-' || *q == '+'))
		neg = *q++ == '-';
	if (q == p && end - p > 2 && p[0] == '0' && (p[1] == 'x' ||
	    p[1] == 'X') && cfg_isxdigit(p[2])) {
		for (q = p + 2; q < end && cfg_isxdigit(*q); q++) {
			sig += u != 0 || *q != '0';	/* not leading zeros */
			u = u << 4 | (uint64_t)(cfg_isdigit(*q) ? *q - '0' :
			    (*q | 0x20) - 'a' + 10);
		}
		if (sig > 16)
			u = UINT64_MAX;	/* strtoull's saturation */
		if (q < end && *q == 'L') {
			q += q + 1 < end && q[1] == 'L' ? 2 : 1;
			c->tok = T_INT64;
			c->tok_i = (long long)u;
		} else if (u <= UINT32_MAX) {
			/* 32 bits, as libconfig: 0xffffffff is -1 */
			c->tok = T_INT;
			c->tok_i = (int)(uint32_t)u;
		} else {
			c->tok = T_INT64;
			c->tok_i = (long long)u;
		}
		return (size_t)(q - p);
	}
	for (d = q; q < end && cfg_isdigit(*q); q++)
		;
	nd = (size_t)(q - d);
	if (q < end && *q == '.') {
		for (q++; q < end && cfg_isdigit(*q); q++)
			;
		isfloat = 1;
	}
	if ((isfloat || nd > 0) && q < end && (*q == 'e' || *q == 'E')) {
		e = q + 1;
		if (e < end && (*e == '-' || *e == '+'))
			e++;
		if (e < end && cfg_isdigit(*e)) {
			for (; e < end && cfg_isdigit(*e); e++)
				;
			q = e;
			isfloat = 1;
		}
	}
	if (isfloat) {
		c->tok = T_FLOAT;
		c->tok_f = cfg_float_text(p, (size_t)(q - p));
		return (size_t)(q - p);
	}
	if (nd == 0)
		return 0;
	for (; d < q; d++) {
		if (u > (UINT64_MAX - 9) / 10) {
			u = UINT64_MAX;
			break;
		}
		u = u * 10 + (uint64_t)(*d - '0');
	}
	if (q < end && *q == 'L') {
		q += q + 1 < end && q[1] == 'L' ? 2 : 1;
		c->tok = T_INT64;
	} else if (u <= (uint64_t)INT32_MAX + neg)
		c->tok = T_INT;
	else
		c->tok = T_INT64;
	if (u > (uint64_t)INT64_MAX + neg) {
		cfg_fail(c, c->tok_line, "integer out of range");
		c->tok = T_ERROR;
	}
	c->tok_i = neg ? (long long)(0 - u) : (long long)u;
	return (size_t)(q - p);
}

/*
 * A string's bytes, appended to c->bytes (not terminated: "a" "b" join).
 * As libconfig's scanner: a string still open at the end of an included
 * file goes on in the including file; one still open at the end of the
 * main file is dropped, and the input ends there (1).
 */
static int
cfg_string_scan(struct cfg *c)
{
	struct cfg_src *s = &c->src[c->nsrc - 1];
	const char *p = s->p + 1, *run, *nul;
	int hi, lo;

	for (;;) {
		/* libconfig copies a run as a C string: a NUL ends it */
		nul = NULL;
		for (run = p; p < s->end; p++) {
			if (!(cfg_class[(unsigned char)*p] & CFG_C_STRING))
				continue;
			if (*p == '"' || *p == '\\')
				break;
			if (*p == '\n')
				s->line++;
			else if (nul == NULL)
				nul = p;	/* a NUL */
		}
		if (p > run && cfg_put(c, run, (size_t)((nul != NULL ? nul :
		    p) - run)) == -1)
			return -1;
		if (p == s->end) {
			s->p = p;
			if (c->nsrc == 1) {
				c->bytes.len = c->tok_str;
				return 1;
			}
			cfg_pop_file(c);
			s = &c->src[c->nsrc - 1];
			p = s->p;
			continue;
		}
		if (*p == '"')
			break;
		/* a backslash */
		if (p + 1 < s->end) {
			switch (p[1]) {
			case 'n':
				cfg_putc(c, '\n');
				p += 2;
				continue;
			case 'r':
				cfg_putc(c, '\r');
				p += 2;
				continue;
			case 't':
				cfg_putc(c, '\t');
				p += 2;
				continue;
			case 'f':
				cfg_putc(c, '\f');
				p += 2;
				continue;
			case '\\':
			case '"':
				cfg_putc(c, p[1]);
				p += 2;
				continue;
			case 'x':
			case 'X':
				if (p + 3 < s->end && cfg_isxdigit(p[2]) &&
				    cfg_isxdigit(p[3])) {
					hi = cfg_isdigit(p[2]) ? p[2] - '0' :
					    (p[2] | 0x20) - 'a' + 10;
					lo = cfg_isdigit(p[3]) ? p[3] - '0' :
					    (p[3] | 0x20) - 'a' + 10;
					/* libconfig appends a C string: \x00 is lost */
					if ((hi | lo) != 0)
						cfg_putc(c, (char)(hi << 4 | lo));
					p += 4;
					continue;
				}
				break;
			}
		}
		/* any other: the backslash itself, then go on */
		if (cfg_putc(c, '\\') == -1)
			return -1;
		p++;
	}
	s->p = p + 1;
	s->bol = 0;
	return c->failed ? -1 : 0;
}

/*
 * Inside a C comment: past its end, or the end of the file with
 * c->in_comment set (it goes on in the including file, as in libconfig).
 */
static const char *
cfg_comment(struct cfg *c, struct cfg_src *s, const char *p)
{
	for (; p < s->end; p++) {
		if (*p == '*' && p + 1 < s->end && p[1] == '/') {
			c->in_comment = 0;
			return p + 2;
		}
		if (*p == '\n')
			s->line++;
	}
	c->in_comment = 1;
	return p;
}

/* Read the next token into c->tok. */
static void
cfg_next(struct cfg *c)
{
	struct cfg_src *s;
	const char *p;
	size_t n;

	/* T_ERROR is never consumed: the parser fails on it */
	if (c->failed || c->tok == T_ERROR) {
		c->tok = T_ERROR;
		return;
	}
	for (;;) {
		s = &c->src[c->nsrc - 1];
		p = s->p;
		if (c->in_comment) {
			p = cfg_comment(c, s, p);
			s->bol = 0;
		}
		while (p < s->end) {
			if (cfg_class[(unsigned char)*p] & CFG_C_BLANK)
				p++;
			else if (*p == '\n') {
				s->line++;
				s->bol = 1;
				p++;
			} else if (*p == '\r' || *p == '\f') {
				s->bol = 0;
				p++;
			} else if (*p == '#' || (*p == '/' && p + 1 < s->end &&
			    p[1] == '/')) {
				while (p < s->end && *p != '\n')
					p++;
				s->bol = 0;
			} else if (*p == '/' && p + 1 < s->end && p[1] == '*') {
				p = cfg_comment(c, s, p + 2);
				s->bol = 0;
			} else
				break;
		}
		s->p = p;
		if (p < s->end)
			break;
		if (c->nsrc == 1) {
			c->tok = T_EOF;
			c->tok_line = s->line;
			c->tok_file = s->file;
			return;
		}
		cfg_pop_file(c);
	}

	c->tok_line = s->line;
	c->tok_file = s->file;
	switch (*p) {
	case '=':
	case ':':
		c->tok = T_EQUALS;
		break;
	case ',':
		c->tok = T_COMMA;
		break;
	case ';':
		c->tok = T_SEMI;
		break;
	case '{':
		c->tok = T_GROUP_START;
		break;
	case '}':
		c->tok = T_GROUP_END;
		break;
	case '[':
		c->tok = T_ARRAY_START;
		break;
	case ']':
		c->tok = T_ARRAY_END;
		break;
	case '(':
		c->tok = T_LIST_START;
		break;
	case ')':
		c->tok = T_LIST_END;
		break;
	case '"':
		c->tok = T_STRING;
		c->tok_str = c->bytes.len;
		s->bol = 0;
		switch (cfg_string_scan(c)) {
		case -1:
			c->tok = T_ERROR;
			break;
		case 1:
			c->tok = T_EOF;
			s = &c->src[c->nsrc - 1];
			c->tok_line = s->line;
			c->tok_file = s->file;
			break;
		default:
			/* libconfig's line of a string: where it ends */
			c->tok_line = c->src[c->nsrc - 1].line;
			break;
		}
		return;
	case '@':
		n = (size_t)(s->end - p);
		if (s->bol && n > 9 && memcmp(p, "@include", 8) == 0 &&
		    (p[8] == ' ' || p[8] == '\t')) {
			const char *q = p + 8;

			while (q < s->end && (*q == ' ' || *q == '\t'))
				q++;
			if (q < s->end && *q == '"') {
				if (cfg_include(c, s, q + 1) == -1)
					c->tok = T_ERROR;
				return;
			}
		}
		c->tok = T_ERROR;	/* garbage, see below */
		return;
	default:
		s->bol = 0;
		if (cfg_isname((unsigned char)*p, 1)) {
			const char *q = p + 1;

			while (q < s->end &&
			    (cfg_class[(unsigned char)*q] & CFG_C_NAME))
				q++;
			n = (size_t)(q - p);
			s->p = q;
			if (((*p | 0x20) == 't' && n == 4 &&
			    strncasecmp(p, "true", 4) == 0) ||
			    ((*p | 0x20) == 'f' && n == 5 &&
			    strncasecmp(p, "false", 5) == 0)) {
				c->tok = T_BOOL;
				c->tok_i = n == 4;
			} else {
				c->tok = T_NAME;
				c->tok_p = p;
				c->tok_len = n;
			}
			return;
		}
		if ((n = cfg_number(c, p, s->end)) > 0) {
			s->p = p + n;
			return;
		}
		/*
		 * Garbage: libconfig's scanner makes it a token, and its
		 * parser says "syntax error" when it gets there, which may be
		 * after an error of the value before it (a mismatched array
		 * element): the parser says it, at tok_line.
		 */
		c->tok = T_ERROR;
		return;
	}
	s->bol = 0;
	s->p = p + 1;
}

/* ------------------------------------------------------------ parser */

static struct cfg_node *
cfg_node_at(const struct cfg *c, uint32_t i)
{
	return (struct cfg_node *)(void *)c->nodes.p + i;
}

static int
cfg_node_new(struct cfg *c, uint8_t type, uint32_t name, uint32_t line,
    uint16_t file, uint32_t *idx)
{
	struct cfg_node *n;
	size_t i = c->nodes.len / sizeof(*n);

	if (i >= UINT32_MAX || (c->nodes.len + sizeof(*n) > c->nodes.cap &&
	    cfg_vec_grow(&c->nodes, sizeof(*n)) == -1)) {
		cfg_nomem(c);
		return -1;
	}
	c->nodes.len += sizeof(*n);
	n = cfg_node_at(c, (uint32_t)i);
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->name = name;
	n->line = line;
	n->file = file;
	*idx = (uint32_t)i;
	return 0;
}

static int
cfg_push(struct cfg *c, uint32_t idx)
{
	if (c->stack.len + sizeof(idx) > c->stack.cap &&
	    cfg_vec_grow(&c->stack, sizeof(idx)) == -1) {
		cfg_nomem(c);
		return -1;
	}
	memcpy(c->stack.p + c->stack.len, &idx, sizeof(idx));
	c->stack.len += sizeof(idx);
	return 0;
}

/* The children pushed since base become the node's. */
static int
cfg_close(struct cfg *c, uint32_t idx, size_t base)
{
	size_t n = (c->stack.len - base) / sizeof(uint32_t);
	struct cfg_node *node;

	if (c->kids.len / sizeof(uint32_t) + n > UINT32_MAX ||
	    cfg_vec_grow(&c->kids, n * sizeof(uint32_t)) == -1) {
		cfg_nomem(c);
		return -1;
	}
	node = cfg_node_at(c, idx);
	node->v.kids.off = (uint32_t)(c->kids.len / sizeof(uint32_t));
	node->v.kids.n = (uint32_t)n;
	if (n > 0)	/* both may be NULL then */
		memcpy(c->kids.p + c->kids.len, c->stack.p + base,
		    n * sizeof(uint32_t));
	c->kids.len += n * sizeof(uint32_t);
	c->stack.len = base;
	return 0;
}

static int
cfg_syntax(struct cfg *c)
{
	cfg_fail(c, c->tok_line, "syntax error");
	return -1;
}

static int	cfg_settings(struct cfg *, uint32_t, enum cfg_tok, int);

/* a scalar token's node type */
static const uint8_t cfg_types[] = {
	[T_BOOL] = CFG_BOOL, [T_INT] = CFG_INT, [T_INT64] = CFG_INT64,
	[T_FLOAT] = CFG_FLOAT, [T_STRING] = CFG_STRING,
};

static int
cfg_mismatch(struct cfg *c, uint32_t line)
{
	cfg_fail(c, line, "mismatched element type in array");
	return -1;
}

static int
cfg_is_scalar(enum cfg_tok t)
{
	return t == T_BOOL || t == T_INT || t == T_INT64 || t == T_FLOAT ||
	    t == T_STRING;
}

/* A scalar (c->tok is one): its node, adjacent strings joined. */
static int
cfg_scalar(struct cfg *c, uint32_t name, uint32_t line, uint16_t file,
    uint32_t *idx)
{
	struct cfg_node *n;
	enum cfg_tok t = c->tok;
	long long i = c->tok_i;
	double f = c->tok_f;
	uint64_t str = c->tok_str;

	if (t == T_STRING) {
		do
			cfg_next(c);	/* appends to the bytes of the first */
		while (c->tok == T_STRING);
		/*
		 * The token after the strings was read already; it put no
		 * bytes (only strings do) unless it is an error.
		 */
		if (cfg_putc(c, '\0') == -1)
			return -1;
	} else
		cfg_next(c);
	if (c->failed)
		return -1;
	if (cfg_node_new(c, cfg_types[t], name, line, file, idx) == -1)
		return -1;
	n = cfg_node_at(c, *idx);
	if (t == T_FLOAT)
		n->v.f = f;
	else if (t == T_STRING)
		n->v.str = str;
	else
		n->v.i = i;
	return 0;
}

/* A value, starting at c->tok; c->tok is the token after it. */
static int
cfg_value(struct cfg *c, uint32_t name, uint32_t line, uint16_t file,
    int depth, uint32_t *idx)
{
	size_t base = c->stack.len, nodes0, kids0, bytes0;
	uint32_t kid;
	uint8_t type0 = CFG_NONE;
	enum cfg_tok close;
	int hooked;

	if (cfg_is_scalar(c->tok))
		return cfg_scalar(c, name, line, file, idx);
	if (depth >= CFG_MAX_NEST) {
		cfg_fail(c, c->tok_line, "nested deeper than %d",
		    CFG_MAX_NEST);
		return -1;
	}
	switch (c->tok) {
	case T_GROUP_START:
		if (cfg_node_new(c, CFG_GROUP, name, line, file,
		    idx) == -1)
			return -1;
		cfg_next(c);
		if (cfg_settings(c, *idx, T_GROUP_END, depth + 1) == -1)
			return -1;
		cfg_next(c);
		return 0;
	case T_ARRAY_START:
		if (cfg_node_new(c, CFG_ARRAY, name, line, file,
		    idx) == -1)
			return -1;
		close = T_ARRAY_END;
		break;
	case T_LIST_START:
		if (cfg_node_new(c, CFG_LIST, name, line, file,
		    idx) == -1)
			return -1;
		close = T_LIST_END;
		break;
	default:
		return cfg_syntax(c);
	}
	hooked = c->hook != NULL && depth == 0 && close == T_LIST_END &&
	    name != 0 && strcmp(c->bytes.p + name, c->hook->list) == 0;
	cfg_next(c);
	if (c->tok != close) {
		for (;;) {
			if (close == T_ARRAY_END && !cfg_is_scalar(c->tok))
				return cfg_syntax(c);
			nodes0 = c->nodes.len;
			kids0 = c->kids.len;
			bytes0 = c->bytes.len;
			/*
			 * libconfig checks an element's type before it reads
			 * the token after it, but for a string (which the
			 * next may continue): its line and its errors first.
			 */
			if (close == T_ARRAY_END && c->tok != T_STRING &&
			    type0 != CFG_NONE && cfg_types[c->tok] != type0)
				return cfg_mismatch(c, c->tok_line);
			if (cfg_value(c, 0, c->tok_line, c->tok_file,
			    depth + 1, &kid) == -1)
				return -1;
			if (close == T_ARRAY_END) {
				uint8_t t = cfg_node_at(c, kid)->type;

				if (type0 != CFG_NONE && t != type0)
					return cfg_mismatch(c, c->tok_line);
				type0 = t;
			}
			/*
			 * An element the hook takes is dropped: everything it
			 * added is at the end of the arrays (but for names it
			 * interned, which stay), and the token after it, a
			 * comma or the close, added nothing.
			 */
			if (hooked && (c->tok == T_COMMA || c->tok == close) &&
			    c->hook->elem(c->hook->arg, c,
			    cfg_node_at(c, kid)) == 1) {
				c->nodes.len = nodes0;
				c->kids.len = kids0;
				c->bytes.len = bytes0 > c->names_end ? bytes0 :
				    c->names_end;
			} else if (cfg_push(c, kid) == -1)
				return -1;
			if (c->tok == close)
				break;
			if (c->tok != T_COMMA)
				return cfg_syntax(c);
			cfg_next(c);
		}
	}
	if (cfg_close(c, *idx, base) == -1)
		return -1;
	cfg_next(c);
	return 0;
}

/* Settings until the close token (not consumed), as group's members. */
static int
cfg_settings(struct cfg *c, uint32_t group, enum cfg_tok close, int depth)
{
	size_t base = c->stack.len, i;
	uint32_t name, line, kid, k;
	uint16_t file;

	while (c->tok != close) {
		if (c->tok != T_NAME)
			return cfg_syntax(c);
		if ((name = cfg_intern(c, c->tok_p, c->tok_len)) == 0)
			return -1;
		line = c->tok_line;
		file = c->tok_file;
		/* groups are small; libconfig, too, looks at each member */
		for (i = base; i < c->stack.len; i += sizeof(k)) {
			memcpy(&k, c->stack.p + i, sizeof(k));
			if (cfg_node_at(c, k)->name == name) {
				cfg_fail(c, line, "duplicate setting name");
				return -1;
			}
		}
		cfg_next(c);
		if (c->tok != T_EQUALS)
			return cfg_syntax(c);
		cfg_next(c);
		if (cfg_value(c, name, line, file, depth, &kid) == -1 ||
		    cfg_push(c, kid) == -1)
			return -1;
		if (c->tok == T_SEMI || c->tok == T_COMMA)
			cfg_next(c);
	}
	return cfg_close(c, group, base);
}

static struct cfg *
cfg_parse(struct cfg *c)
{
	uint32_t root;

	c->parsing = 1;
	if (cfg_putc(c, '\0') == 0 &&	/* offset 0: no name */
	    cfg_node_new(c, CFG_GROUP, 0, 0, 0, &root) == 0) {
		cfg_next(c);
		if (cfg_settings(c, root, T_EOF, 0) == 0 && !c->failed) {
			c->parsing = 0;
			while (c->nsrc > 0)
				cfg_pop_file(c);
			cfg_vec_free(&c->stack);
			return c;
		}
	}
	cfg_free(c);
	return NULL;
}

struct cfg *
cfg_read(const char *path, const char *include_dir, struct cfg_error *err)
{
	return cfg_read_hook(path, include_dir, err, NULL);
}

struct cfg *
cfg_read_hook(const char *path, const char *include_dir,
    struct cfg_error *err, const struct cfg_hook *hook)
{
	struct cfg *c;
	int fd;

	memset(err, 0, sizeof(*err));
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->text, sizeof(err->text), "out of memory");
		return NULL;
	}
	c->err = err;
	c->include_dir = include_dir;
	c->hook = hook;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		snprintf(err->text, sizeof(err->text), "cannot open: %s",
		    strerror(errno));
		free(c);
		return NULL;
	}
	if (cfg_push_file(c, path, fd, 0) == -1) {
		close(fd);
		snprintf(err->file, sizeof(err->file), "%s", path);
		cfg_free(c);
		return NULL;
	}
	close(fd);
	return cfg_parse(c);
}

struct cfg *
cfg_read_mem(const char *text, size_t len, const char *name,
    struct cfg_error *err)
{
	struct cfg_src *s;
	struct cfg *c;

	memset(err, 0, sizeof(*err));
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->files = calloc(1, sizeof(*c->files))) == NULL ||
	    (c->files[0] = strdup(name)) == NULL) {
		if (c != NULL)
			free(c->files);
		free(c);
		snprintf(err->text, sizeof(err->text), "out of memory");
		return NULL;
	}
	c->nfiles = 1;
	c->err = err;
	s = &c->src[c->nsrc++];
	s->p = text != NULL ? text : "";
	s->end = s->p + len;
	s->line = 1;
	s->bol = 1;
	return cfg_parse(c);
}

void
cfg_free(struct cfg *c)
{
	size_t i;

	if (c == NULL)
		return;
	while (c->nsrc > 0)
		cfg_pop_file(c);
	cfg_vec_free(&c->nodes);
	cfg_vec_free(&c->kids);
	cfg_vec_free(&c->bytes);
	cfg_vec_free(&c->stack);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->names);
	free(c);
}

/* ------------------------------------------------------------ lookups */

const struct cfg_node *
cfg_root(const struct cfg *c)
{
	return cfg_node_at(c, 0);
}

const struct cfg_node *
cfg_elem(const struct cfg *c, const struct cfg_node *n, unsigned i)
{
	uint32_t k;

	if ((n->type != CFG_GROUP && n->type != CFG_LIST &&
	    n->type != CFG_ARRAY) || i >= n->v.kids.n)
		return NULL;
	memcpy(&k, c->kids.p + ((size_t)n->v.kids.off + i) * sizeof(k),
	    sizeof(k));
	return cfg_node_at(c, k);
}

/* The interned name equal to key, or 0: no setting has that name. */
static uint32_t
cfg_lookup(const struct cfg *c, const char *key)
{
	size_t len = strlen(key), i;
	uint32_t off;

	if (c->names_cap == 0)
		return 0;
	i = cfg_hash(key, len) & (c->names_cap - 1);
	while ((off = c->names[i]) != 0) {
		if (strcmp(c->bytes.p + off, key) == 0)
			return off;
		i = (i + 1) & (c->names_cap - 1);
	}
	return 0;
}

const struct cfg_node *
cfg_member(struct cfg *c, const struct cfg_node *n, const char *key)
{
	const struct cfg_node *nodes = (const void *)c->nodes.p;
	const uint32_t *kid;
	struct cfg_key *k;
	uint32_t name, i;

	if (n->type != CFG_GROUP)
		return NULL;
	/*
	 * Keys do not change (cfg.h): each is remembered by its address, in
	 * an open-addressed table that is only added to.  A reader has a few
	 * dozen; past three quarters full, keys are looked up every time.
	 */
	i = (uint32_t)(((uint64_t)(uintptr_t)key * 0x9e3779b97f4a7c15ULL) >>
	    56);	/* 256 slots */
	for (;;) {
		k = &c->keys[i];
		if (k->key == key) {
			name = k->name;
			break;
		}
		if (k->key == NULL) {
			name = cfg_lookup(c, key);
			/* while a hook runs, a name not met yet may come */
			if ((name != 0 || !c->parsing) &&
			    c->nkeys < sizeof(c->keys) / sizeof(c->keys[0]) *
			    3 / 4) {
				k->key = key;
				k->name = name;
				c->nkeys++;
			}
			break;
		}
		i = (i + 1) % (sizeof(c->keys) / sizeof(c->keys[0]));
	}
	if (name == 0)
		return NULL;
	kid = (const uint32_t *)(const void *)c->kids.p + n->v.kids.off;
	for (i = 0; i < n->v.kids.n; i++)
		if (nodes[kid[i]].name == name)
			return &nodes[kid[i]];
	return NULL;
}

unsigned
cfg_length(const struct cfg_node *n)
{
	if (n->type != CFG_GROUP && n->type != CFG_LIST &&
	    n->type != CFG_ARRAY)
		return 0;
	return n->v.kids.n;
}

const char *
cfg_name(const struct cfg *c, const struct cfg_node *n)
{
	return n->name == 0 ? NULL : c->bytes.p + n->name;
}

const char *
cfg_file(const struct cfg *c, const struct cfg_node *n)
{
	return n->file < c->nfiles ? c->files[n->file] : NULL;
}

const char *
cfg_string(const struct cfg *c, const struct cfg_node *n)
{
	return n->type == CFG_STRING ? c->bytes.p + n->v.str : NULL;
}

/*
 * cfg_digest: a multiply-and-fold mix over 8-byte words (as wyhash's
 * core), strings word by word.  Not a defence against a chosen collision:
 * the file is the operator's, and a digest only lets a reload skip work.
 */
static inline uint64_t
cfg_mix(uint64_t h, uint64_t w)
{
	__uint128_t m = (__uint128_t)(h ^ w) * 0x9e3779b97f4a7c15ULL;

	return (uint64_t)m ^ (uint64_t)(m >> 64);
}

static uint64_t
cfg_mix_str(uint64_t h, const char *s)
{
	size_t len = strlen(s), i;
	uint64_t w;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		h = cfg_mix(h, w);
	}
	w = 0;
	memcpy(&w, s + i, len - i);
	return cfg_mix(h, w ^ (uint64_t)len << 56);
}

static uint64_t
cfg_digest_at(const struct cfg *c, const struct cfg_node *n, uint64_t h)
{
	uint32_t i, k;

	h = cfg_mix(h, n->type);
	if (n->name != 0)
		h = cfg_mix_str(h, c->bytes.p + n->name);
	switch (n->type) {
	case CFG_GROUP:
	case CFG_LIST:
	case CFG_ARRAY:
		h = cfg_mix(h, n->v.kids.n);
		for (i = 0; i < n->v.kids.n; i++) {
			memcpy(&k, c->kids.p + ((size_t)n->v.kids.off + i) *
			    sizeof(k), sizeof(k));
			h = cfg_digest_at(c, cfg_node_at(c, k), h);
		}
		return h;
	case CFG_STRING:
		return cfg_mix_str(h, c->bytes.p + n->v.str);
	case CFG_FLOAT: {
		uint64_t w;

		memcpy(&w, &n->v.f, sizeof(w));
		return cfg_mix(h, w);
	}
	default:
		return cfg_mix(h, (uint64_t)n->v.i);
	}
}

uint64_t
cfg_digest(const struct cfg *c, const struct cfg_node *n)
{
	return cfg_digest_at(c, n, 0x243f6a8885a308d3ULL);
}

long long
cfg_int64(const struct cfg_node *n)
{
	return n->type == CFG_INT || n->type == CFG_INT64 ? n->v.i : 0;
}

double
cfg_float(const struct cfg_node *n)
{
	if (n->type == CFG_FLOAT)
		return n->v.f;
	if (n->type == CFG_INT || n->type == CFG_INT64)
		return (double)n->v.i;
	return 0;
}
