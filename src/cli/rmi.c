/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `silo rmi [-f] IMAGE...`: untag, and delete an image once nothing names it. */
#include <stdio.h>

#include "cli.h"
#include "util.h"

CLI_CMD(rmi)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct silo_error err;
	bool force = false;
	int c, r, status = CLI_OK;

	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		if (c == 'f')
			force = true;
		else if ((r = cli_getopt_done(cmd, c)) >= 0)
			return r;
	}
	if (optind == argc)
		return cli_usage(cmd, "which images? (silo rmi [-f] IMAGE...)");
	if (cli_store(ctx, true, &err) < 0)
		return cli_fail(cmd, &err);
	ctx->store.progress = cli_print_progress;
	for (int i = optind; i < argc; i++) {
		if (img_remove(&ctx->store, argv[i], force, &err) < 0)
			status = cli_fail(cmd, &err);
	}
	return status;
}
