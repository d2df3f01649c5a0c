/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The payload process: its identity (user, groups, capabilities,
 * no_new_privs), limits (rlimits, oom_score_adj), environment and executable.
 *
 * Privileges are dropped in this order (security.md, CVE-2022-29162 and
 * CVE-2016-9962): bounding set, keep-caps, setgroups, setresgid, setresuid,
 * capset (effective, permitted, inheritable), ambient, no_new_privs.  Every
 * identity change is checked; seccomp loads after all of it.
 */
#ifndef SILO_PROCESS_H
#define SILO_PROCESS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Apply rlimits; an error names the limit ("setrlimit RLIMIT_NOFILE ..."). */
int process_set_rlimits(const struct spec_process *p, struct silo_error *err);

/* oom_score_adj of the calling process. */
int process_set_oom_score_adj(const struct spec_process *p, struct silo_error *err);

/* Switch to the process's user and capability sets, then no_new_privs.
 * setgroups is skipped when it is denied in this user namespace. */
int process_set_identity(const struct spec_process *p, struct silo_error *err);

/* Find args[0] like execvp would, in the current root, using PATH from the
 * process env.  Errors are runc's, which docker maps to exit codes:
 *   exec: "/x": stat /x: no such file or directory
 *   exec: "x": executable file not found in $PATH
 *   exec: "/etc": permission denied                                     */
int process_find_executable(const struct spec_process *p, char **path, struct silo_error *err);

/* chdir(cwd) inside the container; the message names cwd. */
int process_chdir(const struct spec_process *p, struct silo_error *err);

#endif
