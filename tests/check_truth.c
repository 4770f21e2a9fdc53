/* check_truth.c - placeholder until the suite is written */
#include "tests.h"

Suite *
truth_suite(void)
{
	return suite_create("truth");
}
