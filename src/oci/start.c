/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `silo-oci start <container-id>`: release a container made by create. */
#include "oci.h"

int oci_cmd_start(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	static const struct oci_option none[] = { { NULL, 0, 0, NULL, NULL, NULL } };
	struct silo_error err;
	int nargs, status;

	if (!oci_parse(cmd, none, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (silo_container_start(ctx, argv[1], &err) < 0)
		return oci_fail(cmd, &err);
	return OCI_EXIT_OK;
}
