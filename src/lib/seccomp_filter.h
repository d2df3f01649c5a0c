/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp: compile the profile into a classic BPF program in the
 * parent (or load it from a cache), install it in the container's init.
 *
 * The split is for speed: compiling a docker-size profile with libseccomp
 * costs ~11 ms, loading a cached program well under a millisecond, and
 * installing it is one seccomp(2) call.  seccomp_prepare() runs BEFORE clone,
 * so the init never touches libseccomp, never allocates for seccomp and
 * inherits the program in its copy of the parent's memory.
 *
 * The program returns ENOSYS (not the default EPERM) for syscalls newer than
 * the newest one the profile names, so libc falls back from e.g. clone3 to
 * clone: see "ENOSYS stub" in seccomp.c.
 */
#ifndef SILO_SECCOMP_FILTER_H
#define SILO_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct sock_filter;

#define SILO_SHA256_LEN 32

/* A ready-to-load BPF program plus its seccomp(2) flags. */
struct seccomp_prog;

/*
 * Compile s, or load it from cache_dir (may be NULL: no cache).  The cache
 * directory is created 0700 if missing; a cache that cannot be used (not ours,
 * writable by others, I/O error) only costs a compile, never the start.
 * Errors name the profile field: unknown architecture, errnoRet out of range
 * or on an action that cannot carry it, SCMP_ACT_NOTIFY as the default action,
 * a flag the kernel lacks, a rule libseccomp refuses.  When the parser found
 * the program in the cache (s->cached, spec_load_cached), that program moves
 * to *out; a second call for such an s fails (its rules were never built).
 */
int seccomp_prepare(struct spec_seccomp *s, const char *cache_dir, struct seccomp_prog **out,
		    struct silo_error *err);

/*
 * Load p into the calling thread: seccomp(SECCOMP_SET_MODE_FILTER).  The
 * caller has set no_new_privs or still holds CAP_SYS_ADMIN.  Does not
 * allocate; safe in the init between clone and execve.  *listener_fd gets
 * the notify fd (close-on-exec) when p has SCMP_ACT_NOTIFY rules, else -1.
 */
int seccomp_install(const struct seccomp_prog *p, int *listener_fd, struct silo_error *err);

/* p has SCMP_ACT_NOTIFY rules: loading it yields a notify fd for the agent. */
bool seccomp_prog_has_listener(const struct seccomp_prog *p);

/*
 * The parent's side of linux.seccomp.listenerPath, as runc: connect to the
 * agent's unix socket and send one message, the ContainerProcessState JSON
 * {ociVersion, fds: ["seccompFd"], pid, metadata, state} with notify_fd as
 * SCM_RIGHTS.  state_json is the container's state as `state` prints it.
 * Errors name listenerPath.
 */
int seccomp_send_listener(const struct spec_seccomp *s, const char *oci_version, pid_t pid,
			  const char *state_json, int notify_fd, struct silo_error *err);

void seccomp_prog_free(struct seccomp_prog *p);

/*
 * The program cache_dir holds for a profile (spec_seccomp.profile), or NULL:
 * no such directory (it is not made), one we do not trust, no file, or a
 * file that does not verify (format, key, length, checksum) or was compiled
 * from other profile bytes.  Only seccomp_prepare() writes the cache, after a
 * successful compile.
 */
struct seccomp_prog *seccomp_cache_lookup(const uint8_t *profile, size_t profile_len, const char *cache_dir);
/* The cache directory of a runtime state root: ROOT/.cache/seccomp (malloc'd). */
char *seccomp_cache_dir(const char *root);

/* libseccomp's version as "2.5.4" (the library linked in, not the header's). */
const char *seccomp_lib_version(void);

/* Introspection, for logs and tests. */
size_t seccomp_prog_len(const struct seccomp_prog *p);            /* instructions */
const struct sock_filter *seccomp_prog_insns(const struct seccomp_prog *p);
unsigned seccomp_prog_flags(const struct seccomp_prog *p);        /* SECCOMP_FILTER_FLAG_* */
bool seccomp_prog_from_cache(const struct seccomp_prog *p);

/* At most this many compiled programs are kept in a cache directory. */
#define SECCOMP_CACHE_MAX 64

/* The cache file name's hash (FIPS 180-4 SHA-256), exposed for its unit test. */
void silo_sha256(const void *data, size_t len, uint8_t out[SILO_SHA256_LEN]);

/*
 * A JSON value's tree (the parsed linux.seccomp object) as bytes: an
 * unambiguous encoding of every type, key and value in document order
 * (malloc'd, *len bytes).  spec parsing keeps it as the profile's identity in
 * the cache: two profiles that differ in anything get different bytes (key
 * order included: a reordered profile is merely a cache miss).  is_big (may
 * be NULL) tells a negative integer that was a literal above INT64_MAX (the
 * parser reads those as uint64) from one written negative: they differ too.
 */
struct json_t;
uint8_t *seccomp_json_canon(const struct json_t *o, bool (*is_big)(const void *ctx, uint64_t v), const void *ctx,
			    size_t *len);

#endif
