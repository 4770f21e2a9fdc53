/*
 * check_steps_pg.c - the steps suite's postgres TCase: starttls =
 * "postgres" (SSLRequest, then TLS) against a real PostgreSQL 15 on
 * 127.0.0.1, or tlssrv -s postgres where there is none (or with
 * FUTD_TEST_NO_POSTGRES=1); stderr says which.
 *
 * PostgreSQL refuses to run as root: initdb and postgres run as the user
 * postgres (setpriv), in a directory of the test's own that postgres may
 * enter (0711 above it).  The certificate is the suite's CA's, for
 * localhost.  With ssl=on the target is up and shows the certificate;
 * postgres is then stopped (SIGINT, a fast shutdown) and started again
 * with ssl=off on the same port: it answers 'N', rejected at step 2.
 * Check kills what is left of a failed test's process group (postmaster
 * and its children with it).
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs.h"
#include "check_steps.h"

#define PG_BIN		"/usr/lib/postgresql/15/bin"
#define PG_USER		"postgres"
#define PG_INIT_MS	60000
#define PG_LISTEN_MS	20000
#define PG_STOP_MS	10000
#define PG_TURN_MS	10000	/* futd sees the server restarted within */
#define FIRST_RESULT_MS	5000

/* the test's postgres: where, as whom, on which port */
struct pg {
	char		 dir[PATH_MAX];
	char		 data[PATH_MAX];
	char		 log[PATH_MAX];
	struct certs	 certs;
	uid_t		 uid;
	gid_t		 gid;
	unsigned	 port;
	pid_t		 pid;
};

/* Why this machine cannot run a PostgreSQL of its own, or NULL. */
static const char *
pg_missing(struct pg *pg)
{
	struct passwd *pw;

	if (getenv("FUTD_TEST_NO_POSTGRES") != NULL)
		return "FUTD_TEST_NO_POSTGRES is set";
	if (access(PG_BIN "/initdb", X_OK) == -1 ||
	    access(PG_BIN "/postgres", X_OK) == -1)
		return "no " PG_BIN "/{initdb,postgres} (apt-get install "
		    "postgresql-15)";
	if (geteuid() != 0)
		return "not root: cannot run postgres as its own user";
	if ((pw = getpwnam(PG_USER)) == NULL)
		return "no user " PG_USER;
	pg->uid = pw->pw_uid;
	pg->gid = pw->pw_gid;
	return NULL;
}

/* name (in pg->dir) to postgres, mode */
static void
pg_own(struct pg *pg, const char *name, mode_t mode)
{
	const char *path = name != NULL ? certs_path(&pg->certs, name) :
	    pg->dir;

	ck_assert_msg(chown(path, pg->uid, pg->gid) == 0 &&
	    chmod(path, mode) == 0, "chown %s: %s", path, strerror(errno));
}

/* pg->dir and in it the certificate of localhost by a CA of its own */
static void
pg_certs(struct pg *pg)
{
	sys_path_in(pg->dir, sizeof(pg->dir), steps_fx.dir, "pg");
	ck_assert(mkdir(pg->dir, 0700) == 0);
	steps_certs(&pg->certs, pg->dir);
}

/*
 * The directory (the test's, entered by postgres), the certificates,
 * and initdb.
 */
static void
pg_init(struct pg *pg)
{
	char *dirname, *slash;
	const char *argv[] = { "setpriv", "--reuid=" PG_USER,
	    "--regid=" PG_USER, "--init-groups", PG_BIN "/initdb", "-D",
	    pg->data, "-A", "trust", "-U", PG_USER, "--no-sync", NULL };
	struct sys_out out;

	/* the test's directory and its TCase's: x for postgres */
	ck_assert((dirname = strdup(steps_fx.dir)) != NULL);
	ck_assert(chmod(dirname, 0711) == 0);
	if ((slash = strrchr(dirname, '/')) != NULL && slash != dirname) {
		*slash = '\0';
		ck_assert(chmod(dirname, 0711) == 0);
	}
	free(dirname);
	pg_certs(pg);
	sys_path_in(pg->data, sizeof(pg->data), pg->dir, "data");
	sys_path_in(pg->log, sizeof(pg->log), pg->dir, "postgres.log");
	pg_own(pg, NULL, 0700);
	pg_own(pg, "leaf.pem", 0644);
	pg_own(pg, "leaf.key", 0600);

	ck_assert_msg(sys_run(argv, NULL, PG_INIT_MS, &out) == 0,
	    "initdb as %s: exit %d:\n%s%s", PG_USER, out.status, out.out,
	    out.err);
	sys_out_free(&out);
}

