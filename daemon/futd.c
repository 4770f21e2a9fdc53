/*
 * futd.c - main(), alone, so that the tests link everything else.
 */
#include <sys/stat.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "futd.h"
#include "log.h"
#include "server.h"
#include "strlist.h"

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: futd [-nUvV] [-f FILE] [-s SOCKET] [--log=terminal|journal]\n"
	    "  -f FILE    configuration file (default %s)\n"
	    "  -s SOCKET  control socket, overrides control_socket\n"
	    "  -n         check the configuration and exit\n"
	    "  -U         no io_uring: a system call per socket operation\n"
	    "  -v         debug logging: every probe's result\n"
	    "  -V         print the version and exit\n"
	    "  --log=MODE terminal: timestamps; journal: <N> priority "
	    "prefixes\n", FUTD_DEFAULT_CONFIG);
	exit(status);
}

/*
 * The configuration has errors.  -n on a terminal or into a pipe prints
 * them as they are, a line each, for a person or a script; otherwise
 * they are logged as errors, so that under systemd (a start, or the
 * unit's ExecStartPre=futd -n) they are the journal's at that priority
 * (`journalctl -p err` says why futd did not start), not plain lines at
 * the stream's default, info.
 */
static void
futd_conf_failed(const struct strlist *errs, int check, enum log_mode mode)
{
	int plain = check && mode != LOG_MODE_JOURNAL;
	size_t i;

	for (i = 0; i < errs->n; i++)
		if (plain)
			fprintf(stderr, "%s\n", errs->msg[i]);
		else
			log_errx("%s", errs->msg[i]);
	if (plain)
		fprintf(stderr, "futd: %zu error%s in the configuration\n",
		    errs->n, errs->n == 1 ? "" : "s");
	else
		log_errx("%zu error%s in the configuration%s", errs->n,
		    errs->n == 1 ? "" : "s", check ? "" : ": not started");
}

/*
 * Under systemd, stderr is connected to the journal and JOURNAL_STREAM
 * names it ("device:inode"): then the journal keeps the time and wants
 * priorities as "<N>" prefixes.
 */
static enum log_mode
log_mode_detect(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return LOG_MODE_TERMINAL;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino ? LOG_MODE_JOURNAL :
	    LOG_MODE_TERMINAL;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "log",	required_argument,	NULL, 'L' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL,		0,			NULL, 0 },
	};
	const char *file = FUTD_DEFAULT_CONFIG, *sock = NULL;
	struct strlist errs = { NULL, 0, 0 };
	enum log_mode mode = log_mode_detect();
	struct server s;
	struct conf *c;
	char err[256];
	int ch, check = 0, verbose = 0, level, status, use_uring = 1;

	while ((ch = getopt_long(argc, argv, "f:s:nUvVh", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'U':
			use_uring = 0;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("futd %s\n", FUTD_VERSION);
			return 0;
		case 'L':
			if (strcmp(optarg, "journal") == 0)
				mode = LOG_MODE_JOURNAL;
			else if (strcmp(optarg, "terminal") == 0)
				mode = LOG_MODE_TERMINAL;
			else
				usage(2);
			break;
		case 'h':
			usage(0);
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (sock != NULL && (sock[0] != '/' || strlen(sock) >= 108)) {
		fprintf(stderr, "futd: -s needs an absolute path shorter than "
		    "108 bytes\n");
		return 2;
	}

	log_init(LOG_INFO, mode);
	if (verbose)
		log_pin(LOG_DEBUG);
	if ((c = conf_load(file, &errs, NULL)) == NULL) {
		futd_conf_failed(&errs, check, mode);
		strlist_clear(&errs);
		return 1;
	}
	strlist_clear(&errs);
	if (check) {
		printf("configuration OK (%zu target%s", c->ntargets,
		    c->ntargets == 1 ? "" : "s");
		if (c->targets_dir != NULL)
			printf(", %zu file%s of %s", c->nfiles - 1,
			    c->nfiles == 2 ? "" : "s", c->targets_dir);
		printf(")\n");
		conf_free(c);
		return 0;
	}
	if (c->log_level != NULL &&
	    (level = log_level_parse(c->log_level)) != -1)
		log_setlevel(level);

	if (server_init(&s, c, sock, use_uring, err, sizeof(err)) == -1) {
		log_errx("%s", err);
		server_free(&s);
		return 1;
	}
	status = server_run(&s) == 0 ? 0 : 1;
	server_free(&s);
	log_info("stopped");
	return status;
}
