/*
 * sys.h - helpers of the system tests (sys.c): a test's own directory and
 * what it holds (struct sys_fx), start and stop the real binaries, run
 * futctl and keep what it printed, wait for conditions, talk to sockets
 * by hand.
 *
 * Every wait here is bounded in time.  Every process started through
 * sys_spawn() is remembered until it is reaped, and sys_stop_all() (for a
 * checked teardown) stops what is left: SIGTERM, then SIGKILL.
 */
#ifndef FUTD_SYS_H
#define FUTD_SYS_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SYS_MAX_PORTS		8
#define SYS_START_MS		15000	/* a binary gets ready within this
					   (a bound: sanitizers are slow) */
#define SYS_STOP_MS		2000	/* SIGTERM to SIGKILL */
#define SYS_RUN_MS		5000	/* a command line finishes within this */
#define SYS_FX_MAX_FDS	1100	/* faults' many-clients test holds 1000 */

/* What a finished command said and how it ended. */
struct sys_out {
	int	 status;	/* exit code, 128 + signal, -1: not finished */
	char	*out;		/* stdout, NUL-terminated, never NULL */
	char	*err;		/* stderr, likewise */
};

/* A running testsrv and the ports it listens on (host order). */
struct sys_srv {
	pid_t		 pid;
	size_t		 nports;
	unsigned	 port[SYS_MAX_PORTS];
};

/*
 * A system test's own directory under its TCase's root and what it holds
 * (sys_fx_setup, sys_fx_teardown): the paths of futd's files in it, the
 * futd it started (-1: none) and the raw sockets to close after it.
 */
struct sys_fx {
	char	 dir[PATH_MAX];
	char	 conf[PATH_MAX];	/* futd.conf */
	char	 sock[PATH_MAX];	/* futd.sock */
	char	 err[PATH_MAX];		/* futd.err: futd's stderr */
	char	 log[PATH_MAX];		/* testsrv.log */
	pid_t	 futd;
	int	 fds[SYS_FX_MAX_FDS];
	size_t	 nfds;
};

/* paths, clocks, files */
const char	*sys_build(void);
void		 sys_bin(char *, size_t, const char *);
uint64_t	 sys_now_ms(void);
uint64_t	 sys_mono_us(void);
int		 sys_left_ms(uint64_t);
void		 sys_sleep_ms(unsigned);
int		 sys_tmpdir(char *, size_t);
int		 sys_rmtree(const char *);
int		 sys_write_file(const char *, const void *, size_t);
void		 sys_write_filef(const char *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*sys_read_file(const char *, size_t *);

/* processes */
pid_t		 sys_spawn(const char *const [], const char *const [],
		    const char *, const char *);
int		 sys_wait(pid_t, unsigned, int *);
void		 sys_stop_all(void);
/* SIGTERM, timeout_ms, SIGKILL: the exit status, or -1 if not reaped */
int		 sys_stop(pid_t, unsigned);
pid_t		 sys_spawn_ready(const char *, const char *const [],
		    const char *, unsigned *);
size_t		 sys_proc_threads(pid_t);
size_t		 sys_proc_children(pid_t);
size_t		 sys_proc_fds(pid_t);
int		 sys_run(const char *const [], const char *const [], unsigned,
		    struct sys_out *);
void		 sys_out_free(struct sys_out *);

/* the binaries under test */
int		 sys_testsrv(struct sys_srv *, const char *const [], size_t,
		    const char *);
size_t		 sys_srvlog(const char *, unsigned, long long, const char *,
		    size_t *);
pid_t		 sys_futd(const char *, const char *, const char *,
		    const char *const []);
pid_t		 sys_futd_start(const char *, const char *, const char *);
int		 sys_futctl(struct sys_out *, const char *, ...)
		    __attribute__((sentinel));
json_t		*sys_futctl_json(const char *, const char *, const char *);
json_t		*sys_status_get(const char *);
json_t		*sys_target_get(const json_t *, const char *);

/* JSON: accessors that tolerate a missing object or key */
long long	 sys_jint(const json_t *, const char *);
double		 sys_jreal(const json_t *, const char *);
const char	*sys_jstr(const json_t *, const char *);
const json_t	*sys_jpath(const json_t *, const char *);
int		 sys_listening(unsigned);

unsigned	 sys_free_port(void);

/* fixtures */
void		 sys_path_in(char *, size_t, const char *, const char *);
int		 sys_keep(void);
void		 sys_root_setup(char *, size_t);
void		 sys_root_teardown(const char *, const char *);
void		 sys_fx_setup(struct sys_fx *, const char *);
void		 sys_fx_teardown(struct sys_fx *);
int		 sys_fx_fd(struct sys_fx *, int);
void		 sys_fx_close(struct sys_fx *, int);
void		 sys_fx_futd(struct sys_fx *);

/* sockets by hand */
int		 sys_unix_connect(const char *);
int		 sys_send_all(int, const void *, size_t);
char		*sys_read_line(int, unsigned);
int		 sys_wait_closed(int, unsigned);
int		 sys_notify_open(const char *);
int		 sys_notify_wait(int, const char *, unsigned, char *, size_t);
int		 sys_bound_port(int *, unsigned *);
const char	*sys_find_exec(const char *, char *, size_t);

/*
 * A port of 127.0.0.1 a test turns on (listening) and off (connects
 * refused): while off a socket bound to it, not listening, holds it, so
 * that nothing else takes it meanwhile.  -1: none.
 */
struct sys_switch {
	int		 hold;
	int		 lsn;
	unsigned	 port;
};
int		 sys_socket_at(const char *, unsigned);
void		 sys_switch_init(struct sys_switch *);
void		 sys_switch_on(struct sys_switch *);
void		 sys_switch_off(struct sys_switch *);
void		 sys_switch_drain(struct sys_switch *);
void		 sys_switch_close(struct sys_switch *);
json_t		*sys_wait_state(const char *, struct sys_switch *,
		    const char *, const char *, int, unsigned);

#endif /* FUTD_SYS_H */
