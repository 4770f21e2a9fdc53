/*
 * output_tls.c - the words of TLS for the text backend: a target's TLS
 * settings and certificate (show), status's CERT column, and what a
 * handshake told (show, probe).
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "output_text.h"
#include "field.h"
#include "fmt.h"

static int	 text_is_address(const char *);
static const char	*text_cert_status(const json_t *);

/*
 * Is this result (and target, which may be NULL) a TLS one?  Its phases
 * have a handshake, or the target has a certificate to speak of: a
 * handshake that timed out leaves no trace in the result itself.
 */
int
text_is_tls(const json_t *result, const json_t *target)
{
	return json_object_get(json_object_get(result, "phases"),
	    "handshake_us") != NULL ||
	    json_is_object(json_object_get(target, "cert"));
}

/* Is host an IP address (no SNI is sent for one)? */
static int
text_is_address(const char *host)
{
	unsigned char	 a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/*
 * show's TLS settings (config.tls):
 *
 * tls:         sni (the host), alpn h2,http/1.1, min version 1.2, starttls smtp
 * tls verify:  against /etc/ssl/ours.pem
 * cert days:   warning below 30, critical below 7
 */
void
text_tls_settings(const json_t *target, const json_t *tls)
{
	const char	*s, *alpn, *min, *starttls;
	char		 sni[300];
	long long	 warn, crit;
	int		 verify;

	if (!json_is_object(tls))
		return;
	if ((s = field_str(tls, "sni")) != NULL)
		snprintf(sni, sizeof(sni), "%s", s);
	else if ((s = field_str(target, "host")) != NULL &&
	    text_is_address(s))
		snprintf(sni, sizeof(sni), "- (an address)");
	else
		snprintf(sni, sizeof(sni), "(the host)");
	alpn = field_str(tls, "alpn");
	min = field_str(tls, "min_version");
	starttls = field_str(tls, "starttls");
	text_kv("tls:", "sni %s, alpn %s, min version %s, starttls %s", sni,
	    alpn != NULL ? alpn : "-", min != NULL ? min : "any",
	    starttls != NULL ? starttls : "-");
	if (field_bool(tls, "verify", &verify) == 0) {
		if (!verify)
			text_kv("tls verify:", "off: what it finds is shown, "
			    "not failed");
		else if ((s = field_str(tls, "ca_file")) != NULL)
			text_kv("tls verify:", "against %s", s);
		else
			text_kv("tls verify:", "against the system store");
	}
	if (field_int(tls, "cert_warn_days", &warn) == 0 &&
	    field_int(tls, "cert_crit_days", &crit) == 0)
		text_kv("cert days:", "warning below %lld, critical below %lld",
		    warn, crit);
}

/* "ok", "WARNING", "CRITICAL", as check says them; else as futd did */
static const char *
text_cert_status(const json_t *cert)
{
	const char	*s = field_str(cert, "status");

	if (s == NULL)
		return "-";
	if (strcmp(s, "warning") == 0)
		return check_word(CHECK_WARNING);
	if (strcmp(s, "critical") == 0)
		return check_word(CHECK_CRITICAL);
	return s;
}

/*
 * show: the target's certificate, the earliest expiry in its chain
 * against the limits.
 *
 * certificate: expires 2027-02-25 13:11:39, 89 days left (ok)
 * certificate: expired 2020-01-02 01:00:00, 2521 days ago (CRITICAL)
 */
void
text_cert(const json_t *target)
{
	const json_t	*cert = json_object_get(target, "cert");
	const char	*words;
	char		 when[64], buf[256];
	double		 t;
	long long	 days;
	int		 verified;

	if (!json_is_object(cert))
		return;
	if (field_int(cert, "days_left", &days) == -1) {
		text_kv("certificate:", "- (none seen yet)");
		return;
	}
	if (field_num(cert, "expires", &t) == 0)
		fmt_date(when, sizeof(when), t);
	else
		snprintf(when, sizeof(when), "-");
	if (days >= 0)
		snprintf(buf, sizeof(buf), "expires %s, %lld day%s left (%s)",
		    when, days, days == 1 ? "" : "s", text_cert_status(cert));
	else
		snprintf(buf, sizeof(buf), "expired %s, %lld day%s ago (%s)",
		    when, -days, days == -1 ? "" : "s", text_cert_status(cert));
	if (days >= 0 && field_bool(cert, "verified", &verified) == 0 &&
	    !verified && (words = field_str(cert, "verify")) != NULL)
		text_kv("certificate:", "%s, not verified: %s", buf, words);
	else
		text_kv("certificate:", "%s", buf);
}

/*
 * status's CERT: "89d", "19d warning", "5d critical", "expired", with
 * " unverified" when verification failed for another reason; "-" for
 * none (yet).  brief, for a table that must be narrower: "19d warn",
 * "5d crit", and no "unverified" (a target that verifies is down for
 * it, and LAST says why; one that does not asked not to).
 */
void
text_cert_cell(char *buf, size_t size, const json_t *target, int brief)
{
	const json_t	*cert = json_object_get(target, "cert");
	const char	*s;
	long long	 days;
	int		 verified, n;

	if (!json_is_object(cert) ||
	    field_int(cert, "days_left", &days) == -1) {
		snprintf(buf, size, "-");
		return;
	}
	s = field_str(cert, "status");
	if (days < 0)
		n = snprintf(buf, size, "expired");
	else if (s != NULL && strcmp(s, "ok") != 0)
		n = snprintf(buf, size, "%lldd %.*s", days,
		    brief ? 4 : (int)strlen(s), s);
	else
		n = snprintf(buf, size, "%lldd", days);
	/* an expired one cannot verify: no need to say so twice */
	if (!brief && n > 0 && (size_t)n < size && days >= 0 &&
	    field_bool(cert, "verified", &verified) == 0 && !verified)
		snprintf(buf + n, size - (size_t)n, " unverified");
}

/*
 * What a handshake told (a result's "tls"), for show and probe:
 *
 * handshake:   TLSv1.3, TLS_AES_256_GCM_SHA384, alpn h2
 * subject:     CN=www.example.com
 * issuer:      CN=R11,O=Let's Encrypt,C=US
 * names:       www.example.com, example.com
 * not after:   2027-02-25 13:11:39 (89 days left)
 * verify:      ok
 */
void
text_tls_result(const json_t *result)
{
	const json_t	*tls = json_object_get(result, "tls");
	const char	*v, *c, *alpn, *s;
	char		 names[1024], when[64], chain[64], left[64];
	double		 na, cna;
	long long	 days;
	size_t		 i, o;
	int		 done;

	if (!json_is_object(tls))
		return;
	if (field_bool(tls, "handshake", &done) == 0 && done) {
		v = field_str(tls, "version");
		c = field_str(tls, "cipher");
		alpn = field_str(tls, "alpn");
		text_kv("handshake:", "%s, %s%s%s", v != NULL ? v : "-",
		    c != NULL ? c : "-", alpn != NULL ? ", alpn " : "",
		    alpn != NULL ? alpn : "");
	} else
		text_kv("handshake:", "failed");
	if ((s = field_str(tls, "subject")) != NULL)
		text_kv("subject:", "%s", s);
	if ((s = field_str(tls, "issuer")) != NULL)
		text_kv("issuer:", "%s", s);
	if ((s = field_str(tls, "sans")) != NULL) {
		for (i = 0, o = 0; s[i] != '\0' && o + 3 < sizeof(names); i++) {
			names[o++] = s[i];
			if (s[i] == ',')
				names[o++] = ' ';
		}
		names[o] = '\0';
		text_kv("names:", "%s", names);
	}
	if (field_num(tls, "not_after", &na) == 0) {
		fmt_date(when, sizeof(when), na);
		left[0] = chain[0] = '\0';
		if (field_int(tls, "days_left", &days) == 0)
			snprintf(left, sizeof(left), days >= 0 ?
			    " (%lld day%s left)" : " (expired %lld day%s ago)",
			    days >= 0 ? days : -days,
			    days == 1 || days == -1 ? "" : "s");
		/* the days count to the earliest expiry in the chain */
		if (field_num(tls, "chain_not_after", &cna) == 0 && cna < na) {
			fmt_date(chain, sizeof(chain), cna);
			text_kv("not after:", "%s; the chain's earliest %s%s",
			    when, chain, left);
		} else
			text_kv("not after:", "%s%s", when, left);
	}
	if ((s = field_str(tls, "verify")) != NULL)
		text_kv("verify:", "%s", s);
}
