/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parent <-> init protocol.  One SOCK_SEQPACKET socketpair, one message
 * per packet: a fixed header {type, errnum, len} and up to SYNC_MAX_DATA bytes.
 * The init's end is close-on-exec, so a successful execve shows up in the
 * parent as EOF: the classic trick that turns "exec failed" into a message.
 *
 * Every failure in the init is sent as SYNC_ERROR {errnum, message} before it
 * exits; the parent reports that message, never a bare exit status.
 */
#ifndef SILO_SYNC_H
#define SILO_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum sync_type {
	SYNC_PARENT_DONE = 1,   /* parent -> init: cgroup joined, id maps written */
	SYNC_USERMAP_REQ,       /* stage1 (or a rootless init) -> parent: unshared the user ns,
	                           write my maps */
	SYNC_USERMAP_DONE,      /* parent -> stage1 */
	SYNC_INIT_PID,          /* stage1 -> parent: the init's pid (data: int32); also a
	                           rootless exec's first child: the process's pid */
	SYNC_HOOKS_REQ,         /* init -> parent: namespaces exist, run prestart/createRuntime */
	SYNC_HOOKS_DONE,        /* parent -> init: data = the state JSON for the init's hooks */
	SYNC_READY,             /* init -> parent: set up, waiting for start */
	SYNC_START,             /* parent -> init (run): execute the payload */
	SYNC_ERROR,             /* init -> parent: data = message, errnum set */
	SYNC_CGROUP_PATHS,      /* parent -> init, before PARENT_DONE: the cgroup dirs exist;
	                           data = "controller\0dir\0" pairs (for the cgroup mount) */
	SYNC_SECCOMP_FD,        /* init/exec -> parent: the seccomp notify fd (SCM_RIGHTS); only
	                           for a profile with SCMP_ACT_NOTIFY, right after the filter loads */
	SYNC_SECCOMP_DONE,      /* parent -> init: the listenerPath agent has the fd */
	SYNC_CGROUP_JOIN,       /* parent -> init, right after SYNC_CGROUP_PATHS: the `tasks`
	                           files of the v1 hierarchies, open for writing (SCM_RIGHTS, 0
	                           or more); data = their "dir\0" list in the same order.  The
	                           init joins by writing "0" to each (see cgroup.h) */
};

#define SYNC_MAX_FDS 32

#define SYNC_MAX_DATA 16384

struct sync_msg {
	uint32_t type;
	int32_t errnum;
	uint32_t len;
	int fd;                         /* SYNC_SECCOMP_FD: the passed fd (caller owns), else -1 */
	int fds[SYNC_MAX_FDS];          /* SYNC_CGROUP_JOIN: the passed fds (caller owns) */
	size_t n_fds;
	char data[SYNC_MAX_DATA + 1];   /* NUL-terminated on receipt */
};

int sync_socketpair(int fds[2], struct silo_error *err);
int sync_send(int fd, enum sync_type type, int errnum, const void *data, size_t len,
	      struct silo_error *err);
/* Send a message with no data and one fd (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int pass_fd, struct silo_error *err);
/* Send a message with data and n (<= SYNC_MAX_FDS) fds. */
int sync_send_fds(int fd, enum sync_type type, const void *data, size_t len, const int *fds,
		  size_t n, struct silo_error *err);
/* Send an error object (init side; best effort). */
void sync_send_error(int fd, const struct silo_error *e);
/* Close the fds a received message still holds (m->fds). */
void sync_close_fds(struct sync_msg *m);
/* Receive one message.  Returns 1 on a message, 0 on EOF, -1 on error. */
int sync_recv(int fd, struct sync_msg *m, struct silo_error *err);

/* The decoding of what arrives: pure functions (fuzz/fuzz_sync.c).  A
 * packet of n bytes, the header {type, errnum, len} in host order and len
 * bytes of data, into *m (m->fd = -1): -1 (EPROTO) unless n is exactly the
 * header plus len and len <= SYNC_MAX_DATA. */
int sync_decode(const void *buf, size_t n, struct sync_msg *m, struct silo_error *err);
/* SYNC_INIT_PID's data: exactly an int32, a pid > 0. */
int sync_msg_pid(const struct sync_msg *m, pid_t *pid, struct silo_error *err);
/* SYNC_ERROR into *err: the message up to its first NUL, the errnum when it
 * is one (0..4095, else 0); an empty message becomes "container init failed
 * without a message".  Returns -1. */
int sync_msg_error(const struct sync_msg *m, struct silo_error *err);

/* SYNC_CGROUP_PATHS's data: "controller\0dir\0" pairs, every string
 * terminated, a controller never a path ("" for cgroup2), a dir absolute. */
struct sync_cgroup_paths {
	char *buf;                 /* owns the strings */
	const char **controllers;
	const char **dirs;
	size_t n;
};
int sync_decode_cgroup_paths(const char *data, size_t len, struct sync_cgroup_paths *out,
			     struct silo_error *err);
void sync_cgroup_paths_free(struct sync_cgroup_paths *p);
/* SYNC_CGROUP_JOIN's data: exactly m->n_fds terminated absolute dirs, one
 * per passed fd; dirs[] points into m->data. */
int sync_msg_cgroup_join(const struct sync_msg *m, const char *dirs[SYNC_MAX_FDS],
			 struct silo_error *err);
/* Receive and require `type`.  A SYNC_ERROR becomes *err (the init's message);
 * EOF becomes "container init exited before <what>". */
int sync_expect(int fd, enum sync_type type, struct sync_msg *m, const char *what,
		struct silo_error *err);

#endif
