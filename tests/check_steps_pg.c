/*
 * check_steps_pg.c - the steps suite's postgres TCase (to come).
 */
#include "check_steps.h"

TCase *
steps_pg_tcase(void)
{
	return steps_tcase("postgres");
}
