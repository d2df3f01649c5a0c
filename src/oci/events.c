/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci events [--stats] [--interval DUR] <container-id>`, as runc: one
 * JSON object per line.  --stats prints one stats event and exits;
 * otherwise stats come every --interval (Go duration: 5s, 500ms; default
 * 5s) and {"type":"oom"} events as the kernel OOM-kills processes, until the
 * container stops (exit 0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"
#include "units.h"

static int print_line(const char *line, void *arg, struct silo_error *err)
{
	(void)arg;
	if (fputs(line, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return silo_error(err, errno ? errno : EIO, "write to stdout");
	return 0;
}

int oci_cmd_events(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	bool stats = false;
	const char *interval = NULL;
	const struct oci_option opts[] = {
		{ "stats", 0, OCI_OPT_BOOL, NULL, "print the container's stats once, then exit", &stats },
		{ "interval", 0, OCI_OPT_STRING, "DUR", "time between stats (Go duration: 5s, 500ms; default 5s)",
		  &interval },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_error err;
	int64_t ns = 5000000000LL;
	int nargs, status;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (interval != NULL && parse_go_duration(interval, &ns) < 0)
		return oci_usage_error(cmd, "invalid --interval \"%s\": a duration such as 5s, 500ms or 1m30s",
				       interval);
	if (ns <= 0)
		return oci_usage_error(cmd, "invalid --interval \"%s\": must be greater than 0", interval);
	if (silo_container_events(ctx, argv[1], stats, ns < 1000000 ? 1 : ns / 1000000, print_line, NULL,
				  &err) < 0)
		return oci_fail(cmd, &err);
	return OCI_EXIT_OK;
}
