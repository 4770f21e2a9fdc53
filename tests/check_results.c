/* check_results.c - placeholder until the suite is written */
#include "tests.h"

Suite *
results_suite(void)
{
	return suite_create("results");
}
