/* check_probe.c - placeholder until the suite is written */
#include "tests.h"

Suite *
probe_suite(void)
{
	return suite_create("probe");
}
