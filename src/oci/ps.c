/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci ps [--format table|json] <container-id> [ps options]`, as runc:
 * json prints the host pids of the container's processes as a JSON array;
 * table runs the host's ps(1) (default "-ef") and keeps its header and the
 * lines whose PID column is one of the container's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "oci.h"

static bool has_pid(const pid_t *pids, size_t n, long v)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == v)
			return true;
	return false;
}

/* Index of the PID column in ps's header, -1 when absent. */
static int pid_column(const char *header)
{
	char *copy = strdup(header), *save = NULL;
	int col = -1, i = 0;

	for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save), i++)
		if (strcmp(w, "PID") == 0) {
			col = i;
			break;
		}
	free(copy);
	return col;
}

static long field(const char *line, int col)
{
	char *copy = strdup(line), *save = NULL, *w = strtok_r(copy, " \t\n", &save);
	long v = -1;

	for (int i = 0; w && i < col; i++)
		w = strtok_r(NULL, " \t\n", &save);
	if (w)
		v = strtol(w, NULL, 10);
	free(copy);
	return v;
}

static int print_table(const struct oci_command *cmd, const pid_t *pids, size_t n, int argc,
		       char **argv)
{
	char **args = calloc((size_t)argc + 3, sizeof(char *));
	char *line = NULL;
	size_t cap = 0;
	int p[2], col = -1, st;
	bool first = true;
	pid_t child;
	FILE *f;

	if (args == NULL || pipe(p) < 0)
		return oci_failf(cmd, "ps: %s", strerror(errno));
	args[0] = "ps";
	if (argc == 0)
		args[1] = "-ef";
	for (int i = 0; i < argc; i++)
		args[1 + i] = argv[i];
	child = fork();
	if (child == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execvp("ps", args);
		dprintf(2, "silo-oci: ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	free(args);
	close(p[1]);
	if (child < 0 || (f = fdopen(p[0], "r")) == NULL) {
		close(p[0]);
		return oci_failf(cmd, "ps: %s", strerror(errno));
	}
	while (getline(&line, &cap, f) > 0) {
		if (first) {
			first = false;
			col = pid_column(line);
			fputs(line, stdout);
			continue;
		}
		if (col >= 0 && has_pid(pids, n, field(line, col)))
			fputs(line, stdout);
	}
	free(line);
	fclose(f);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return oci_failf(cmd, "ps failed");
	if (col < 0)
		return oci_failf(cmd, "ps: no PID column in the output of ps");
	return OCI_EXIT_OK;
}

int oci_cmd_ps(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	const char *format = "table";
	const struct oci_option opts[] = {
		{ "format", 'f', OCI_OPT_STRING, "FORMAT", "table or json (default: table)", &format },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_error err;
	pid_t *pids = NULL;
	size_t n = 0;
	int nargs, status, r;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1000, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return oci_usage_error(cmd, "invalid format \"%s\": table or json", format);
	if (strcmp(format, "json") == 0 && nargs > 1)
		return oci_usage_error(cmd, "ps options go with --format table only");
	if (silo_container_ps(ctx, argv[1], &pids, &n, &err) < 0)
		return oci_fail(cmd, &err);
	if (strcmp(format, "json") == 0) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		r = OCI_EXIT_OK;
	} else {
		fflush(stdout);
		r = print_table(cmd, pids, n, nargs - 1, argv + 2);
	}
	free(pids);
	return r;
}
