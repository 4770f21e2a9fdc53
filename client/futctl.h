/*
 * futctl.h - declarations shared by the futctl client, grouped by file.
 *
 * futctl.c holds main() and nothing else, so that tests can link every
 * other object of the client.
 */
#ifndef FUTCTL_H
#define FUTCTL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#ifndef FUTCTL_VERSION
#define FUTCTL_VERSION		"0.1.0"
#endif

/*
 * Exit codes.  Scripts match on these, so a code never changes meaning.
 * 1 is also used for local failures (out of memory, stdout unwritable).
 */
enum futctl_exit {
	FUTCTL_EXIT_OK = 0,
	FUTCTL_EXIT_REPLY = 1,		/* futd answered with an error code */
	FUTCTL_EXIT_USAGE = 2,		/* bad options, command or argument */
	FUTCTL_EXIT_TALK = 3,		/* futd absent, silent or garbled */
};

/* parser.c */
enum action {
	ACTION_NONE,
	ACTION_STATUS,
	ACTION_SHOW,
	ACTION_PING,
	ACTION_RELOAD,
};

enum parse_status {
	PARSE_OK,
	PARSE_NO_COMMAND,
	PARSE_UNKNOWN_COMMAND,
	PARSE_TOO_FEW,
	PARSE_TOO_MANY,
	PARSE_BAD_ARGUMENT,
};

struct parse_result {
	enum action	 action;
	const char	*command;	/* the protocol word, e.g. "show" */
	const char	*name;		/* target name for "show", else NULL */
	char		 error[256];	/* why parse() failed, in words */
};

enum parse_status	 parse(int, char *[], struct parse_result *);
void			 parser_usage(FILE *);
void			 parser_help(FILE *);

/* ctl.c */
#define CTL_TIMEOUT_SEC		10
#define CTL_MAX_REPLY		(256UL * 1024 * 1024)	/* '\n' excluded */

enum ctl_status {
	CTL_OK = 0,
	CTL_ERR_REQUEST,	/* request line longer than futd accepts */
	CTL_ERR_SOCKET,		/* could not create the socket */
	CTL_ERR_CONNECT,	/* futd is not there (or not for us) */
	CTL_ERR_SEND,
	CTL_ERR_RECV,
	CTL_ERR_TIMEOUT,	/* futd stayed silent for CTL_TIMEOUT_SEC */
	CTL_ERR_CLOSED,		/* connection closed before a whole reply */
	CTL_ERR_TOO_LONG,	/* reply line over CTL_MAX_REPLY */
	CTL_ERR_MALFORMED,	/* not JSON, or not the reply envelope */
};

struct ctl_error {
	enum ctl_status	 status;
	int		 errnum;	/* errno of a failed call, else 0 */
	char		 detail[256];	/* otherwise: what was wrong */
};

struct ctl_conn {
	int		 fd;
};

struct ctl_reply {
	json_t		*root;		/* owns message and data */
	long long	 version;
	int		 code;		/* a proto_code, or one we don't know */
	const char	*message;
	json_t		*data;		/* object; NULL only if code != 200 */
};

enum ctl_status	 ctl_connect(struct ctl_conn *, const char *,
		    struct ctl_error *);
enum ctl_status	 ctl_send(struct ctl_conn *, const char *, const char *,
		    struct ctl_error *);
enum ctl_status	 ctl_recv(struct ctl_conn *, struct ctl_reply *,
		    struct ctl_error *);
void		 ctl_close(struct ctl_conn *);
enum ctl_status	 ctl_request(const char *, const char *, const char *,
		    struct ctl_reply *, struct ctl_error *);
enum ctl_status	 ctl_reply_parse(const char *, size_t, struct ctl_reply *,
		    struct ctl_error *);
void		 ctl_reply_free(struct ctl_reply *);
void		 ctl_strerror(const struct ctl_error *, const char *, char *,
		    size_t);

/* output.c */
/*
 * One backend per output format.  The reply handlers get the reply's
 * "data" object of a 200 reply and return 0, or -1 when the data does not
 * have the shape proto.h promises (they have said why on stderr).  error()
 * reports a non-200 reply.
 */
struct output {
	int	(*ping)(const json_t *);
	int	(*status)(const json_t *);
	int	(*show)(const json_t *);
	int	(*reload)(const json_t *);
	void	(*error)(const struct parse_result *,
		    const struct ctl_reply *);
};

extern const struct output	 output_text;

void	 output_warnx(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
void	 output_fmt_latency(char *, size_t, long long);
void	 output_fmt_duration(char *, size_t, double);
void	 output_fmt_clock(char *, size_t, double);

/* output_json.c */
extern const struct output	 output_json;

#endif /* FUTCTL_H */
