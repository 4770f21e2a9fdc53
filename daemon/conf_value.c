/*
 * conf_value.c - one setting's value, checked: numbers, seconds, words,
 * strings, and the message that names its file and line when it is wrong.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

/*
 * A path a setting names (ca_file, state_file), relative to the directory
 * of its file as targets_dir and @include are, not to futd's cwd (under
 * systemd, /).  NULL when out of memory.
 */
char *
conf_path(const struct conf_ctx *ctx, const char *v)
{
	char *p;

	if (*v == '/' || ctx->dir == NULL)
		return strdup(v);
	return asprintf(&p, "%s/%s", ctx->dir, v) == -1 ? NULL : p;
}

/* An error's place, for conf_errors_sort: its file's rank and its line. */
struct conf_err_key {
	size_t		 file;		/* in order of first appearance */
	unsigned long	 line;		/* 0: none */
	size_t		 i;		/* where it was: the sort is stable */
	char		*msg;
};

static int
conf_err_cmp(const void *a, const void *b)
{
	const struct conf_err_key *x = a, *y = b;

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The errors from errs->msg[from] on in the order of the text, file by
 * file: the loader checks the top keys, then the defaults, then the
 * targets, and a reader going down the file should meet them going down.
 * "file:line: problem"; one without a line ("file: problem") stays first
 * of its file, a file's rank is where it first appears.  Left as it was
 * when out of memory.
 */
void
conf_errors_sort(struct strlist *errs, size_t from)
{
	struct conf_err_key *k;
	const char *m, *colon, *prev = NULL;
	size_t n = errs->n - from, i, plen = 0, len, files = 0;
	char *end;

	if (n < 2 || (k = calloc(n, sizeof(*k))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		m = k[i].msg = errs->msg[from + i];
		k[i].i = i;
		/* "path:123: " (a path may hold ':', a line is digits) */
		for (colon = strchr(m, ':'); colon != NULL; colon =
		    strchr(colon + 1, ':'))
			if (colon[1] >= '0' && colon[1] <= '9' &&
			    (k[i].line = strtoul(colon + 1, &end, 10),
			    *end == ':'))
				break;
		if (colon == NULL) {
			k[i].line = 0;
			colon = strchr(m, ':');
		}
		len = colon != NULL ? (size_t)(colon - m) : strlen(m);
		/* most errors are of the file of the one before */
		if (prev == NULL || len != plen || strncmp(m, prev, len) != 0)
			files++;
		k[i].file = files;
		prev = m;
		plen = len;
	}
	qsort(k, n, sizeof(*k), conf_err_cmp);
	for (i = 0; i < n; i++)
		errs->msg[from + i] = k[i].msg;
	free(k);
}

void
conf_error(struct conf_ctx *ctx, const config_setting_t *s, const char *fmt,
    ...)
{
	const char *file = NULL;
	char *msg, *where = NULL;
	va_list ap;
	int line = 0;

	if (s != NULL) {
		file = config_setting_source_file(s);
		line = (int)config_setting_source_line(s);
	}
	if (file == NULL)
		file = ctx->path;
	/* an @include'd file, named as written: from its directory */
	if (*file != '/' && ctx->dir != NULL && strcmp(file, ctx->path) != 0 &&
	    asprintf(&where, "%s/%s", ctx->dir, file) != -1)
		file = where;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL) {
		free(where);
		return;
	}
	if (line > 0)
		strlist_add(ctx->errs, "%s:%d: %s", file, line, msg);
	else
		strlist_add(ctx->errs, "%s: %s", file, msg);
	free(msg);
	free(where);
}

/*
 * What libconfig said of the text of path it could not read (an error in
 * an @include'd file names that file as written: from dir).  libconfig
 * 1.5 says "syntax error" and a line, no more: when the error is in text
 * itself, conf_syntax.c says what it probably is.
 */
void
conf_syntax_error(struct strlist *errs, const config_t *cfg, const char *path,
    const char *dir, const char *text)
{
	const char *file = config_error_file(cfg), *what;
	char *where = NULL, hint[256];
	int line = config_error_line(cfg);

	what = config_error_text(cfg);
	hint[0] = '\0';
	if (file == NULL) {
		file = path;
		if (what != NULL && strcmp(what, "syntax error") == 0 &&
		    text != NULL)
			conf_syntax_hint(text, line, hint, sizeof(hint));
	} else if (*file != '/' && dir != NULL &&
	    asprintf(&where, "%s/%s", dir, file) != -1)
		file = where;
	if (line > 0)
		strlist_add(errs, "%s:%d: %s%s%s", file, line, what,
		    *hint ? ": " : "", hint);
	else
		strlist_add(errs, "%s: %s%s%s", file, what, *hint ? ": " : "",
		    hint);
	free(where);
}

/* A member of a group of place p that p does not take, and a hint. */
void
conf_unknown_key(struct conf_ctx *ctx, const config_setting_t *s,
    enum conf_place p, const char *where)
{
	const char *name = config_setting_name(s);
	char hint[128];

	conf_key_hint(p, name, hint, sizeof(hint));
	conf_error(ctx, s, "unknown key \"%s\" %s%s", name, where, hint);
}

/* Every member of group must be a key of place p. */
void
conf_check_keys(struct conf_ctx *ctx, const config_setting_t *group,
    enum conf_place p, const char *where)
{
	const config_setting_t *s;
	const char *name;
	int i;

	for (i = 0; (s = config_setting_get_elem(group, (unsigned)i)) != NULL;
	    i++)
		if ((name = config_setting_name(s)) != NULL &&
		    !conf_key_known(p, name))
			conf_unknown_key(ctx, s, p, where);
}

static const char *
conf_sep(const char *label)
{
	return *label ? " " : "";
}

/* A number, integer or float: -1 when it is not one (already reported). */
int
conf_number(struct conf_ctx *ctx, const config_setting_t *s,
    const char *what, const char *label, double *v)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*v = (double)config_setting_get_int64(s);
		return 0;
	case CONFIG_TYPE_FLOAT:
		*v = config_setting_get_float(s);
		if (isfinite(*v))
			return 0;
		break;
	}
	conf_error(ctx, s, "%s must be a number%s%s", what, conf_sep(label),
	    label);
	return -1;
}

