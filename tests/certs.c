/*
 * certs.c - the certificates of the TLS tests, made by openssl(1) in a
 * TCase's directory: CAs of our own, keys and requests, certificates
 * they sign, a server's chain file.  Each function answers 0, or -1 with
 * what openssl said (or why it did not run) in c->error, for the fixture
 * that makes them to report once for the whole TCase.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "sys.h"

/* The TCase's directory, made: 0, or -1 with why in c->error. */
int
certs_dir(struct certs *c, char *dir, size_t len)
{
	c->error[0] = '\0';
	c->dir = dir;
	if (sys_tmpdir(dir, len) == 0)
		return 0;
	snprintf(c->error, sizeof(c->error), "mkdtemp: %s", strerror(errno));
	return -1;
}

/*
 * The path of a file of the TCase, in one of a few static buffers: a
 * command line names several at once.
 */
const char *
certs_path(const struct certs *c, const char *name)
{
	static char buf[8][PATH_MAX];
	static unsigned next;
	char *p = buf[next++ % 8];
	int n = snprintf(p, PATH_MAX, "%s/%s", c->dir, name);

	if (n < 0 || n >= PATH_MAX)
		abort();		/* a TCase's directory is short: never */
	return p;
}

/* Run one openssl command; argv[0] is "openssl". */
int
certs_run(struct certs *c, const char *const argv[])
{
	struct sys_out out;
	int status;

	status = sys_run(argv, NULL, SYS_RUN_MS, &out);
	if (status != 0)
		snprintf(c->error, sizeof(c->error), "openssl %s %s exited %d: "
		    "%s", argv[1], argv[2] != NULL ? argv[2] : "", status,
		    out.err);
	sys_out_free(&out);
	return status == 0 ? 0 : -1;
}

/* text (NULL: none could be made) into the file name */
int
certs_file(struct certs *c, const char *name, const char *text)
{
	if (text != NULL && sys_write_file(certs_path(c, name), text,
	    strlen(text)) == 0)
		return 0;
	snprintf(c->error, sizeof(c->error), "write %s: %s",
	    certs_path(c, name), text != NULL ? strerror(errno) :
	    "out of memory");
	return -1;
}

/* a then b into out: a server's chain file */
int
certs_cat(struct certs *c, const char *a, const char *b, const char *out)
{
	char *ta = sys_read_file(certs_path(c, a), NULL);
	char *tb = sys_read_file(certs_path(c, b), NULL);
	char *both = NULL;
	int r;

	if (ta == NULL || tb == NULL || asprintf(&both, "%s%s", ta, tb) == -1)
		both = NULL;
	r = certs_file(c, out, both);
	free(ta);
	free(tb);
	free(both);
	return r;
}

/* A CA of its own, /CN=cn, for ten years: NAME.pem and NAME.key. */
int
certs_ca(struct certs *c, const char *name, const char *cn)
{
	char key[PATH_MAX], pem[PATH_MAX], subj[128], n[64];
	const char *const argv[] = {
		"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
		"-out", pem, "-days", "3650", "-subj", subj,
		"-addext", "basicConstraints=critical,CA:TRUE",
		"-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL
	};

	snprintf(n, sizeof(n), "%s.key", name);
	snprintf(key, sizeof(key), "%s", certs_path(c, n));
	snprintf(n, sizeof(n), "%s.pem", name);
	snprintf(pem, sizeof(pem), "%s", certs_path(c, n));
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	return certs_run(c, argv);
}

/*
 * What `openssl ca` (certs_sign) needs: its config, with the extensions
 * [ leaf ] (localhost and 127.0.0.1) and those of more (NULL: none), its
 * database and its serial.
 */
