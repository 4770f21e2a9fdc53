/*
 * conf_priv.h - what the config reader's files share (conf.c: futd.conf
 * and the whole; conf_dir.c: targets_dir; conf_target.c: a target's
 * group; conf_value.c: one setting's value; conf_keys.c: the keys, their
 * ranges and defaults; conf_host.c: a host's spelling; conf_syntax.c:
 * what a syntax error probably is).  Not for the rest of futd.
 */
#ifndef FUTD_CONF_PRIV_H
#define FUTD_CONF_PRIV_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define CONF_MIN_SECONDS	0.001	/* of every duration */
#define CONF_MAX_SECONDS	86400.0

struct tls_conf;

/* The keys each place accepts, sorted (conf_keys.c). */
extern const char *const conf_top_keys[];
extern const char *const conf_file_keys[];
extern const char *const conf_target_keys[];

/* conf_target_keys' order: a target's group, gathered by key */
enum conf_key {
	K_ADDRESSES,
	K_ALPN,
	K_CA_FILE,
	K_CERT_CRIT_DAYS,
	K_CERT_WARN_DAYS,
	K_CLOSE,
	K_CONNECT_TIMEOUT,
	K_EXPECT,
	K_EXPECT_REGEX,
	K_FALL,
	K_FAMILY,
	K_FLAP_THRESHOLD,
	K_HOST,
	K_INTERVAL,
	K_JITTER,
	K_LABELS,
	K_LOCAL_ADDRESS,
	K_MIN_VERSION,
	K_NAME,
	K_PAYLOAD,
	K_PAYLOAD_HEX,
	K_PORT,
	K_PROBE,
	K_READ_LIMIT,
	K_RISE,
	K_SNI,
	K_SOURCE,
	K_STARTTLS,
	K_STEPS,
	K_TIMEOUT,
	K_TLS,
	K_VERIFY,
	K__MAX
};

/* conf_step_keys' order: a step's group (conf_steps.c) */
extern const char *const conf_step_keys[];
enum conf_step_key {
	SK_EXPECT,
	SK_EXPECT_HEX,
	SK_EXPECT_REGEX,
	SK_READ_LIMIT,
	SK_REJECT,
	SK_REJECT_HEX,
	SK_REJECT_REGEX,
	SK_SEND,
	SK_SEND_HEX,
	SK_TIMEOUT,
	SK_TLS,
	SK__MAX
};

/* a payload or a send is sent whole: a bound on what one target may hold */
#define CONF_MAX_PAYLOAD	(16 * 1024 * 1024)

/* Of conf_target_keys, those `defaults` may hold too (conf_keys.c). */
extern const uint64_t conf_defaults_keys;
#define CONF_KEY(k)	(1ULL << (k))

/* conf_ranges' order: every number futd.conf holds (conf_keys.c) */
enum conf_range_id {
	CR_HISTORY,
	CR_EVENTS,
	CR_MAX_INFLIGHT,
	CR_DNS_TIMEOUT,
	CR_DNS_ATTEMPTS,
	CR_DNS_CACHE_MAX,
	CR_ON_CHANGE_MAX,
	CR_ON_CHANGE_TIMEOUT,
	CR_PORT,
	CR_INTERVAL,
	CR_TIMEOUT,
	CR_CONNECT_TIMEOUT,
	CR_JITTER,
	CR_READ_LIMIT,
	CR_RISE,
	CR_FALL,
	CR_FLAP_THRESHOLD,
	CR_CERT_WARN_DAYS,
	CR_CERT_CRIT_DAYS,
	CR_STATE_SAVE,
	CR_ALERT_RESEND,
	CR__MAX
};
extern const struct conf_range conf_ranges[CR__MAX];

/*
 * One file being read, on whichever thread reads it: where its problems
 * go, and what its targets are made of.
 */
