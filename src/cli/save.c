/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `silo save [-o FILE] IMAGE...`: a tar that docker load and OCI tools read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

CLI_CMD(save)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	cleanup_free char *tmp = NULL;
	struct silo_error err;
	int c, r, fd;

	while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		default:
			if ((r = cli_getopt_done(cmd, c)) >= 0)
				return r;
		}
	}
	if (optind == argc)
		return cli_usage(cmd, "which images? (silo save [-o FILE] IMAGE...)");
	if (output == NULL && isatty(STDOUT_FILENO))
		return cli_usage(cmd, "refusing to write a tar to a terminal: use -o FILE or redirect it");
	if (cli_store(ctx, false, &err) < 0)
		return cli_fail(cmd, &err);
	if (output != NULL) {
		/* written beside the target and renamed: a failed save leaves no half file */
		tmp = xasprintf("%s.silo-tmp-%d", output, (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			return cli_failf(cmd, "create %s: %s", tmp, strerror(errno));
	} else {
		fd = STDOUT_FILENO;
	}
	if (img_save(&ctx->store, argv + optind, fd, &err) < 0) {
		if (tmp != NULL) {
			close(fd);
			unlink(tmp);
		}
		return cli_fail(cmd, &err);
	}
	if (tmp != NULL) {
		if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, output) < 0) {
			int e = errno;
			unlink(tmp);
			return cli_failf(cmd, "write %s: %s", output, strerror(e));
		}
	}
	return CLI_OK;
}
