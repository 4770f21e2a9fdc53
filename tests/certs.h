/*
 * certs.h - the certificates of the TLS tests (certs.c): made by
 * openssl(1) in a TCase's directory, once for all its tests.
 */
#ifndef FUTD_CERTS_H
#define FUTD_CERTS_H

#include <stddef.h>

/* Where a TCase's certificates are made, and what went wrong there. */
struct certs {
	const char	*dir;
	char		 error[1024];	/* what openssl said, or why not */
};

int		 certs_dir(struct certs *, char *, size_t);
const char	*certs_path(const struct certs *, const char *);
int		 certs_run(struct certs *, const char *const []);
int		 certs_file(struct certs *, const char *, const char *);
int		 certs_cat(struct certs *, const char *, const char *,
		    const char *);
int		 certs_ca(struct certs *, const char *, const char *);
int		 certs_ca_config(struct certs *, const char *);
int		 certs_req(struct certs *, const char *, const char *);
int		 certs_sign(struct certs *, const char *, const char *,
		    const char *, const char *, const char *, const char *);
int		 certs_sign_days(struct certs *, const char *, const char *,
		    const char *, const char *, const char *, const char *);

#endif /* FUTD_CERTS_H */
