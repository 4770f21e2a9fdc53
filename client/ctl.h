/*
 * ctl.h - talking to futd over its control socket (ctl.c): one request
 * and its reply, `probe`'s two on one connection, `status -w`'s shows
 * of each target on one, `log -f`'s stream.
 */
#ifndef FUTCTL_CTL_H
#define FUTCTL_CTL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct output;
struct parse_result;

#define CTL_TIMEOUT_SEC		10	/* any one socket call */
#define CTL_RELOAD_TIMEOUT_SEC	300	/* the reply to a reload */
#define CTL_PROBE_MARGIN_SEC	10	/* probe: the target's timeout + */
#define CTL_PROBE_FALLBACK_SEC	120	/* ... when futd did not say it */
#define CTL_PROBE_MAX_ADDRS	8	/* addresses = "each": a timeout for
					   each, at most futd's
					   TARGET_MAX_ADDRS */
#define CTL_MAX_REPLY		(256UL * 1024 * 1024)	/* '\n' excluded */

enum ctl_status {
	CTL_OK = 0,
	CTL_ERR_REQUEST,	/* request line longer than futd accepts */
	CTL_ERR_SOCKET,		/* could not create the socket */
	CTL_ERR_CONNECT,	/* futd is not there (or not for us) */
	CTL_ERR_SEND,
	CTL_ERR_RECV,
	CTL_ERR_TIMEOUT,	/* futd stayed silent for too long */
	CTL_ERR_CLOSED,		/* connection closed before a whole reply */
	CTL_ERR_TOO_LONG,	/* reply line over CTL_MAX_REPLY */
	CTL_ERR_MALFORMED,	/* not JSON, or not the reply envelope */
	CTL_ERR_INTERRUPTED,	/* SIGINT or SIGTERM while following */
};

struct ctl_error {
	enum ctl_status	 status;
	int		 errnum;	/* errno of a failed call, else 0 */
	char		 detail[256];	/* otherwise: what was wrong */
};

/* A connection and what was read past the last line. */
struct ctl_conn {
	int		 fd;
	int		 timeout;	/* of recv(), seconds; 0: none */
	int		 interruptible;	/* SIGINT, SIGTERM end a wait */
	char		*buf;
	size_t		 off;		/* where the next line starts */
	size_t		 len;		/* bytes in buf */
	size_t		 cap;
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
int		 ctl_set_timeout(struct ctl_conn *, int);
enum ctl_status	 ctl_send(struct ctl_conn *, const char *, const char *,
		    struct ctl_error *);
enum ctl_status	 ctl_recv_line(struct ctl_conn *, char **, size_t *,
		    struct ctl_error *);
enum ctl_status	 ctl_recv(struct ctl_conn *, struct ctl_reply *,
		    struct ctl_error *);
void		 ctl_close(struct ctl_conn *);
enum ctl_status	 ctl_request(const char *, const char *, const char *,
		    struct ctl_reply *, struct ctl_error *);
enum ctl_status	 ctl_request_pass(const char *, const char *, const char *,
		    FILE *, int *, struct ctl_reply *, struct ctl_error *);
enum ctl_status	 ctl_probe(const char *, const char *, struct ctl_reply *,
		    json_t **, struct ctl_error *);
enum ctl_status	 ctl_find(const char *, const char *, struct ctl_reply *,
		    const json_t **, struct ctl_error *);
enum ctl_status	 ctl_tls_conf(const char *, const char *, struct ctl_reply *,
		    const json_t **, struct ctl_error *);
int		 ctl_follow(const struct parse_result *, const struct output *);
enum ctl_status	 ctl_reply_parse(const char *, size_t, struct ctl_reply *,
		    struct ctl_error *);
void		 ctl_reply_free(struct ctl_reply *);
void		 ctl_strerror(const struct ctl_error *, const char *, char *,
		    size_t);
int		 ctl_warn(const struct ctl_error *, const char *);

#endif /* FUTCTL_CTL_H */