/* postgres on pg->port (a free one at first), ssl on or off */
static void
pg_start(struct pg *pg, int ssl)
{
	char port_s[32], cert[PATH_MAX + 32], key[PATH_MAX + 32], *log;
	const char *argv[] = { "setpriv", "--reuid=" PG_USER,
	    "--regid=" PG_USER, "--init-groups", PG_BIN "/postgres", "-D",
	    pg->data, "-k", pg->dir, "-c", "listen_addresses=127.0.0.1",
	    "-c", port_s, "-c", ssl ? "ssl=on" : "ssl=off", "-c", cert, "-c",
	    key, "-c", "fsync=off", NULL };
	uint64_t deadline;

	if (pg->port == 0)
		pg->port = sys_free_port();
	snprintf(port_s, sizeof(port_s), "port=%u", pg->port);
	snprintf(cert, sizeof(cert), "ssl_cert_file=%s",
	    certs_path(&pg->certs, "leaf.pem"));
	snprintf(key, sizeof(key), "ssl_key_file=%s",
	    certs_path(&pg->certs, "leaf.key"));
	pg->pid = sys_spawn(argv, NULL, pg->log, pg->log);
	ck_assert_msg(pg->pid != -1, "cannot run setpriv: %s",
	    strerror(errno));
	deadline = sys_now_ms() + PG_LISTEN_MS;
	while (!sys_listening(pg->port) && sys_wait(pg->pid, 0, NULL) == -1 &&
	    sys_left_ms(deadline) > 0)
		sys_sleep_ms(20);
	if (!sys_listening(pg->port)) {
		log = sys_read_file(pg->log, NULL);
		ck_abort_msg("postgres did not listen on 127.0.0.1:%u:\n%s",
		    pg->port, log != NULL ? log : "");
	}
}

/* a fast shutdown (SIGINT), then SIGKILL: postgres's own children go */
static void
pg_stop(struct pg *pg)
{
	if (pg->pid <= 0)
		return;
	kill(pg->pid, SIGINT);
	if (sys_wait(pg->pid, PG_STOP_MS, NULL) == -1) {
		kill(pg->pid, SIGQUIT);
		if (sys_wait(pg->pid, PG_STOP_MS, NULL) == -1)
			sys_stop(pg->pid, SYS_STOP_MS);
	}
	pg->pid = -1;
}

/* show's target of name once its last error is error, within ms */
static const json_t *
wait_error(const char *name, const char *error, unsigned ms, json_t **reply)
{
	uint64_t deadline = sys_now_ms() + ms;
	const json_t *t;
	const char *e;
	char *dump;

	for (;;) {
		t = steps_show(name, reply);
		e = steps_jstr(t, "last.error");
		if (e != NULL && strcmp(e, error) == 0)
			return t;
		if (sys_left_ms(deadline) == 0) {
			dump = steps_jdump(t);
			ck_abort_msg("%s: no %s within %u ms: %s", name, error,
			    ms, dump);
		}
		json_decref(*reply);
		sys_sleep_ms(50);
	}
}

/* futd on one target "pg" at port, starttls = "postgres", verified */
static void
pg_futd(unsigned port, const char *ca)
{
	sys_write_filef(steps_fx.conf,
	    "defaults = { interval = 0.5; timeout = 2; };\n"
	    "targets = (\n"
	    "  { name = \"pg\"; host = \"127.0.0.1\"; port = %u;\n"
	    "    tls = true; ca_file = \"%s\"; starttls = \"postgres\"; }\n"
	    ");\n", port, ca);
	steps_futd("pg", NULL);
}

