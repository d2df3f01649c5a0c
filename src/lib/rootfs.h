/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's filesystem, built inside its new mount namespace by the
 * container's init (the forked child) before it executes the payload.
 *
 * Security rule (MUST): no path inside the rootfs is ever handed to a syscall
 * as a string.  Every lookup goes through fs.h (openat2 RESOLVE_IN_ROOT, or the
 * checked O_PATH walk on old kernels) and every mount lands on an fd
 * (move_mount, or /proc/self/fd/N with the classic API).  A symlink in an image
 * must never make us touch the host.
 */
#ifndef SILO_ROOTFS_H
#define SILO_ROOTFS_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

struct rootfs_opts {
	bool no_pivot;             /* --no-pivot: MS_MOVE + chroot instead of pivot_root */
	bool userns;               /* in a user namespace (the config's, or the runtime runs in
	                              one): mknod is impossible, bind devices */
	bool console;              /* process.terminal: create /dev/console to mount the pty on */
	bool cgroupns;             /* a new cgroup namespace (affects the cgroup mount) */
	/* Host dirs of the container's cgroup, for the "cgroup" mount type
	 * (from cgroup_paths()); n_cgroups may be 0. */
	const char **cgroup_controllers;
	const char **cgroup_dirs;
	size_t n_cgroups;
	/* When set, called before a "cgroup" mount to fill the three fields
	 * above (the init then learns its cgroup only when it needs it, and
	 * builds the rest of its rootfs while the parent still makes the
	 * cgroup).  May be NULL. */
	int (*want_cgroups)(void *data, struct silo_error *err);
	void *want_cgroups_data;
	/* Called after every mount is in place and before pivot_root (the
	 * createContainer hooks run there).  May be NULL. */
	int (*before_pivot)(void *data, struct silo_error *err);
	void *before_pivot_data;

	/* ---- added by the rootfs work (rootfs.c calls it) ----
	 * Called after pivot_root, with cwd and root at the container's "/",
	 * and before maskedPaths, readonlyPaths and root.readonly: the place
	 * for writes under the container's /proc/sys (linux.sysctl), which
	 * readonlyPaths makes read-only.  May be NULL. */
	int (*after_pivot)(void *data, struct silo_error *err);
	void *after_pivot_data;
};

/*
 * Carry out the whole filesystem part of the plan, in this order:
 * rootfsPropagation (default rslave), bind the rootfs onto itself, each of
 * spec->mounts, /dev (default devices, symlinks, linux.devices), before_pivot,
 * pivot_root (or move + chroot), after_pivot, maskedPaths, readonlyPaths,
 * root.readonly.
 * On return the process's root and cwd are the container's "/".
 */
int rootfs_setup(const struct spec *spec, const struct rootfs_opts *opts,
		 struct silo_error *err);

#endif
