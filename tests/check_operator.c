/* check_operator.c - placeholder until the suite is written */
#include "tests.h"

Suite *
operator_suite(void)
{
	return suite_create("operator");
}
