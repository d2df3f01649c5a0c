/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Path resolution that cannot escape a root directory.
 *
 * Everything that touches a path inside a container rootfs goes through these:
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) where the kernel has it
 * (EAGAIN retried), else a component-by-component O_PATH walk that resolves
 * symlinks itself, clamps ".." at the root, and verifies the result through
 * /proc/self/fd.  The fallback is exercised in CI by forcing openat2 to fail.
 */
#ifndef SILO_FS_H
#define SILO_FS_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Open `path` (absolute or relative, interpreted inside root_fd) with flags
 * (O_PATH, O_RDONLY, O_DIRECTORY, O_NOFOLLOW for the last component, ...).
 * O_CLOEXEC is always added.  Returns an fd or -1 with *err set. */
int fs_open_in_root(int root_fd, const char *path, int flags, mode_t mode,
		    struct silo_error *err);

/* mkdir -p inside the root; returns an O_PATH|O_DIRECTORY fd of the last dir.
 * EEXIST of a directory is success (parallel creators, runc#4543). */
int fs_mkdir_p_in_root(int root_fd, const char *path, mode_t mode, struct silo_error *err);

/* Make sure a mount point exists: a directory when is_dir, else an empty
 * regular file (parents created as directories).  Returns an O_PATH fd of it,
 * never following a final symlink. */
int fs_ensure_mountpoint(int root_fd, const char *path, bool is_dir, struct silo_error *err);

/*
 * Open a file under /proc for a write the runtime makes there (sysctl,
 * oom_score_adj, LSM attributes), only through a procfs it verified:
 * /proc must be the ROOT of a procfs (statfs magic PROC_SUPER_MAGIC, inode
 * 1), and `rel` is resolved beneath it without crossing a mount or following
 * a magic link (openat2 RESOLVE_BENEATH | RESOLVE_NO_XDEV |
 * RESOLVE_NO_MAGICLINKS; without openat2 an O_NOFOLLOW walk, "self" and
 * "thread-self" replaced by our pid and tid, that checks the magic and
 * device of every component).
 * A bind mount, tmpfs or symlink put over /proc or anything on the way makes
 * it fail instead of writing elsewhere (CVE-2019-16884, CVE-2025-52881).
 * `rel` is relative ("sys/net/ipv4/ip_forward", "self/oom_score_adj",
 * "thread-self/attr/exec").  O_CLOEXEC|O_NOFOLLOW are added.  Returns an fd,
 * or -1 with *err set ("/proc/<rel>: <reason>").
 */
int fs_proc_open(const char *rel, int flags, struct silo_error *err);

/* Force the fallback path (tests, and kernels that lack openat2). */
void fs_disable_openat2(void);

/* Lexically clean an absolute path: collapse "//", drop ".", resolve ".."
 * without going above "/".  Returns a new string. */
char *fs_clean_path(const char *path);

/* /proc/self/fd/N into buf (for the classic mount API and reopening); just
 * "N" while fs_fd_path_relative(true) is in force, for a caller whose cwd is
 * a verified /proc/thread-self/fd (rootfs.c after pivot_root). */
const char *fs_fd_path(int fd, char *buf, size_t len);
void fs_fd_path_relative(bool on);

/* ------------------------------------------------------------------------
 * Added by the rootfs work (fs.c owns them): the new mount API switch.
 * rootfs.c mounts with open_tree/fsopen/fsmount/move_mount/mount_setattr when
 * the kernel has them (probed once, cached) and with mount(2) onto
 * /proc/self/fd/N otherwise.  fs_disable_new_mount_api() forces the classic
 * path, as fs_disable_openat2() forces the O_PATH walk; the environment
 * variables SILO_TEST_NO_OPENAT2=1 and SILO_TEST_NO_NEW_MOUNT_API=1 (read
 * once, at the first call) do the same for a whole test run.
 */
void fs_disable_new_mount_api(void);
bool fs_new_mount_api(void);

/* Copy the content of directory src_dirfd into dst_dirfd (tmpcopyup):
 * files, directories, symlinks (as symlinks) and nodes, with owner, mode and
 * times, never following a symlink.  depth is 0 for the caller.  Returns -1
 * with errno set. */
int fs_copy_tree(int src_dirfd, int dst_dirfd, int depth);

#endif
