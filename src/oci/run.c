/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci run [options] <container-id>`: create's flags plus --detach and
 * --keep.  Without --detach the exit status is the container's own (128+N
 * when signal N killed it), as a shell would report it.
 */
#include "oci.h"

int oci_cmd_run(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	struct oci_option table[OCI_CREATE_OPTIONS_MAX];
	struct oci_create_args a = { 0 };
	struct silo_create_opts o;
	struct silo_error err;
	int nargs, status, exit_status = 0;

	oci_create_options(table, &a, true);
	if (!oci_parse(cmd, table, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (oci_create_prepare(&a, argv[1], &o, &err) < 0 ||
	    silo_container_run(ctx, &o, &exit_status, &err) < 0)
		status = oci_fail(cmd, &err);
	else if (a.detach)
		status = OCI_EXIT_OK;
	else
		status = exit_status < 0 || exit_status > 255 ? OCI_EXIT_FAIL : exit_status;
	oci_create_args_release(&a);
	return status;
}
