/* check_conf.c - placeholder until the suite is written */
#include "tests.h"

Suite *
conf_suite(void)
{
	return suite_create("conf");
}