int
certs_ca_config(struct certs *c, const char *more)
{
	char *cnf;
	int r;

	if (asprintf(&cnf,
	    "[ ca ]\ndefault_ca = futd_ca\n"
	    "[ futd_ca ]\ndatabase = %s\nnew_certs_dir = %s\nserial = %s\n"
	    "default_md = sha256\npolicy = any_name\nunique_subject = no\n"
	    "[ any_name ]\ncommonName = supplied\n"
	    "[ leaf ]\nsubjectAltName = DNS:localhost,IP:127.0.0.1\n%s",
	    certs_path(c, "index.txt"), c->dir, certs_path(c, "serial"),
	    more != NULL ? more : "") == -1)
		cnf = NULL;
	r = certs_file(c, "ca.cnf", cnf);
	free(cnf);
	if (r == -1 || certs_file(c, "index.txt", "") == -1 ||
	    certs_file(c, "serial", "10\n") == -1)
		return -1;
	return 0;
}

/* A new P-256 key in NAME.key and its request for /CN=cn in NAME.csr. */
int
certs_req(struct certs *c, const char *name, const char *cn)
{
	char key[PATH_MAX], csr[PATH_MAX], subj[128], n[64];
	const char *const argv[] = {
		"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
		"ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
		"-out", csr, "-subj", subj, NULL
	};

	snprintf(n, sizeof(n), "%s.key", name);
	snprintf(key, sizeof(key), "%s", certs_path(c, n));
	snprintf(n, sizeof(n), "%s.csr", name);
	snprintf(csr, sizeof(csr), "%s", certs_path(c, n));
	snprintf(subj, sizeof(subj), "/CN=%s", cn);
	return certs_run(c, argv);
}

/*
 * issuer (NAME.pem, NAME.key) signs csr into out with the extensions ext
 * of ca.cnf, valid from start to end (YYYYMMDDHHMMSSZ): `openssl ca` is
 * the one tool of OpenSSL 3.0 that sets a start in the past, which an
 * expired certificate needs.
 */
int
certs_sign(struct certs *c, const char *issuer, const char *csr,
    const char *ext, const char *start, const char *end, const char *out)
{
	char cnf[PATH_MAX], ca[PATH_MAX], cakey[PATH_MAX], in[PATH_MAX];
	char o[PATH_MAX], n[64];
	const char *const argv[] = {
		"openssl", "ca", "-batch", "-config", cnf, "-cert", ca,
		"-keyfile", cakey, "-in", in, "-out", o, "-extensions", ext,
		"-startdate", start, "-enddate", end, "-notext", NULL
	};

	snprintf(cnf, sizeof(cnf), "%s", certs_path(c, "ca.cnf"));
	snprintf(n, sizeof(n), "%s.pem", issuer);
	snprintf(ca, sizeof(ca), "%s", certs_path(c, n));
	snprintf(n, sizeof(n), "%s.key", issuer);
	snprintf(cakey, sizeof(cakey), "%s", certs_path(c, n));
	snprintf(in, sizeof(in), "%s", certs_path(c, csr));
	snprintf(o, sizeof(o), "%s", certs_path(c, out));
	return certs_run(c, argv);
}

/*
 * issuer signs csr into out for days from now, with the SANs of the file
 * extfile and the given serial.
 */
int
certs_sign_days(struct certs *c, const char *issuer, const char *csr,
    const char *extfile, const char *days, const char *serial,
    const char *out)
{
	char in[PATH_MAX], ca[PATH_MAX], cakey[PATH_MAX], ext[PATH_MAX];
	char o[PATH_MAX], n[64];
	const char *const argv[] = {
		"openssl", "x509", "-req", "-in", in, "-CA", ca, "-CAkey", cakey,
		"-set_serial", serial, "-days", days, "-sha256",
		"-extfile", ext, "-out", o, NULL
	};

	snprintf(in, sizeof(in), "%s", certs_path(c, csr));
	snprintf(n, sizeof(n), "%s.pem", issuer);
	snprintf(ca, sizeof(ca), "%s", certs_path(c, n));
	snprintf(n, sizeof(n), "%s.key", issuer);
	snprintf(cakey, sizeof(cakey), "%s", certs_path(c, n));
	snprintf(ext, sizeof(ext), "%s", certs_path(c, extfile));
	snprintf(o, sizeof(o), "%s", certs_path(c, out));
	return certs_run(c, argv);
}
