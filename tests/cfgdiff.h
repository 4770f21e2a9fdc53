/*
 * cfgdiff.h - compare what daemon/cfg.c read with what libconfig 1.5 read
 * of the same input.  Shared by tests/check_cfg.c and fuzz/cfg_diff.c
 * (static functions: include it in one file of a program).
 *
 * Equal means: both accept or both reject; both accepting, the trees are
 * equal (type, name, value, element count; the line of every named
 * setting and of every group, list and array); both rejecting, the same
 * error line and text.
 *
 * The differences cfg.c makes on purpose (daemon/cfg.c, header comment)
 * come back as CFGDIFF_DELIBERATE, not as equal, so that a caller decides:
 *  - an integer literal beyond 32 bits: cfg.c's int64 v, libconfig's int
 *    (int)v (libconfig 1.5 truncates); and so an array mixing such a
 *    literal with ints is cfg.c's "mismatched element type in array"
 *    where libconfig takes both as ints (cfgdiff_wide() tells whether
 *    the input holds such a literal at all);
 *  - a decimal literal beyond 64 bits: cfg.c's "integer out of range",
 *    where libconfig reads LLONG_MAX or LLONG_MIN truncated;
 *  - nesting deeper than 200: cfg.c's "nested deeper than 200";
 *  - the line of a scalar element of a list or array: cfg.c's is the
 *    line of its token, libconfig's the line the scanner had reached
 *    (often the token after it): never compared;
 *  - a # or // comment that the input ends in, without a newline: cfg.c
 *    takes it as a comment, libconfig 1.5 as "syntax error" (its rule
 *    wants the newline).  Not seen here: cfgdiff_eof_comment() tells a
 *    caller to append the newline for both, or to expect the error.
 */
#ifndef FUTD_CFGDIFF_H
#define FUTD_CFGDIFF_H

#include <libconfig.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"

enum {
	CFGDIFF_SAME,
	CFGDIFF_DELIBERATE,	/* only the differences cfg.c makes on purpose */
	CFGDIFF_DIFFER,
};

struct cfgdiff {
	char		 why[800];	/* the first difference */
	char		 path[256];	/* where: "targets.[2].port" */
	int		 deliberate;	/* tree: one deliberate difference seen */
};

