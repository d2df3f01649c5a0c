/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to the lifecycle files (container.c, exec.c): the parent-side
 * pieces that `run` and `exec` share, so that an exec'd process is handled
 * exactly like the init (environment, pid file, pidfd, waiting, signals).
 */
#ifndef SILO_CONTAINER_INTERNAL_H
#define SILO_CONTAINER_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "container.h"
#include "spec.h"
#include "state.h"
#include "terminal.h"

/* The payload's environment: p's, plus LISTEN_FDS/LISTEN_PID when the caller
 * passes socket-activation fds (added to *preserve). */
char **container_payload_env(const struct spec_process *p, int *preserve);

/* process.apparmorProfile / selinuxLabel need that LSM on this host. */
int container_check_lsm(const struct spec_process *p, struct silo_error *err);

/* Fork with clone flags (plus SIGCHLD): clone3 into the cgroup directory
 * cgroup_fd (v2) when >= 0, *into_cgroup says whether that worked; else
 * classic clone.  Returns like fork. */
pid_t container_clone(unsigned long flags, int cgroup_fd, bool *into_cgroup);

/* Write pid into path (temp file + rename). */
int container_write_pid_file(const char *path, pid_t pid, struct silo_error *err);
/* --pidfd-socket: one SCM_RIGHTS pidfd of pid on the unix socket at path. */
int container_send_pidfd(const char *path, pid_t pid, struct silo_error *err);

/* Open the state root and <root>/<id> (flock when lock) and read state.json;
 * "container "ID" does not exist" when it is not there. */
int container_load(const struct silo_ctx *ctx, const char *id, bool lock, int *root_fd,
		   int *dir_fd, struct silo_state *st, struct silo_error *err);
/* The status, with "paused" when the container's cgroup is frozen. */
enum silo_status container_status(int dir_fd, const struct silo_state *st);

/* Block the signals a foreground run/exec forwards (mask), saving old. */
void container_block_forwarded(sigset_t *mask, sigset_t *old);
/* Forward the signals of mask to pid, reap children, copy the terminal (tp
 * may be NULL) until pid exits; returns its status as an exit code. */
int container_wait(pid_t pid, struct terminal_proxy *tp, const sigset_t *mask);
/* 128+N for signal N, else the exit status. */
int container_exit_code(int status);

#endif
