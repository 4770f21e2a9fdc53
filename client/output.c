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
static void	 text_names(const char *, const json_t *, size_t *);

const struct output output_text = {
	.ping =		text_ping,
	.status =	text_status,
	.show =		text_show,
	.probe =	text_probe,
	.log =		text_log,
	.event =	text_event,
	.reload =	text_reload,
	.metrics =	text_metrics,
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

static int
text_reload(const json_t *data)
{
	size_t		 changes = 0;
	long long	 unchanged;

	text_names("added", json_object_get(data, "added"), &changes);
	text_names("removed", json_object_get(data, "removed"), &changes);
	text_names("changed", json_object_get(data, "changed"), &changes);
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

/* "added: a, b" when the list is not empty; counts the names. */
static void
text_names(const char *label, const json_t *names, size_t *count)
{
	const json_t	*name;
	size_t		 i;

	if (json_array_size(names) == 0)
		return;
	/* as it goes: a reload may name a million targets */
	print_write(stdout, label);
	fputs(": ", stdout);
	json_array_foreach(names, i, name) {
		if (i > 0)
			fputs(", ", stdout);
		print_write(stdout, json_is_string(name) ?
		    json_string_value(name) : "?");
	}
	putc('\n', stdout);
	*count += json_array_size(names);
}
