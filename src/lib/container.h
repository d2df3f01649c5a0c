/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container lifecycle, as the OCI verbs see it.  Each call is one verb of
 * silo-oci; the library fills *err and returns < 0 on failure and never
 * prints.  Error texts that engines match on are runc's:
 *   container "ID" does not exist     (containerd: "does not exist")
 *   container not running             (containerd: kill of a stopped one)
 */
#ifndef SILO_CONTAINER_H
#define SILO_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define SILO_DEFAULT_ROOT "/run/silo-oci"

/* Global options of one invocation. */
struct silo_ctx {
	const char *root;          /* state root (created 0700 when missing) */
	bool systemd_cgroup;       /* refused with a clear error without systemd */
	bool no_cgroups;           /* --cgroup-manager disabled: no cgroup is made or joined */
	bool debug;
	/* Rootless (silo_rootless_detect(), or --rootless): the cgroup is best
	 * effort when the config sets no limits (a directory that cannot be
	 * made or joined for lack of permission is left out, with a debug
	 * line), and no device rules are written (the kernel refuses them to
	 * a user namespace; in one, mknod cannot make a device anyway). */
	bool rootless;
};

/* Is this process rootless: euid != 0, or in a user namespace other than
 * the initial one (uid 0 there has no privilege over the host)? */
bool silo_rootless_detect(void);

struct silo_create_opts {
	const char *id;
	const char *bundle;        /* absolute path of the bundle */
	const char *config_path;   /* --config FILE, NULL = <bundle>/config.json */
	const char *pid_file;      /* NULL = none */
	const char *console_socket;
	const char *pidfd_socket;
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	/* run only */
	bool detach;
	bool keep;
};

/* Validate a container id: [a-zA-Z0-9_+-][a-zA-Z0-9_+.-]*, at most 1024 bytes. */
int silo_id_check(const char *id, struct silo_error *err);

/* create: set the container up and leave its init waiting on exec.fifo. */
int silo_container_create(const struct silo_ctx *ctx, const struct silo_create_opts *o,
			  struct silo_error *err);

/* start: release a created container. */
int silo_container_start(const struct silo_ctx *ctx, const char *id, struct silo_error *err);

/* run: create + start.  Without detach, waits and stores the container's
 * status in *exit_status (128+N when killed by signal N), forwarding signals,
 * and deletes the container unless keep. */
int silo_container_run(const struct silo_ctx *ctx, const struct silo_create_opts *o,
		       int *exit_status, struct silo_error *err);

/* exec: a new process in a running (or created) container. */
struct silo_exec_opts {
	const char *id;
	/* The process: from process_path (a process.json, as runc's -p), or
	 * the container's config.json process with args and the overrides below. */
	const char *process_path;
	char **args;               /* NULL-terminated; without process_path */
	const char *cwd;           /* NULL = keep */
	char **env;                /* NULL-terminated "K=V", appended */
	bool has_user, has_gid;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids;    /* replace the config's when n > 0 */
	size_t n_additional_gids;
	char **caps;               /* NULL-terminated names, added to bounding/effective/permitted */
	bool no_new_privs;         /* force no_new_privs on */
	const char *apparmor, *process_label;
	/* Both modes */
	bool tty;                  /* allocate a pty (also when process.terminal is true) */
	bool detach;
	bool ignore_paused;
	const char *pid_file;
	const char *console_socket;
	const char *pidfd_socket;
	int preserve_fds;
};

/* Join every namespace and the cgroup of the container and execute the
 * process with the same treatment as the init (user, groups, caps, rlimits,
 * no_new_privs, seccomp, LSM label).  With detach, returns once the process
 * executes (its pid in pid_file); else waits, forwarding signals and copying
 * the terminal, and stores its status in *exit_status (128+N on signal N).
 * A process that cannot start (missing executable, bad cwd or user) is an
 * error with runc's wording ("exec: \"x\": executable file not found in $PATH"). */
int silo_container_exec(const struct silo_ctx *ctx, const struct silo_exec_opts *o,
			int *exit_status, struct silo_error *err);

/* state: the runc-format state JSON (2-space indent, no trailing newline). */
int silo_container_state(const struct silo_ctx *ctx, const char *id, char **json,
			 struct silo_error *err);

int silo_container_kill(const struct silo_ctx *ctx, const char *id, int signo, bool all,
			struct silo_error *err);

/* delete: a stopped (or created, never started) container; with force any,
 * and a missing id is success. */
int silo_container_delete(const struct silo_ctx *ctx, const char *id, bool force,
			  struct silo_error *err);

/* pause / resume: freeze or thaw every process of the container (v1 freezer,
 * v2 cgroup.freeze); state then says "paused". */
int silo_container_pause(const struct silo_ctx *ctx, const char *id, struct silo_error *err);
int silo_container_resume(const struct silo_ctx *ctx, const char *id, struct silo_error *err);

/* ps: the host pids of every process in the container's cgroup (heap). */
int silo_container_ps(const struct silo_ctx *ctx, const char *id, pid_t **pids, size_t *n,
		      struct silo_error *err);

/* update: change the live cgroup limits of a created, running or paused
 * container.  `resources` is a linux.resources JSON object (runc's `update
 * --resources`); `name` is what errors call it (the file, or "<stdin>").
 * Zeros mean "unset" for the numbers docker sends as zeros (memory limit,
 * reservation, swap, kernel, kernelTCP; cpu shares, quota, period, realtime
 * runtime and period; blockIO weight and leafWeight; pids limit), and so do
 * empty cpus/mems.  The whole input is checked before any file is written.
 * The merged resources (the previous ones, or the bundle's config.json
 * before the first update, plus these) are kept in state.json. */
int silo_container_update(const struct silo_ctx *ctx, const char *id, const char *resources,
			  size_t len, const char *name, struct silo_error *err);

/* events: fn gets each event as one compact JSON line (no newline):
 *   {"type":"stats","id":ID,"data":{...}}   runc's stats object
 *   {"type":"oom","id":ID}                  the kernel OOM-killed a process
 * stats_only: one stats event, then return.  Otherwise stats every
 * interval_ms and OOM events as they come, until the container's init is
 * gone (then 0).  fn returns < 0 to stop (with *err set by it). */
typedef int (*silo_event_fn)(const char *line, void *arg, struct silo_error *err);
int silo_container_events(const struct silo_ctx *ctx, const char *id, bool stats_only,
			  int64_t interval_ms, silo_event_fn fn, void *arg, struct silo_error *err);

struct silo_container_info {
	char *id;
	pid_t pid;                 /* 0 when stopped */
	const char *status;        /* "created", "running", "paused", "stopped" */
	char *bundle;
	char *created;             /* RFC 3339 with nanoseconds, UTC */
	char *owner;
	char *state_json;          /* the same object `state` prints, compact */
};

/* list: every container under the root, sorted by id. */
int silo_container_list(const struct silo_ctx *ctx, struct silo_container_info **out, size_t *n,
			struct silo_error *err);
void silo_container_info_free(struct silo_container_info *info, size_t n);

/* Signal names and numbers: "KILL", "SIGKILL", "9" -> 9; -1 when unknown. */
int silo_signal_parse(const char *s);
/* Name without "SIG" for a number, NULL when unknown. */
const char *silo_signal_name(int signo);

#endif