struct conf_ctx {
	const char		*path;	/* messages name it when libconfig does not */
	const char		*dir;	/* of path: @include's, NULL: as written */
	struct strlist		*errs;
	struct conf_file	*file;	/* the targets say where they were defined */
	struct conf_pool	*pool;	/* their strings (target_new copies them) */
	struct tls_conf		**tls;	/* TLS settings met so far, to share */
	size_t			 ntls;
	unsigned char		*payload;	/* the default, pooled once */
};

/* One file's targets (conf_targets); struct conf's parts. */
struct conf_part {
	struct target_conf	*targets;
	size_t			 ntargets;
};

/* conf_value.c */
void	 conf_error(struct conf_ctx *, const config_setting_t *,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
void	 conf_errors_sort(struct strlist *, size_t);
char	*conf_path(const struct conf_ctx *, const char *);
void	 conf_check_keys(struct conf_ctx *, const config_setting_t *,
	    enum conf_place, const char *);
void	 conf_unknown_key(struct conf_ctx *, const config_setting_t *,
	    enum conf_place, const char *);
int	 conf_number(struct conf_ctx *, const config_setting_t *,
	    const char *, const char *, double *);
int	 conf_seconds(struct conf_ctx *, const config_setting_t *,
	    enum conf_range_id, const char *, uint64_t *);
int	 conf_word(struct conf_ctx *, const config_setting_t *, const char *,
	    const char *, const char *const *, size_t);
void	 conf_count(struct conf_ctx *, const config_setting_t *,
	    enum conf_range_id, const char *, unsigned *);
int	 conf_bool(struct conf_ctx *, const config_setting_t *, const char *,
	    const char *, int *);
const char *conf_string(struct conf_ctx *, const config_setting_t *,
	    const char *);
int	 conf_name_ok(const char *);
int	 conf_is_list(const config_setting_t *);
unsigned char *conf_hex(const char *, size_t *);
/* conf_labels.c */
void	 conf_labels(struct conf_ctx *, const config_setting_t *,
	    const char *, struct conf_defaults *);
void	*conf_pool_dup(struct conf_pool **, const void *, size_t);
void	 conf_pool_release(struct conf_pool **);
void	 conf_pool_splice(struct conf_pool **, struct conf_pool **);
void	 conf_syntax_error(struct strlist *, const config_t *, const char *,
	    const char *, const char *);

/* conf_keys.c */
int	 conf_key_known(enum conf_place, const char *);
void	 conf_key_hint(enum conf_place, const char *, char *, size_t);
uint64_t conf_range_us(enum conf_range_id);

/* conf_host.c */
int	 conf_host_check(const char *, int, char *, size_t);

/* conf_syntax.c */
int	 conf_syntax_hint(const char *, int, char *, size_t);

/* conf_target.c */
void	 conf_defaults_init(struct conf_defaults *);
void	 conf_read_defaults(struct conf_ctx *, const config_setting_t *,
	    struct conf_defaults *);
void	 conf_targets(struct conf_ctx *, const config_setting_t *,
	    const struct conf_defaults *, struct conf_part *);

/* conf_steps.c */
struct steps;
struct target_conf;
struct steps *conf_steps_read(struct conf_ctx *, const config_setting_t *,
	    const char *, const struct target_conf *);
struct steps *conf_steps_shorthand(struct conf_ctx *,
	    const config_setting_t *, const char *, const struct target_conf *);

/* conf_read.c */
struct stat;
int	 conf_file_add(struct conf *, const char *, const struct stat *);
void	 conf_file_note(struct conf_file *, const struct stat *);
int	 conf_file_same_stat(const struct conf_file *, const struct stat *);
char	*conf_read_text(const char *, struct stat *, struct strlist *);
int	 conf_includes_ok(const char *, const char *, const char *,
	    struct strlist *);

/* conf_dir.c */
int	 conf_dir_read(struct conf *, const struct conf *, int,
	    struct strlist *);

#endif /* FUTD_CONF_PRIV_H */
