/*
 * field.c - a reply's fields, tolerant of their absence: the accessors
 * answer -1 (or NULL) for a missing key or one of another type, and the
 * field_fmt_* print it as "-", so that an older or newer futd still gives
 * a readable answer.
 */
#include <math.h>
#include <stdio.h>

#include "fmt.h"
#include "field.h"

const char *
field_str(const json_t *obj, const char *key)
{
	const json_t	*v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int
field_num(const json_t *obj, const char *key, double *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_number(v))
		return -1;
	*out = json_number_value(v);
	return 0;
}

int
field_int(const json_t *obj, const char *key, long long *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_integer(v))
		return -1;
	*out = json_integer_value(v);
	return 0;
}

int
field_bool(const json_t *obj, const char *key, int *out)
{
	const json_t	*v = json_object_get(obj, key);

	if (!json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

void
field_fmt_int(char *buf, size_t size, const json_t *obj, const char *key)
{
	long long	 v;

	if (field_int(obj, key, &v) == 0)
		snprintf(buf, size, "%lld", v);
	else
		snprintf(buf, size, "-");
}

/*
 * A duration from the configuration, in seconds: "10s", "2.5s", "500ms".
 * A string is shown as futd wrote it.
 */
void
field_fmt_seconds(char *buf, size_t size, const json_t *obj, const char *key)
{
	const char	*s;
	double		 d;

	if ((s = field_str(obj, key)) != NULL)
		snprintf(buf, size, "%s", s);
	else if (field_num(obj, key, &d) == -1 || !isfinite(d) || d < 0)
		snprintf(buf, size, "-");
	else if (d > 0 && d < 1)
		snprintf(buf, size, "%gms", d * 1000);
	else
		snprintf(buf, size, "%gs", d);
}

/* A duration in microseconds, as fmt_latency; "-" when null. */
void
field_fmt_us(char *buf, size_t size, const json_t *obj, const char *key)
{
	long long	 us;

	if (field_int(obj, key, &us) == 0)
		fmt_latency(buf, size, us);
	else
		snprintf(buf, size, "-");
}

/* A ratio 0..1 as a percentage; "-" when null (no result in the window) */
void
field_fmt_ratio(char *buf, size_t size, const json_t *obj, const char *key)
{
	double	 d;

	if (field_num(obj, key, &d) == 0)
		fmt_percent(buf, size, d);
	else
		snprintf(buf, size, "-");
}
