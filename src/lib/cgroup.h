/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup manager: one interface, with a v1 driver (including the hybrid
 * layout: v1 controllers plus a cgroup2 mount at /sys/fs/cgroup/unified) and a
 * v2 driver (the unified hierarchy).  The layout is detected once per process.
 *
 * cgroupsPath semantics follow runc's cgroupfs driver:
 *   - absolute ("/a/b"): that path under every hierarchy's root;
 *   - relative ("a/b"): under the caller's own cgroup, per hierarchy
 *     (/proc/self/cgroup), so tests can keep containers below themselves;
 *   - NULL/empty: "<caller's cgroup>/<id>".
 * ".." components are refused.
 *
 * Lifecycle: cgroup_plan() names the directories and which of them create
 * will make, touching nothing, so that the caller can record them before
 * they exist (a runtime killed in between leaves nothing that `delete`
 * cannot find); cgroup_make() makes them (refusing a cgroup that already
 * holds processes), cgroup_attach() moves a pid in (or, on v2,
 * cgroup_clone_fd() gives a dirfd for clone3 CLONE_INTO_CGROUP), and
 * cgroup_destroy() kills what is left and removes every directory that
 * cgroup_make() made (or, from a plan, would have made: missing ones are
 * fine).  cgroup_to_json()/cgroup_from_json() carry a cgroup
 * across processes through the container's state file.
 */
#ifndef SILO_CGROUP_H
#define SILO_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

enum cgroup_mode {
	CGROUP_MODE_V1 = 1,        /* legacy, or hybrid (unified mount present) */
	CGROUP_MODE_V2 = 2,        /* unified only */
};

struct cgroup;                 /* opaque */

/* Detect the host layout (cached). */
int cgroup_mode(struct silo_error *err);

/* Plan the container's cgroup: no directory is made. */
int cgroup_plan(const char *cgroups_path, const char *id, struct cgroup **out,
		struct silo_error *err);

/* Make the planned directories and apply `resources` (may be NULL).
 * *changed: what was made differs from the plan (a race with another
 * process), so a recorded plan must be written again.  On failure, what was
 * made is removed and cg records nothing as made. */
int cgroup_make(struct cgroup *cg, const struct spec_resources *resources, bool *changed,
		struct silo_error *err);

/* An O_PATH|O_DIRECTORY fd of the cgroup2 leaf (v2, or the unified
 * hierarchy of a hybrid layout), for CLONE_INTO_CGROUP; -1 without one.
 * After a clone into it, cgroup_joined_by_clone() tells cgroup_attach() to
 * leave that hierarchy alone. */
int cgroup_clone_fd(struct cgroup *cg);
void cgroup_joined_by_clone(struct cgroup *cg);

/* 1 for v1 controllers with a cgroup2 (unified) mount beside them, 0 for
 * plain v1 or v2, -1 on error.  Until the layout is read, only a cgroup2
 * mount at /sys/fs/cgroup/unified counts (see cgroup.c). */
int cgroup_hybrid(struct silo_error *err);

/* Move pid (a whole thread group) into the cgroup, in every hierarchy but
 * those handed out by cgroup_self_join_fds() or joined by clone. */
int cgroup_attach(struct cgroup *cg, pid_t pid, struct silo_error *err);

/* v1: a single-threaded process can join by itself, writing "0" to the
 * hierarchy's `tasks` file.  That moves only the calling thread, so the
 * kernel skips the global cgroup_threadgroup_rwsem that a cgroup.procs write
 * takes for writing, and with it the RCU grace period that lock waits for
 * whenever it has been idle: 5-15 ms on this 2-core host, which was all of a
 * cold start's cgroup cost, and often a warm one's.
 *
 * cgroup_self_join_fds() opens (O_WRONLY, so the kernel checks the opener's
 * credentials) the `tasks` file of up to `max` v1 hierarchies, fills fds[]
 * and dirs[] (borrowed from cg), and returns how many; cgroup_attach() then
 * skips those.  The cgroup2 hierarchy cannot be joined thread-wise (domain
 * cgroups refuse cgroup.threads), so it stays with cgroup_attach() or
 * CLONE_INTO_CGROUP.  cgroup_self_join() is what the joining process runs. */
size_t cgroup_self_join_fds(struct cgroup *cg, int *fds, const char **dirs, size_t max);
int cgroup_self_join(const int *fds, const char *const *dirs, size_t n, struct silo_error *err);

/* Apply linux.resources (issue 3 completes this; unknown knobs are errors). */
int cgroup_apply(struct cgroup *cg, const struct spec_resources *resources,
		 struct silo_error *err);

