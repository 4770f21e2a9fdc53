/*
 * sys.c - helpers of the system tests: they run the real futd, futctl and
 * testsrv, never link them.
 *
 * Processes: sys_spawn() forks and execs with stdin from /dev/null and
 * stdout/stderr to files (or /dev/null, or our stderr), remembers the pid,
 * and arranges (PR_SET_PDEATHSIG) that the child is killed if we die
 * first: Check's forked test process leaves through _exit() when an
 * assertion fails, and must not leave a futd behind.  sys_stop() is
 * SIGTERM, a bounded wait, then SIGKILL.  Children get an environment
 * without the variables systemd hands to services (NOTIFY_SOCKET,
 * LISTEN_*, WATCHDOG_*, JOURNAL_STREAM) and without FUTD_SOCKET, so that
 * running the tests under systemd or with FUTD_SOCKET set changes nothing;
 * a test adds what it means to.
 *
 * Every loop here is bounded in time (and so in count).
 */
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>

#include "sys.h"

#define SYS_MAX_PROCS		32
#define SYS_MAX_ARGS		32
#define SYS_MAX_OUTPUT		(16 * 1024 * 1024)
#define SYS_MAX_LINE		(1024 * 1024)
#define SYS_POLL_MS		2	/* reaping: how often to look */
#define SYS_PING_EVERY_MS	20
#define SYS_TMP_PREFIX		"/tmp/futd-sys."

/* What a service gets from systemd: never inherited by our children. */
static const char *const sys_env_drop[] = {
	"NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
	"WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "FUTD_SOCKET",
	NULL
};

static pid_t	sys_procs[SYS_MAX_PROCS];
static size_t	sys_nprocs;

/* paths, clocks, files */

/* The directory of the binaries: $FUTD_BUILD, else "build" (from cwd). */
const char *
sys_build(void)
{
	const char *b = getenv("FUTD_BUILD");

	return b != NULL && *b != '\0' ? b : "build";
}

void
sys_bin(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", sys_build(), name);
}

uint64_t
sys_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

uint64_t
sys_now_ms(void)
{
	return sys_mono_us() / 1000;
}

