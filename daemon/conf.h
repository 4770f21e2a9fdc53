/*
 * conf.h - futd.conf and the files of targets_dir, read by libconfig into
 * a struct conf: checked whole, every problem named as file:line, nothing
 * used until all of it is good.
 */
#ifndef FUTD_CONF_H
#define FUTD_CONF_H

#include <sys/types.h>

#include <stdint.h>
#include <time.h>

#include "strlist.h"

struct target_conf;

#define ALERT_URLS_MAX	64	/* alertmanager_urls */
struct conf_pool;
struct conf_part;

/* What `defaults` can set for every target (of a file, or of all). */
struct conf_defaults {
	uint64_t		 interval_us;
	uint64_t		 timeout_us;
	uint64_t		 connect_timeout_us;
	uint32_t		 jitter_ppm;
	uint32_t		 read_limit;
	int			 family;
	int			 addrs;		/* enum addr_mode */
	int			 close;		/* enum close_mode */
	int			 local_addr;
	unsigned		 rise, fall, flap;
	/* labels, pooled: "name\0value\0" each (conf_labels.c) */
	const char		*labels;
	size_t			 labels_len;
	uint64_t		 labels_hash;	/* compared, not the pointer */
};

/*
 * A file that holds targets: futd.conf itself, or one of targets_dir.
 * A running target points at the one it came from; a reload that finds a
 * file of targets_dir unchanged keeps the file's targets as they run,
 * without reading it (struct conf_file moves to the new config).
 */
/* What stat() said of a file: all of it must match to skip a read. */
struct conf_file_stat {
	dev_t			 dev;
	ino_t			 ino;
	off_t			 size;
	struct timespec		 mtime;
	struct timespec		 ctime;		/* cp -p keeps mtime, not this */
};

struct conf_file {
	char			*path;
	struct conf_file_stat	 st;
	unsigned char		 hash[32];	/* SHA-256 of the contents */
	int			 hashed;	/* hash is that (else: read) */
	int			 includes;	/* has @include: always read */
	struct conf_file	*same;		/* loader: the running config's
						   file, unchanged: not read */
	int			 keep;		/* daemon_apply's mark */
};

struct conf {
	char			*path;
	char			*control_socket;
	char			*log_level;	/* NULL: keep the default */
	char			*targets_dir;	/* NULL: none */
	int			 targets_dir_line;
	unsigned		 history;
	char			**nameservers;	/* NULL: resolv.conf */
	size_t			 nnameservers;
	uint64_t		 dns_timeout_us;
	unsigned		 dns_attempts;
	uint64_t		 dns_cache_max_us;
	unsigned		 max_inflight;	/* 0: no cap */
	unsigned		 events;	/* event ring size */
	char			*http_listen;	/* NULL: no HTTP listener */
	const char		*http_listen_key;	/* or metrics_listen */
	char			*on_change;	/* hook.c's program, or NULL */
	unsigned		 on_change_max;	/* hooks running at once */
	uint64_t		 on_change_timeout_us;
	char			**am_urls;	/* alertmanager_urls */
	size_t			 nam_urls;
	uint64_t		 alert_resend_us;
	unsigned		 shard_k, shard_n;	/* this is shard k of n */
	char			*state_file;	/* NULL: no state kept */
	uint64_t		 state_save_us;	/* between two saves */
	struct conf_defaults	 defaults;	/* of futd.conf */
	/* futd.conf first, then targets_dir's files by name */
	struct conf_file	**files;
	size_t			 nfiles;
	/*
	 * Sorted by name; without the targets of files kept (same).  They
	 * live in parts, a file's each, as the workers made them.
	 */
	struct target_conf	**targets;
	size_t			 ntargets;
	struct conf_part	*parts;		/* as many as files */
	size_t			 nsame;		/* files not read: same */
	struct conf_pool	*pool;	/* the targets' names, hosts, payloads */
};

/*
 * Read path and, with targets_dir, its files.  prev: the running config,
 * or NULL: a file of targets_dir that has not changed since prev was read
 * (size and mtime, or else the hash of its contents) and whose defaults
 * context is the same is not read again; its conf_file's `same` says so.
 * NULL when anything is wrong, with every problem in errs.  Safe to call
 * off the reactor's thread: it reads prev and touches nothing else.
 */
struct conf	*conf_load(const char *path, struct strlist *errs,
		    const struct conf *prev);
void		 conf_free(struct conf *);
void		 conf_targets_free(struct conf *);
void		 conf_pool_free(struct conf *);
void		 conf_file_free(struct conf_file *);

/*
 * The keys futd.conf may hold, by place, and every number's range and
 * default: the tables the loader checks by (conf_keys.c), for what holds
 * futd.conf(5) to them.
 */
enum conf_place {
	CONF_PLACE_TOP,		/* futd.conf's top level */
	CONF_PLACE_DEFAULTS,	/* a `defaults` group */
	CONF_PLACE_TARGET,	/* a target's group */
	CONF_PLACE_FILE,	/* the top level of a file of targets_dir */
	CONF_PLACE_STEP,	/* a step of a target's steps */
};

struct conf_range {
	const char		*key;
	double			 min, max;
	double			 dflt;		/* NAN: none */
	int			 seconds;	/* a duration */
};

/* The i-th key of a place, sorted; NULL past the last. */
const char	*conf_key_at(enum conf_place, size_t i);
/* The i-th number's; NULL past the last. */
const struct conf_range *conf_range_at(size_t i);

#endif /* FUTD_CONF_H */
