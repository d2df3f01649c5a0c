/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's state directory: <root>/<id>/ holding state.json (written
 * atomically: temp file + rename) and, while the container is created but not
 * started, exec.fifo.  Claiming an id is mkdir(2): EEXIST means it is taken.
 * Mutating verbs (create, start, delete) hold flock(LOCK_EX) on the directory.
 *
 * The init is named by (pid, start time): a pid whose start time differs is a
 * reused pid and is never signalled.  The status is derived, never stored.
 */
#ifndef SILO_STATE_H
#define SILO_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum silo_status {
	STATUS_CREATING = 0,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

extern const char *const silo_status_names[];

struct silo_state {
	char *id;
	char *oci_version;
	pid_t pid;
	uint64_t start_time;       /* of pid, from /proc/PID/stat */
	char *bundle;
	char *config;              /* create --config FILE; NULL = <bundle>/config.json */
	char *rootfs;
	char *created;             /* RFC 3339, nanoseconds, UTC */
	char *owner;
	uid_t owner_uid;
	char *annotations_json;    /* NULL when none */
	char *hooks_json;          /* poststart/poststop need them later; NULL when none */
	char *cgroup_json;         /* cgroup_to_json(); NULL when no cgroup */
	char *resources_json;      /* linux.resources as of the last `update`; NULL before one
				      (the bundle's config.json then has them) */
	bool own_pidns;            /* false: kill/delete must reach every cgroup process */
};

void silo_state_free(struct silo_state *s);

/* Open (creating 0700 when asked) the state root. */
int state_root_open(const char *root, bool create, struct silo_error *err);
/* Claim <root>/<id>: mkdir + open + flock.  EEXIST -> "container "ID" already exists". */
int state_dir_create(int root_fd, const char *id, struct silo_error *err);
/* Open <root>/<id> (flock when lock).  ENOENT -> "container "ID" does not exist". */
int state_dir_open(int root_fd, const char *id, bool lock, struct silo_error *err);
/* Remove <root>/<id> and what it holds. */
int state_dir_remove(int root_fd, const char *id, struct silo_error *err);

int state_write(int dir_fd, const struct silo_state *s, struct silo_error *err);
/* ENOENT of state.json: errnum ENOENT (a create in progress or aborted). */
int state_read(int dir_fd, const char *id, struct silo_state *s, struct silo_error *err);

/* Is (pid, start_time) still the container's init, and not a zombie? */
bool state_init_alive(const struct silo_state *s);
enum silo_status state_status(int dir_fd, const struct silo_state *s);

/* runc's state JSON; indent 2 (pretty) or compact. */
char *state_to_oci_json(const struct silo_state *s, enum silo_status status, bool pretty);

/* The current time in RFC 3339 with nanoseconds. */
char *state_now_rfc3339(void);

#define STATE_FIFO "exec.fifo"

#endif
