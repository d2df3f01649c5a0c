/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo: the docker-like front end.  Parses the global options, picks a
 * command from the table below (also under `silo image …`, as docker has
 * it) and turns its result into the exit status: 0 success, 1 failure, 2 bad
 * usage.  Errors are one line "silo: COMMAND: message" on stderr.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#ifndef SILO_VERSION
#define SILO_VERSION "0.0.0"
#endif

static int cmd_help(const struct cli_command *cmd, struct cli_ctx *ctx, int argc, char **argv);

static const struct cli_command commands[] = {
	{ "images", "silo images [OPTIONS] [REPOSITORY[:TAG]]", "list images",
	  "  -a, --all            accepted for docker compatibility (every image is listed)\n"
	  "  -q, --quiet          only the image ids\n"
	  "      --no-trunc       full ids\n"
	  "      --digests        show the manifest digests\n"
	  "      --format FORMAT  table (default) or json (one object per line)\n",
	  cli_cmd_images },
	{ "pull", "silo pull [OPTIONS] NAME[:TAG|@DIGEST]", "pull an image from a registry",
	  "  -q, --quiet          print only the image reference when done\n"
	  "      --platform OS/ARCH[/VARIANT]  the image of this platform from a multi-platform index\n"
	  "      --insecure       https without certificate checks, or plain http if it has no TLS\n"
	  "                       (loopback registries may be plain http; their https is verified)\n"
	  "      --authfile FILE  credentials (default $DOCKER_CONFIG/config.json or ~/.docker/config.json)\n"
	  "      --certs-dir DIR  registry CAs in DIR/HOST:PORT/ca.crt (*.crt), client.cert+client.key\n"
	  "                       (default /etc/docker/certs.d, then /etc/containers/certs.d)\n"
	  "  -j, --jobs N         blobs downloaded at once (default 3)\n",
	  cli_cmd_pull },
	{ "load", "silo load [OPTIONS]", "load images from a docker-archive or OCI-layout tar",
	  "  -i, --input FILE     read FILE instead of standard input (\"-\" is standard input)\n"
	  "  -q, --quiet          no progress lines\n",
	  cli_cmd_load },
	{ "save", "silo save [OPTIONS] IMAGE...", "save images to a tar (docker-archive and OCI layout)",
	  "  -o, --output FILE    write FILE instead of standard output\n",
	  cli_cmd_save },
	{ "rmi", "silo rmi [OPTIONS] IMAGE...", "remove images",
	  "  -f, --force          remove every name of the image, even one a bundle uses\n",
	  cli_cmd_rmi },
	{ "tag", "silo tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]", "add a name to an image", "",
	  cli_cmd_tag },
	{ "inspect", "silo inspect [OPTIONS] IMAGE...", "show images' configs as JSON",
	  "  -f, --format config  only the image config document of each image\n",
	  cli_cmd_inspect },
	{ "bundle", "silo bundle [OPTIONS] IMAGE DIR\n       silo bundle --rm DIR",
	  "make an OCI bundle (config.json + rootfs) for silo-oci run",
	  "      --copy           copy the layers into DIR/rootfs instead of an overlay mount\n"
	  "      --rm             unmount and remove the bundle in DIR\n",
	  cli_cmd_bundle },
	{ "prune", "silo image prune [OPTIONS]", "remove unnamed images and unused blobs and layers",
	  "  -f, --force          do not ask (silo never asks; accepted for docker compatibility)\n"
	  "  -a, --all            accepted for docker compatibility\n",
	  cli_cmd_prune },
	{ "help", "silo help [COMMAND]", "show the usage of silo or of a command", "", cmd_help },
};