/* A number of seconds in its range: -1 on error (reported). */
int
conf_seconds(struct conf_ctx *ctx, const config_setting_t *s,
    enum conf_range_id id, const char *label, uint64_t *usec)
{
	const struct conf_range *r = &conf_ranges[id];
	const char *what = r->key;
	double v;
	int t = config_setting_type(s);

	if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64 &&
	    t != CONFIG_TYPE_FLOAT) {
		conf_error(ctx, s, "%s must be a number of seconds%s%s", what,
		    conf_sep(label), label);
		return -1;
	}
	if (conf_number(ctx, s, what, label, &v) == -1)
		return -1;
	if (v <= 0) {
		conf_error(ctx, s, "%s must be positive, not %g%s%s", what, v,
		    conf_sep(label), label);
		return -1;
	}
	if (v < r->min) {
		conf_error(ctx, s, "%s %g is below the minimum of %gs%s%s",
		    what, v, r->min, conf_sep(label), label);
		return -1;
	}
	if (v > r->max) {
		conf_error(ctx, s, "%s %g is above the maximum of %gs%s%s",
		    what, v, r->max, conf_sep(label), label);
		return -1;
	}
	*usec = (uint64_t)llround(v * 1e6);
	return 0;
}

/* One word of a fixed set: its index, or -1 (already reported). */
int
conf_word(struct conf_ctx *ctx, const config_setting_t *s, const char *what,
    const char *label, const char *const *words, size_t nwords)
{
	const char *v;
	char known[128];
	size_t i, off = 0;

	if ((v = config_setting_get_string(s)) == NULL) {
		conf_error(ctx, s, "%s must be a string%s%s", what,
		    conf_sep(label), label);
		return -1;
	}
	for (i = 0; i < nwords; i++)
		if (strcmp(words[i], v) == 0)
			return (int)i;
	known[0] = '\0';
	for (i = 0; i < nwords && off < sizeof(known); i++)
		off += (size_t)snprintf(known + off, sizeof(known) - off,
		    "%s%s", i ? ", " : "", words[i]);
	conf_error(ctx, s, "unknown %s \"%s\"%s%s (known: %s)", what, v,
	    conf_sep(label), label, known);
	return -1;
}