/* The container's cgroup path as the container should see it mounted at
 * /sys/fs/cgroup: for each hierarchy, the absolute directory on the host. */
size_t cgroup_paths(const struct cgroup *cg, const char ***controllers, const char ***dirs);

/* Pids in the cgroup (host pid namespace).  *pids is heap-allocated. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct silo_error *err);

/* Signal every process of the cgroup (freezing first on v1 so nothing escapes
 * by forking; v2 uses cgroup.kill for SIGKILL). */
int cgroup_kill(struct cgroup *cg, int signo, struct silo_error *err);

/* Kill what remains, thaw if frozen, and remove every directory we created.
 * Waits (bounded, ~5 s) for EBUSY to clear. */
int cgroup_destroy(struct cgroup *cg, struct silo_error *err);

/* Serialise / restore for the state file (a JSON text; caller frees). */
char *cgroup_to_json(const struct cgroup *cg);
int cgroup_from_json(const char *json, struct cgroup **out, struct silo_error *err);

void cgroup_free(struct cgroup *cg);

/* ---- additions by the cgroup owner (issue 2) ----
 * cgroup_make() already applies `resources` (before any process joins,
 * and it always installs the device rules: deny all, the config's rules,
 * then the default set null/zero/full/random/urandom/tty/console/ptmx/pts;
 * v1 through devices.allow/deny, v2 through an eBPF device program).  cgroup_apply() is for `update`; calling it right after
 * cgroup_make() only repeats the writes.
 *
 * controllers[i] of cgroup_paths() is the directory name of the hierarchy
 * under the host's /sys/fs/cgroup ("cpu,cpuacct", "memory", "systemd",
 * "unified"); on v2 there is one entry, "", meaning /sys/fs/cgroup itself.
 *
 * pause / resume / state: freeze or thaw the container's cgroup (v1 freezer,
 * v2 cgroup.freeze; freezing waits, bounded, until the kernel reports it),
 * and ask whether it is frozen (1, 0, or -1 on error). */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct silo_error *err);
int cgroup_is_frozen(struct cgroup *cg, struct silo_error *err);

/* ---- additions for update and events (issue 3) ----
 *
 * cgroup_apply() is what `update` calls; memory.checkBeforeUpdate is
 * honoured there on both drivers (a limit below the current usage fails).
 *
 * cgroup_stats(): runc's stats object (`runc events` "data": cpu, memory,
 * pids, blkio, hugetlb, intel_rdt, network_interfaces) read from the
 * cgroup's files; cgroup_stats_dumps() renders it compactly, keeping
 * unsigned values above INT64_MAX exact.
 *
 * OOM notification: cgroup_oom_watch() returns a watch whose fd becomes
 * readable (poll POLLIN) after an OOM; cgroup_oom_read() then says how many
 * happened since the last call (0 is possible: spurious wake-ups). */
struct json_t;
struct cgroup_oom;

int cgroup_stats(struct cgroup *cg, struct json_t **data, struct silo_error *err);

/* ---- rootless (runc's rootless cgroupfs manager) ----
 * cgroup_set_rootless() before cgroup_make(): no device rules are written
 * (v1 devices.allow/deny and the v2 eBPF program need CAP_SYS_ADMIN in the
 * initial user namespace), and when `resources` sets no limit (device rules
 * do not count) the cgroup is best effort: a hierarchy whose directory
 * cannot be made for lack of permission (EACCES, EPERM, EROFS) is left
 * out of the cgroup, with a debug line; cgroup_paths() may then be 0.
 * With limits, a failure is an error like any other, prefixed "rootless
 * container with linux.resources: " (it names the directory or file).
 * cgroup_best_effort() says whether that applies to this cgroup, and
 * cgroup_attach_best_effort() joins like cgroup_attach() but leaves out
 * (and removes, if it made it) a hierarchy it may not join; *changed when
 * it did.  The flag is kept in the JSON. */
void cgroup_set_rootless(struct cgroup *cg, bool rootless);
bool cgroup_best_effort(const struct cgroup *cg);
int cgroup_attach_best_effort(struct cgroup *cg, pid_t pid, bool *changed,
			      struct silo_error *err);
char *cgroup_stats_dumps(struct json_t *o);

int cgroup_oom_watch(struct cgroup *cg, struct cgroup_oom **out, struct silo_error *err);
int cgroup_oom_fd(const struct cgroup_oom *w);
int cgroup_oom_read(struct cgroup_oom *w, uint64_t *n, struct silo_error *err);
void cgroup_oom_free(struct cgroup_oom *w);

#endif
