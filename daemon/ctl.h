/*
 * ctl.h - the daemon's control socket: request parsing (proto.c) and the
 * socket itself (control.c); the replies are report.c's (report.h).
 */
#ifndef FUTD_CTL_H
#define FUTD_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct daemon;
struct json_t;
struct strlist;
struct reload_report;

enum ctl_command {
	CTL_NONE,
	CTL_PING,
	CTL_STATUS,
	CTL_SHOW,
	CTL_RELOAD,
	CTL_PROBE,
	CTL_LOG,
	CTL_FOLLOW,
	CTL_METRICS,
	CTL_DISABLE,
	CTL_ENABLE,
};

#define PROTO_MAX_WORDS	5	/* version, command, three arguments */

struct ctl_request {
	enum ctl_command	 cmd;
	const char		*arg;	/* the first argument, or NULL */
	const char		*args[PROTO_MAX_WORDS];	/* into the line */
	int			 nargs;
	const char		*error;	/* when the parse failed */
	int			 unframed;	/* so bad the connection ends */
	const char		*usage;
};

/*
 * Who runs a reload (server.c, which also talks to systemd about it): it
 * starts one, or has one start after the one under way, and answers the
 * number of the reload that will be told to control_reload_done(); 0:
 * none can start.
 */
typedef uint64_t (*control_reload_fn)(void *);

/* proto.c */
enum proto_code	 proto_parse(char *, size_t, struct ctl_request *);
int		 proto_args(struct ctl_request *, const char *const *,
		    const char **);

/* control_maint.c: disable, enable; NULL with the code and words */
struct json_t	*control_maint_disable(struct daemon *, struct ctl_request *,
		    uint32_t, int *, const char **);
struct json_t	*control_maint_enable(struct daemon *, struct ctl_request *,
		    int *, const char **);

/* control.c */
struct control	*control_new(struct daemon *, control_reload_fn, void *);
int		 control_listen(struct control *, const char *);
int		 control_adopt(struct control *, int);
void		 control_free(struct control *);
size_t		 control_nclients(const struct control *);
void		 control_reload_done(struct control *, uint64_t,
		    const struct strlist *, const struct reload_report *);

#endif /* FUTD_CTL_H */
