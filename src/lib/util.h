/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers shared by the whole library: cleanup attributes with visible
 * ownership transfer, allocation that aborts on OOM, whole-file I/O through
 * descriptors, and string vectors.
 *
 * Ownership: a variable declared `cleanup_free char *p` or `cleanup_close int
 * fd` is released when it leaves scope.  To hand it to someone else write
 * `steal_pointer(&p)` or `take_fd(&fd)`: the transfer is visible at the call.
 */
#ifndef SILO_UTIL_H
#define SILO_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))

void cleanup_freep(void *p);
void cleanup_closep(int *fd);
void cleanup_fclosep(FILE **f);
void cleanup_closedirp(DIR **d);
void cleanup_strvp(char ***v);

#define cleanup_free __attribute__((cleanup(cleanup_freep)))
#define cleanup_close __attribute__((cleanup(cleanup_closep)))
#define cleanup_file __attribute__((cleanup(cleanup_fclosep)))
#define cleanup_dir __attribute__((cleanup(cleanup_closedirp)))
#define cleanup_strv __attribute__((cleanup(cleanup_strvp)))

#define steal_pointer(pp)                        \
	({                                           \
		__typeof__(*(pp)) steal_tmp_ = *(pp); \
		*(pp) = NULL;                            \
		steal_tmp_;                              \
	})

static inline int take_fd(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Allocation failure is not recoverable here: these abort. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) SILO_FORMAT(1, 2);

/* NULL-terminated string vectors. */
size_t strv_len(char *const *v);
void strv_free(char **v);
char **strv_dup(char *const *v);

/* Read a whole file (NUL-terminated; *len excludes the NUL). */
int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct silo_error *err);
int read_fd_all(int fd, char **out, size_t *len, struct silo_error *err);
/* Write a buffer to an existing file (O_WRONLY|O_CLOEXEC, plus `flags`). */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, int flags,
		  struct silo_error *err);
/* Create or replace dirfd/name atomically: temp file in dirfd, then rename. */
int write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		      struct silo_error *err);
/* The same, with the file and then the directory fsynced when `sync` (store
 * data that must survive a crash once it is named). */
int write_file_atomic_sync(int dirfd, const char *name, const void *data, size_t len,
			   mode_t mode, bool sync, struct silo_error *err);

/* Write/read the whole buffer, retrying on EINTR and short transfers. */
ssize_t write_all(int fd, const void *buf, size_t len);
ssize_t read_all(int fd, void *buf, size_t len);

/* Strict decimal parsing: the whole string must be a number in range. */
int parse_i64(const char *s, int64_t *out);
int parse_u64(const char *s, uint64_t *out);

bool str_has_prefix(const char *s, const char *prefix);

/* "2026-01-02T03:04:05.123456789Z" (UTC, nanoseconds) into buf (>= 31 bytes).
 * Not gmtime/strftime: glibc reads the host's timezone file for those. */
void format_rfc3339_utc(const struct timespec *ts, char *buf, size_t len);

/* Start time of a process (field 22 of /proc/PID/stat), 0 when it is gone.
 * Together with the pid it names a process: pids are reused, this pair is not. */
uint64_t proc_start_time(pid_t pid);
/* The same, and the CPU the process last ran or waits to run on (field 39;
 * -1 when unknown). */
uint64_t proc_start_time_cpu(pid_t pid, int *cpu);
/* The process state letter from /proc/PID/stat, or 0 when it is gone. */
char proc_state(pid_t pid);

#endif
