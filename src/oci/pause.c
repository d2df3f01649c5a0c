/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci pause <container-id>` and `silo-oci resume <container-id>`:
 * freeze and thaw every process of the container through its cgroup.
 */
#include "oci.h"

static int pause_or_resume(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc,
			   char **argv, bool pause)
{
	const struct oci_option opts[] = { { NULL, 0, 0, NULL, NULL, NULL } };
	struct silo_error err;
	int nargs, status;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if ((pause ? silo_container_pause : silo_container_resume)(ctx, argv[1], &err) < 0)
		return oci_fail(cmd, &err);
	return OCI_EXIT_OK;
}

int oci_cmd_pause(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	return pause_or_resume(cmd, ctx, argc, argv, true);
}

int oci_cmd_resume(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	return pause_or_resume(cmd, ctx, argc, argv, false);
}
