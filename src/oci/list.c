/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci list [--format table|json] [--quiet]`, printed byte for byte as
 * runc prints it:
 *   table  Go's text/tabwriter with minwidth 12, padding 3, blanks: every
 *          column but the last is as wide as its widest cell plus 3, at least
 *          12 (cells measured in characters); CREATED in RFC3339Nano form
 *          (trailing zeros of the fraction dropped)
 *   json   a compact array of the state objects and a newline; "null" when
 *          there are no containers (a nil Go slice)
 *   quiet  the ids, one per line
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "util.h"

#define COLUMNS 6

/* Characters in a UTF-8 string (what tabwriter counts). */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Go's RFC3339Nano drops trailing zeros of the fraction, and the dot with them. */
static char *rfc3339nano(const char *t)
{
	char *s = xstrdup(t != NULL ? t : "");
	char *dot = strchr(s, '.');
	char *end;

	if (dot == NULL)
		return s;
	end = dot + 1 + strspn(dot + 1, "0123456789");
	if (end == dot + 1)
		return s;
	char *last = end;
	while (last > dot + 1 && last[-1] == '0')
		last--;
	if (last == dot + 1)
		last = dot;
	memmove(last, end, strlen(end) + 1);
	return s;
}

static void print_table(const struct silo_container_info *c, size_t n)
{
	size_t rows = n + 1, width[COLUMNS - 1];
	char ***cell = xzalloc(rows * sizeof(*cell));

	cell[0] = xzalloc(COLUMNS * sizeof(char *));
	cell[0][0] = xstrdup("ID");
	cell[0][1] = xstrdup("PID");
	cell[0][2] = xstrdup("STATUS");
	cell[0][3] = xstrdup("BUNDLE");
	cell[0][4] = xstrdup("CREATED");
	cell[0][5] = xstrdup("OWNER");
	for (size_t r = 1; r < rows; r++) {
		const struct silo_container_info *i = &c[r - 1];

		cell[r] = xzalloc(COLUMNS * sizeof(char *));
		cell[r][0] = xstrdup(i->id != NULL ? i->id : "");
		cell[r][1] = xasprintf("%d", (int)i->pid);
		cell[r][2] = xstrdup(i->status != NULL ? i->status : "");
		cell[r][3] = xstrdup(i->bundle != NULL ? i->bundle : "");
		cell[r][4] = rfc3339nano(i->created);
		cell[r][5] = xstrdup(i->owner != NULL ? i->owner : "");
	}
	for (size_t col = 0; col < COLUMNS - 1; col++) {
		width[col] = 12;
		for (size_t r = 0; r < rows; r++) {
			size_t w = text_width(cell[r][col]) + 3;
			if (w > width[col])
				width[col] = w;
		}
	}
	for (size_t r = 0; r < rows; r++) {
		for (size_t col = 0; col < COLUMNS - 1; col++)
			printf("%s%*s", cell[r][col], (int)(width[col] - text_width(cell[r][col])), "");
		printf("%s\n", cell[r][COLUMNS - 1]);
		for (size_t col = 0; col < COLUMNS; col++)
			free(cell[r][col]);
		free(cell[r]);
	}
	free(cell);
}

static void print_json(const struct silo_container_info *c, size_t n)
{
	if (n == 0) {
		fputs("null\n", stdout);
		return;
	}
	putchar('[');
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			putchar(',');
		fputs(c[i].state_json != NULL ? c[i].state_json : "null", stdout);
	}
	fputs("]\n", stdout);
}

int oci_cmd_list(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	const struct oci_option opts[] = {
		{ "format", 'f', OCI_OPT_STRING, "FORMAT", "table or json (default: table)", &format },
		{ "quiet", 'q', OCI_OPT_BOOL, NULL, "print the container ids only", &quiet },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_container_info *c = NULL;
	struct silo_error err;
	int nargs, status;
	size_t n = 0;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 0, 0, &status))
		return status;
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return oci_usage_error(cmd, "invalid format \"%s\": table or json", format);
	if (silo_container_list(ctx, &c, &n, &err) < 0)
		return oci_fail(cmd, &err);
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", c[i].id);
	} else if (strcmp(format, "json") == 0) {
		print_json(c, n);
	} else {
		print_table(c, n);
	}
	silo_container_info_free(c, n);
	return OCI_EXIT_OK;
}
