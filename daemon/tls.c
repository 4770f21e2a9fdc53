/*
 * tls.c - the TLS handshake as a future, driven by the socket's readiness:
 * SSL_do_handshake() says what it waits for (WANT_READ, WANT_WRITE), the
 * waiter is armed for exactly that, and the task polls again when the
 * reactor says so.  No thread, no blocking call, no BIO pair: OpenSSL
 * reads and writes the non-blocking socket itself.
 *
 * Also here: building a target's SSL_CTX from its settings (at config load,
 * so that a bad ca_file is a config error with its line) and describing
 * the peer's certificate chain after a handshake.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <sys/stat.h>

#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "future.h"
#include "net.h"
#include "tls.h"

static const char *starttls_names[] = {
	[STARTTLS_NONE] = "none", [STARTTLS_SMTP] = "smtp",
	[STARTTLS_IMAP] = "imap", [STARTTLS_POP3] = "pop3",
	[STARTTLS_POSTGRES] = "postgres", [STARTTLS_FTP] = "ftp",
	[STARTTLS_XMPP] = "xmpp",
};

const char *
starttls_name(enum starttls_kind k)
{
	return (unsigned)k <= STARTTLS_XMPP ? starttls_names[k] : "?";
}

/*
 * What an operator can do something about, in front of OpenSSL's own
 * reason, which stays after it in brackets for a search engine.  Reasons
 * not here are OpenSSL's words alone.
 */
static const struct {
	int		 reason;
	const char	*words;
} tls_reason_words[] = {
	{ SSL_R_WRONG_VERSION_NUMBER, "the peer does not speak TLS on this "
	    "port" },
	{ SSL_R_PACKET_LENGTH_TOO_LONG, "the peer does not speak TLS on this "
	    "port" },
	{ SSL_R_UNSUPPORTED_PROTOCOL, "the server offers only TLS versions "
	    "older than we accept (see min_version)" },
	{ SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE, "the server refused the "
	    "handshake: no cipher or key type in common" },
	{ SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL, "the server speaks none "
	    "of the alpn protocols" },
	{ SSL_R_TLSV1_UNRECOGNIZED_NAME, "the server does not know the name "
	    "sent (see sni)" },
	{ SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED, "the server wants a client "
	    "certificate" },
	{ SSL_R_TLSV1_ALERT_INTERNAL_ERROR, "the server failed inside its TLS "
	    "library" },
	{ SSL_R_EE_KEY_TOO_SMALL, "the server's key is too small for "
	    "OpenSSL's security level" },
	{ SSL_R_DH_KEY_TOO_SMALL, "the server's Diffie-Hellman group is too "
	    "small" },
	{ SSL_R_UNSAFE_LEGACY_RENEGOTIATION_DISABLED, "the server lacks "
	    "secure renegotiation (RFC 5746)" },
};

/* "TLS 1.2" for TLS1_2_VERSION */
static const char *
tls_version_words(int v)
{
	switch (v) {
	case TLS1_VERSION:
		return "TLS 1.0";
	case TLS1_1_VERSION:
		return "TLS 1.1";
	case TLS1_2_VERSION:
		return "TLS 1.2";
	case TLS1_3_VERSION:
		return "TLS 1.3";
	default:
		return NULL;
	}
}

/*
 * The last OpenSSL error in words ("the peer does not speak TLS on this
 * port (wrong version number)", not "error:0A00010B:SSL routines::..."),
 * and the queue emptied.  ssl may be NULL.
 */
