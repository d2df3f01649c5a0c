/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci state <container-id>`: the state JSON as the library renders it
 * (runc's field order and indentation), ended by a newline.
 */
#include <stdio.h>
#include <stdlib.h>

#include "oci.h"

int oci_cmd_state(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	static const struct oci_option none[] = { { NULL, 0, 0, NULL, NULL, NULL } };
	struct silo_error err;
	char *json = NULL;
	int nargs, status;

	if (!oci_parse(cmd, none, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (silo_container_state(ctx, argv[1], &json, &err) < 0)
		return oci_fail(cmd, &err);
	fputs(json, stdout);
	putchar('\n');
	free(json);
	return OCI_EXIT_OK;
}
