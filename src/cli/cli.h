/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo's command line: what main.c and the one file per command share.  A
 * command parses its options with getopt_long, makes library calls
 * (src/image) and returns the exit status: 0 success, 1 failure (one line
 * "silo: COMMAND: message" on stderr, from cli_fail), 2 bad usage.
 */
#ifndef SILO_CLI_H
#define SILO_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "error.h"
#include "image.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

struct cli_ctx {
	const char *root;          /* the store (--root, $SILO_ROOT, or the default) */
	bool debug;
	struct img_store store;
	bool store_open;
};

struct cli_command {
	const char *name;
	const char *usage;         /* "silo images [OPTIONS] [REPOSITORY[:TAG]]" */
	const char *summary;
	const char *help;          /* the option lines of `silo CMD --help` */
	int (*fn)(const struct cli_command *cmd, struct cli_ctx *ctx, int argc, char **argv);
};

int cli_fail(const struct cli_command *cmd, const struct silo_error *err);
int cli_failf(const struct cli_command *cmd, const char *fmt, ...) SILO_FORMAT(2, 3);
int cli_usage(const struct cli_command *cmd, const char *fmt, ...) SILO_FORMAT(2, 3);
void cli_print_help(const struct cli_command *cmd);
/* getopt_long over argv (argv[0] = the command name), with -h/--help
 * handled: returns -1 to go on, else the exit status to return. */
int cli_getopt_done(const struct cli_command *cmd, int c);

/* Open the store, take its lock, make the built-in image if needed. */
int cli_store(struct cli_ctx *ctx, bool exclusive, struct silo_error *err);
/* Progress lines of the library (Untagged/Deleted, ...) to stdout. */
void cli_print_progress(const struct img_progress *p, void *data);

/* "2 hours ago" from an RFC 3339 time; "N/A" when unparsable. */
void cli_human_since(const char *rfc3339, char *buf, size_t len);
/* docker's sizes: "4.26MB", "512B" (decimal units). */
void cli_human_size(int64_t n, char *buf, size_t len);

#define CLI_CMD(name) \
	int cli_cmd_##name(const struct cli_command *cmd, struct cli_ctx *ctx, int argc, char **argv)
CLI_CMD(images);
CLI_CMD(load);
CLI_CMD(save);
CLI_CMD(pull);
CLI_CMD(rmi);
CLI_CMD(tag);
CLI_CMD(inspect);
CLI_CMD(bundle);
CLI_CMD(prune);

#endif
