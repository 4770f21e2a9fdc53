/*
 * futctl.h - what every part of futctl agrees on: its version and its
 * exit codes.  Each module has its own header: parser.h, ctl.h,
 * output.h (output_text.h inside the text backend), check.h, table.h,
 * fmt.h, field.h, print.h.
 *
 * futctl.c holds main() and little else, so that tests can link every
 * other object of the client.
 */
#ifndef FUTCTL_H
#define FUTCTL_H

#ifndef FUTCTL_VERSION
#define FUTCTL_VERSION		"0.1.0"
#endif

/*
 * Exit codes.  Scripts match on these, so a code never changes meaning.
 * 1 is also used for local failures (out of memory, stdout unwritable).
 * `probe` exits FUTCTL_EXIT_PROBE_FAILED when futd ran the probe and it
 * failed; `check` follows the Nagios plugin convention instead (enum
 * check_code) and never exits with anything else.
 */
enum futctl_exit {
	FUTCTL_EXIT_OK = 0,
	FUTCTL_EXIT_REPLY = 1,		/* futd answered with an error code */
	FUTCTL_EXIT_USAGE = 2,		/* bad options, command or argument */
	FUTCTL_EXIT_PROBE_FAILED = 2,	/* probe: the probe ran and failed */
	FUTCTL_EXIT_TALK = 3,		/* futd absent, silent or garbled */
};

#endif /* FUTCTL_H */
