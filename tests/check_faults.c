/* check_faults.c - placeholder until the suite is written */
#include "tests.h"

Suite *
faults_suite(void)
{
	return suite_create("faults");
}
