/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `silo image prune`: unnamed images, then every blob and layer no image uses. */
#include <stdio.h>

#include "cli.h"
#include "util.h"

CLI_CMD(prune)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct silo_error err;
	int64_t freed = 0;
	char size[32];
	int c, r;

	while ((c = getopt_long(argc, argv, "+fah", opts, NULL)) != -1) {
		if (c != 'f' && c != 'a' && (r = cli_getopt_done(cmd, c)) >= 0)
			return r;
	}
	if (optind != argc)
		return cli_usage(cmd, "takes no arguments");
	if (cli_store(ctx, true, &err) < 0)
		return cli_fail(cmd, &err);
	ctx->store.progress = cli_print_progress;
	if (img_prune(&ctx->store, &freed, &err) < 0)
		return cli_fail(cmd, &err);
	cli_human_size(freed, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return CLI_OK;
}
