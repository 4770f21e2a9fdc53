/*
 * output.h - all that futctl prints from a reply goes through one struct
 * output: output_text (output.c) for people, output_json (output_json.c)
 * for scripts.
 */
#ifndef FUTCTL_OUTPUT_H
#define FUTCTL_OUTPUT_H

#include <jansson.h>

struct check_result;
struct ctl_reply;
struct parse_result;

/*
 * One backend per output format.  The reply handlers get the reply's
 * "data" object of a 200 reply and return 0, or -1 when the data does not
 * have the shape proto.h promises (they have said why on stderr); probe()
 * returns 1 when the probe ran and failed, and gets the target as status
 * shows it (or NULL) besides.  event() gets one line of the
 * follow stream ({"event":{...}}, maybe with "dropped"), update set when it
 * repeats an event already printed.  error() reports a non-200 reply.
 */
struct output {
	int	(*ping)(const json_t *);
	int	(*status)(const json_t *, const struct parse_result *);
	int	(*show)(const json_t *, const struct parse_result *);
	int	(*probe)(const json_t *, const json_t *);
	int	(*log)(const json_t *);
	void	(*event)(const json_t *, int);
	int	(*reload)(const json_t *);
	int	(*metrics)(const json_t *);
	int	(*maint)(const json_t *);	/* disable, enable */
	void	(*check)(const struct check_result *);
	void	(*error)(const struct parse_result *,
		    const struct ctl_reply *);
};

extern const struct output	 output_text;	/* output.c */
extern const struct output	 output_json;	/* output_json.c */

#endif /* FUTCTL_OUTPUT_H */
