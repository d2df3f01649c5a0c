/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci delete [--force] <container-id>`.  With --force an unknown id is
 * success: docker and ctr delete twice (the library implements that rule).
 */
#include "oci.h"

int oci_cmd_delete(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	bool force = false;
	const struct oci_option opts[] = {
		{ "force", 'f', OCI_OPT_BOOL, NULL, "kill the container first if it is running", &force },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_error err;
	int nargs, status;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (silo_container_delete(ctx, argv[1], force, &err) < 0)
		return oci_fail(cmd, &err);
	return OCI_EXIT_OK;
}
