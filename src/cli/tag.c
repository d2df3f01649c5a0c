/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `silo tag SOURCE TARGET`: one more name for an image. */
#include "cli.h"
#include "util.h"

CLI_CMD(tag)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct silo_error err;
	int c, r;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if ((r = cli_getopt_done(cmd, c)) >= 0)
			return r;
	}
	if (argc - optind != 2)
		return cli_usage(cmd, "takes exactly two arguments: SOURCE_IMAGE TARGET_IMAGE");
	if (cli_store(ctx, false, &err) < 0 ||
	    img_tag(&ctx->store, argv[optind], argv[optind + 1], &err) < 0)
		return cli_fail(cmd, &err);
	return CLI_OK;
}