static void
tls_errstr(SSL *ssl, char *buf, size_t len)
{
	unsigned long e = ERR_get_error(), last = e;
	const char *why, *min;
	int reason;
	size_t i;

	while (e != 0) {
		last = e;
		e = ERR_get_error();
	}
	reason = ERR_GET_REASON(last);
	why = ERR_reason_error_string(last);
	if (last == 0)
		snprintf(buf, len, "TLS handshake failed");
	else if (reason == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		snprintf(buf, len, "the peer closed the connection during the "
		    "handshake");
	else if (reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION) {
		min = ssl != NULL ? tls_version_words(
		    SSL_get_min_proto_version(ssl)) : NULL;
		if (min != NULL)
			snprintf(buf, len, "the server does not accept %s or "
			    "later (%s)", min, why);
		else
			snprintf(buf, len, "the server accepts none of the TLS "
			    "versions offered (%s)", why);
	} else if (why == NULL)
		ERR_error_string_n(last, buf, len);
	else {
		for (i = 0; i < sizeof(tls_reason_words) /
		    sizeof(tls_reason_words[0]); i++)
			if (tls_reason_words[i].reason == reason)
				break;
		if (i < sizeof(tls_reason_words) / sizeof(tls_reason_words[0]))
			snprintf(buf, len, "%s (%s)", tls_reason_words[i].words,
			    why);
		else
			snprintf(buf, len, "%s", why);
	}
}

/*
 * A failed verification in words, OpenSSL's after them: what the
 * certificate lacks, and where a ca_file would help, that it would.
 */
static void
tls_verify_words(SSL *ssl, long vr, char *buf, size_t len)
{
	const char *why = X509_verify_cert_error_string(vr);
	X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
	const char *host;
	char *ip;

	switch (vr) {
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		if ((host = X509_VERIFY_PARAM_get0_host(vp, 0)) != NULL) {
			snprintf(buf, len, "the certificate is not for %s (%s)",
			    host, why);
			return;
		}
		if ((ip = X509_VERIFY_PARAM_get1_ip_asc(vp)) != NULL) {
			snprintf(buf, len, "the certificate is not for %s (%s)",
			    ip, why);
			OPENSSL_free(ip);
			return;
		}
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		snprintf(buf, len, "no CA trusted here issued the certificate: "
		    "set ca_file? (%s)", why);
		return;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		snprintf(buf, len, "the certificate signs itself and is not "
		    "trusted here: set ca_file to it? (%s)", why);
		return;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		snprintf(buf, len, "the chain ends in a CA not trusted here: "
		    "set ca_file? (%s)", why);
		return;
	default:
		break;
	}
	snprintf(buf, len, "%s", why);
}

/*
 * Why OpenSSL could not load a ca_file, in words the operator can act on
 * (OpenSSL's own, "no certificate or crl found", says as much for a file
 * that is missing as for one that is not PEM).
 */
static const char *
tls_ca_file_why(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return strerror(errno);
	if (S_ISDIR(st.st_mode))
		return "a directory, not a file of certificates";
	if (!S_ISREG(st.st_mode))
		return "not a regular file";
	return "no certificate in PEM form in it, or it cannot be read";
}

/*
 * Build tc's SSL_CTX.  -1 with the reason in err, -2 when the reason is
 * the ca_file (so that the error can name its line): a ca_file that cannot
 * be read is a config error, found at load time, not at the first probe.
 */
int
tls_conf_ctx(struct tls_conf *tc, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		tls_errstr(NULL, err, errlen);
		return -1;
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* a probe is one connection: no session cache to keep */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (tc->min_version != 0 &&
	    SSL_CTX_set_min_proto_version(ctx, tc->min_version) != 1) {
		tls_errstr(NULL, err, errlen);
		SSL_CTX_free(ctx);
		return -1;
	}
	if (tc->ca_file != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, tc->ca_file, NULL) !=
		    1) {
			snprintf(err, errlen, "cannot load ca_file %s (%s)",
			    tc->ca_file, tls_ca_file_why(tc->ca_file));
			ERR_clear_error();
			SSL_CTX_free(ctx);
			return -2;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1)
		ERR_clear_error();	/* no system store: verify will say */
	if (tc->alpn != NULL &&
	    SSL_CTX_set_alpn_protos(ctx, tc->alpn, (unsigned)tc->alpn_len) !=
	    0) {
		snprintf(err, errlen, "cannot use the alpn list");
		SSL_CTX_free(ctx);
		return -1;
	}
	/*
	 * Verification decides the handshake only with verify = true; with
	 * false the result is still read and reported.
	 */
	SSL_CTX_set_verify(ctx, tc->verify ? SSL_VERIFY_PEER :
	    SSL_VERIFY_NONE, NULL);
	tc->ctx = ctx;
	return 0;
}

void
tls_conf_free(struct tls_conf *tc)
{
	free(tc->sni);
	free(tc->ca_file);
	free(tc->alpn);
	free(tc->alpn_text);
	if (tc->ctx != NULL)
		SSL_CTX_free(tc->ctx);
	memset(tc, 0, sizeof(*tc));
}

static int
tls_streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Could a and b use one SSL_CTX?  (SNI and the rest are per connection.) */
int
tls_conf_same_ctx(const struct tls_conf *a, const struct tls_conf *b)
{
	return a->ctx != NULL && tls_streq(a->ca_file, b->ca_file) &&
	    tls_streq(a->alpn_text, b->alpn_text) && a->verify == b->verify &&
	    a->min_version == b->min_version;
}