void
sys_sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000),
	    (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Milliseconds left until deadline (0 once it passed), for poll(). */
int
sys_left_ms(uint64_t deadline)
{
	uint64_t now = sys_now_ms();

	return now >= deadline ? 0 : (int)(deadline - now);
}

/* A fresh directory /tmp/futd-sys.XXXXXX. */
int
sys_tmpdir(char *buf, size_t len)
{
	if (snprintf(buf, len, "%sXXXXXX", SYS_TMP_PREFIX) >= (int)len)
		return -1;
	return mkdtemp(buf) == NULL ? -1 : 0;
}

static int
sys_rmtree_cb(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/* Remove a directory made by sys_tmpdir(), with all inside; nothing else. */
int
sys_rmtree(const char *dir)
{
	if (dir == NULL || strncmp(dir, SYS_TMP_PREFIX,
	    strlen(SYS_TMP_PREFIX)) != 0 || strstr(dir, "..") != NULL)
		return -1;
	return nftw(dir, sys_rmtree_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * Write a whole file, replacing what was there in one step (a temporary
 * file renamed over it): a futd that reloads never reads half of it.
 */
int
sys_write_file(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	const char *p = data;
	ssize_t n;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* A whole file from a format (a config, a zone); fails the test if not. */
void
sys_write_filef(const char *path, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert(n >= 0);
	ck_assert_msg(sys_write_file(path, s, (size_t)n) == 0, "write %s: %s",
	    path, strerror(errno));
	free(s);
}

/* The whole file, NUL-terminated; NULL when it cannot be read. */
char *
sys_read_file(const char *path, size_t *lenp)
{
	char *buf = NULL, *p;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			if (cap >= SYS_MAX_OUTPUT * 4 ||
			    (p = realloc(buf, cap + 65536)) == NULL)
				break;
			buf = p;
			cap += 65536;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf == NULL && (buf = malloc(1)) == NULL)
		return NULL;
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* processes */

static void
sys_track(pid_t pid)
{
	if (sys_nprocs < SYS_MAX_PROCS)
		sys_procs[sys_nprocs++] = pid;
}

static void
sys_untrack(pid_t pid)
{
	size_t i;

	for (i = 0; i < sys_nprocs; i++)
		if (sys_procs[i] == pid) {
			memmove(&sys_procs[i], &sys_procs[i + 1],
			    (sys_nprocs - i - 1) * sizeof(sys_procs[0]));
			sys_nprocs--;
			return;
		}
}

/* In the child: never returns. */
static void __attribute__((noreturn))
sys_child(const char *const argv[], const char *const env[], int infd,
    int outfd, int errfd, int reportfd, pid_t parent)
{
	const char *eq;
	char name[256];
	sigset_t none;
	size_t i;
	int e;

	/* If the test dies, so do we: no futd outlives a failed assertion. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);

	if ((infd != -1 && dup2(infd, STDIN_FILENO) == -1) ||
	    (outfd != -1 && dup2(outfd, STDOUT_FILENO) == -1) ||
	    (errfd != -1 && dup2(errfd, STDERR_FILENO) == -1))
		goto fail;
	/* nothing of ours leaks into the binaries under test */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

	for (i = 0; sys_env_drop[i] != NULL; i++)
		unsetenv(sys_env_drop[i]);
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		if ((eq = strchr(env[i], '=')) == NULL) {
			unsetenv(env[i]);
			continue;
		}
		if ((size_t)(eq - env[i]) >= sizeof(name))
			goto fail;
		memcpy(name, env[i], (size_t)(eq - env[i]));
		name[eq - env[i]] = '\0';
		if (setenv(name, eq + 1, 1) == -1)
			goto fail;
	}
	execvp(argv[0], (char *const *)(uintptr_t)argv);
 fail:
	e = errno;
	(void)!write(reportfd, &e, sizeof(e));
	_exit(127);
}

/*
 * Fork and exec argv with stdin, stdout and stderr on the given
 * descriptors (-1: /dev/null for stdin and stdout, ours for stderr).
 * -1 when the exec failed (errno says why).
 */
static pid_t
sys_fork_exec(const char *const argv[], const char *const env[], int outfd,
    int errfd)
{
	pid_t pid, parent = getpid();
	int report[2], nullfd, e = 0;
	ssize_t n;

	if ((nullfd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (pipe2(report, O_CLOEXEC) == -1) {
		close(nullfd);
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		e = errno;
		close(nullfd);
		close(report[0]);
		close(report[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		sys_child(argv, env, nullfd, outfd != -1 ? outfd : nullfd,
		    errfd, report[1], parent);
	close(nullfd);
	close(report[1]);
	/* the exec closes report[1]: EOF means it worked */
	do {
		n = read(report[0], &e, sizeof(e));
	} while (n == -1 && errno == EINTR);
	close(report[0]);
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		errno = e;
		return -1;
	}
	sys_track(pid);
	return pid;
}

/*
 * Start argv in the background.  env holds "NAME=VALUE" to set and "NAME"
 * to unset (NULL: nothing).  stdout goes to outpath (NULL: /dev/null),
 * stderr to errpath (NULL: ours).
 */
pid_t
sys_spawn(const char *const argv[], const char *const env[],
    const char *outpath, const char *errpath)
{
	int outfd = -1, errfd = -1, e;
	pid_t pid;

	if (outpath != NULL && (outfd = open(outpath,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1)
		return -1;
	if (errpath != NULL && (errfd = open(errpath,
	    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1) {
		e = errno;
		if (outfd != -1)
			close(outfd);
		errno = e;
		return -1;
	}
	pid = sys_fork_exec(argv, env, outfd, errfd);
	e = errno;
	if (outfd != -1)
		close(outfd);
	if (errfd != -1)
		close(errfd);
	errno = e;
	return pid;
}

static int
sys_status(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return -1;
}

/*
 * Wait up to timeout_ms for pid to end (0: just look).  0 and its exit
 * status (exit code, or 128 + signal) when it ended; -1 when it still runs.
 */
int
sys_wait(pid_t pid, unsigned timeout_ms, int *status)
{
	uint64_t deadline = sys_now_ms() + timeout_ms;
	pid_t r;
	int ws;

	if (pid <= 0)		/* never "any child" */
		return -1;
	for (;;) {
		r = waitpid(pid, &ws, WNOHANG);
		if (r == pid) {
			sys_untrack(pid);
			if (status != NULL)
				*status = sys_status(ws);
			return 0;
		}
		if (r == -1 && errno != EINTR) {
			/* not ours, or already reaped */
			sys_untrack(pid);
			if (status != NULL)
				*status = -1;
			return 0;
		}
		if (sys_now_ms() >= deadline)
			return -1;
		sys_sleep_ms(SYS_POLL_MS);
	}
}

/*
 * SIGTERM, up to timeout_ms for it to end, then SIGKILL.  The exit status
 * (128 + 9 when it had to be killed), or -1 if it could not be reaped.
 */
int
sys_stop(pid_t pid, unsigned timeout_ms)
{
	int status;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	if (sys_wait(pid, timeout_ms, &status) == 0)
		return status;
	kill(pid, SIGKILL);
	if (sys_wait(pid, SYS_STOP_MS, &status) == 0)
		return status;
	return -1;
}

/*
 * Start argv with stdout to a file in dir and wait for its "ready PORT"
 * line (our test servers' first words).  The pid (port in *portp), or -1
 * when it exited (a port in use) or said nothing within SYS_START_MS.
 */
pid_t
sys_spawn_ready(const char *dir, const char *const argv[],
    const char *errpath, unsigned *portp)
{
	static unsigned nspawn;
	char out[PATH_MAX], name[32], *buf, *end;
	uint64_t deadline = sys_now_ms() + SYS_START_MS;
	unsigned long port;
	pid_t pid;

	snprintf(name, sizeof(name), "spawn%u.out", nspawn++);
	sys_path_in(out, sizeof(out), dir, name);
	if ((pid = sys_spawn(argv, NULL, out, errpath)) == -1)
		return -1;
	while (sys_left_ms(deadline) > 0) {
		buf = sys_read_file(out, NULL);
		if (buf != NULL && strncmp(buf, "ready ", 6) == 0 &&
		    strchr(buf, '\n') != NULL) {
			port = strtoul(buf + 6, &end, 10);
			if (end == buf + 6 || port == 0 || port > 65535) {
				free(buf);
				break;
			}
			free(buf);
			*portp = (unsigned)port;
			return pid;
		}
		free(buf);
		if (sys_wait(pid, 0, NULL) == 0)
			return -1;		/* gave up: bind failed */
		sys_sleep_ms(5);
	}
	sys_stop(pid, SYS_STOP_MS);
	return -1;
}

/* Stop every process still running, newest first (futd before testsrv). */
void
sys_stop_all(void)
{
	size_t guard = SYS_MAX_PROCS;

	while (sys_nprocs > 0 && guard-- > 0)
		if (sys_stop(sys_procs[sys_nprocs - 1], SYS_STOP_MS) == -1)
			sys_untrack(sys_procs[sys_nprocs - 1]);
}

static size_t
sys_count_dir(const char *path)
{
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* How many threads pid runs (0: no such process). */
size_t
sys_proc_threads(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/task", (long)pid);
	return sys_count_dir(path);
}

/* How many descriptors pid has open. */
size_t
sys_proc_fds(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	return sys_count_dir(path);
}

/* How many processes have pid as their parent. */
size_t
sys_proc_children(pid_t pid)
{
	struct dirent *de;
	char path[300], buf[512], *p;
	long ppid;
	size_t n = 0;
	ssize_t len;
	DIR *d;
	int fd;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) S ppid ...": comm may hold anything but ')' last */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %*c %ld", &ppid) != 1)
			continue;
		if (ppid == (long)pid)
			n++;
	}
	closedir(d);
	return n;
}

struct sys_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* Read what fd has into b; 0 at EOF (or error), 1 while open. */
static int
sys_drain(int fd, struct sys_buf *b)
{
	char *np;
	ssize_t n;

	if (b->cap - b->len < 4096 && b->cap < SYS_MAX_OUTPUT) {
		if ((np = realloc(b->p, b->cap + 65536)) != NULL) {
			b->p = np;
			b->cap += 65536;
		}
	}
	if (b->cap - b->len <= 1) {
		char sink[4096];	/* over the limit: read, keep nothing */

		n = read(fd, sink, sizeof(sink));
	} else
		n = read(fd, b->p + b->len, b->cap - b->len - 1);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	if (b->cap - b->len > 1)
		b->len += (size_t)n;
	return 1;
}

static char *
sys_buf_take(struct sys_buf *b)
{
	char *s = b->p;

	if (s == NULL && (s = calloc(1, 1)) == NULL)
		abort();
	s[b->len] = '\0';
	b->p = NULL;
	return s;
}

/*
 * Run argv to its end, at most timeout_ms (then it is killed and status is
 * -1), keeping what it wrote on stdout and stderr.  Returns out->status.
 */
int
sys_run(const char *const argv[], const char *const env[],
    unsigned timeout_ms, struct sys_out *out)
{
	struct sys_buf ob = { NULL, 0, 0 }, eb = { NULL, 0, 0 };
	uint64_t deadline = sys_now_ms() + timeout_ms;
	struct pollfd pfd[2];
	int opipe[2], epipe[2], status = -1, nopen, i, e;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->status = -1;
	if (pipe2(opipe, O_CLOEXEC) == -1)
		goto done;
	if (pipe2(epipe, O_CLOEXEC) == -1) {
		close(opipe[0]);
		close(opipe[1]);
		goto done;
	}
	pid = sys_fork_exec(argv, env, opipe[1], epipe[1]);
	e = errno;
	close(opipe[1]);
	close(epipe[1]);
	if (pid == -1) {
		close(opipe[0]);
		close(epipe[0]);
		if (asprintf(&eb.p, "cannot run %s: %s\n", argv[0],
		    strerror(e)) != -1)
			eb.len = strlen(eb.p);
		goto done;
	}
	pfd[0].fd = opipe[0];
	pfd[1].fd = epipe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	nopen = 2;
	while (nopen > 0 && sys_left_ms(deadline) > 0) {
		if (poll(pfd, 2, sys_left_ms(deadline)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < 2; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			if (sys_drain(pfd[i].fd, i == 0 ? &ob : &eb) == 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				nopen--;
			}
		}
	}
	for (i = 0; i < 2; i++)
		if (pfd[i].fd != -1)
			close(pfd[i].fd);
	if (sys_wait(pid, (unsigned)sys_left_ms(deadline), &status) == -1) {
		kill(pid, SIGKILL);
		sys_wait(pid, SYS_STOP_MS, NULL);
		status = -1;
	}
 done:
	out->status = status;
	out->out = sys_buf_take(&ob);
	out->err = sys_buf_take(&eb);
	return status;
}

void
sys_out_free(struct sys_out *out)
{
	free(out->out);
	free(out->err);
	out->out = out->err = NULL;
}

/* the binaries under test */

/*
 * Start testsrv on nports ephemeral ports of loopback, with opts (NULL-
 * terminated, may be NULL) and a log file (NULL: none), and wait for its
 * "ready PORT..." line.  It exits by itself after a minute whatever
 * happens to us (-t 60; opts may say otherwise).
 */
int
sys_testsrv(struct sys_srv *srv, const char *const opts[], size_t nports,
    const char *logpath)
{
	const char *argv[SYS_MAX_ARGS];
	char bin[PATH_MAX], line[256], *p, *end;
	uint64_t deadline = sys_now_ms() + SYS_START_MS;
	struct pollfd pfd;
	size_t n = 0, i, len = 0;
	ssize_t r;
	unsigned long port;
	int pipefd[2];
	pid_t pid;

	memset(srv, 0, sizeof(*srv));
	if (nports == 0 || nports > SYS_MAX_PORTS)
		return -1;
	sys_bin(bin, sizeof(bin), "testsrv");
	argv[n++] = bin;
	argv[n++] = "-t";
	argv[n++] = "60";
	if (logpath != NULL) {
		argv[n++] = "-l";
		argv[n++] = logpath;
	}
	for (i = 0; opts != NULL && opts[i] != NULL; i++) {
		if (n + nports + 1 >= SYS_MAX_ARGS)
			return -1;
		argv[n++] = opts[i];
	}
	for (i = 0; i < nports; i++)
		argv[n++] = "0";
	argv[n] = NULL;

	if (pipe2(pipefd, O_CLOEXEC) == -1)
		return -1;
	pid = sys_fork_exec(argv, NULL, pipefd[1], -1);
	close(pipefd[1]);
	if (pid == -1) {
		close(pipefd[0]);
		return -1;
	}
	pfd.fd = pipefd[0];
	pfd.events = POLLIN;
	while (memchr(line, '\n', len) == NULL && len < sizeof(line) - 1 &&
	    sys_left_ms(deadline) > 0) {
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			continue;
		r = read(pipefd[0], line + len, sizeof(line) - 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(pipefd[0]);
	line[len] = '\0';
	if (strncmp(line, "ready ", 6) != 0 || strchr(line, '\n') == NULL)
		goto fail;
	for (p = line + 6, i = 0; i < nports; i++) {
		errno = 0;
		port = strtoul(p, &end, 10);
		if (end == p || errno != 0 || port == 0 || port > 65535)
			goto fail;
		srv->port[i] = (unsigned)port;
		p = end;
	}
	srv->pid = pid;
	srv->nports = nports;
	return 0;
 fail:
	sys_stop(pid, SYS_STOP_MS);
	return -1;
}

/*
 * Count testsrv's log lines for port:
 *
 *	conn port=P peer=ADDR bytes=N [KEY=VALUE...] data=ESCAPED
 *
 * Returns how many there are; *nmatch (if not NULL) gets how many of them
 * say bytes=bytes (any when bytes < 0) and data=data exactly (any when
 * data is NULL).  A last line still without its '\n' is not counted.
 */
size_t
sys_srvlog(const char *path, unsigned port, long long bytes,
    const char *data, size_t *nmatch)
{
	char *buf, *line, *nl, *end, *b, *d;
	size_t total = 0, match = 0;
	unsigned long long n;
	unsigned long lport;

	if (nmatch != NULL)
		*nmatch = 0;
	if ((buf = sys_read_file(path, NULL)) == NULL)
		return 0;
	for (line = buf; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if (strncmp(line, "conn port=", 10) != 0)
			continue;
		lport = strtoul(line + 10, &end, 10);
		if (end == line + 10 || lport != port ||
		    strncmp(end, " peer=", 6) != 0 ||
		    (b = strstr(end, " bytes=")) == NULL ||
		    (d = strstr(b, " data=")) == NULL)
			continue;
		total++;
		n = strtoull(b + 7, NULL, 10);
		if ((bytes < 0 || n == (unsigned long long)bytes) &&
		    (data == NULL || strcmp(d + 6, data) == 0))
			match++;
	}
	free(buf);
	if (nmatch != NULL)
		*nmatch = match;
	return total;
}

/*
 * Start futd -f conf -s sock with stderr to errpath (NULL: ours) and
 * the extra environment env, and wait until `futctl ping` answers.  The
 * pid, or -1 when it exited or did not answer within SYS_START_MS.
 */
pid_t
sys_futd(const char *conf, const char *sock, const char *errpath,
    const char *const env[])
{
	char bin[PATH_MAX];
	const char *argv[] = { bin, "-f", conf, "-s", sock, NULL };
	uint64_t deadline;
	struct sys_out out;
	pid_t pid;

	sys_bin(bin, sizeof(bin), "futd");
	if ((pid = sys_spawn(argv, env, NULL, errpath)) == -1)
		return -1;
	deadline = sys_now_ms() + SYS_START_MS;
	while (sys_left_ms(deadline) > 0) {
		if (sys_wait(pid, 0, NULL) == 0)
			return -1;		/* it gave up */
		if (sys_futctl(&out, sock, "ping", (char *)NULL) == 0) {
			sys_out_free(&out);
			return pid;
		}
		sys_out_free(&out);
		sys_sleep_ms(SYS_PING_EVERY_MS);
	}
	sys_stop(pid, SYS_STOP_MS);
	return -1;
}

/*
 * sys_futd() for a test that needs futd running: its pid, or the test
 * fails with what futd said on errpath.
 */
pid_t
sys_futd_start(const char *conf, const char *sock, const char *errpath)
{
	pid_t pid;
	char *err;

	if ((pid = sys_futd(conf, sock, errpath, NULL)) == -1) {
		err = sys_read_file(errpath, NULL);
		ck_abort_msg("futd did not start within %d ms; its stderr:\n%s",
		    SYS_START_MS, err != NULL ? err : "(none)");
	}
	return pid;
}

/*
 * Run futctl [-s sock] ARG... (NULL-terminated) and keep its output in
 * *out (NULL: thrown away).  Returns its exit status, -1 if it hung.
 */
int
sys_futctl(struct sys_out *out, const char *sock, ...)
{
	const char *argv[SYS_MAX_ARGS], *a;
	char bin[PATH_MAX];
	struct sys_out mine;
	size_t n = 0;
	va_list ap;
	int status;

	sys_bin(bin, sizeof(bin), "futctl");
	argv[n++] = bin;
	if (sock != NULL) {
		argv[n++] = "-s";
		argv[n++] = sock;
	}
	va_start(ap, sock);
	while ((a = va_arg(ap, const char *)) != NULL &&
	    n < SYS_MAX_ARGS - 1)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	status = sys_run(argv, NULL, SYS_RUN_MS, out != NULL ? out : &mine);
	if (out == NULL)
		sys_out_free(&mine);
	return status;
}

/* futctl -s sock --json cmd [arg], parsed; NULL unless it exited 0. */
json_t *
sys_futctl_json(const char *sock, const char *cmd, const char *arg)
{
	struct sys_out out;
	json_error_t jerr;
	json_t *j = NULL;

	if (sys_futctl(&out, sock, "--json", cmd, arg, (char *)NULL) == 0)
		j = json_loads(out.out, 0, &jerr);
	sys_out_free(&out);
	return j;
}

/* `futctl --json status` of sock, parsed (the caller's); fails the test. */
json_t *
sys_status_get(const char *sock)
{
	json_t *st = sys_futctl_json(sock, "status", NULL);

	ck_assert_msg(st != NULL, "futctl --json status failed");
	ck_assert_msg(json_is_array(json_object_get(st, "targets")),
	    "status without a \"targets\" array");
	return st;
}

/* The target called name in a status (borrowed), or NULL. */
json_t *
sys_target_get(const json_t *st, const char *name)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(st, "targets"), i, t)
		if (sys_jstr(t, "name") != NULL &&
		    strcmp(sys_jstr(t, "name"), name) == 0)
			return t;
	return NULL;
}

/* An integer member; -1 when o, the key or an integer is not there. */
long long
sys_jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* A number member; -1 when it is not there. */
double
sys_jreal(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : -1.0;
}

/*
 * Does something listen on 127.0.0.1:port?  A bind with SO_REUSEADDR
 * fails only then (Linux).  (/proc/net/tcp would say it too, but it
 * lists every TIME_WAIT socket of the machine: slow to read when busy.)
 */
int
sys_listening(unsigned port)
{
	struct sockaddr_in sin;
	int fd, one = 1, r;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((in_port_t)port);
	r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno == EADDRINUSE;
	close(fd);
	return r;
}

/* The value at a dotted path ("last.tls.version"), or NULL. */
const json_t *
sys_jpath(const json_t *o, const char *path)
{
	char key[64];
	const char *dot;
	size_t n;

	while (o != NULL && *path != '\0') {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		path += n + (dot != NULL);
	}
	return o;
}

/* A string member, or NULL. */
const char *
sys_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/*
 * A TCP port of 127.0.0.1 free a moment ago: bound to port 0, read,
 * closed.  (Someone may take it before we use it; on loopback in a test,
 * unlikely.)  Fails the test when none can be had.
 */
unsigned
sys_free_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	unsigned port = 0;
	int fd;

	ck_assert((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	ck_assert_msg(port != 0, "no free port: %s", strerror(errno));
	return port;
}

/* sockets by hand */

/* A connected UNIX stream socket (sends bounded to 2 s), or -1. */
int
sys_unix_connect(const char *path)
{
	struct sockaddr_un sun;
	struct timeval tv = { 2, 0 };
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send all of buf (never SIGPIPE): 0, or -1. */
int
sys_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * One line from fd, without its '\n', read a byte at a time so that
 * nothing after it is consumed.  NULL on timeout, EOF or error.
 */
char *
sys_read_line(int fd, unsigned timeout_ms)
{
	uint64_t deadline = sys_now_ms() + timeout_ms;
	struct pollfd pfd = { fd, POLLIN, 0 };
	char *buf = NULL, *np, ch;
	size_t len = 0, cap = 0;
	ssize_t n;
	int r;

	while (len < SYS_MAX_LINE) {
		r = poll(&pfd, 1, sys_left_ms(deadline));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n = recv(fd, &ch, 1, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (ch == '\n') {
			if (buf == NULL && (buf = malloc(1)) == NULL)
				return NULL;
			buf[len] = '\0';
			return buf;
		}
		if (len + 1 >= cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((np = realloc(buf, cap)) == NULL)
				break;
			buf = np;
		}
		buf[len++] = ch;
	}
	free(buf);
	return NULL;
}

/*
 * Has the other side closed fd?  Reads (and throws away) whatever still
 * comes until EOF or a reset: 1; still open after timeout_ms: 0.
 */
int
sys_wait_closed(int fd, unsigned timeout_ms)
{
	uint64_t deadline = sys_now_ms() + timeout_ms;
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[4096];
	ssize_t n;

	while (sys_left_ms(deadline) > 0) {
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0)
			return 1;
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			return 1;	/* ECONNRESET: closed with our data unread */
	}
	return 0;
}

/* A datagram socket bound at path, to play systemd's NOTIFY_SOCKET. */
int
sys_notify_open(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Read notifications until one has a line that starts with key (e.g.
 * "READY=1", "MONOTONIC_USEC="); the others are dropped.  0 with that
 * datagram in buf, or -1 when none came within timeout_ms.
 */
int
sys_notify_wait(int fd, const char *key, unsigned timeout_ms, char *buf,
    size_t len)
{
	uint64_t deadline = sys_now_ms() + timeout_ms;
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t klen = strlen(key);
	const char *line;
	ssize_t n;

	if (len < 2)
		return -1;
	while (sys_left_ms(deadline) > 0) {
		if (poll(&pfd, 1, sys_left_ms(deadline)) <= 0)
			continue;
		n = recv(fd, buf, len - 1, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		for (line = buf; line != NULL; ) {
			if (strncmp(line, key, klen) == 0)
				return 0;
			if ((line = strchr(line, '\n')) != NULL)
				line++;
		}
	}
	buf[0] = '\0';
	return -1;
}

/*
 * A TCP port of 127.0.0.1 where nothing listens: bound (so that no one
 * else takes it while we hold *fd) but never listening, so a connect gets
 * a reset, "Connection refused".
 */
int
sys_bound_port(int *fd, unsigned *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if ((*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(*fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(*fd, (struct sockaddr *)&sin, &len) == -1) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return 0;
}

/*
 * A non-blocking TCP socket bound to addr:port (0: any free one), with
 * SO_REUSEADDR: a switch's two sockets share its port.  -1 on error.
 */
int
sys_socket_at(const char *addr, unsigned port)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The switch's port, held and off: connects to it are refused. */
void
sys_switch_init(struct sys_switch *sw)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	sw->lsn = -1;
	sw->hold = sys_socket_at("127.0.0.1", 0);
	ck_assert_msg(sw->hold != -1 && getsockname(sw->hold,
	    (struct sockaddr *)&sin, &len) == 0, "a port: %s",
	    strerror(errno));
	sw->port = ntohs(sin.sin_port);
}

void
sys_switch_on(struct sys_switch *sw)
{
	ck_assert(sw->lsn == -1);
	sw->lsn = sys_socket_at("127.0.0.1", sw->port);
	ck_assert_msg(sw->lsn != -1 && listen(sw->lsn, 256) == 0,
	    "listen on 127.0.0.1:%u: %s", sw->port, strerror(errno));
}

void
sys_switch_off(struct sys_switch *sw)
{
	ck_assert(sw->lsn != -1);
	close(sw->lsn);
	sw->lsn = -1;
}

/* Accept and close what came (peeraddr probes only connect). */
void
sys_switch_drain(struct sys_switch *sw)
{
	int fd, n = 0;

	while (sw->lsn != -1 && n++ < 1000 && (fd = accept4(sw->lsn, NULL,
	    NULL, SOCK_CLOEXEC)) != -1)
		close(fd);
}

/* For a teardown: whatever is open closes. */
void
sys_switch_close(struct sys_switch *sw)
{
	if (sw->lsn != -1)
		close(sw->lsn);
	if (sw->hold != -1)
		close(sw->hold);
	sw->lsn = sw->hold = -1;
}

/*
 * Ask futd at sock until target name is in state (and, if last_ok >= 0,
 * its last probe ok or not), draining sw (NULL: none) meanwhile; that
 * status (the caller's).  Fails after ms.
 */
json_t *
sys_wait_state(const char *sock, struct sys_switch *sw, const char *name,
    const char *state, int last_ok, unsigned ms)
{
	uint64_t deadline = sys_now_ms() + ms;
	const json_t *lo;
	json_t *st, *t;
	char *dump;

	for (;;) {
		if (sw != NULL)
			sys_switch_drain(sw);
		st = sys_status_get(sock);
		t = sys_target_get(st, name);
		lo = json_object_get(t, "last_ok");
		if (t != NULL && sys_jstr(t, "state") != NULL &&
		    strcmp(sys_jstr(t, "state"), state) == 0 && (last_ok < 0 ||
		    (json_is_boolean(lo) && json_is_true(lo) == last_ok)))
			return st;
		if (sys_left_ms(deadline) == 0) {
			dump = json_dumps(t, JSON_COMPACT);
			ck_abort_msg("target %s did not become %s%s within %u "
			    "ms: %s", name, state, last_ok == 0 ?
			    " (last probe failed)" : "", ms,
			    dump != NULL ? dump : "(absent)");
		}
		json_decref(st);
		sys_sleep_ms(25);
	}
}

/* fixtures shared by the system suites */

/* dir/name into buf, which must be large enough (or the test fails). */
void
sys_path_in(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	ck_assert_msg(n > 0 && (size_t)n < len, "path %s/%s too long", dir,
	    name);
}

/* FUTD_SYS_KEEP=1: keep the temp dirs, for a post-mortem. */
int
sys_keep(void)
{
	const char *k = getenv("FUTD_SYS_KEEP");

	return k != NULL && *k != '\0' && strcmp(k, "0") != 0;
}

/* A suite's root temp dir (an unchecked fixture: also after a crash). */
void
sys_root_setup(char *root, size_t len)
{
	if (sys_tmpdir(root, len) == -1)
		ck_abort_msg("mkdtemp under /tmp: %s", strerror(errno));
}

void
sys_root_teardown(const char *root, const char *label)
{
	if (sys_keep())
		fprintf(stderr, "%s: kept %s\n", label, root);
	else
		sys_rmtree(root);
}

/*
 * A test's own directory under root (a checked fixture), with the paths of
 * futd's files in it; nothing is started or written yet.
 */
void
sys_fx_setup(struct sys_fx *fx, const char *root)
{
	memset(fx, 0, sizeof(*fx));
	fx->futd = -1;
	sys_path_in(fx->dir, sizeof(fx->dir), root, "t.XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		ck_abort_msg("mkdtemp %s: %s", fx->dir, strerror(errno));
	sys_path_in(fx->conf, sizeof(fx->conf), fx->dir, "futd.conf");
	sys_path_in(fx->sock, sizeof(fx->sock), fx->dir, "futd.sock");
	sys_path_in(fx->err, sizeof(fx->err), fx->dir, "futd.err");
	sys_path_in(fx->log, sizeof(fx->log), fx->dir, "testsrv.log");
}

/*
 * After the test: its sockets closed, every process it started stopped,
 * its directory removed (kept with FUTD_SYS_KEEP=1).
 */
void
sys_fx_teardown(struct sys_fx *fx)
{
	size_t i;

	for (i = 0; i < fx->nfds; i++)
		close(fx->fds[i]);
	fx->nfds = 0;
	sys_stop_all();
	if (!sys_keep())
		sys_rmtree(fx->dir);
}

/* Remember a raw socket for the teardown; fails the test if fd is -1. */
int
sys_fx_fd(struct sys_fx *fx, int fd)
{
	ck_assert_msg(fd != -1, "socket: %s", strerror(errno));
	ck_assert(fx->nfds < SYS_FX_MAX_FDS);
	fx->fds[fx->nfds++] = fd;
	return fd;
}

/* Close one of fx->fds before the teardown. */
void
sys_fx_close(struct sys_fx *fx, int fd)
{
	size_t i;

	for (i = 0; i < fx->nfds; i++)
		if (fx->fds[i] == fd) {
			close(fd);
			fx->fds[i] = fx->fds[--fx->nfds];
			return;
		}
}

/* futd on the test's config and socket (sys_futd_start), as fx->futd. */
void
sys_fx_futd(struct sys_fx *fx)
{
	fx->futd = sys_futd_start(fx->conf, fx->sock, fx->err);
}

/* The path of an executable named name in $PATH, in buf; NULL if none. */
const char *
sys_find_exec(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH"), *p, *end;
	int n;

	if (path == NULL || *path == '\0')
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, ":");
		n = snprintf(buf, len, "%.*s/%s", (int)(end - p), p, name);
		if (n > 0 && (size_t)n < len && access(buf, X_OK) == 0)
			return buf;
	}
	return NULL;
}
