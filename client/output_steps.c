/*
 * output_steps.c - a target's steps as text: the list show prints (a
 * starttls preset and the shorthands expanded, each marked), the step a
 * failed result names, and probe's step-by-step times.
 *
 * steps:        1 expect /(^|\n)220 [^\n]*\n/, reject /.../
 *               2 send   "EHLO futd.invalid\x0d\x0a"
 *               ...
 *               6 tls
 *              (1-6 from starttls)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "fmt.h"
#include "output_text.h"
#include "print.h"

/* s with its control characters escaped (a preset's regexes hold \n) */
static void
steps_escape(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < size; s++) {
		if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else if (*s == '\r') {
			buf[o++] = '\\';
			buf[o++] = 'r';
		} else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x",
			    (unsigned char)*s);
		else
			buf[o++] = *s;
	}
	buf[o] = '\0';
}

/* a pattern: "bytes", /regex/ or hex 0d0a; "" when the step has none */
static void
steps_pattern(char *buf, size_t size, const json_t *st, const char *key)
{
	char k[32], esc[512];
	const char *s;

	buf[0] = '\0';
	if ((s = field_str(st, key)) != NULL) {
		snprintf(buf, size, "\"%s\"", s);
		return;
	}
	snprintf(k, sizeof(k), "%s_regex", key);
	if ((s = field_str(st, k)) != NULL) {
		steps_escape(esc, sizeof(esc), s);
		snprintf(buf, size, "/%s/", esc);
		return;
	}
	snprintf(k, sizeof(k), "%s_hex", key);
	if ((s = field_str(st, k)) != NULL)
		snprintf(buf, size, "hex %s", s);
}

/* One step's words, after its number and kind. */
static void
steps_words(char *buf, size_t size, const json_t *st)
{
	char what[600], rej[600], lim[48], tmo[48];
	const char *kind = field_str(st, "kind");
	long long n;

	lim[0] = tmo[0] = rej[0] = what[0] = '\0';
	if (kind != NULL && strcmp(kind, "send") == 0) {
		if (field_int(st, "payload_bytes", &n) == 0)
			snprintf(what, sizeof(what), "the payload (%lld byte%s)",
			    n, n == 1 ? "" : "s");
		else
			steps_pattern(what, sizeof(what), st, "send");
	} else if (kind != NULL && strcmp(kind, "expect") == 0) {
		steps_pattern(what, sizeof(what), st, "expect");
		steps_pattern(rej, sizeof(rej), st, "reject");
		if (field_int(st, "read_limit", &n) == 0)
			snprintf(lim, sizeof(lim), ", in %lld bytes", n);
	}
	if (json_is_number(json_object_get(st, "timeout"))) {
		field_fmt_seconds(tmo, sizeof(tmo) - 2, st, "timeout");
		memmove(tmo + 2, tmo, strlen(tmo) + 1);
		memcpy(tmo, ", ", 2);
	}
	snprintf(buf, size, "%s%s%s%s%s", what, rej[0] ? ", reject " : "", rej,
	    lim, tmo);
}

/* a step's line: its words wrapped under themselves, not under the label */
static void
steps_line(const char *label, size_t n, const char *kind, const char *words)
{
	char *line;

	if ((words[0] != '\0' ? asprintf(&line, "%2zu %-6s %s", n, kind,
	    words) : asprintf(&line, "%2zu %s", n, kind)) == -1)
		return;
	printf("%-13s", label);
	print_wrap(stdout, line, 13, 13 + 10, print_columns());
	putchar('\n');
	free(line);
}

/*
 * Where the steps not written in `steps` come from, in runs: "(1-6 from
 * starttls, 7 from payload, 8 from expect)"; "" when all are the target's.
 */
static void
steps_origins(char *buf, size_t size, const json_t *steps)
{
	const char *from, *run = NULL;
	size_t i, n = json_array_size(steps), first = 0, o = 0;

	buf[0] = '\0';
	for (i = 0; i <= n; i++) {
		from = i < n ? field_str(json_array_get(steps, i), "from") :
		    NULL;
		if (from != NULL && run != NULL && strcmp(from, run) == 0)
			continue;
		if (run != NULL && strcmp(run, "steps") != 0 && o + 1 < size)
			o += (size_t)snprintf(buf + o, size - o, "%s%zu%s%.0zu "
			    "from %s", o == 0 ? "(" : ", ", first + 1,
			    i - first > 1 ? "-" : "", i - first > 1 ? i : 0,
			    run);
		run = from;
		first = i;
	}
	if (o > 0 && o + 2 < size)
		snprintf(buf + o, size - o, ")");
}

/* show: the steps of conf, one line each, then where they come from */
void
text_steps(const json_t *conf)
{
	const json_t *steps = json_object_get(conf, "steps"), *st;
	const char *kind;
	char words[1400], from[256];
	size_t i;

	if (!json_is_array(steps) || json_array_size(steps) == 0)
		return;
	json_array_foreach(steps, i, st) {
		kind = field_str(st, "kind");
		steps_words(words, sizeof(words), st);
		steps_line(i == 0 ? "steps:" : "", i + 1,
		    kind != NULL ? kind : "-", words);
	}
	steps_origins(from, sizeof(from), steps);
	if (from[0] != '\0')
		text_kv("", "%s", from);
}

/* " at step 4 (expect)", or "" when the result names no step */
void
text_step_where(char *buf, size_t size, const json_t *result)
{
	const char *kind = field_str(result, "step_kind");
	long long n;

	buf[0] = '\0';
	if (field_int(result, "step", &n) == 0 && n > 0)
		snprintf(buf, size, " at step %lld (%s)", n,
		    kind != NULL ? kind : "?");
}

/*
 * probe: each step the probe reached, with the time it ended (from the
 * start), the failed one last:
 *
 *   step 1      send    41us
 *   step 4      expect  FAILED at 184us
 */
void
text_probe_steps(const json_t *data)
{
	const json_t *steps = json_object_get(data, "steps"), *st;
	const char *kind;
	char lat[32];
	long long n, us;
	size_t i;
	int ok;

	if (!json_is_array(steps))
		return;
	json_array_foreach(steps, i, st) {
		kind = field_str(st, "kind");
		if (field_int(st, "step", &n) == -1)
			n = (long long)i + 1;
		if (field_int(st, "end_us", &us) == 0)
			fmt_latency(lat, sizeof(lat), us);
		else
			snprintf(lat, sizeof(lat), "-");
		if (field_bool(st, "ok", &ok) == 0 && !ok)
			print_line(stdout, "  step %-6lld %-7s FAILED at %s", n,
			    kind != NULL ? kind : "-", lat);
		else
			print_line(stdout, "  step %-6lld %-7s %s", n,
			    kind != NULL ? kind : "-", lat);
	}
}
