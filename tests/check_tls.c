/* check_tls.c - placeholder until the suite is written */
#include "tests.h"

Suite *
tls_suite(void)
{
	return suite_create("tls");
}
