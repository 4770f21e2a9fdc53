/*
 * conf_labels.c - a target's `labels = { team = "db"; };`, or the
 * defaults': names as Prometheus allows them, string values, kept as
 * "name\0value\0" one after another in the config's pool.  A target's
 * own are added to the defaults' (and win on the same name).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_priv.h"

#define CONF_LABELS_MAX		4096	/* bytes, all of a target's */

/* what futd's alerts say themselves: a target's may not say otherwise */
static const char *const conf_labels_ours[] = {
	"alertname", "host", "instance", "port", "probe", "target", NULL
};

static int
conf_label_name_ok(const char *n)
{
	if (!(isalpha((unsigned char)*n) || *n == '_'))
		return 0;
	for (n++; *n != '\0'; n++)
		if (!(isalnum((unsigned char)*n) || *n == '_'))
			return 0;
	return 1;
}

static int
conf_label_ours(const char *n)
{
	size_t i;

	for (i = 0; conf_labels_ours[i] != NULL; i++)
		if (strcmp(n, conf_labels_ours[i]) == 0)
			return 1;
	return strncmp(n, "__", 2) == 0;
}

/*
 * Well-formed UTF-8 (no overlong forms, no surrogates): what Alertmanager
 * takes as JSON, and jansson builds; it would drop anything else.
 */
static int
conf_utf8_ok(const unsigned char *s)
{
	unsigned c, n, i, min;

	while ((c = *s++) != 0) {
		if (c < 0x80)
			continue;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07, min = 0x10000;
		else
			return 0;
		for (i = 0; i < n; i++, s++) {
			if ((*s & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (*s & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
	}
	return 1;
}

/* Add name=value to buf (of len), replacing a name there already. */
static size_t
conf_label_put(char *buf, size_t len, const char *name, const char *value)
{
	size_t off = 0, nl = strlen(name) + 1, vl = strlen(value) + 1, el;

	while (off < len) {
		el = strlen(buf + off) + 1;
		el += strlen(buf + off + el) + 1;
		if (strcmp(buf + off, name) == 0) {
			memmove(buf + off, buf + off + el, len - off - el);
			len -= el;
			break;
		}
		off += el;
	}
	memcpy(buf + len, name, nl);
	memcpy(buf + len + nl, value, vl);
	return len + nl + vl;
}

void
conf_labels(struct conf_ctx *ctx, const config_setting_t *s,
    const char *label, struct conf_defaults *d)
{
	const config_setting_t *e;
	const char *name, *v, *sep = *label != '\0' ? " " : "";
	char buf[CONF_LABELS_MAX];
	size_t len = d->labels_len, nerr = ctx->errs->n;
	unsigned i;

	if (!config_setting_is_group(s)) {
		conf_error(ctx, s, "labels must be a group of strings, e.g. "
		    "labels = { team = \"db\"; }%s%s", sep, label);
		return;
	}
	if (len > 0)
		memcpy(buf, d->labels, len);
	for (i = 0; (e = config_setting_get_elem(s, i)) != NULL; i++) {
		name = config_setting_name(e);
		if (!conf_label_name_ok(name))
			conf_error(ctx, e, "label name \"%s\" must be letters, "
			    "digits and _, not a digit first%s%s", name, sep,
			    label);
		else if (conf_label_ours(name))
			conf_error(ctx, e, "label %s is futd's own (alertname, "
			    "target, probe, host, port, instance; or __...): "
			    "choose another name%s%s", name, sep, label);
		else if (config_setting_type(e) != CONFIG_TYPE_STRING)
			conf_error(ctx, e, "label %s must be a string, e.g. "
			    "%s = \"1\"%s%s", name, name, sep, label);
		else if (!conf_utf8_ok((const unsigned char *)(v =
		    config_setting_get_string(e))))
			conf_error(ctx, e, "label %s is not UTF-8: write it "
			    "in UTF-8%s%s", name, sep, label);
		else if (len + strlen(name) + strlen(v) + 2 > sizeof(buf))
			conf_error(ctx, e, "labels over %d bytes%s%s",
			    CONF_LABELS_MAX, sep, label);
		else
			len = conf_label_put(buf, len, name, v);
	}
	if (ctx->errs->n != nerr)
		return;
	d->labels = len > 0 ? conf_pool_dup(&ctx->pool, buf, len) : NULL;
	d->labels_len = d->labels != NULL ? len : 0;
	d->labels_hash = 0xcbf29ce484222325ULL;		/* FNV-1a */
	for (i = 0; i < len; i++)
		d->labels_hash = (d->labels_hash ^ (unsigned char)buf[i]) *
		    0x100000001b3ULL;
	if (len > 0 && d->labels == NULL)
		conf_error(ctx, s, "out of memory");
}
