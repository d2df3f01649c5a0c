/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci create [options] <container-id>`, and the flags it shares with
 * `run` (run.c): runc's set, plus crun's --config and --no-subreaper.  Paths
 * are made absolute here, against the caller's directory, because the
 * library works from the bundle and the container's own directories.
 */
#include <stdlib.h>

#include "oci.h"
#include "util.h"

void oci_create_options(struct oci_option *t, struct oci_create_args *a, bool run)
{
	size_t n = 0;

	t[n++] = (struct oci_option){ "bundle", 'b', OCI_OPT_STRING, "DIR",
		"the bundle directory (default: the current directory)", &a->bundle };
	t[n++] = (struct oci_option){ "config", 'f', OCI_OPT_STRING, "FILE",
		"the config file (default: config.json in the bundle)", &a->config };
	t[n++] = (struct oci_option){ "pid-file", 0, OCI_OPT_STRING, "FILE",
		"write the container's process id to FILE", &a->pid_file };
	t[n++] = (struct oci_option){ "console-socket", 0, OCI_OPT_STRING, "PATH",
		"AF_UNIX socket that receives the master of the container's pseudoterminal",
		&a->console_socket };
	t[n++] = (struct oci_option){ "pidfd-socket", 0, OCI_OPT_STRING, "PATH",
		"AF_UNIX socket that receives a pidfd of the container's process",
		&a->pidfd_socket };
	t[n++] = (struct oci_option){ "no-pivot", 0, OCI_OPT_BOOL, NULL,
		"do not use pivot_root (for a rootfs on a ramdisk)", &a->no_pivot };
	t[n++] = (struct oci_option){ "no-new-keyring", 0, OCI_OPT_BOOL, NULL,
		"keep the caller's session keyring instead of a new one", &a->no_new_keyring };
	t[n++] = (struct oci_option){ "preserve-fds", 0, OCI_OPT_INT, "N",
		"pass N more file descriptors (after stdio and $LISTEN_FDS)", &a->preserve_fds };
	t[n++] = (struct oci_option){ "no-subreaper", 0, OCI_OPT_BOOL, NULL,
		"accepted for runc compatibility; ignored", &a->no_subreaper };
	if (run) {
		t[n++] = (struct oci_option){ "detach", 'd', OCI_OPT_BOOL, NULL,
			"exit once the container has started instead of waiting for it",
			&a->detach };
		t[n++] = (struct oci_option){ "keep", 0, OCI_OPT_BOOL, NULL,
			"do not delete the container after it exits", &a->keep };
	} else {
		t[n++] = (struct oci_option){ "detach", 'd', OCI_OPT_BOOL, NULL,
			"accepted for compatibility: create never waits for the container",
			&a->detach };
	}
	t[n] = (struct oci_option){ NULL, 0, 0, NULL, NULL, NULL };
}

int oci_absolute_opt(const char *path, const char *what, char **out, struct silo_error *err)
{
	if (path == NULL)
		return 0;
	if (path[0] == '\0')
		return silo_error(err, 0, "%s must not be empty", what);
	*out = oci_abspath(path, err);
	return *out != NULL ? 0 : -1;
}

/* The fds the container inherits: 3 .. 3 + LISTEN_FDS + --preserve-fds - 1. */
int oci_inherited_fds_end(int preserve_fds)
{
	const char *lf = getenv("LISTEN_FDS");
	int64_t n = 0;

	if (lf == NULL || parse_i64(lf, &n) < 0 || n < 0 || n > 65536)
		n = 0;
	return 3 + (int)n + preserve_fds;
}

int oci_create_prepare(struct oci_create_args *a, const char *id, struct silo_create_opts *o,
		       struct silo_error *err)
{
	oci_log_keep_fds_free(oci_inherited_fds_end(a->preserve_fds));
	if (oci_absolute_opt(a->bundle != NULL ? a->bundle : ".", "--bundle", &a->abs_bundle, err) < 0 ||
	    oci_absolute_opt(a->config, "--config", &a->abs_config, err) < 0 ||
	    oci_absolute_opt(a->pid_file, "--pid-file", &a->abs_pid_file, err) < 0 ||
	    oci_absolute_opt(a->console_socket, "--console-socket", &a->abs_console_socket, err) < 0 ||
	    oci_absolute_opt(a->pidfd_socket, "--pidfd-socket", &a->abs_pidfd_socket, err) < 0)
		return -1;
	*o = (struct silo_create_opts){
		.id = id,
		.bundle = a->abs_bundle,
		.config_path = a->abs_config,
		.pid_file = a->abs_pid_file,
		.console_socket = a->abs_console_socket,
		.pidfd_socket = a->abs_pidfd_socket,
		.no_pivot = a->no_pivot,
		.no_new_keyring = a->no_new_keyring,
		.preserve_fds = a->preserve_fds,
		.detach = a->detach,
		.keep = a->keep,
	};
	return 0;
}

void oci_create_args_release(struct oci_create_args *a)
{
	free(a->abs_bundle);
	free(a->abs_config);
	free(a->abs_pid_file);
	free(a->abs_console_socket);
	free(a->abs_pidfd_socket);
	a->abs_bundle = a->abs_config = a->abs_pid_file = NULL;
	a->abs_console_socket = a->abs_pidfd_socket = NULL;
}

int oci_cmd_create(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	struct oci_option table[OCI_CREATE_OPTIONS_MAX];
	struct oci_create_args a = { 0 };
	struct silo_create_opts o;
	struct silo_error err;
	int nargs, status;

	oci_create_options(table, &a, false);
	if (!oci_parse(cmd, table, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	/* create always leaves the container waiting; never ask the library to wait */
	a.detach = false;
	if (oci_create_prepare(&a, argv[1], &o, &err) < 0 ||
	    silo_container_create(ctx, &o, &err) < 0)
		status = oci_fail(cmd, &err);
	else
		status = OCI_EXIT_OK;
	oci_create_args_release(&a);
	return status;
}
