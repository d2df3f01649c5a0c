/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci exec [options] <container-id> [--] <command> [args...]`, or
 * `exec [options] --process FILE <container-id>`: runc's flags (plus
 * --ignore-paused and --pidfd-socket, which Debian's runc 1.1 lacks).  As in
 * runc, the options end at the container id: the command's own flags are its
 * own.  With --process the process-shaping flags (--cwd, --env, --user,
 * --additional-gids, --cap, --no-new-privs, --apparmor, --process-label) are
 * refused rather than silently ignored.
 *
 * Exit status: the process's own (128+N when signal N killed it); with
 * --detach 0 once it executes; 255 when it could not be started, as runc
 * exits, so that a caller can tell a runtime failure from the command's 1;
 * 2 for a bad command line.
 */
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "userspec.h"
#include "util.h"

#define OCI_EXIT_EXEC_FAIL 255

struct exec_args {
	const char *process, *cwd, *user, *pid_file, *console_socket, *pidfd_socket;
	const char *apparmor, *process_label, *cgroup;
	char **env, **caps, **gids;
	bool tty, detach, no_new_privs, ignore_paused, no_subreaper;
	int preserve_fds;
	/* owned: absolute forms */
	char *abs_process, *abs_pid_file, *abs_console_socket, *abs_pidfd_socket;
	gid_t *gid_list;
};

static void exec_args_release(struct exec_args *a)
{
	strv_free(a->env);
	strv_free(a->caps);
	strv_free(a->gids);
	free(a->abs_process);
	free(a->abs_pid_file);
	free(a->abs_console_socket);
	free(a->abs_pidfd_socket);
	free(a->gid_list);
}

int oci_cmd_exec(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	struct exec_args a = { 0 };
	const struct oci_option opts[] = {
		{ "process", 'p', OCI_OPT_STRING, "FILE",
		  "the process as a runtime-spec process.json (instead of a command and flags)",
		  &a.process },
		{ "tty", 't', OCI_OPT_BOOL, NULL, "allocate a pseudo-terminal", &a.tty },
		{ "detach", 'd', OCI_OPT_BOOL, NULL,
		  "return once the process executes instead of waiting for it", &a.detach },
		{ "pid-file", 0, OCI_OPT_STRING, "FILE", "write the process's host pid to FILE",
		  &a.pid_file },
		{ "console-socket", 0, OCI_OPT_STRING, "PATH",
		  "AF_UNIX socket that receives the master of the process's pseudoterminal",
		  &a.console_socket },
		{ "pidfd-socket", 0, OCI_OPT_STRING, "PATH",
		  "AF_UNIX socket that receives a pidfd of the process", &a.pidfd_socket },
		{ "cwd", 0, OCI_OPT_STRING, "DIR", "working directory in the container", &a.cwd },
		{ "env", 'e', OCI_OPT_STRV, "K=V", "add an environment variable (repeatable)", &a.env },
		{ "user", 'u', OCI_OPT_STRING, "UID[:GID]", "run as this user (and group)", &a.user },
		{ "additional-gids", 'g', OCI_OPT_STRV, "GID",
		  "an additional group (repeatable; replaces the config's)", &a.gids },
		{ "cap", 'c', OCI_OPT_STRV, "CAP",
		  "add a capability to the bounding, effective and permitted sets (repeatable)",
		  &a.caps },
		{ "no-new-privs", 0, OCI_OPT_BOOL, NULL, "set no_new_privs for the process",
		  &a.no_new_privs },
		{ "preserve-fds", 0, OCI_OPT_INT, "N",
		  "pass file descriptors 3 .. 3+N-1 (LISTEN_FDS is not used by exec)", &a.preserve_fds },
		{ "process-label", 0, OCI_OPT_STRING, "LABEL", "SELinux label of the process",
		  &a.process_label },
		{ "apparmor", 0, OCI_OPT_STRING, "PROFILE", "AppArmor profile of the process",
		  &a.apparmor },
		{ "ignore-paused", 0, OCI_OPT_BOOL, NULL,
		  "exec even into a paused container (the process starts frozen)", &a.ignore_paused },
		{ "cgroup", 0, OCI_OPT_STRING, "PATH",
		  "a sub-cgroup of the container to run in: not supported (refused)", &a.cgroup },
		{ "no-subreaper", 0, OCI_OPT_BOOL, NULL, "accepted for runc compatibility; ignored",
		  &a.no_subreaper },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_exec_opts o = { 0 };
	struct silo_error err;
	int first, status, exit_status = 0;
	const char *id;

	if (!oci_parse_leading(cmd, opts, argc, argv, &first, &status)) {
		exec_args_release(&a);
		return status;
	}
	if (first >= argc) {
		status = oci_usage_error(cmd, "missing container id");
		goto out;
	}
	id = argv[first++];
	if (!oci_id_ok(cmd, id, &status))
		goto out;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	o.id = id;
	if (a.process != NULL) {
		if (first < argc) {
			status = oci_usage_error(cmd, "a command cannot be given with --process");
			goto out;
		}
		if (a.cwd || a.env || a.user || a.gids || a.caps || a.no_new_privs || a.apparmor ||
		    a.process_label) {
			status = oci_usage_error(cmd, "--process takes the whole process from the file: "
						 "--cwd, --env, --user, --additional-gids, --cap, --no-new-privs, "
						 "--apparmor and --process-label cannot be used with it");
			goto out;
		}
	} else if (first >= argc) {
		status = oci_usage_error(cmd, "missing command (or --process FILE)");
		goto out;
	}
	if (a.cgroup != NULL) {
		status = oci_failf(cmd, "--cgroup: sub-cgroups are not supported");
		goto out;
	}
	if (a.user != NULL) {
		struct silo_user_spec u;

		/* Numbers only, as runc: a name is not resolved here. */
		if (silo_user_spec_parse(a.user, &u, &err) < 0) {
			status = oci_usage_error(cmd, "invalid --user \"%s\": UID[:GID], numbers", a.user);
			goto out;
		}
		o.has_user = true;
		o.uid = u.uid;
		o.has_gid = u.has_gid;
		o.gid = u.gid;
	}
	for (size_t i = 0; a.gids && a.gids[i]; i++) {
		uint32_t g;
		if (silo_id_parse(a.gids[i], "gid", &g, &err) < 0) {
			status = oci_usage_error(cmd, "invalid --additional-gids \"%s\": a number",
						 a.gids[i]);
			goto out;
		}
		a.gid_list = xreallocarray(a.gid_list, i + 1, sizeof(gid_t));
		a.gid_list[i] = g;
		o.n_additional_gids = i + 1;
	}
	o.additional_gids = a.gid_list;
	oci_log_keep_fds_free(3 + a.preserve_fds);
	if (oci_absolute_opt(a.process, "--process", &a.abs_process, &err) < 0 ||
	    oci_absolute_opt(a.pid_file, "--pid-file", &a.abs_pid_file, &err) < 0 ||
	    oci_absolute_opt(a.console_socket, "--console-socket", &a.abs_console_socket, &err) < 0 ||
	    oci_absolute_opt(a.pidfd_socket, "--pidfd-socket", &a.abs_pidfd_socket, &err) < 0) {
		status = oci_fail(cmd, &err);
		goto out;
	}
	o.process_path = a.abs_process;
	o.args = a.process ? NULL : argv + first;
	o.cwd = a.cwd;
	o.env = a.env;
	o.caps = a.caps;
	o.no_new_privs = a.no_new_privs;
	o.apparmor = a.apparmor;
	o.process_label = a.process_label;
	o.tty = a.tty;
	o.detach = a.detach;
	o.ignore_paused = a.ignore_paused;
	o.pid_file = a.abs_pid_file;
	o.console_socket = a.abs_console_socket;
	o.pidfd_socket = a.abs_pidfd_socket;
	o.preserve_fds = a.preserve_fds;
	if (silo_container_exec(ctx, &o, &exit_status, &err) < 0) {
		oci_fail(cmd, &err);
		status = OCI_EXIT_EXEC_FAIL;
	} else if (a.detach) {
		status = OCI_EXIT_OK;
	} else {
		status = exit_status < 0 || exit_status > 255 ? OCI_EXIT_EXEC_FAIL : exit_status;
	}
out:
	exec_args_release(&a);
	return status;
}
