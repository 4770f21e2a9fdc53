/*
 * output_maint.c - maintenance in words: what disable and enable did, and
 * a disabled target's who, until when and why, as status, show and check
 * print it (a target's "maintenance" object: proto.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "field.h"
#include "fmt.h"
#include "output_text.h"
#include "print.h"

/*
 * "by root until 2026-12-07 14:00:00 (1h59m left): kernel update"; brief
 * (a status cell): "root, 1h59m left: kernel update".  Without an end,
 * "until enabled" and nothing.  "-" when the target is not disabled.
 */
void
text_maint_words(char *buf, size_t size, const json_t *target, int brief)
{
	const json_t	*m = json_object_get(target, "maintenance");
	const char	*user, *reason;
	char		 who[64], when[32], left[32], until[96];
	long long	 uid;
	double		 t;

	if (!json_is_object(m)) {
		snprintf(buf, size, "-");
		return;
	}
	if ((user = field_str(m, "user")) != NULL)
		snprintf(who, sizeof(who), "%s", user);
	else if (field_int(m, "uid", &uid) == 0)
		snprintf(who, sizeof(who), "uid %lld", uid);
	else
		snprintf(who, sizeof(who), "?");
	if (field_num(m, "until", &t) == 0) {
		fmt_date(when, sizeof(when), t);
		fmt_duration(left, sizeof(left), t - (double)time(NULL) > 0 ?
		    t - (double)time(NULL) : 0);
		if (brief)
			snprintf(until, sizeof(until), ", %s left", left);
		else
			snprintf(until, sizeof(until), " until %s (%s left)",
			    when, left);
	} else
		snprintf(until, sizeof(until), "%s", brief ? "" :
		    " until enabled");
	reason = field_str(m, "reason");
	snprintf(buf, size, "%s%s%s%s%s", brief ? "" : "by ", who, until,
	    reason != NULL && reason[0] != '\0' ? ": " : "",
	    reason != NULL ? reason : "");
}

/* a line of names: "disabled: web1, web2" */
static void
text_maint_names(const char *label, const json_t *names)
{
	const json_t	*v;
	char		 line[4096];
	size_t		 i, o = 0;
	int		 n;

	if (!json_is_array(names) || json_array_size(names) == 0)
		return;
	json_array_foreach(names, i, v) {
		if (!json_is_string(v) || o >= sizeof(line))
			continue;
		n = snprintf(line + o, sizeof(line) - o, "%s%s", i > 0 ?
		    ", " : "", json_string_value(v));
		if (n > 0)
			o += (size_t)n;
	}
	print_line(stdout, "%s %s", label, line);
}

/*
 * disable: "disabled: web1, web2", then until when and why;
 * enable: "enabled: web1", "not disabled: web2".
 */
int
text_maint(const json_t *data)
{
	const json_t	*disabled = json_object_get(data, "disabled");
	const char	*reason;
	char		 when[32], left[32];
	double		 t;

	if (json_is_array(disabled)) {
		text_maint_names("disabled:", disabled);
		if (field_num(data, "until", &t) == 0) {
			fmt_date(when, sizeof(when), t);
			fmt_duration(left, sizeof(left), t -
			    (double)time(NULL) > 0 ? t - (double)time(NULL) :
			    0);
			print_line(stdout, "until:    %s (in %s), then probed "
			    "again", when, left);
		} else
			print_line(stdout, "until:    futctl enable");
		if ((reason = field_str(data, "reason")) != NULL &&
		    reason[0] != '\0')
			print_line(stdout, "reason:   %s", reason);
		return 0;
	}
	if (!json_is_array(json_object_get(data, "enabled")))
		return text_malformed("disable or enable without its list");
	text_maint_names("enabled:", json_object_get(data, "enabled"));
	text_maint_names("not disabled:", json_object_get(data,
	    "not_disabled"));
	return 0;
}
