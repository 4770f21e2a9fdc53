/*
 * check_futd.c - the one test runner: every suite, unit and system.
 *
 *   build/check_futd                 all suites
 *   CK_RUN_SUITE=conf build/check_futd   one suite
 *   CK_FORK=no build/check_futd      no fork per test (gdb, valgrind)
 */
#include <stdlib.h>

#include "tests.h"

int
main(void)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(future_suite());
	srunner_add_suite(sr, probe_suite());
	srunner_add_suite(sr, results_suite());
	srunner_add_suite(sr, conf_suite());
	srunner_add_suite(sr, reload_suite());
	srunner_add_suite(sr, keep_suite());
	srunner_add_suite(sr, proto_suite());
	srunner_add_suite(sr, jsonw_suite());
	srunner_add_suite(sr, system_suite());
	srunner_add_suite(sr, truth_suite());
	srunner_add_suite(sr, metrics_suite());
	srunner_add_suite(sr, tls_suite());
	srunner_add_suite(sr, operator_suite());
	srunner_add_suite(sr, hook_suite());
	srunner_add_suite(sr, display_suite());
	srunner_add_suite(sr, faults_suite());
	srunner_add_suite(sr, log_suite());
	srunner_add_suite(sr, maint_suite());
	srunner_add_suite(sr, state_suite());
	srunner_add_suite(sr, alerts_suite());
	srunner_add_suite(sr, steps_suite());
	srunner_add_suite(sr, web_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
