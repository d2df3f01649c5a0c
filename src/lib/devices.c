/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's /dev: default nodes, the usual symlinks, /dev/console's
 * mount point and linux.devices (see devices.h).
 *
 * Everything is created with *at() calls relative to descriptors of the root
 * (/dev itself is opened O_NOFOLLOW: an image whose /dev is a symlink to the
 * outside is refused, CVE-2026-41579 / CVE-2026-47766), and every node we
 * create is checked afterwards (file type and device number, on the inode
 * itself) before it is chowned through its descriptor, so that a node swapped
 * under us cannot make us chown something else.  In a user namespace mknod is
 * refused: the host's node is bound onto an empty file instead, after the
 * same check on the host node.  The umask is 0 while nodes are made, so that
 * their modes are exactly the ones asked for.
 */
#include "syscalls.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devices.h"
#include "fs.h"
#include "log.h"
#include "util.h"

static const struct {
	const char *name;
	unsigned int major, minor;
} default_devs[] = {
	{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
	{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
};

static const struct {
	const char *name, *target;
} default_links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

/* /dev of the root, a real directory (created when missing). */
static int open_dev_dir(int root_fd, struct silo_error *err)
{
	for (int i = 0; i < 8; i++) {
		int fd = openat(root_fd, "dev", O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		struct stat st;

		if (fd >= 0)
			return fd;
		if (errno == ENOENT) {
			if (mkdirat(root_fd, "dev", 0755) < 0 && errno != EEXIST)
				return silo_error(err, errno, "mkdir /dev");
			continue;
		}
		if (fstatat(root_fd, "dev", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
			return silo_error_errnum(err, ELOOP, "/dev is a symlink: refusing to populate it");
		return silo_error(err, errno, "open /dev");
	}
	return silo_error(err, EAGAIN, "open /dev");
}

/* Remove whatever non-directory sits at dirfd/name (ENOENT is fine). */
static int remove_entry(int dirfd, const char *name, const char *path, struct silo_error *err)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : silo_error(err, errno, "stat %s", path);
	if (S_ISDIR(st.st_mode))
		return silo_error(err, EISDIR, "replace %s", path);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return silo_error(err, errno, "remove %s", path);
	return 0;
}

/* Is dirfd/name (not followed) of type `type` and, for devices, rdev? */
static bool node_matches(int dirfd, const char *name, mode_t type, dev_t rdev)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       (st.st_mode & S_IFMT) == type && (type == S_IFIFO || st.st_rdev == rdev);
}

/*
 * The user-namespace way: an empty regular file with the host's node bound
 * on it.  host_path is a host path: we are before pivot_root.
 */
static int bind_node(int dirfd, const char *name, const char *path, const char *host_path,
		     mode_t type, dev_t rdev, struct silo_error *err)
{
	cleanup_close int fd = -1;
	struct stat st;

	for (int i = 0; i < 4 && fd < 0; i++) {
		fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return silo_error(err, errno, "create %s", path);
		/* Something is there: keep a regular file, replace the rest. */
		fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		if (remove_entry(dirfd, name, path, err) < 0)
			return -1;
	}
	if (fd < 0)
		return silo_error(err, EAGAIN, "create %s", path);
	if (rootfs_bind_host_node(host_path, type, rdev, fd, err) < 0)
		return silo_error_ctx(err, "bind %s", path);
	return 0;
}

/*
 * mknod dirfd/name (replacing what was there unless it already is the right
 * node), then check what the name now holds.  Returns 1 when mknod is refused
 * (EPERM: a user namespace the caller did not tell us about), 0 when done.
 */
static int make_node(int dirfd, const char *name, const char *path, mode_t type, mode_t mode,
		     dev_t rdev, bool replace_always, struct silo_error *err)
{
	for (int i = 0; i < 4; i++) {
		if (mknodat(dirfd, name, type | mode, rdev) == 0)
			break;
		if (errno == EPERM)
			return 1;
		if (errno != EEXIST)
			return silo_error(err, errno, "mknod %s", path);
		if (!replace_always && node_matches(dirfd, name, type, rdev))
			return 0;
		if (remove_entry(dirfd, name, path, err) < 0)
			return -1;
	}
	if (!node_matches(dirfd, name, type, rdev))
		return silo_error_errnum(err, EXDEV, "%s is not the node just created (raced?)", path);
	return 0;
}

static int default_devices(int dev_fd, const struct spec *spec, bool userns,
			   struct silo_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(default_devs); i++) {
		const char *name = default_devs[i].name;
		dev_t rdev = makedev(default_devs[i].major, default_devs[i].minor);
		char path[32], host[32];
		bool listed = false;
		int r = 1;

		snprintf(path, sizeof(path), "/dev/%s", name);
		/* linux.devices may list it: made there, once. */
		for (size_t j = 0; j < spec->linux.n_devices && !listed; j++)
			listed = strcmp(spec->linux.devices[j].path, path) == 0;
		if (listed)
			continue;
		if (!userns)
			r = make_node(dev_fd, name, path, S_IFCHR, 0666, rdev, false, err);
		if (r < 0)
			return -1;
		snprintf(host, sizeof(host), "/dev/%s", name);
		if (r == 1 && bind_node(dev_fd, name, path, host, S_IFCHR, rdev, err) < 0)
			return -1;
	}
	return 0;
}

static bool host_has_kcore(void)
{
	static int state = -1;

	if (state < 0)
		state = faccessat(AT_FDCWD, "/proc/kcore", F_OK, AT_EACCESS) == 0;
	return state == 1;
}

static int default_links_and_console(int dev_fd, bool console, struct silo_error *err)
{
	struct stat st;

	/* ptmx always goes to the container's devpts instance: replace
	 * whatever the image has there. */
	if (symlinkat("pts/ptmx", dev_fd, "ptmx") < 0) {
		if (errno != EEXIST)
			return silo_error(err, errno, "symlink /dev/ptmx");
		if (remove_entry(dev_fd, "ptmx", "/dev/ptmx", err) < 0)
			return -1;
		if (symlinkat("pts/ptmx", dev_fd, "ptmx") < 0)
			return silo_error(err, errno, "symlink /dev/ptmx");
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_links); i++)
		if (symlinkat(default_links[i].target, dev_fd, default_links[i].name) < 0 &&
		    errno != EEXIST)
			return silo_error(err, errno, "symlink /dev/%s", default_links[i].name);
	if (host_has_kcore() && symlinkat("/proc/kcore", dev_fd, "core") < 0 && errno != EEXIST)
		return silo_error(err, errno, "symlink /dev/core");
	if (!console)
		return 0;
	/* The pty is bound on it later: an empty regular file, nothing else. */
	if (fstatat(dev_fd, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
		return 0;
	if (remove_entry(dev_fd, "console", "/dev/console", err) < 0)
		return -1;
	{
		int fd = openat(dev_fd, "console", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
				0600);

		if (fd < 0)
			return silo_error(err, errno, "create /dev/console");
		close(fd);
	}
	return 0;
}

static int spec_device(int root_fd, const struct spec_device *d, bool userns,
		       struct silo_error *err)
{
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	dev_t rdev = type == S_IFIFO ? 0 : makedev((unsigned int)d->major, (unsigned int)d->minor);
	mode_t mode = d->file_mode.set ? (mode_t)(d->file_mode.v & 07777) : 0666;
	cleanup_free char *clean = fs_clean_path(d->path);
	cleanup_free char *parent = NULL;
	cleanup_close int pfd = -1;
	cleanup_close int fd = -1;
	const char *name;
	struct stat st;
	int r = 1;

	name = strrchr(clean, '/') + 1;
	if (*name == '\0')
		return silo_error_errnum(err, EINVAL, "device path %s names no file", d->path);
	parent = xstrndup(clean, name - clean > 1 ? (size_t)(name - clean - 1) : 1);
	pfd = fs_mkdir_p_in_root(root_fd, parent, 0755, err);
	if (pfd < 0)
		return silo_error_ctx(err, "device %s", d->path);
	if (!userns)
		r = make_node(pfd, name, clean, type, mode, rdev, true, err);
	if (r < 0)
		return -1;
	if (r == 1) {
		/* Bound from the host: never chown or chmod the host's node. */
		if (remove_entry(pfd, name, clean, err) < 0)
			return -1;
		return bind_node(pfd, name, clean, d->path, type, rdev, err);
	}
	if (!(d->uid.set && d->uid.v != 0) && !(d->gid.set && d->gid.v != 0))
		return 0;
	/* Verify on the inode we are about to chown (CVE class: node swap). */
	fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return silo_error(err, errno, "open %s", clean);
	if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != rdev))
		return silo_error_errnum(err, EXDEV, "%s is not the node just created (raced?)", clean);
	if (fchownat(fd, "", d->uid.set ? (uid_t)d->uid.v : (uid_t)-1,
		     d->gid.set ? (gid_t)d->gid.v : (gid_t)-1, AT_EMPTY_PATH) < 0)
		return silo_error(err, errno, "chown %s", clean);
	return 0;
}

static int populate(int root_fd, const struct spec *spec, const struct rootfs_opts *opts,
		    struct silo_error *err)
{
	cleanup_close int dev_fd = open_dev_dir(root_fd, err);

	if (dev_fd < 0)
		return -1;
	if (default_devices(dev_fd, spec, opts->userns, err) < 0)
		return -1;
	if (default_links_and_console(dev_fd, opts->console, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->linux.n_devices; i++)
		if (spec_device(root_fd, &spec->linux.devices[i], opts->userns, err) < 0)
			return silo_error_ctx(err, "linux.devices[%zu]", i);
	return 0;
}

int dev_setup(int root_fd, const struct spec *spec, const struct rootfs_opts *opts,
	      struct silo_error *err)
{
	mode_t old = umask(0);
	int ret = populate(root_fd, spec, opts, err);

	umask(old);
	return ret;
}
