/*
 * tests.h - the Check suites of futd, one per module, and the helpers the
 * system tests share (sys.c).
 */
#ifndef FUTD_TESTS_H
#define FUTD_TESTS_H

#include <check.h>
#include <sys/types.h>
#include <stddef.h>

Suite	*future_suite(void);
Suite	*probe_suite(void);
Suite	*conf_suite(void);
Suite	*proto_suite(void);
Suite	*results_suite(void);
Suite	*system_suite(void);
Suite	*truth_suite(void);
Suite	*metrics_suite(void);
Suite	*tls_suite(void);
Suite	*operator_suite(void);
Suite	*hook_suite(void);
Suite	*faults_suite(void);
Suite	*jsonw_suite(void);
Suite	*reload_suite(void);
Suite	*keep_suite(void);
Suite	*log_suite(void);
Suite	*maint_suite(void);
Suite	*alerts_suite(void);
Suite	*web_suite(void);
TCase	*metrics_tls_tcase(void);	/* check_metrics_tls.c: in metrics */
Suite	*display_suite(void);
TCase	*spark_tcase(void);		/* check_spark.c: in display */
Suite	*state_suite(void);
Suite	*steps_suite(void);

/* parts of conf_suite, each in a file of its own */
TCase	*conf_hint_tcase(void);
TCase	*conf_doc_tcase(void);

#endif /* FUTD_TESTS_H */
