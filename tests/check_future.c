/* check_future.c - placeholder until the suite is written */
#include "tests.h"

Suite *
future_suite(void)
{
	return suite_create("future");
}
