/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo bundle IMAGE DIR`: an OCI bundle for silo-oci (config.json from the
 * image config, rootfs an overlay of its layers); `silo bundle --rm DIR`
 * unmounts and removes it.
 */
#include <stdio.h>

#include "cli.h"
#include "util.h"

CLI_CMD(bundle)
{
	static const struct option opts[] = {
		{ "copy", no_argument, NULL, 'c' },
		{ "rm", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct img_bundle_opts o = { 0 };
	struct silo_error err;
	bool rm = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.copy = true;
			break;
		case 'r':
			rm = true;
			break;
		default:
			if ((r = cli_getopt_done(cmd, c)) >= 0)
				return r;
		}
	}
	if (rm) {
		if (argc - optind != 1)
			return cli_usage(cmd, "--rm takes one DIR");
		if (cli_store(ctx, false, &err) < 0 || img_bundle_remove(&ctx->store, argv[optind], &err) < 0)
			return cli_fail(cmd, &err);
		return CLI_OK;
	}
	if (argc - optind != 2)
		return cli_usage(cmd, "takes two arguments: IMAGE DIR");
	if (cli_store(ctx, false, &err) < 0 ||
	    img_bundle_create(&ctx->store, argv[optind], argv[optind + 1], &o, &err) < 0)
		return cli_fail(cmd, &err);
	return CLI_OK;
}
