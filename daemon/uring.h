/*
 * uring.h - the probes' connects and closes through io_uring (uring.c): a
 * leaf below net.c, which asks it to connect and close and makes the
 * system calls itself where it cannot.  It knows the executor (future.h)
 * and net.h's struct connect_fut, and calls neither net.c nor anyone above.
 */
#ifndef FUTD_URING_H
#define FUTD_URING_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

struct connect_fut;
struct executor;
struct task;

struct uring_stats {
	uint64_t	submits;	/* io_uring_enter() calls */
	uint64_t	connects;	/* asked for, submitted or not */
	uint64_t	closes;
};
extern struct uring_stats uring_stats;

int		 uring_open(struct executor *, size_t *);
int		 uring_is_on(void);
void		 uring_shutdown(void);
void		 uring_flush(void);
int		 uring_connect(struct connect_fut *, socklen_t, struct task *);
void		 uring_cancel(struct connect_fut *);
int		 uring_close(int);

#endif /* FUTD_URING_H */