/* up through SSLRequest and the handshake, with the certificate shown */
static void
assert_pg_tls(void)
{
	json_t *reply;
	const json_t *t;
	char *dump;

	steps_assert_up("pg");
	t = steps_show("pg", &reply);
	dump = steps_jdump(t);
	ck_assert_msg(json_is_true(sys_jpath(t, "last.tls.handshake")) &&
	    json_is_true(sys_jpath(t, "last.tls.verified")), "tls: %s", dump);
	ck_assert_pstr_eq(steps_jstr(t, "last.tls.subject"), "CN=localhost");
	ck_assert_pstr_eq(steps_jstr(t, "last.tls.issuer"), "CN=futd test CA");
	ck_assert_pstr_eq(steps_jstr(t, "config.tls.starttls"), "postgres");
	free(dump);
	json_decref(reply);
}

/* ssl=off: 'N', rejected at step 2 (the preset's expect) */
static void
assert_pg_refused(unsigned ms)
{
	json_t *reply;
	const json_t *t;

	t = wait_error("pg", "rejected", ms, &reply);
	json_decref(reply);
	t = steps_assert_failed("pg", "rejected", 2, "expect", &reply);
	ck_assert_pstr_eq(steps_jstr(t, "last.message"), "reply rejected: N");
	ck_assert_msg(sys_jpath(t, "last.tls") == NULL, "TLS after an 'N'");
	json_decref(reply);
}

/* tlssrv -s postgres (refusing: -r) with pg's certificate: its pid */
static pid_t
tlssrv_pg(struct pg *pg, int refuse, unsigned *port)
{
	char bin[PATH_MAX], errpath[PATH_MAX], cert[PATH_MAX], key[PATH_MAX];
	const char *argv[] = { bin, "-t", "60", "-s", "postgres", "-c", cert,
	    "-k", key, refuse ? "-r" : "0", refuse ? "0" : NULL, NULL };
	pid_t pid;

	sys_bin(bin, sizeof(bin), "tlssrv");
	snprintf(cert, sizeof(cert), "%s", certs_path(&pg->certs, "leaf.pem"));
	snprintf(key, sizeof(key), "%s", certs_path(&pg->certs, "leaf.key"));
	sys_path_in(errpath, sizeof(errpath), pg->dir, "tlssrv.err");
	pid = sys_spawn_ready(pg->dir, argv, errpath, port);
	ck_assert_msg(pid != -1, "tlssrv -s postgres did not start");
	return pid;
}

/*
 * Where there is no PostgreSQL: tlssrv plays its SSLRequest, 'S' and
 * TLS, then 'N' (-r) on another port.
 */
static void
pg_ours(void)
{
	struct pg pg;
	unsigned port, nport;
	pid_t pid, npid;

	memset(&pg, 0, sizeof(pg));
	pg_certs(&pg);
	pid = tlssrv_pg(&pg, 0, &port);
	npid = tlssrv_pg(&pg, 1, &nport);
	pg_futd(port, certs_path(&pg.certs, "ca.pem"));
	assert_pg_tls();
	ck_assert_int_eq(sys_stop(steps_fx.futd, SYS_STOP_MS), 0);
	steps_fx.futd = -1;
	pg_futd(nport, certs_path(&pg.certs, "ca.pem"));
	assert_pg_refused(FIRST_RESULT_MS);
	sys_stop(pid, SYS_STOP_MS);
	sys_stop(npid, SYS_STOP_MS);
}

/*
 * 1. PostgreSQL's SSLRequest: ssl=on is up with the server's
 * certificate; ssl=off (the same server restarted) is rejected at step 2.
 */
START_TEST(test_postgres_ssl)
{
	struct pg pg;
	const char *why;

	memset(&pg, 0, sizeof(pg));
	pg.pid = -1;
	if ((why = pg_missing(&pg)) != NULL) {
		fprintf(stderr, "steps: postgres: %s; tlssrv -s postgres plays "
		    "it\n", why);
		pg_ours();
		return;
	}
	fprintf(stderr, "steps: postgres: a real PostgreSQL 15 (%s)\n",
	    PG_BIN);
	pg_init(&pg);
	pg_start(&pg, 1);
	pg_futd(pg.port, certs_path(&pg.certs, "ca.pem"));
	assert_pg_tls();

	pg_stop(&pg);
	pg_start(&pg, 0);
	assert_pg_refused(PG_TURN_MS);
	pg_stop(&pg);
}
END_TEST

TCase *
steps_pg_tcase(void)
{
	TCase *tc = steps_tcase("postgres");

	tcase_add_test(tc, test_postgres_ssl);
	tcase_set_timeout(tc, 60);
	return tc;
}
