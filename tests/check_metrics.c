/* check_metrics.c - placeholder until the suite is written */
#include "tests.h"

Suite *
metrics_suite(void)
{
	return suite_create("metrics");
}