static void cfgdiff_say(struct cfgdiff *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
cfgdiff_say(struct cfgdiff *d, const char *fmt, ...)
{
	char text[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(d->why, sizeof(d->why), "%s: %s",
	    d->path[0] != '\0' ? d->path : "(root)", text);
}

/*
 * Does the text hold an integer literal that does not fit 32 bits and has
 * no L suffix: a run of decimal digits worth more than INT_MAX, or of hex
 * digits after 0x worth more than 0xffffffff?  A rough look (comments,
 * strings and names count too): it only widens what is deliberate.
 */
static int
cfgdiff_wide(const char *p, size_t len)
{
	size_t i = 0, j;
	uint64_t v;
	int hex, sig;

	while (i < len) {
		if (p[i] < '0' || p[i] > '9') {
			i++;
			continue;
		}
		hex = i + 2 < len && p[i] == '0' && (p[i + 1] | 0x20) == 'x';
		j = hex ? i + 2 : i;
		v = 0;
		sig = 0;
		for (; j < len; j++) {
			int dv;

			if (p[j] >= '0' && p[j] <= '9')
				dv = p[j] - '0';
			else if (hex && (p[j] | 0x20) >= 'a' &&
			    (p[j] | 0x20) <= 'f')
				dv = (p[j] | 0x20) - 'a' + 10;
			else
				break;
			if (v != 0 || dv != 0)
				sig++;
			if (sig < 20)
				v = v * (hex ? 16 : 10) + (uint64_t)dv;
		}
		if ((hex ? v > UINT32_MAX : v > (uint64_t)INT32_MAX) &&
		    (j == len || p[j] != 'L'))
			return 1;
		i = j > i ? j : i + 1;
	}
	return 0;
}

/*
 * Does the input end in a # or // comment without a newline (or in what
 * may be one: a '#' or a '/' on its last line)?
 */
static int
cfgdiff_eof_comment(const char *p, size_t len)
{
	size_t i = len;

	if (len == 0 || p[len - 1] == '\n')
		return 0;
	while (i > 0 && p[i - 1] != '\n')
		i--;
	for (; i < len; i++)
		if (p[i] == '#' || p[i] == '/')
			return 1;
	return 0;
}

static int
cfgdiff_tree(struct cfgdiff *d, const struct cfg *c,
    const struct cfg_node *n, const config_setting_t *s, int elem)
{
	const char *cn, *ln, *cs, *ls;
	size_t plen = strlen(d->path);
	unsigned i, len;
	int lt = config_setting_type(s), r = CFGDIFF_SAME;
	long long v;

	cn = cfg_name(c, n);
	ln = config_setting_name(s);
	if ((cn == NULL) != (ln == NULL) || (cn != NULL && strcmp(cn, ln))) {
		cfgdiff_say(d, "name: cfg \"%s\", libconfig \"%s\"",
		    cn ? cn : "(none)", ln ? ln : "(none)");
		return CFGDIFF_DIFFER;
	}
	if (n->type != lt) {
		/* an int64 of cfg.c's that libconfig 1.5 truncated */
		if (n->type == CFG_INT64 && lt == CONFIG_TYPE_INT &&
		    (n->v.i < 0 || n->v.i > INT32_MAX) &&
		    (int32_t)(uint32_t)(uint64_t)n->v.i ==
		    config_setting_get_int(s))
			r = CFGDIFF_DELIBERATE;
		else {
			cfgdiff_say(d, "type: cfg %d, libconfig %d",
			    n->type, lt);
			return CFGDIFF_DIFFER;
		}
	}
	/* a scalar element: libconfig's line is another token's */
	if ((!elem || n->type == CFG_GROUP || n->type == CFG_LIST ||
	    n->type == CFG_ARRAY) &&
	    n->line != config_setting_source_line(s)) {
		cfgdiff_say(d, "line: cfg %u, libconfig %u", n->line,
		    config_setting_source_line(s));
		return CFGDIFF_DIFFER;
	}
	switch (n->type) {
	case CFG_INT:
	case CFG_INT64:
		if (r == CFGDIFF_DELIBERATE)
			break;
		v = lt == CONFIG_TYPE_INT ? config_setting_get_int(s) :
		    config_setting_get_int64(s);
		if (cfg_int64(n) != v) {
			cfgdiff_say(d, "value: cfg %lld, libconfig %lld",
			    cfg_int64(n), v);
			return CFGDIFF_DIFFER;
		}
		break;
	case CFG_FLOAT:
		/* bit for bit: both must round the same */
		if (memcmp(&n->v.f, &(double){ config_setting_get_float(s) },
		    sizeof(double)) != 0) {
			cfgdiff_say(d, "value: cfg %.17g, libconfig %.17g",
			    n->v.f, config_setting_get_float(s));
			return CFGDIFF_DIFFER;
		}
		break;
	case CFG_BOOL:
		if (n->v.i != config_setting_get_bool(s)) {
			cfgdiff_say(d, "value: cfg %lld, libconfig %d",
			    n->v.i, config_setting_get_bool(s));
			return CFGDIFF_DIFFER;
		}
		break;
	case CFG_STRING:
		cs = cfg_string(c, n);
		ls = config_setting_get_string(s);
		if (ls == NULL || strcmp(cs, ls) != 0) {
			cfgdiff_say(d, "value: cfg \"%.80s\", libconfig "
			    "\"%.80s\"", cs, ls ? ls : "(null)");
			return CFGDIFF_DIFFER;
		}
		break;
	case CFG_GROUP:
	case CFG_LIST:
	case CFG_ARRAY:
		len = cfg_length(n);
		if (len != (unsigned)config_setting_length(s)) {
			cfgdiff_say(d, "length: cfg %u, libconfig %d", len,
			    config_setting_length(s));
			return CFGDIFF_DIFFER;
		}
		for (i = 0; i < len; i++) {
			const struct cfg_node *cn2 = cfg_elem(c, n, i);
			const char *nm = cfg_name(c, cn2);
			int r2;

			if (nm != NULL)
				snprintf(d->path + plen, sizeof(d->path) - plen,
				    "%s%s", plen ? "." : "", nm);
			else
				snprintf(d->path + plen, sizeof(d->path) - plen,
				    "%s[%u]", plen ? "." : "", i);
			r2 = cfgdiff_tree(d, c, cn2,
			    config_setting_get_elem(s, i),
			    n->type != CFG_GROUP);
			d->path[plen] = '\0';
			if (r2 == CFGDIFF_DIFFER)
				return r2;
			if (r2 == CFGDIFF_DELIBERATE)
				r = r2;
		}
		break;
	}
	if (r == CFGDIFF_DELIBERATE && !d->deliberate) {
		d->deliberate = 1;
		cfgdiff_say(d, "int64 %lld is libconfig's int %d", n->v.i,
		    config_setting_get_int(s));
	}
	return r;
}

/*
 * Compare libconfig's read (lc_ok: config_read*() returned CONFIG_TRUE)
 * with cfg.c's (c, or NULL with err).  text/len: the input, for
 * cfgdiff_wide(); NULL: not known (the mismatched-array consequence of an
 * int64 is then not taken as deliberate).
 */
static int
cfgdiff(struct cfgdiff *d, const config_t *lc, int lc_ok,
    const struct cfg *c, const struct cfg_error *err, const char *text,
    size_t len)
{
	const char *lt;
	int ll;

	memset(d, 0, sizeof(*d));
	if (c != NULL && lc_ok)
		return cfgdiff_tree(d, c, cfg_root(c), config_root_setting(lc),
		    0);
	lt = config_error_text(lc);
	ll = config_error_line(lc);
	if (c == NULL && (strcmp(err->text, "integer out of range") == 0 ||
	    strncmp(err->text, "nested deeper than ", 19) == 0) &&
	    (lc_ok || ll >= err->line)) {
		snprintf(d->why, sizeof(d->why), "cfg: %d: %s; libconfig: %s",
		    err->line, err->text, lc_ok ? "accepts" : lt);
		return CFGDIFF_DELIBERATE;
	}
	if (c == NULL && (lc_ok || ll >= err->line) && strcmp(err->text,
	    "mismatched element type in array") == 0 && text != NULL &&
	    cfgdiff_wide(text, len)) {
		snprintf(d->why, sizeof(d->why), "cfg: %d: %s (an int64); "
		    "libconfig: %s", err->line, err->text, lc_ok ? "accepts" :
		    lt);
		return CFGDIFF_DELIBERATE;
	}
	if (c != NULL) {
		snprintf(d->why, sizeof(d->why), "cfg accepts; libconfig: "
		    "%d: %s", ll, lt ? lt : "(null)");
		return CFGDIFF_DIFFER;
	}
	if (lc_ok) {
		snprintf(d->why, sizeof(d->why), "libconfig accepts; cfg: "
		    "%d: %s", err->line, err->text);
		return CFGDIFF_DIFFER;
	}
	if (lt == NULL || strcmp(lt, err->text) != 0 || ll != err->line) {
		snprintf(d->why, sizeof(d->why), "cfg: %d: %s; libconfig: "
		    "%d: %s", err->line, err->text, ll, lt ? lt : "(null)");
		return CFGDIFF_DIFFER;
	}
	return CFGDIFF_SAME;
}

#endif /* FUTD_CFGDIFF_H */
