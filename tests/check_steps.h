/*
 * check_steps.h - what the steps suite's files share (check_steps.c):
 * the test's fixture, futd started and asked, JSON by dotted path, our
 * servers, certificates; and the TCases of real servers
 * (check_steps_redis.c, check_steps_pg.c) and of TLS as a step
 * (check_steps_tls.c).
 */
#ifndef FUTD_CHECK_STEPS_H
#define FUTD_CHECK_STEPS_H

#include <check.h>
#include <jansson.h>

#include "sys.h"

extern struct sys_fx	 steps_fx;	/* the running test's */

TCase		*steps_tcase(const char *);
TCase		*steps_redis_tcase(void);
TCase		*steps_pg_tcase(void);
TCase		*steps_tls_tcase(void);

const char	*steps_jstr(const json_t *, const char *);
long long	 steps_jint(const json_t *, const char *);
char		*steps_jdump(const json_t *);

void		 steps_futd(const char *, ...) __attribute__((sentinel));
const json_t	*steps_show(const char *, json_t **);
void		 steps_assert_up(const char *);
const json_t	*steps_assert_failed(const char *, const char *, int,
		    const char *, json_t **);
unsigned	 steps_testsrv(const char *const []);
struct certs;
void		 steps_certs(struct certs *, const char *);

#endif /* FUTD_CHECK_STEPS_H */