static const struct cli_command *find_command(const char *name)
{
	if (strcmp(name, "ls") == 0 || strcmp(name, "list") == 0)
		name = "images";
	if (strcmp(name, "rm") == 0)
		name = "rmi";
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static void print_usage(void)
{
	printf("Usage: silo [OPTIONS] COMMAND [ARG...]\n\n"
	       "silo is a daemonless container engine; this version handles images.\n\n"
	       "Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, "prune") == 0)
			printf("  %-12s %s\n", "image prune", commands[i].summary);
		else
			printf("  %-12s %s\n", commands[i].name, commands[i].summary);
	}
	printf("\n'silo image ls|rm|inspect|pull|load|save|tag' are the same commands.\n"
	       "\nGlobal options:\n"
	       "      --root DIR       the image store (default " IMG_DEFAULT_ROOT
	       ", $XDG_DATA_HOME/silo for\n"
	       "                       non-root; also $SILO_ROOT)\n"
	       "      --debug          accepted; no effect yet\n"
	       "  -v, --version        print the version and exit\n"
	       "  -h, --help           print this help\n\n"
	       "Run 'silo COMMAND --help' for the options of a command.\n");
}

void cli_print_help(const struct cli_command *cmd)
{
	printf("Usage: %s\n\n%s.\n", cmd->usage, cmd->summary);
	if (cmd->help[0] != '\0')
		printf("\nOptions:\n%s", cmd->help);
	printf("  -h, --help           print this help\n");
}

int cli_fail(const struct cli_command *cmd, const struct silo_error *err)
{
	fflush(stdout);
	fprintf(stderr, "silo: %s%s%s\n", cmd != NULL ? cmd->name : "", cmd != NULL ? ": " : "",
		err->msg[0] != '\0' ? err->msg : "unknown error");
	return CLI_FAIL;
}

int cli_failf(const struct cli_command *cmd, const char *fmt, ...)
{
	struct silo_error err;
	va_list ap;

	va_start(ap, fmt);
	silo_error_v(&err, 0, fmt, ap);
	va_end(ap);
	return cli_fail(cmd, &err);
}

int cli_usage(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "silo: %s%s", cmd != NULL ? cmd->name : "", cmd != NULL ? ": " : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'silo %s%s--help'.\n", cmd != NULL ? cmd->name : "", cmd != NULL ? " " : "");
	return CLI_USAGE;
}

int cli_getopt_done(const struct cli_command *cmd, int c)
{
	if (c == 'h') {
		cli_print_help(cmd);
		return CLI_OK;
	}
	if (c == '?' || c == ':')
		return cli_usage(cmd, "bad option (see above)");
	return -1;
}

void cli_print_progress(const struct img_progress *p, void *data)
{
	(void)data;
	if (p->kind == IMG_PROGRESS_INFO && p->msg != NULL)
		printf("%s\n", p->msg);
}

int cli_store(struct cli_ctx *ctx, bool exclusive, struct silo_error *err)
{
	if (!ctx->store_open) {
		if (img_store_open(&ctx->store, ctx->root, err) < 0)
			return -1;
		ctx->store_open = true;
	}
	/* the built-in image is made under the shared lock, once per store */
	if (img_store_lock(&ctx->store, false, err) < 0)
		return -1;
	if (img_builtin_ensure(&ctx->store, getenv("SILO_BUSYBOX"), err) < 0)
		return -1;
	if (exclusive) {
		flock(ctx->store.lock_fd, LOCK_UN);
		if (img_store_lock(&ctx->store, true, err) < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ formatting */

static bool parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;

	if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return true;
}

void cli_human_since(const char *rfc3339, char *buf, size_t len)
{
	static const struct { long secs; const char *unit; } units[] = {
		{ 365L * 24 * 3600, "year" }, { 30L * 24 * 3600, "month" }, { 7L * 24 * 3600, "week" },
		{ 24L * 3600, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" },
	};
	time_t t, now = time(NULL);
	long d;

	if (!parse_rfc3339(rfc3339, &t)) {
		snprintf(buf, len, "N/A");
		return;
	}
	d = (long)(now - t);
	if (d < 1) {
		snprintf(buf, len, "Less than a second ago");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		long n = d / units[i].secs;
		if (n >= 1 || units[i].secs == 1) {
			if (n == 1 && units[i].secs >= 3600)
				snprintf(buf, len, "%s %s ago", units[i].secs == 3600 ? "About an" : "1", units[i].unit);
			else
				snprintf(buf, len, "%ld %s%s ago", n, units[i].unit, n == 1 ? "" : "s");
			return;
		}
	}
}

void cli_human_size(int64_t n, char *buf, size_t len)
{
	static const char *const u[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)n;
	size_t i = 0;

	while (v >= 1000 && i + 1 < ARRAY_SIZE(u)) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%lldB", (long long)n);
	else
		snprintf(buf, len, "%.3g%s", v, u[i]);
}

/* ------------------------------------------------------------ main */

static int cmd_help(const struct cli_command *cmd, struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *target;

	(void)ctx;
	if (argc < 2) {
		print_usage();
		return CLI_OK;
	}
	if (strcmp(argv[1], "image") == 0 && argc > 2)
		argv++;
	target = find_command(argv[1]);
	if (target == NULL)
		return cli_usage(cmd, "unknown command \"%s\"", argv[1]);
	cli_print_help(target);
	return CLI_OK;
}

static char *default_root(void)
{
	const char *env = getenv("SILO_ROOT"), *xdg, *home;

	if (env != NULL && env[0] != '\0')
		return xstrdup(env);
	if (geteuid() == 0)
		return xstrdup(IMG_DEFAULT_ROOT);
	xdg = getenv("XDG_DATA_HOME");
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/silo", xdg);
	home = getenv("HOME");
	return xasprintf("%s/.local/share/silo", home != NULL ? home : "");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "storage", required_argument, NULL, 'r' },
		{ "debug", no_argument, NULL, 'D' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cleanup_free char *root = NULL;
	const struct cli_command *cmd;
	struct cli_ctx ctx = { 0 };
	int c, status;

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			free(root);
			root = xstrdup(optarg);
			break;
		case 'D':
			ctx.debug = true;
			break;
		case 'v':
			printf("silo version %s\n", SILO_VERSION);
			return CLI_OK;
		case 'h':
			print_usage();
			return CLI_OK;
		default:
			return cli_usage(NULL, "bad global option (see silo --help)");
		}
	}
	if (optind >= argc) {
		print_usage();
		return CLI_USAGE;
	}
	if (root == NULL)
		root = default_root();
	if (root[0] == '\0')
		return cli_usage(NULL, "--root must not be empty");
	if (root[0] != '/') {
		char cwd[4096];
		char *abs;
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return cli_failf(NULL, "getcwd: %s", strerror(errno));
		abs = xasprintf("%s/%s", cwd, root);
		free(root);
		root = abs;
	}
	ctx.root = root;
	argc -= optind;
	argv += optind;
	/* `silo image ls|rm|prune|inspect|pull|load|save|tag` */
	if (strcmp(argv[0], "image") == 0) {
		if (argc < 2)
			return cli_usage(NULL, "image: missing subcommand (ls, rm, prune, inspect, pull, load, save, tag)");
		argc--;
		argv++;
	} else if (strcmp(argv[0], "prune") == 0) {
		return cli_usage(NULL, "unknown command \"prune\" (did you mean silo image prune?)");
	}
	cmd = find_command(argv[0]);
	if (cmd == NULL)
		return cli_usage(NULL, "unknown command \"%s\" (see silo --help)", argv[0]);
	optind = 0;
	status = cmd->fn(cmd, &ctx, argc, argv);
	if (ctx.store_open)
		img_store_close(&ctx.store);
	if ((fflush(stdout) != 0 || ferror(stdout)) && status == CLI_OK)
		return cli_failf(cmd, "write to stdout: %s", strerror(errno));
	return status;
}
