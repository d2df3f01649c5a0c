/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder */
#include "cli.h"
CLI_CMD(pull)
{
	(void)ctx; (void)argc; (void)argv;
	return cli_failf(cmd, "not implemented");
}
