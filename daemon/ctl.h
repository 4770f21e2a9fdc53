/*
 * ctl.h - the daemon's control socket: request parsing (proto.c) and the
 * socket itself (control.c); the replies are report.c's (report.h).
 */
#ifndef FUTD_CTL_H
#define FUTD_CTL_H

#include <stddef.h>

#include "proto.h"

struct daemon;
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
};

#define PROTO_MAX_WORDS	4	/* version, command, two arguments */

struct ctl_request {
	enum ctl_command	 cmd;
	const char		*arg;	/* the first argument, or NULL */
	const char		*args[PROTO_MAX_WORDS];	/* into the line */
	int			 nargs;
	const char		*error;	/* when the parse failed */
	int			 unframed;	/* so bad the connection ends */
	const char		*usage;
};

/* Who runs a reload: futd.c, which also talks to systemd about it. */
typedef int (*control_reload_fn)(void *, struct strlist *,
    struct reload_report *);

/* proto.c */
enum proto_code	 proto_parse(char *, size_t, struct ctl_request *);
int		 proto_args(struct ctl_request *, const char *const *,
		    const char **);

/* control.c */
struct control	*control_new(struct daemon *, control_reload_fn, void *);
int		 control_listen(struct control *, const char *);
int		 control_adopt(struct control *, int);
void		 control_free(struct control *);
size_t		 control_nclients(const struct control *);

#endif /* FUTD_CTL_H */