/*
 * Would a and b shake hands alike?  Everything but cert_warn_days and
 * cert_crit_days, which only judge what a handshake found (report.c).
 */
int
tls_conf_same_probe(const struct tls_conf *a, const struct tls_conf *b)
{
	return tls_streq(a->sni, b->sni) && tls_streq(a->ca_file, b->ca_file) &&
	    tls_streq(a->alpn_text, b->alpn_text) && a->verify == b->verify &&
	    a->min_version == b->min_version && a->starttls == b->starttls;
}

/* the future */

static enum poll
tls_future_poll(struct future *f, struct task *t)
{
	return tls_poll((struct tls_fut *)f, t);
}

static void
tls_future_drop(struct future *f)
{
	tls_close((struct tls_fut *)f);
}

/*
 * Start a handshake on the connected socket fd.  host names the peer for
 * SNI and for verification (an IP literal is checked as an address and
 * sent no SNI).  -1 when OpenSSL cannot even begin (out of memory).
 */
int
tls_start(struct tls_fut *tf, struct waiter *w, const struct tls_conf *tc,
    int fd, const char *host, int numeric)
{
	const char *sni = tc->sni != NULL ? tc->sni : numeric ? NULL : host;

	memset(tf, 0, sizeof(*tf));
	tf->base.poll = tls_future_poll;
	tf->base.drop = tls_future_drop;
	tf->w = w;
	if ((tf->ssl = SSL_new(tc->ctx)) == NULL ||
	    SSL_set_fd(tf->ssl, fd) != 1) {
		tls_errstr(tf->ssl, tf->error, sizeof(tf->error));
		tls_close(tf);
		return -1;
	}
	if (sni != NULL)
		SSL_set_tlsext_host_name(tf->ssl, sni);
	/* what the certificate must name: the SNI name, or the address */
	if (sni != NULL)
		SSL_set1_host(tf->ssl, sni);
	else
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tf->ssl), host);
	SSL_set_connect_state(tf->ssl);
	tf->state = TLS_HANDSHAKE;
	return 0;
}

