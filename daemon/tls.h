/*
 * tls.h - TLS probes: the handshake as a future on the same reactor, and
 * what it learned of the peer (tls.c).  OpenSSL 3, non-blocking, no thread.
 */
#ifndef FUTD_TLS_H
#define FUTD_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"

struct waiter;
struct ssl_st;
struct ssl_ctx_st;

enum starttls_kind {
	STARTTLS_NONE,
	STARTTLS_SMTP,
	STARTTLS_IMAP,
	STARTTLS_POP3,
	STARTTLS_POSTGRES,
	STARTTLS_FTP,
	STARTTLS_XMPP,
};

/* A target's TLS settings, compared whole on reload. */
struct tls_conf {
	char			*sni;		/* NULL: the host, if a name */
	char			*ca_file;	/* NULL: the system's store */
	unsigned char		*alpn;		/* wire format, or NULL */
	size_t			 alpn_len;
	char			*alpn_text;	/* "h2,http/1.1", for show */
	int			 verify;
	int			 min_version;	/* TLS1_2_VERSION..., 0: any */
	int			 warn_days;
	int			 crit_days;
	enum starttls_kind	 starttls;
	struct ssl_ctx_st	*ctx;		/* built at config load */
};

/* What the last handshake told (kept per TLS target). */
struct tls_info {
	int			 done;		/* a handshake completed */
	char			 version[16];
	char			 cipher[64];
	char			 alpn[32];
	char			 subject[160];
	char			 issuer[160];
	char			 sans[256];
	int64_t			 not_after;	/* leaf, unix seconds; 0: none */
	int64_t			 chain_not_after;	/* earliest in chain */
	int			 verify_ok;
	char			 verify[96];	/* the verification in words */
	char			 error[128];	/* why the handshake failed */
	int			 verify_err;	/* X509_V_*, 0: ok (in the
						   padding: still 944 bytes) */
};

enum tls_state { TLS_INIT, TLS_HANDSHAKE, TLS_DONE };

struct tls_fut {
	struct future		 base;
	struct waiter		*w;
	struct ssl_st		*ssl;	/* ours until taken */
	enum tls_state		 state;
	int			 verify_failed;
	char			 error[128];	/* when ERROR */
};

/* tls.c */
int		 tls_conf_ctx(struct tls_conf *, char *, size_t);
void		 tls_conf_free(struct tls_conf *);
int		 tls_conf_same_probe(const struct tls_conf *,
		    const struct tls_conf *);
int		 tls_conf_same_ctx(const struct tls_conf *,
		    const struct tls_conf *);
const char	*starttls_name(enum starttls_kind);
int		 tls_start(struct tls_fut *, struct waiter *,
		    const struct tls_conf *, int, const char *, int);
enum poll	 tls_poll(struct tls_fut *, struct task *);
void		 tls_describe(const struct tls_fut *, struct tls_info *);
void		 tls_close(struct tls_fut *);
int		 tls_days_left(const struct tls_info *, int64_t);
const char	*tls_verify_class(const struct tls_info *);

#endif /* FUTD_TLS_H */