/* s, if there (not NULL): a whole number in the range of id. */
void
conf_count(struct conf_ctx *ctx, const config_setting_t *s,
    enum conf_range_id id, const char *label, unsigned *out)
{
	const struct conf_range *r = &conf_ranges[id];
	double v;

	if (s == NULL || conf_number(ctx, s, r->key, label, &v) == -1)
		return;
	if (v < r->min || v > r->max || v != floor(v))
		conf_error(ctx, s, "%s %g out of range %.0f..%.0f%s%s", r->key,
		    v, r->min, r->max, conf_sep(label), label);
	else
		*out = (unsigned)v;
}

int
conf_bool(struct conf_ctx *ctx, const config_setting_t *s, const char *what,
    const char *label, int *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_error(ctx, s, "%s must be true or false%s%s", what,
		    conf_sep(label), label);
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

const char *
conf_string(struct conf_ctx *ctx, const config_setting_t *s, const char *what)
{
	const char *v;

	if ((v = config_setting_get_string(s)) == NULL)
		conf_error(ctx, s, "%s must be a string", what);
	return v;
}

/* no blanks, no control characters, nothing beyond ASCII */
int
conf_name_ok(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}

/* ( ... ) or [ ... ] */
int
conf_is_list(const config_setting_t *s)
{
	return config_setting_is_list(s) || config_setting_is_array(s);
}

/*
 * The targets' strings, in chunks: a million targets would otherwise be
 * three million mallocs and frees per load.  They live until the targets
 * are made (target_new copies them).
 */
struct conf_pool {
	struct conf_pool	*next;
	size_t			 used, size;
	char			 data[];
};

#define CONF_POOL_CHUNK		(256 * 1024)

void *
conf_pool_dup(struct conf_pool **head, const void *p, size_t len)
{
	struct conf_pool *pl = *head;
	size_t size;
	char *s;

	if (pl == NULL || pl->size - pl->used < len + 1) {
		size = len + 1 > CONF_POOL_CHUNK / 2 ? len + 1 :
		    CONF_POOL_CHUNK - sizeof(*pl);
		if ((pl = malloc(sizeof(*pl) + size)) == NULL)
			return NULL;
		pl->used = 0;
		pl->size = size;
		pl->next = *head;
		*head = pl;
	}
	s = pl->data + pl->used;
	memcpy(s, p, len);
	s[len] = '\0';
	pl->used += len + 1;
	return s;
}

void
conf_pool_release(struct conf_pool **head)
{
	struct conf_pool *pl;

	while ((pl = *head) != NULL) {
		*head = pl->next;
		free(pl);
	}
}

/* Put the chunks of *from before those of *to. */
void
conf_pool_splice(struct conf_pool **to, struct conf_pool **from)
{
	struct conf_pool *last;

	if (*from == NULL)
		return;
	for (last = *from; last->next != NULL; last = last->next)
		;
	last->next = *to;
	*to = *from;
	*from = NULL;
}

static int
conf_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "48 65 6c6c 6f": hex digits in pairs, blanks and ':' between them */
unsigned char *
conf_hex(const char *s, size_t *len)
{
	unsigned char *out;
	size_t n = 0;
	int hi, lo;

	if ((out = malloc(strlen(s) / 2 + 1)) == NULL)
		return NULL;
	while (*s != '\0') {
		if (*s == ' ' || *s == ':' || *s == '\t') {
			s++;
			continue;
		}
		if ((hi = conf_hexval(s[0])) == -1 ||
		    (lo = conf_hexval(s[1])) == -1) {
			free(out);
			return NULL;
		}
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	*len = n;
	return out;
}