enum poll
tls_poll(struct tls_fut *tf, struct task *t)
{
	short what;
	long vr;
	int r;

	switch (tf->state) {
	case TLS_INIT:
		return POLL_ERROR;
	case TLS_DONE:
		return POLL_READY;
	case TLS_HANDSHAKE:
		break;
	}
	ERR_clear_error();
	if ((r = SSL_do_handshake(tf->ssl)) == 1) {
		tf->state = TLS_DONE;
		return POLL_READY;
	}
	switch (SSL_get_error(tf->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		what = EV_READ;
		break;
	case SSL_ERROR_WANT_WRITE:
		what = EV_WRITE;
		break;
	default:
		vr = SSL_get_verify_result(tf->ssl);
		if (vr != X509_V_OK) {
			tf->verify_failed = 1;
			tls_verify_words(tf->ssl, vr, tf->error,
			    sizeof(tf->error));
			ERR_clear_error();
		} else if (r == 0 || ERR_peek_error() == 0)
			snprintf(tf->error, sizeof(tf->error), "the peer "
			    "closed the connection during the handshake");
		else
			tls_errstr(tf->ssl, tf->error, sizeof(tf->error));
		return POLL_ERROR;
	}
	/* a wake-up for another reason finds us still armed */
	if (tf->w->armed && tf->w->what == what)
		return POLL_PENDING;
	if (waiter_arm_fd(tf->w, t, SSL_get_fd(tf->ssl), what) == -1) {
		snprintf(tf->error, sizeof(tf->error), "cannot wait for the "
		    "socket");
		return POLL_ERROR;
	}
	return POLL_PENDING;
}

/* Send close_notify (once, without waiting) and let the SSL go. */
void
tls_close(struct tls_fut *tf)
{
	if (tf->ssl == NULL)
		return;
	if (tf->state == TLS_DONE)
		(void)SSL_shutdown(tf->ssl);
	ERR_clear_error();
	SSL_free(tf->ssl);	/* the socket is the probe's to close */
	tf->ssl = NULL;
	if (tf->w != NULL)
		waiter_disarm(tf->w);
}

static int64_t
tls_time(const ASN1_TIME *at)
{
	struct tm tm;

	if (at == NULL || ASN1_TIME_to_tm(at, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

static void
tls_name(X509_NAME *n, char *buf, size_t len)
{
	BIO *b;
	int r;

	buf[0] = '\0';
	if (n == NULL || (b = BIO_new(BIO_s_mem())) == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	r = BIO_read(b, buf, (int)len - 1);
	buf[r > 0 ? r : 0] = '\0';
	BIO_free(b);
}

static void
tls_sans(X509 *x, char *buf, size_t len)
{
	GENERAL_NAMES *gens;
	const GENERAL_NAME *g;
	char ip[INET6_ADDRSTRLEN];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const char *s = NULL;

		g = sk_GENERAL_NAME_value(gens, i);
		if (g->type == GEN_DNS)
			s = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
		else if (g->type == GEN_IPADD && (g->d.iPAddress->length == 4 ||
		    g->d.iPAddress->length == 16)) {
			inet_ntop(g->d.iPAddress->length == 4 ? AF_INET :
			    AF_INET6, g->d.iPAddress->data, ip, sizeof(ip));
			s = ip;
		}
		if (s == NULL || off >= len)
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    off ? "," : "", s);
	}
	if (off >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
	GENERAL_NAMES_free(gens);
}

/* What the handshake told: protocol, cipher, ALPN, the certificates. */
void
tls_describe(const struct tls_fut *tf, struct tls_info *ti)
{
	const unsigned char *alpn;
	STACK_OF(X509) *chain;
	unsigned alpn_len;
	int64_t t;
	X509 *leaf;
	long vr;
	int i;

	memset(ti, 0, sizeof(*ti));
	if (tf->ssl == NULL)
		return;
	ti->done = tf->state == TLS_DONE;
	snprintf(ti->version, sizeof(ti->version), "%s",
	    SSL_get_version(tf->ssl));
	snprintf(ti->cipher, sizeof(ti->cipher), "%s",
	    SSL_get_cipher_name(tf->ssl) ? SSL_get_cipher_name(tf->ssl) : "");
	SSL_get0_alpn_selected(tf->ssl, &alpn, &alpn_len);
	if (alpn_len > 0)
		snprintf(ti->alpn, sizeof(ti->alpn), "%.*s", (int)alpn_len,
		    (const char *)alpn);
	/*
	 * OpenSSL 3 keeps the peer certificate from us when verification
	 * failed; the chain still has it first, and an operator wants to see
	 * what was refused.
	 */
	chain = SSL_get_peer_cert_chain(tf->ssl);
	if ((leaf = SSL_get1_peer_certificate(tf->ssl)) == NULL &&
	    chain != NULL && sk_X509_num(chain) > 0 &&
	    X509_up_ref(sk_X509_value(chain, 0)) == 1)
		leaf = sk_X509_value(chain, 0);
	if (leaf != NULL) {
		tls_name(X509_get_subject_name(leaf), ti->subject,
		    sizeof(ti->subject));
		tls_name(X509_get_issuer_name(leaf), ti->issuer,
		    sizeof(ti->issuer));
		tls_sans(leaf, ti->sans, sizeof(ti->sans));
		ti->not_after = ti->chain_not_after =
		    tls_time(X509_get0_notAfter(leaf));
		X509_free(leaf);
	}
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++) {
		t = tls_time(X509_get0_notAfter(sk_X509_value(chain, i)));
		if (t != 0 && (ti->chain_not_after == 0 ||
		    t < ti->chain_not_after))
			ti->chain_not_after = t;
	}
	vr = SSL_get_verify_result(tf->ssl);
	ti->verify_ok = vr == X509_V_OK;
	ti->verify_err = (int)vr;
	snprintf(ti->verify, sizeof(ti->verify), "%s", vr == X509_V_OK ?
	    "ok" : X509_verify_cert_error_string(vr));
}

/* Whole days until the earliest expiry in the chain (negative: expired). */
int
tls_days_left(const struct tls_info *ti, int64_t now)
{
	int64_t d;

	if (ti->chain_not_after == 0)
		return 0;
	d = ti->chain_not_after - now;
	return (int)(d >= 0 ? d / 86400 : -((-d + 86399) / 86400));
}

/*
 * The verification in a word, for the metrics' verify label: the few
 * outcomes an alert tells apart, not OpenSSL's eighty codes, which would
 * make a label value of each (its words are in show and the JSON).
 */
const char *
tls_verify_class(const struct tls_info *ti)
{
	switch (ti->verify_err) {
	case X509_V_OK:
		return "ok";
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "expired";
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "not_yet_valid";
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return "self_signed";
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "unknown_issuer";
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return "name_mismatch";
	case X509_V_ERR_CERT_REVOKED:
		return "revoked";
	default:
		return "invalid";
	}
}
