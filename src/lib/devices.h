/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal interface between rootfs.c and devices.c (not a library API).
 *
 * devices.c fills the container's /dev; it needs one mount primitive of
 * rootfs.c (binding a verified host node, for user namespaces where mknod is
 * refused).
 */
#ifndef SILO_DEVICES_H
#define SILO_DEVICES_H

#include <sys/types.h>

#include "error.h"
#include "rootfs.h"
#include "spec.h"

/*
 * Populate /dev inside root_fd (before pivot_root, host paths still
 * visible): the default nodes null, zero, full, random, urandom, tty, the
 * symlinks ptmx, fd, stdin, stdout, stderr (and core when the host has
 * /proc/kcore), /dev/console as an empty file when opts->console, then
 * spec->linux.devices.  /dev itself must be a real directory.
 */
int dev_setup(int root_fd, const struct spec *spec, const struct rootfs_opts *opts,
	      struct silo_error *err);

/*
 * Bind the host's node host_path onto dst_fd, after checking on the opened
 * host node that it is of file type `type` (S_IFCHR, S_IFBLK, S_IFIFO) and,
 * for devices, of number rdev.
 */
int rootfs_bind_host_node(const char *host_path, mode_t type, dev_t rdev, int dst_fd,
			  struct silo_error *err);

#endif
