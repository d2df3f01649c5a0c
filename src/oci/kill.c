/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci kill [--all] <container-id> [signal]`.  Engines send numbers
 * (podman, CRI-O, containerd) or names with or without "SIG"; the default is
 * SIGTERM, as in runc.
 */
#include "oci.h"

int oci_cmd_kill(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	bool all = false;
	const struct oci_option opts[] = {
		{ "all", 'a', OCI_OPT_BOOL, NULL, "send the signal to every process of the container",
		  &all },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_error err;
	const char *sig;
	int nargs, status, signo;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 2, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	sig = nargs == 2 ? argv[2] : "SIGTERM";
	signo = silo_signal_parse(sig);
	if (signo < 0)
		return oci_failf(cmd, "unknown signal \"%s\"", sig);
	if (silo_container_kill(ctx, argv[1], signo, all, &err) < 0)
		return oci_fail(cmd, &err);
	return OCI_EXIT_OK;
}
