/*
 * output_log.c - the text of `log` and `log -f`: one line per event (on a
 * terminal wrapped to its width), an update of a repeated failure (what
 * futd tells a follower of the repeats folded in, every half minute at
 * most) as a line of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "futctl.h"
#include "output_text.h"
#include "field.h"
#include "fmt.h"
#include "print.h"

/* the lines after an event's first, on a terminal: under its target */
#define LOG_INDENT	17

static void	 text_event_update(const json_t *, const json_t *, double,
		    double, long long);
static void	 text_event_what(char *, size_t, const json_t *);

/* The event ring, oldest first: one line each. */
int
text_log(const json_t *data)
{
	const json_t	*events, *ev;
	json_t		*line;
	size_t		 i;

	events = json_object_get(data, "events");
	if (!json_is_array(events))
		return text_malformed("log without an \"events\" array");
	if (json_array_size(events) == 0) {
		print_line(stdout, "no events");
		return 0;
	}
	json_array_foreach(events, i, ev) {
		if (!json_is_object(ev))
			return text_malformed("an event is not an object");
		if ((line = json_pack("{s:O}", "event", ev)) == NULL) {
			print_warnx("%s", strerror(ENOMEM));
			exit(FUTCTL_EXIT_REPLY);
		}
		text_event(line, 0);
		json_decref(line);
	}
	return 0;
}

/*
 * Nov 27 12:45:02  closed  refused  x10 since 12:44:32
 * Nov 27 12:45:32  closed  refused  x12 since 12:44:32, last 12:45:07
 *
 * An update: futd folded more repeats into an event printed before, 10 of
 * that error in all since the event's first, as of when futd told it
 * ("at"; which keeps the lines in time order), and when the newest repeat
 * was, if that was before.  The words are those of what repeats: the
 * error's class, or the type of an event without one (a resource's).
 */
static void
text_event_update(const json_t *line, const json_t *ev, double t,
    double lt, long long repeat)
{
	const char	*what = field_str(ev, "error");
	const char	*target = field_str(ev, "target");
	char		 when[32], first[32], last[32], at_s[32], more[48];
	double		 at;

	if (what == NULL && (what = field_str(ev, "type")) == NULL)
		what = "-";
	if (field_num(line, "at", &at) == -1)
		at = lt;
	fmt_stamp(when, sizeof(when), at);
	/* HH:MM:SS */
	fmt_clock(first, sizeof(first), t);
	first[8] = '\0';
	fmt_clock(last, sizeof(last), lt);
	last[8] = '\0';
	fmt_clock(at_s, sizeof(at_s), at);
	at_s[8] = '\0';
	more[0] = '\0';
	if (strcmp(last, at_s) != 0)
		snprintf(more, sizeof(more), ", last %s", last);
	text_log_line(LOG_INDENT, "%s  %s  %s  x%lld since %s%s", when,
	    target != NULL ? target : "-", what, repeat + 1, first, more);
}

/*
 * Nov 27 12:44:32  closed  state  unknown -> down (Connection refused,
 *     0.302ms), availability 0.00% (failed 8 more times, last 12:45:00)
 *
 * (one line; on a terminal wrapped, as here), or with update set the line
 * of text_event_update.
 */
void
text_event(const json_t *line, int update)
{
	const json_t	*ev = json_object_get(line, "event");
	const char	*target, *type;
	char		 when[32], last[32], what[512], more[128];
	double		 t, lt;
	long long	 repeat, dropped;
	int		 failed;

	if (field_int(line, "dropped", &dropped) == 0 && dropped > 0)
		print_warnx("futd dropped %lld event%s: they came faster than "
		    "futctl read them", dropped, dropped == 1 ? "" : "s");

	target = field_str(ev, "target");
	type = field_str(ev, "type");
	if (field_num(ev, "time", &t) == -1)
		t = -1;
	if (field_num(ev, "last_time", &lt) == -1)
		lt = t;
	if (field_int(ev, "repeat", &repeat) == -1)
		repeat = 0;
	failed = field_str(ev, "error") != NULL;

	if (update) {
		text_event_update(line, ev, t, lt, repeat);
		return;
	}

	fmt_stamp(when, sizeof(when), t);
	text_event_what(what, sizeof(what), ev);
	more[0] = '\0';
	if (repeat > 0) {
		fmt_clock(last, sizeof(last), lt);
		last[8] = '\0';
		snprintf(more, sizeof(more), " (%s%lld more time%s, last %s)",
		    failed ? "failed " : "", repeat, repeat == 1 ? "" : "s",
		    last);
	}
	text_log_line(LOG_INDENT, "%s  %s  %s  %s%s", when,
	    target != NULL ? target : "-", type != NULL ? type : "-", what,
	    more);
}

/*
 * What happened, without the target's name that futd's message starts
 * with ("target web (hello 127.0.0.1:80): state up -> down (...)"): the
 * line names it already.  A state change also says the availability.
 */
static void
text_event_what(char *buf, size_t size, const json_t *ev)
{
	const char	*msg, *target, *type, *p;
	char		 pct[16];
	size_t		 n, depth;
	double		 a;

	msg = field_str(ev, "message");
	target = field_str(ev, "target");
	type = field_str(ev, "type");
	if (msg == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	p = msg;
	if (target != NULL && strncmp(p, "target ", 7) == 0 &&
	    strncmp(p + 7, target, (n = strlen(target))) == 0) {
		p += 7 + n;
		if (p[0] == ' ' && p[1] == '(') {
			for (depth = 0, p++; *p != '\0'; p++) {
				if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0) {
					p++;
					break;
				}
			}
		}
		if (strncmp(p, ": ", 2) == 0)
			p += 2;
		else
			p = msg;	/* not the shape we know: all of it */
	}
	if (type != NULL && strcmp(type, "state") == 0 &&
	    strncmp(p, "state ", 6) == 0)
		p += 6;
	if (type != NULL && strcmp(type, "state") == 0 &&
	    field_num(ev, "availability", &a) == 0) {
		fmt_percent(pct, sizeof(pct), a);
		snprintf(buf, size, "%s, availability %s", p, pct);
	} else
		snprintf(buf, size, "%s", p);
}
