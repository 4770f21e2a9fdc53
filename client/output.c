/*
 * output.c - the text backend: what a person reads.
 *
 * Everything printed from a reply goes through print_line() or a table,
 * which replace control characters: a target name or an error message
 * holding "\n" or an escape sequence must not break the layout or play
 * with the terminal.  Fields missing from a reply print as "-", so that an
 * older or newer futd still gives a readable answer; only a reply without
 * the expected shape (no "targets" array, ...) is an error.
 *
 * Here: the backend's table and the short answers (ping, metrics,
 * reload, errors); each longer command has a file of its own
 * (output_status.c, output_show.c for show and probe, output_log.c), with
 * output_tls.c and output_words.c beneath them, declared in output_text.h.  What `check`
 * concludes and its Nagios line are check.c's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "futctl.h"
#include "parser.h"
#include "ctl.h"
#include "check.h"
#include "output.h"
#include "output_text.h"
#include "field.h"
#include "fmt.h"
#include "print.h"

static int	 text_ping(const json_t *);
static int	 text_metrics(const json_t *);
static int	 text_reload(const json_t *);
static void	 text_error(const struct parse_result *,
		    const struct ctl_reply *);
static void	 text_names(const char *, const json_t *, const json_t *,
		    size_t *);

const struct output output_text = {
	.ping =		text_ping,
	.status =	text_status,
	.show =		text_show,
	.probe =	text_probe,
	.log =		text_log,
	.event =	text_event,
	.reload =	text_reload,
	.metrics =	text_metrics,
	.maint =	text_maint,
	.check =	check_print,
	.error =	text_error,
};

/* The exposition as futd wrote it: for a pipe into promtool or a file. */
static int
text_metrics(const json_t *data)
{
	const json_t	*text = json_object_get(data, "text");

	if (!json_is_string(text))
		return -1;
	fwrite(json_string_value(text), 1, json_string_length(text), stdout);
	return 0;
}

/* futd 0.1.0 pid 1234 up 12.3s, 3 targets */
static int
text_ping(const json_t *data)
{
	const char	*daemon, *version;
	long long	 pid, targets;
	double		 uptime;
	char		 up[32] = "-", spid[32] = "-";
	char		 ntargets[64] = "- targets";

	daemon = field_str(data, "daemon");
	version = field_str(data, "version");
	if (field_int(data, "pid", &pid) == 0)
		snprintf(spid, sizeof(spid), "%lld", pid);
	if (field_num(data, "uptime_s", &uptime) == 0)
		fmt_duration(up, sizeof(up), uptime);
	if (field_int(data, "targets", &targets) == 0)
		snprintf(ntargets, sizeof(ntargets), "%lld target%s",
		    targets, targets == 1 ? "" : "s");

	print_line(stdout, "%s %s pid %s up %s, %s",
	    daemon != NULL ? daemon : "futd", version != NULL ? version : "?",
	    spid, up, ntargets);
	return 0;
}

/*
 * What a reload did, a line per kind:
 *
 *	added: d
 *	changed (results kept): a, b
 *	reset (results start again): c
 *	unchanged: 5
 *
 * futd's "changed" names every target whose settings changed, the reset
 * ones too (proto.h), both lists in name order: here each name is on one
 * line only, the reset ones left out of "changed" as the two are walked
 * together (no table of a million names).  A futd without "reset" reset
 * every changed target: its list is printed as it came.
 */
static int
text_reload(const json_t *data)
{
	const json_t	*reset = json_object_get(data, "reset");
	size_t		 changes = 0;
	long long	 unchanged;

	text_names("added", json_object_get(data, "added"), NULL, &changes);
	text_names("removed", json_object_get(data, "removed"), NULL,
	    &changes);
	text_names(json_is_array(reset) ? "changed (results kept)" :
	    "changed", json_object_get(data, "changed"), reset, &changes);
	text_names("reset (results start again)", reset, NULL, &changes);
	if (changes == 0) {
		print_line(stdout, "no changes");
		return 0;
	}
	if (field_int(data, "unchanged", &unchanged) == 0)
		print_line(stdout, "unchanged: %lld", unchanged);
	return 0;
}

/*
 * futctl: no such target (404)
 *
 * A failed reload names every problem of the new configuration, one
 * "file:line: problem" per line, so that an editor can jump to them.
 */
static void
text_error(const struct parse_result *res, const struct ctl_reply *reply)
{
	const json_t	*errors, *e;
	size_t		 i;

	if (res->action == ACTION_RELOAD && reply->code == PROTO_UNPROCESSABLE)
		print_line(stderr, "futctl: reload failed: %s (%d)",
		    reply->message, reply->code);
	else if (res->name != NULL)
		print_line(stderr, "futctl: %s: %s (%d)", res->name,
		    reply->message, reply->code);
	else
		print_line(stderr, "futctl: %s (%d)", reply->message,
		    reply->code);

	errors = reply->data != NULL ?
	    json_object_get(reply->data, "errors") : NULL;
	json_array_foreach(errors, i, e)
		if (json_is_string(e))
			print_line(stderr, "%s", json_string_value(e));
}

/*
 * "added: a, b" when the list, less the names of skip (NULL: none), is not
 * empty; counts the names printed.  names and skip are in name order, so
 * that one walk of both leaves skip's out.
 */
static void
text_names(const char *label, const json_t *names, const json_t *skip,
    size_t *count)
{
	const json_t	*name;
	const char	*s, *k;
	size_t		 i, j = 0, n = 0;
	int		 cmp;

	/* as it goes: a reload may name a million targets */
	json_array_foreach(names, i, name) {
		s = json_is_string(name) ? json_string_value(name) : "?";
		for (cmp = 1; j < json_array_size(skip); j++) {
			k = json_string_value(json_array_get(skip, j));
			if (k != NULL && (cmp = strcmp(k, s)) >= 0)
				break;
		}
		if (cmp == 0)
			continue;
		if (n++ == 0) {
			print_write(stdout, label);
			fputs(": ", stdout);
		} else
			fputs(", ", stdout);
		print_write(stdout, s);
	}
	if (n > 0)
		putc('\n', stdout);
	*count += n;
}
