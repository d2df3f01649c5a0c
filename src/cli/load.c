/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `silo load [-i FILE|-]`: docker-archive or OCI-layout archives into the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

CLI_CMD(load)
{
	static const struct option opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *input = "-";
	cleanup_strv char **names = NULL;
	cleanup_close int fd = -1;
	struct silo_error err;
	int c, r;

	while ((c = getopt_long(argc, argv, "+i:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			input = optarg;
			break;
		case 'q':
			break;
		default:
			if ((r = cli_getopt_done(cmd, c)) >= 0)
				return r;
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "takes no arguments (use -i FILE)");
	if (strcmp(input, "-") == 0) {
		if (isatty(STDIN_FILENO))
			return cli_usage(cmd, "standard input is a terminal: use -i FILE or redirect it");
		fd = dup(STDIN_FILENO);
	} else {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return cli_failf(cmd, "open %s: %s", input, strerror(errno));
	}
	if (cli_store(ctx, false, &err) < 0 || img_load(&ctx->store, fd, &names, &err) < 0)
		return cli_fail(cmd, &err);
	for (size_t i = 0; names[i] != NULL; i++) {
		if (str_has_prefix(names[i], "sha256:")) {
			printf("Loaded image ID: %s\n", names[i]);
		} else {
			cleanup_free char *repo = xstrdup(names[i]), *fam = NULL;
			char *sep = strrchr(repo, '@') != NULL ? strrchr(repo, '@') : strrchr(repo, ':');
			const char *tail = names[i] + (sep - repo);
			*sep = '\0';
			fam = img_ref_familiar(repo);
			printf("Loaded image: %s%s\n", fam, tail);
		}
	}
	return CLI_OK;
}
