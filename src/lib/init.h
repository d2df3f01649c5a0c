/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's init: the forked child that carries out the plan the parent
 * validated, then executes the payload.  It never decides anything the config
 * did not say; every failure goes back to the parent as a SYNC_ERROR message.
 *
 * No re-exec: the child is a fork of silo-oci, so it starts in microseconds
 * and needs no second parse.  It is non-dumpable from its first instruction
 * until execve, so nothing in the container can ptrace it or open its fds
 * (CVE-2016-9962, CVE-2019-5736 class).
 */
#ifndef SILO_INIT_H
#define SILO_INIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "namespaces.h"
#include "rootfs.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "util.h"

struct launch {
	const struct spec *spec;
	const char *id;
	int sync_fd;               /* the init's end of the sync socket */
	int fifo_fd;               /* O_PATH of exec.fifo (create); -1 for run */
	int proc_fd;               /* host /proc (O_PATH), to reopen the fifo; -1 for run */
	int console_fd;            /* console socket (connected) or -1 */
	struct ns_plan ns;
	struct rootfs_opts rootfs;
	int preserve_fds;          /* fds 3..3+N-1 reach the payload */
	char **env;                /* the payload's environment */
	bool no_new_keyring;
	bool cgroupns;             /* unshare the cgroup namespace after joining the cgroup */
	bool timens;               /* create a time namespace (with offsets) */
	const struct seccomp_prog *seccomp;  /* compiled by the parent, or NULL */
	/* Build the rootfs while the parent still makes the cgroup: learn it
	 * (and join it) only at the first "cgroup" mount, wait for PARENT_DONE
	 * after the rootfs (no new user or cgroup namespace, no hook that
	 * needs the parent). */
	bool early_rootfs;
	/* A new user namespace whose maps the parent cannot write unasked (no
	 * CAP_SETUID: ns_maps_need_dumpable): the init asks with
	 * SYNC_USERMAP_REQ and is dumpable only until they are written. */
	bool maps_on_request;
	/* `run` with nothing for the parent to do between READY and START (no
	 * terminal, no NOTIFY_SOCKET, state.json written): the init goes on to
	 * execve right after READY, one round trip fewer. */
	bool start_on_ready;
	bool cgroup_received;      /* SYNC_CGROUP_PATHS and _JOIN taken (receive_cgroup) */
};

NORETURN void init_main(struct launch *l);

/*
 * What the init and an exec'd process share (exec.c): the same treatment of
 * the payload process, in the same order.  payload_child_begin() is the
 * first call in the forked child (non-dumpable, dies with the runtime, clean
 * signal state).  payload_prepare() runs inside the container, after the
 * namespaces and the cgroup: oom_score_adj, terminal, rlimits, personality,
 * LSM labels, seccomp (here only without no_new_privs), user, caps and cwd,
 * executable lookup, fds >= 3 + preserve_fds close-on-exec, then seccomp
 * with no_new_privs if the profile has SCMP_ACT_NOTIFY rules.  payload_exec()
 * loads seccomp when no_new_privs is set (and no NOTIFY), then execve; it
 * returns only on failure.  Loading a NOTIFY profile sends the notify fd over
 * sync_fd (SYNC_SECCOMP_FD) and waits for SYNC_SECCOMP_DONE.
 */
struct payload {
	const struct spec *spec;             /* personality */
	const struct spec_process *proc;
	int console_fd;                      /* consumed (closed) by payload_prepare */
	bool mount_console;                  /* bind the pty onto /dev/console (init only) */
	int preserve_fds;
	const struct seccomp_prog *seccomp;  /* NULL: none */
	int sync_fd;                         /* to the parent: the seccomp notify fd handoff */
};

void payload_child_begin(void);
int payload_join_keyring(const char *id, struct silo_error *err);
int payload_prepare(struct payload *pl, char **exe, struct silo_error *err);
int payload_exec(const struct payload *pl, const char *exe, char **env, struct silo_error *err);

#endif
