/* check_proto.c - placeholder until the suite is written */
#include "tests.h"

Suite *
proto_suite(void)
{
	return suite_create("proto");
}
