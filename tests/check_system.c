/* check_system.c - placeholder until the suite is written */
#include "tests.h"

Suite *
system_suite(void)
{
	return suite_create("system");
}
