/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's mount tree: everything rootfs_setup() does (see rootfs.h),
 * in the container's init, inside its new mount namespace.
 *
 * Every mount lands on a descriptor.  The destination is resolved inside the
 * root with fs.h (never as a path string), then:
 *   - new mount API (Linux >= 5.12): open_tree(OPEN_TREE_CLONE) for binds,
 *     fsopen/fsconfig/fsmount for new filesystems, move_mount onto the
 *     destination fd, mount_setattr for flags (which keeps locked flags by
 *     construction and does rro & co. with AT_RECURSIVE);
 *   - classic API: mount(2) with /proc/self/fd/N as source and target, the
 *     flags of a bind in a second MS_REMOUNT|MS_BIND step that repeats the
 *     flags the mount already has (statvfs), as locked flags require.
 * Feature probes are done once per process (fs.c).  No mountinfo parsing on
 * the normal path; only --no-pivot reads it, to hide the host's procfs and
 * sysfs as runc does.
 *
 * Destination rules (the CVE-2019-16884/19921, 2023-27561 classes):
 *   - /proc, /sys and /dev, and anything beneath them, are reached through
 *     the top directory opened with O_NOFOLLOW: a symlinked /proc, /sys or
 *     /dev is refused ("destination is a symlink"), never followed, and what
 *     lies beneath is resolved with that directory as the root;
 *   - only procfs may be mounted on /proc itself (type proc, or a bind whose
 *     source is procfs); beneath /proc only the files lxcfs emulates
 *     (cpuinfo, meminfo, ...), like runc's checkProcMount;
 *   - elsewhere an existing destination is opened following symlinks
 *     *inside* the root (as runc's SecureJoin does: an image's
 *     /etc/resolv.conf -> ../run/resolv.conf mounts on its target); a missing
 *     one is created, and a dangling final symlink is refused, not followed.
 *
 * New filesystems mounted read-only (a ro /dev tmpfs, say) are mounted
 * writable and made read-only once everything beneath them is in place;
 * binds are made read-only at once (they are host data: nothing may be
 * created in them).  tmpcopyup fills a new tmpfs from the directory it hides
 * before it is attached.
 *
 * After pivot_root: maskedPaths get the container's /dev/null, checked to be
 * char 1:3 (CVE-2025-31133), bound on files, and one read-only tmpfs, cloned,
 * on directories; readonlyPaths get a recursive bind on themselves made
 * read-only (mount_setattr keeps nosuid/nodev/noexec); a missing path is
 * skipped, a repeated one done once.
 */
/* glibc's <sys/mount.h> first: syscalls.h only fills in what it lacks. */
#include <sys/mount.h>

#include "syscalls.h"

#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "devices.h"
#include "fs.h"
#include "log.h"
#include "rootfs.h"
#include "util.h"

#define ATIME_MS (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)
#define PROPAGATION_MS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Attributes of one mount, in mount_setattr's terms. */
struct mnt_attr {
	uint64_t set, clr;          /* the mount itself */
	uint64_t rec_set, rec_clr;  /* the whole tree: rro, rnosuid, ... */
	uint64_t propagation;       /* MS_SHARED, MS_SLAVE, ... or 0 */
	bool prop_rec;
};

struct deferred_ro {
	int mnt_fd;                 /* new API: the mount; classic: -1 */
	char *dest;
};

struct rootfs {
	const struct spec *spec;
	const struct rootfs_opts *opts;
	int root_fd;                /* the rootfs mount; "/" after pivot_root */
	bool new_api;
	bool proc_fd_cwd;           /* classic API after pivot: cwd is /proc/thread-self/fd */
	struct deferred_ro *ro;
	size_t n_ro;
};

/* ------------------------------------------------------------ attributes */

static uint64_t ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;

	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	return a;
}

/* The inverse, for the classic API; `atime` says whether the atime field is
 * being set (MOUNT_ATTR_RELATIME is 0, so it cannot be seen in a). */
static unsigned long attr_to_ms(uint64_t a, bool atime)
{
	unsigned long ms = 0;

	if (a & MOUNT_ATTR_RDONLY)
		ms |= MS_RDONLY;
	if (a & MOUNT_ATTR_NOSUID)
		ms |= MS_NOSUID;
	if (a & MOUNT_ATTR_NODEV)
		ms |= MS_NODEV;
	if (a & MOUNT_ATTR_NOEXEC)
		ms |= MS_NOEXEC;
	if (a & MOUNT_ATTR_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (a & MOUNT_ATTR_NOSYMFOLLOW)
		ms |= MS_NOSYMFOLLOW;
	if (atime) {
		switch (a & MOUNT_ATTR__ATIME) {
		case MOUNT_ATTR_NOATIME:
			ms |= MS_NOATIME;
			break;
		case MOUNT_ATTR_STRICTATIME:
			ms |= MS_STRICTATIME;
			break;
		default:
			ms |= MS_RELATIME;
			break;
		}
	}
	return ms;
}

static void attr_from_opts(const struct mount_opts *o, struct mnt_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->set = ms_to_attr(o->flags);
	a->clr = ms_to_attr(o->clear) & ~a->set & ~(uint64_t)MOUNT_ATTR__ATIME;
	/* mount_setattr takes the atime field whole: clear all of it to set
	 * (or reset) any value. */
	if ((o->flags | o->clear) & ATIME_MS)
		a->clr |= MOUNT_ATTR__ATIME;
	if (o->extensions & SPEC_MOUNT_NOSYMFOLLOW)
		a->set |= MOUNT_ATTR_NOSYMFOLLOW;
	a->rec_set = o->rec_set;
	a->rec_clr = o->rec_clr;
	if ((a->rec_set | a->rec_clr) & MOUNT_ATTR__ATIME)
		a->rec_clr |= MOUNT_ATTR__ATIME;
	a->propagation = o->propagation & PROPAGATION_MS;
	a->prop_rec = (o->propagation & MS_REC) != 0;
}

static int setattr_fd(int fd, unsigned int flags, uint64_t set, uint64_t clr, uint64_t prop)
{
	struct silo_mount_attr a = { .attr_set = set, .attr_clr = clr, .propagation = prop };

	return sys_mount_setattr(fd, "", AT_EMPTY_PATH | flags, &a);
}

/* New API: attributes of an attached mount. */
static int apply_attr_fd(int mfd, const struct mnt_attr *a, struct silo_error *err)
{
	if ((a->set || a->clr) && setattr_fd(mfd, 0, a->set, a->clr, 0) < 0)
		return silo_error(err, errno, "set mount attributes");
	if ((a->rec_set || a->rec_clr) &&
	    setattr_fd(mfd, AT_RECURSIVE, a->rec_set, a->rec_clr, 0) < 0)
		return silo_error(err, errno, "set recursive mount attributes");
	if (a->propagation &&
	    setattr_fd(mfd, a->prop_rec ? AT_RECURSIVE : 0, 0, 0, a->propagation) < 0)
		return silo_error(err, errno, "set mount propagation");
	return 0;
}

/* The per-mount flags a classic remount must repeat to keep them: in a user
 * namespace, dropping a locked one is EPERM. */
static unsigned long current_ms_flags(int fd)
{
	struct statvfs sv;
	unsigned long ms = 0;

	if (fstatvfs(fd, &sv) < 0)
		return 0;
	ms = sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NODIRATIME);
	if (sv.f_flag & ST_NOATIME)
		ms |= MS_NOATIME;
	else if (sv.f_flag & ST_RELATIME)
		ms |= MS_RELATIME;
	else
		ms |= MS_STRICTATIME;
	return ms;
}

/* Classic API: change the flags of the mount whose root fd is `top`. */
static int classic_remount(int top, uint64_t set, uint64_t clr, struct silo_error *err)
{
	bool atime = (clr & MOUNT_ATTR__ATIME) != 0;
	unsigned long ms = current_ms_flags(top);
	char buf[64];

	if (atime)
		ms &= ~(unsigned long)ATIME_MS;
	ms &= ~attr_to_ms(clr & ~(uint64_t)MOUNT_ATTR__ATIME, false);
	ms |= attr_to_ms(set, atime);
	if (mount(NULL, fs_fd_path(top, buf, sizeof(buf)), NULL, MS_REMOUNT | MS_BIND | ms, NULL) < 0)
		return silo_error(err, errno, "remount");
	return 0;
}

/* Classic API: the attributes of the mount now on `dest`, reopened. */
static int classic_apply(struct rootfs *r, const char *dest, const struct mnt_attr *a,
			 struct silo_error *err)
{
	cleanup_close int top = -1;
	char buf[64];

	if (!(a->set || a->clr || a->rec_set || a->rec_clr || a->propagation))
		return 0;
	if (a->rec_set || a->rec_clr)
		return silo_error_errnum(err, ENOSYS, "recursive mount options (rro, ...) need mount_setattr (linux 5.12)");
	top = fs_open_in_root(r->root_fd, dest, O_PATH, 0, err);
	if (top < 0)
		return -1;
	if ((a->set || a->clr) && classic_remount(top, a->set, a->clr, err) < 0)
		return -1;
	if (a->propagation &&
	    mount(NULL, fs_fd_path(top, buf, sizeof(buf)), NULL,
		  a->propagation | (a->prop_rec ? MS_REC : 0), NULL) < 0)
		return silo_error(err, errno, "set mount propagation");
	return 0;
}

/* ------------------------------------------------------------ primitives */

static int attach(int mfd, int dst, struct silo_error *err)
{
	if (sys_move_mount(mfd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return silo_error(err, errno, "move_mount");
	return 0;
}

/* The fs context's own message ("tmpfs: Bad value for 'size'"), if any. */
static int fsconfig_fail(int fsfd, struct silo_error *err, const char *what)
{
	int e = errno;
	char log[256];
	ssize_t n = read(fsfd, log, sizeof(log) - 1);

	if (n > 2) {
		log[n] = '\0';
		log[strcspn(log, "\n")] = '\0';
		return silo_error(err, e, "%s (%s)", what, log + 2);
	}
	return silo_error(err, e, "%s", what);
}

/* Hand the comma-separated fs data to fsconfig, one key at a time.  A value
 * in double quotes may hold commas (SELinux contexts). */
static int config_data(int fsfd, const char *data, struct silo_error *err)
{
	cleanup_free char *copy = xstrdup(data);
	char *p = copy;

	while (*p != '\0') {
		char *key = p, *eq;
		bool quoted = false;
		int r;

		for (; *p != '\0' && (quoted || *p != ','); p++)
			if (*p == '"')
				quoted = !quoted;
		if (*p != '\0')
			*p++ = '\0';
		if (*key == '\0')
			continue;
		eq = strchr(key, '=');
		if (eq != NULL) {
			*eq = '\0';
			r = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, key, eq + 1, 0);
			*eq = '=';
		} else {
			r = sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0);
		}
		if (r < 0)
			return fsconfig_fail(fsfd, err, key);
	}
	return 0;
}

static const struct {
	unsigned long ms;
	const char *key;
} sb_flag_keys[] = {
	{ MS_SYNCHRONOUS, "sync" }, { MS_DIRSYNC, "dirsync" }, { MS_LAZYTIME, "lazytime" },
	{ MS_MANDLOCK, "mand" },    { MS_SILENT, "silent" },   { MS_I_VERSION, "iversion" },
};

/* New API: a detached mount of a new filesystem. */
static int fs_make(const char *type, const char *source, const char *data, unsigned long ms,
		   uint64_t attr, struct silo_error *err)
{
	cleanup_close int fsfd = sys_fsopen(type, FSOPEN_CLOEXEC);
	int mfd;

	if (fsfd < 0)
		return silo_error(err, errno, "fsopen %s", type);
	if (source != NULL && sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return fsconfig_fail(fsfd, err, "source");
	for (size_t i = 0; i < ARRAY_SIZE(sb_flag_keys); i++)
		if ((ms & sb_flag_keys[i].ms) &&
		    sys_fsconfig(fsfd, FSCONFIG_SET_FLAG, sb_flag_keys[i].key, NULL, 0) < 0)
			return fsconfig_fail(fsfd, err, sb_flag_keys[i].key);
	if (data != NULL && config_data(fsfd, data, err) < 0)
		return -1;
	if (sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return fsconfig_fail(fsfd, err, "create");
	mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned int)attr);
	if (mfd < 0)
		return silo_error(err, errno, "fsmount");
	return mfd;
}

static void push_ro(struct rootfs *r, int mfd, const char *dest)
{
	r->ro = xreallocarray(r->ro, r->n_ro + 1, sizeof(*r->ro));
	r->ro[r->n_ro].mnt_fd = mfd;
	r->ro[r->n_ro].dest = dest != NULL ? xstrdup(dest) : NULL;
	r->n_ro++;
}

/*
 * Mount a new filesystem on dst (dest names it inside the root, for the
 * classic API's reopen).  a->set goes to the mount at once except
 * MOUNT_ATTR_RDONLY when defer_ro, which is applied by apply_deferred_ro().
 */
static int new_fs(struct rootfs *r, const char *type, const char *source, const char *data,
		  unsigned long ms, const struct mnt_attr *a, int dst, const char *dest,
		  bool defer_ro, int copy_from, struct silo_error *err)
{
	struct mnt_attr later = *a;
	uint64_t now = a->set;
	char buf[64];

	if (defer_ro)
		now &= ~(uint64_t)MOUNT_ATTR_RDONLY;
	later.set = later.clr = 0;
	if (source == NULL)
		source = type;
	if (r->new_api) {
		cleanup_close int mfd = fs_make(type, source, data, ms, now, err);
		struct stat st;

		if (mfd < 0)
			return -1;
		if (copy_from >= 0 && fs_copy_tree(copy_from, mfd, 0) < 0)
			return silo_error(err, errno, "tmpcopyup");
		if (attach(mfd, dst, err) < 0) {
			if (err->errnum == EINVAL && fstat(dst, &st) == 0 && !S_ISDIR(st.st_mode))
				return silo_error_errnum(err, ENOTDIR, "destination is not a directory");
			return -1;
		}
		if (apply_attr_fd(mfd, &later, err) < 0)
			return -1;
		if (defer_ro)
			push_ro(r, take_fd(&mfd), dest);
		return 0;
	}
	ms &= MS_SYNCHRONOUS | MS_DIRSYNC | MS_LAZYTIME | MS_MANDLOCK | MS_SILENT | MS_I_VERSION;
	ms |= attr_to_ms(now, (a->clr & MOUNT_ATTR__ATIME) != 0);
	if (mount(source, fs_fd_path(dst, buf, sizeof(buf)), type, ms, data) < 0)
		return errno == ENOTDIR ? silo_error_errnum(err, ENOTDIR, "destination is not a directory")
					: silo_error(err, errno, "mount");
	if (copy_from >= 0) {
		cleanup_close int top = fs_open_in_root(r->root_fd, dest, O_RDONLY | O_DIRECTORY, 0, err);

		if (top < 0)
			return -1;
		if (fs_copy_tree(copy_from, top, 0) < 0)
			return silo_error(err, errno, "tmpcopyup");
	}
	if (dest != NULL && classic_apply(r, dest, &later, err) < 0)
		return -1;
	if (defer_ro)
		push_ro(r, -1, dest);
	return 0;
}

/* The source of a bind, opened in the host's view (we are before pivot). */
static int open_bind_source(struct rootfs *r, const char *path, bool recursive,
			    struct silo_error *err)
{
	int fd;

	if (r->new_api)
		fd = sys_open_tree(AT_FDCWD, path,
				   OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	else
		fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return silo_error(err, errno, "open %s", path);
	return fd;
}

/* Put the source opened by open_bind_source() on dst, then its attributes. */
static int bind_onto(struct rootfs *r, int src, bool recursive, int dst, const char *dest,
		     const struct mnt_attr *a, struct silo_error *err)
{
	char sb[64], db[64];

	if (r->new_api)
		return attach(src, dst, err) < 0 ? -1 : apply_attr_fd(src, a, err);
	if (mount(fs_fd_path(src, sb, sizeof(sb)), fs_fd_path(dst, db, sizeof(db)), NULL,
		  MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return silo_error(err, errno, "mount");
	return classic_apply(r, dest, a, err);
}

int rootfs_bind_host_node(const char *host_path, mode_t type, dev_t rdev, int dst_fd,
			  struct silo_error *err)
{
	cleanup_close int src = -1;
	bool new_api = fs_new_mount_api();
	struct stat st;
	char sb[64], db[64];

	if (new_api)
		src = sys_open_tree(AT_FDCWD, host_path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	else
		src = open(host_path, O_PATH | O_CLOEXEC);
	if (src < 0)
		return silo_error(err, errno, "open %s", host_path);
	if (fstat(src, &st) < 0)
		return silo_error(err, errno, "stat %s", host_path);
	if ((st.st_mode & S_IFMT) != type || (type != S_IFIFO && st.st_rdev != rdev))
		return silo_error_errnum(err, ENODEV, "%s on the host is not the expected device %u:%u",
			    host_path, major(rdev), minor(rdev));
	if (new_api)
		return attach(src, dst_fd, err);
	if (mount(fs_fd_path(src, sb, sizeof(sb)), fs_fd_path(dst_fd, db, sizeof(db)), NULL,
		  MS_BIND, NULL) < 0)
		return silo_error(err, errno, "mount");
	return 0;
}

/* ------------------------------------------------------------ destinations */

/* "proc", "sys" or "dev" when dest is one of them or beneath; *rest is what
 * follows the top component. */
static const char *special_top(const char *dest, const char **rest)
{
	static const char *const tops[] = { "proc", "sys", "dev" };
	const char *p = dest;

	while (*p == '/')
		p++;
	for (size_t i = 0; i < ARRAY_SIZE(tops); i++) {
		size_t l = strlen(tops[i]);

		if (strncmp(p, tops[i], l) == 0 && (p[l] == '\0' || p[l] == '/')) {
			*rest = p + l;
			while (**rest == '/')
				(*rest)++;
			return tops[i];
		}
	}
	return NULL;
}

/* Open /proc, /sys or /dev of the root, which must be a real directory. */
static int open_top_dir(int root_fd, const char *top, bool is_dest, struct silo_error *err)
{
	for (int i = 0; i < 8; i++) {
		int fd = openat(root_fd, top, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		struct stat st;

		if (fd >= 0)
			return fd;
		if (errno == ENOENT) {
			if (mkdirat(root_fd, top, 0755) < 0 && errno != EEXIST)
				return silo_error(err, errno, "create mountpoint /%s", top);
			continue;
		}
		if ((errno == ENOTDIR || errno == ELOOP) &&
		    fstatat(root_fd, top, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
			if (is_dest)
				return silo_error_errnum(err, ELOOP, "destination is a symlink");
			return silo_error_errnum(err, ELOOP, "/%s is a symlink", top);
		}
		return silo_error(err, errno, "open /%s", top);
	}
	return silo_error(err, EAGAIN, "open /%s", top);
}

/* The mount point of dest inside the root, created when missing. */
static int open_dest(struct rootfs *r, const char *dest, bool is_dir, struct silo_error *err)
{
	const char *rest = NULL;
	const char *top = special_top(dest, &rest);
	cleanup_close int top_fd = -1;
	struct silo_error e2;
	int base = r->root_fd, fd;
	const char *path = dest;

	if (top != NULL) {
		top_fd = open_top_dir(r->root_fd, top, *rest == '\0', err);
		if (top_fd < 0)
			return -1;
		if (*rest == '\0')
			return take_fd(&top_fd);
		base = top_fd;
		path = rest;
	}
	fd = fs_open_in_root(base, path, O_PATH, 0, &e2);
	if (fd < 0 && e2.errnum == ENOENT)
		fd = fs_ensure_mountpoint(base, path, is_dir, &e2);
	if (fd < 0) {
		*err = e2;
		if (top != NULL)
			silo_error_ctx(err, "in /%s", top);
		return -1;
	}
	return fd;
}

/* An existing path for maskedPaths and readonlyPaths (O_PATH, never
 * created).  Beneath /proc, /sys or /dev it is reached through the top
 * directory opened O_NOFOLLOW, as mount destinations are: a top swapped for a
 * symlink fails the create instead of making the mask miss its target
 * (ENOENT, skipped) while the real /proc sits unmasked elsewhere in the root
 * (CVE-2019-19921, youki GHSA-3q8j-pf29-vwv8). */
static int open_existing(struct rootfs *r, const char *path, struct silo_error *err)
{
	const char *rest = NULL;
	const char *top = special_top(path, &rest);
	cleanup_close int top_fd = -1;

	if (top == NULL)
		return fs_open_in_root(r->root_fd, path, O_PATH, 0, err);
	/* (not made when missing: then neither is anything beneath) */
	if (faccessat(r->root_fd, top, F_OK, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return silo_error_errnum(err, ENOENT, "/%s does not exist", top);
	top_fd = open_top_dir(r->root_fd, top, false, err);
	if (top_fd < 0)
		return -1;
	if (*rest == '\0')
		return take_fd(&top_fd);
	return fs_open_in_root(top_fd, rest, O_PATH, 0, err);
}

/* runc's checkProcMount: what may be mounted on and beneath /proc. */
static int check_proc_mount(const struct spec_mount *m, bool bind, int src_fd,
			    struct silo_error *err)
{
	static const char *const lxcfs[] = {
		"cpuinfo", "diskstats", "meminfo", "stat", "swaps", "uptime", "loadavg",
		"slabinfo", "sys/kernel/ns_last_pid", "sys/crypto/fips_enabled",
	};
	const char *rest = NULL;
	const char *top = special_top(m->destination, &rest);
	struct statfs sf;

	if (top == NULL || strcmp(top, "proc") != 0)
		return 0;
	if (*rest == '\0') {
		if (!bind)
			return strcmp(m->type, "proc") == 0
				       ? 0
				       : silo_error_errnum(err, EPERM, "only procfs may be mounted on /proc");
		if (fstatfs(src_fd, &sf) < 0)
			return silo_error(err, errno, "statfs %s", m->source);
		if (sf.f_type != PROC_SUPER_MAGIC)
			return silo_error_errnum(err, EPERM, "%s is not procfs: only procfs may be mounted on /proc",
				    m->source);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(lxcfs); i++)
		if (strcmp(rest, lxcfs[i]) == 0)
			return 0;
	return silo_error_errnum(err, EPERM, "refusing a mount inside /proc (only /proc itself and the files "
				"lxcfs emulates may be mounted there)");
}

/* ------------------------------------------------------------ spec mounts */

static bool is_bind(const struct spec_mount *m)
{
	return m->opts.bind || (m->opts.flags & MS_BIND) ||
	       (m->type != NULL && strcmp(m->type, "bind") == 0);
}

static int mount_bind(struct rootfs *r, const struct spec_mount *m, struct silo_error *err)
{
	bool rec = m->opts.recursive || (m->opts.flags & MS_REC);
	cleanup_close int src = -1;
	cleanup_close int dst = -1;
	struct mnt_attr a;
	struct stat st;

	if (m->source == NULL)
		return silo_error_errnum(err, EINVAL, "bind mount without a source");
	src = open_bind_source(r, m->source, rec, err);
	if (src < 0)
		return -1;
	if (fstat(src, &st) < 0)
		return silo_error(err, errno, "stat %s", m->source);
	if (check_proc_mount(m, true, src, err) < 0)
		return -1;
	dst = open_dest(r, m->destination, S_ISDIR(st.st_mode), err);
	if (dst < 0)
		return -1;
	attr_from_opts(&m->opts, &a);
	return bind_onto(r, src, rec, dst, m->destination, &a, err);
}

/* A comma-separated option list without the options starting with prefix. */
static char *without_option(const char *data, const char *prefix)
{
	char *out = xmalloc(strlen(data) + 1), *o = out;

	for (const char *p = data; *p;) {
		size_t n = strcspn(p, ",");

		if (!(n >= strlen(prefix) && strncmp(p, prefix, strlen(prefix)) == 0)) {
			if (o != out)
				*o++ = ',';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
		p += *p == ',';
	}
	*o = '\0';
	return out;
}

static int mount_fs(struct rootfs *r, const struct spec_mount *m, struct silo_error *err)
{
	cleanup_close int dst = -1;
	cleanup_close int copy_from = -1;
	struct mnt_attr a;
	int ret;

	if (check_proc_mount(m, false, -1, err) < 0)
		return -1;
	dst = open_dest(r, m->destination, true, err);
	if (dst < 0)
		return -1;
	attr_from_opts(&m->opts, &a);
	if (m->opts.extensions & SPEC_MOUNT_TMPCOPYUP) {
		if (strcmp(m->type, "tmpfs") != 0)
			return silo_error_errnum(err, EINVAL, "tmpcopyup is only for tmpfs");
		/* What the tmpfs will hide, opened before it does. */
		copy_from = openat(dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (copy_from < 0)
			return silo_error(err, errno, "tmpcopyup: open %s", m->destination);
	}
	ret = new_fs(r, m->type, m->source, m->opts.data, m->opts.flags, &a, dst, m->destination,
		     (a.set & MOUNT_ATTR_RDONLY) != 0, copy_from, err);
	if (ret < 0 && err->errnum == EINVAL && r->opts->userns && strcmp(m->type, "devpts") == 0 &&
	    m->opts.data && strstr(m->opts.data, "gid=")) {
		/* The tty group (gid=5) is not mapped in a user namespace of
		 * the caller's ids only: the pts then belong to our gid, as
		 * with runc's and crun's rootless configs. */
		cleanup_free char *data = without_option(m->opts.data, "gid=");

		silo_debug("devpts on %s: %s, again without gid=", m->destination, err->msg);
		ret = new_fs(r, m->type, m->source, data, m->opts.flags, &a, dst, m->destination,
			     (a.set & MOUNT_ATTR_RDONLY) != 0, -1, err);
	}
	if (ret < 0 && err->errnum == EPERM && r->opts->userns &&
	    (strcmp(m->type, "sysfs") == 0 || strcmp(m->type, "mqueue") == 0)) {
		/* A sysfs of a network namespace (an mqueue of an ipc
		 * namespace) we do not own cannot be mounted: show the
		 * host's, as runc does for sysfs (ro when asked). */
		bool sysfs = strcmp(m->type, "sysfs") == 0;
		const char *host = sysfs ? "/sys" : "/dev/mqueue";
		struct silo_error first = *err;
		cleanup_close int src = open_bind_source(r, host, sysfs, err);

		if (src < 0) {
			*err = first;
			return silo_error_ctx(err, "in a user namespace without its own %s namespace, "
					      "and %s cannot be bound", sysfs ? "network" : "ipc", host);
		}
		silo_debug("%s on %s: EPERM, binding the host's %s", m->type, m->destination, host);
		return bind_onto(r, src, sysfs, dst, m->destination, &a, err);
	}
	return ret;
}

/* ------------------------------------------------------------ cgroups */

static bool host_is_cgroup2(void)
{
	static int state = -1;
	struct statfs sf;

	if (state < 0)
		state = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
	return state == 1;
}

/* The directory name under /sys/fs/cgroup and the cgroup fs options of one
 * hierarchy, from the name cgroup_paths() gives ("cpu,cpuacct",
 * "name=systemd", "systemd", "unified" or "" for cgroup2). */
static void hierarchy_names(const char *ctrl, char **dir, char **options, bool *v2)
{
	*v2 = ctrl == NULL || ctrl[0] == '\0' || strcmp(ctrl, "unified") == 0;
	if (*v2) {
		*dir = xstrdup("unified");
		*options = NULL;
	} else if (str_has_prefix(ctrl, "name=")) {
		*dir = xstrdup(ctrl + 5);
		*options = xstrdup(ctrl);
	} else if (strcmp(ctrl, "systemd") == 0) {
		*dir = xstrdup(ctrl);
		*options = xstrdup("name=systemd");
	} else {
		*dir = xstrdup(ctrl);
		*options = xstrdup(ctrl);
	}
}

/* Co-mounted controllers ("cpu,cpuacct") also get one symlink per name. */
static void comount_links(int tfd, const char *dir)
{
	cleanup_free char *copy = NULL;
	char *save = NULL;

	if (strchr(dir, ',') == NULL)
		return;
	copy = xstrdup(dir);
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save))
		if (symlinkat(dir, tfd, t) < 0 && errno != EEXIST)
			silo_debug("cgroup symlink %s -> %s: %m", t, dir);
}

/* One hierarchy of the v1 tree, new API: the container's cgroup (or, in
 * its cgroup namespace, the hierarchy itself) attached by name in our own
 * fresh tmpfs, where nothing else can have put a symlink. */
static int cgroup_v1_entry_new(struct rootfs *r, size_t i, int tfd, const char *dir,
			       const char *options, bool v2, struct silo_error *err)
{
	cleanup_close int src = -1;

	if (r->opts->cgroupns)
		src = fs_make(v2 ? "cgroup2" : "cgroup", "cgroup", options, 0, 0, err);
	else
		src = open_bind_source(r, r->opts->cgroup_dirs[i], false, err);
	if (src < 0)
		return -1;
	if (sys_move_mount(src, "", tfd, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return silo_error(err, errno, "move_mount");
	return 0;
}

/* The same with the classic API, attributes per mount. */
static int cgroup_v1_entry_classic(struct rootfs *r, size_t i, int tfd, const char *dir,
				   const char *options, bool v2, const char *dest,
				   const struct mnt_attr *a, struct silo_error *err)
{
	cleanup_close int sub = openat(tfd, dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int src = -1;

	if (sub < 0)
		return silo_error(err, errno, "open %s", dest);
	if (r->opts->cgroupns)
		return new_fs(r, v2 ? "cgroup2" : "cgroup", "cgroup", options, 0, a, sub, dest, false,
			      -1, err);
	src = open_bind_source(r, r->opts->cgroup_dirs[i], false, err);
	return src < 0 ? -1 : bind_onto(r, src, false, sub, dest, a, err);
}

/*
 * cgroup v1 (or hybrid): a tmpfs on dst, then per hierarchy a directory with
 * either the container's own cgroup bound on it (no cgroup namespace) or the
 * hierarchy mounted (in the container's cgroup namespace, it shows the
 * container's cgroup as its root).  With the new API the mount's attributes
 * (ro, nosuid, ...) go to the whole tree in one recursive mount_setattr.
 */
static int cgroup_v1_tree(struct rootfs *r, const struct spec_mount *m, const struct mnt_attr *a,
			  int dst, struct silo_error *err)
{
	const struct rootfs_opts *o = r->opts;
	struct mnt_attr ta = { .set = a->set & ~(uint64_t)MOUNT_ATTR_RDONLY, .clr = a->clr };
	cleanup_close int tfd = -1;

	if (r->new_api) {
		tfd = fs_make("tmpfs", "cgroup", "mode=755", 0, 0, err);
		if (tfd < 0 || attach(tfd, dst, err) < 0)
			return -1;
	} else {
		if (new_fs(r, "tmpfs", "cgroup", "mode=755", 0, &ta, dst, NULL, false, -1, err) < 0)
			return -1;
		tfd = fs_open_in_root(r->root_fd, m->destination, O_PATH | O_DIRECTORY, 0, err);
		if (tfd < 0)
			return -1;
	}
	for (size_t i = 0; i < o->n_cgroups; i++) {
		cleanup_free char *dir = NULL;
		cleanup_free char *options = NULL;
		cleanup_free char *dest = NULL;
		bool v2;
		int ret;

		hierarchy_names(o->cgroup_controllers[i], &dir, &options, &v2);
		dest = xasprintf("%s/%s", m->destination, dir);
		if (mkdirat(tfd, dir, 0755) < 0 && errno != EEXIST)
			return silo_error(err, errno, "mkdir %s", dest);
		if (r->new_api)
			ret = cgroup_v1_entry_new(r, i, tfd, dir, options, v2, err);
		else
			ret = cgroup_v1_entry_classic(r, i, tfd, dir, options, v2, dest, a, err);
		if (ret < 0)
			return silo_error_ctx(err, "%s", dest);
		comount_links(tfd, dir);
	}
	if (r->new_api) {
		struct mnt_attr rest = *a;

		if ((a->set || a->clr) && setattr_fd(tfd, AT_RECURSIVE, a->set, a->clr, 0) < 0)
			return silo_error(err, errno, "set mount attributes");
		rest.set = rest.clr = 0;
		return apply_attr_fd(tfd, &rest, err);
	}
	if (!(a->set & MOUNT_ATTR_RDONLY))
		return 0;
	return classic_remount(tfd, MOUNT_ATTR_RDONLY, 0, err);
}

/* The "cgroup" type: the container sees its own cgroup (read-only when the
 * options say ro), never the host's hierarchy. */
static int mount_cgroup(struct rootfs *r, const struct spec_mount *m, struct silo_error *err)
{
	const struct rootfs_opts *o = r->opts;
	cleanup_close int dst = -1;
	struct mnt_attr a;

	if (o->want_cgroups && o->want_cgroups(o->want_cgroups_data, err) < 0)
		return -1;
	dst = open_dest(r, m->destination, true, err);
	if (dst < 0)
		return -1;
	attr_from_opts(&m->opts, &a);
	/* No cgroup of our own (rootless without permission, or no cgroup
	 * manager): whatever shows there is not the container's to change
	 * (CVE-2023-25809): read-only, whatever the options say. */
	if (o->n_cgroups == 0)
		a.set |= MOUNT_ATTR_RDONLY;
	if (!host_is_cgroup2())
		return cgroup_v1_tree(r, m, &a, dst, err);
	if (o->cgroupns)
		return new_fs(r, "cgroup2", "cgroup", NULL, 0, &a, dst, m->destination, false, -1,
			      err);
	if (o->n_cgroups > 0) {
		cleanup_close int src = open_bind_source(r, o->cgroup_dirs[0], false, err);

		return src < 0 ? -1 : bind_onto(r, src, false, dst, m->destination, &a, err);
	}
	/* No cgroup of our own to show and no namespace: an empty ro tmpfs
	 * rather than the host's hierarchy (CVE-2023-25809). */
	return new_fs(r, "tmpfs", "cgroup", "mode=755", 0, &a, dst, m->destination, false, -1,
		      err);
}

static int mount_one(struct rootfs *r, const struct spec_mount *m, struct silo_error *err)
{
	bool bind = is_bind(m);
	int ret;

	if (m->opts.extensions & (SPEC_MOUNT_IDMAP | SPEC_MOUNT_RIDMAP))
		ret = silo_error_errnum(err, ENOTSUP, "idmapped mounts are not supported");
	else if (bind)
		ret = mount_bind(r, m, err);
	else if (m->type == NULL)
		ret = silo_error_errnum(err, EINVAL, "no type and no bind option");
	else if (strcmp(m->type, "cgroup") == 0)
		ret = mount_cgroup(r, m, err);
	else
		ret = mount_fs(r, m, err);
	if (ret < 0)
		return silo_error_ctx(err, "mount %s on %s",
				      bind ? (m->source ? m->source : "(none)")
					   : (m->type ? m->type : "(none)"),
				      m->destination);
	return 0;
}

static int apply_deferred_ro(struct rootfs *r, struct silo_error *err)
{
	for (size_t i = 0; i < r->n_ro; i++) {
		struct deferred_ro *d = &r->ro[i];
		cleanup_close int top = -1;

		if (d->mnt_fd >= 0) {
			if (setattr_fd(d->mnt_fd, 0, MOUNT_ATTR_RDONLY, 0, 0) < 0)
				return silo_error(err, errno, "make %s read-only", d->dest);
			continue;
		}
		top = fs_open_in_root(r->root_fd, d->dest, O_PATH, 0, err);
		if (top < 0 || classic_remount(top, MOUNT_ATTR_RDONLY, 0, err) < 0)
			return silo_error_ctx(err, "make %s read-only", d->dest);
	}
	return 0;
}

/* ------------------------------------------------------------ the root */

/* pivot_root refuses a shared parent: with a shared rootfsPropagation, make
 * the mount holding the rootfs private (runc's rootfsParentMountPrivate).
 * Its root is found by walking up while the mount id stays the same. */
static int make_parent_private(const char *root_path, struct silo_error *err)
{
	cleanup_free char *p = xstrdup(root_path);
	struct statx sx, px;

	if (statx(AT_FDCWD, p, 0, STATX_MNT_ID, &sx) < 0)
		return silo_error(err, errno, "stat %s", root_path);
	while (strcmp(p, "/") != 0) {
		char *slash = strrchr(p, '/');
		cleanup_free char *parent = xstrndup(p, slash == p ? 1 : (size_t)(slash - p));

		if (statx(AT_FDCWD, parent, 0, STATX_MNT_ID, &px) < 0)
			return silo_error(err, errno, "stat %s", parent);
		if (px.stx_mnt_id != sx.stx_mnt_id)
			break;
		free(p);
		p = steal_pointer(&parent);
	}
	if (mount(NULL, p, NULL, MS_PRIVATE, NULL) < 0)
		return silo_error(err, errno, "make %s private", p);
	return 0;
}

/* Steps 1 and 2: nothing propagates back to the host; the rootfs becomes a
 * mount of its own (pivot_root needs one) and our anchor. */
static int prepare_root(struct rootfs *r, struct silo_error *err)
{
	unsigned long prop = r->spec->linux.rootfs_propagation;
	cleanup_close int dir = -1;
	cleanup_free char *real = NULL;

	if (prop == 0)
		prop = MS_SLAVE | MS_REC;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return silo_error(err, errno, "set the propagation of /");
	if ((prop & MS_SHARED) && make_parent_private(r->spec->root_path, err) < 0)
		return -1;

	dir = open(r->spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return silo_error(err, errno, "open rootfs %s", r->spec->root_path);
	if (r->new_api) {
		r->root_fd = sys_open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
						    AT_EMPTY_PATH);
		if (r->root_fd < 0)
			return silo_error(err, errno, "bind rootfs %s", r->spec->root_path);
		if (attach(r->root_fd, dir, err) < 0)
			return silo_error_ctx(err, "bind rootfs %s", r->spec->root_path);
		return 0;
	}
	{
		char buf[64];

		real = xstrdup(fs_fd_path(dir, buf, sizeof(buf)));
		if (mount(real, real, NULL, MS_BIND | MS_REC, NULL) < 0)
			return silo_error(err, errno, "bind rootfs %s", r->spec->root_path);
	}
	r->root_fd = open(r->spec->root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->root_fd < 0)
		return silo_error(err, errno, "open rootfs %s", r->spec->root_path);
	return 0;
}

static int pivot(struct rootfs *r, bool old_root_rslave, struct silo_error *err)
{
	cleanup_close int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (old_root < 0)
		return silo_error(err, errno, "open /");
	if (fchdir(r->root_fd) < 0)
		return silo_error(err, errno, "chdir to the rootfs");
	/* pivot_root(".", ".") stacks the old root on top of the new one; we
	 * then detach it without needing a directory for it (bubblewrap, runc).
	 * rslave first so that the unmount cannot propagate to the host (it is
	 * already, unless rootfsPropagation said otherwise).  Both act on the
	 * old root through a descriptor of it: "." from the new root's
	 * directory names the new root for mount(2), and a recursive rslave
	 * there would turn the container's own rshared mounts private. */
	if (sys_pivot_root(".", ".") < 0)
		return silo_error(err, errno, "pivot_root");
	if (fchdir(old_root) < 0)
		return silo_error(err, errno, "chdir to the old root");
	if (!old_root_rslave && mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return silo_error(err, errno, "make the old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return silo_error(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return silo_error(err, errno, "chdir /");
	return 0;
}

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape_octal(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/*
 * --no-pivot keeps the host's mounts in the namespace, under the moved root.
 * A host procfs or sysfs left there would let the container mount an
 * unmasked procfs (the kernel's mount_too_revealing() check passes), so
 * detach them, or cover them when a user namespace locks them (runc's
 * msMoveRoot does the same).
 */
static int hide_host_proc_sys(struct rootfs *r, struct silo_error *err)
{
	cleanup_free char *info = NULL;
	cleanup_free char *root = NULL;
	char buf[64];
	size_t len, rl;
	char *save = NULL;

	root = xstrdup(r->spec->root_path);
	{
		char link[PATH_MAX];
		ssize_t n = readlink(fs_fd_path(r->root_fd, buf, sizeof(buf)), link, sizeof(link) - 1);

		if (n > 0) {
			link[n] = '\0';
			free(root);
			root = xstrdup(link);
		}
	}
	rl = strlen(root);
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", &info, &len, err) < 0)
		return -1;
	for (char *line = strtok_r(info, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[5], *sep, *fstype, *p = line;
		struct statfs sf;

		for (int i = 0; i < 5; i++)
			f[i] = strsep(&p, " ");
		sep = p != NULL ? strstr(p, " - ") : NULL;
		if (f[4] == NULL || sep == NULL)
			continue;
		fstype = sep + 3;
		fstype[strcspn(fstype, " ")] = '\0';
		if (strcmp(fstype, "proc") != 0 && strcmp(fstype, "sysfs") != 0)
			continue;
		unescape_octal(f[4]);
		if (strncmp(f[4], root, rl) == 0 && (f[4][rl] == '\0' || f[4][rl] == '/'))
			continue;
		if (umount2(f[4], MNT_DETACH) == 0)
			continue;
		/* Locked (user namespace), or already gone with a parent. */
		if (statfs(f[4], &sf) < 0 ||
		    (sf.f_type != PROC_SUPER_MAGIC && sf.f_type != SYSFS_MAGIC))
			continue;
		if (mount("tmpfs", f[4], "tmpfs", MS_RDONLY, NULL) < 0)
			return silo_error(err, errno, "cover the host's %s", f[4]);
	}
	return 0;
}

static int move_root(struct rootfs *r, struct silo_error *err)
{
	if (hide_host_proc_sys(r, err) < 0)
		return -1;
	if (fchdir(r->root_fd) < 0)
		return silo_error(err, errno, "chdir to the rootfs");
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		return silo_error(err, errno, "move the rootfs to /");
	if (chroot(".") < 0)
		return silo_error(err, errno, "chroot");
	if (chdir("/") < 0)
		return silo_error(err, errno, "chdir /");
	return 0;
}

/* ------------------------------------------------------------ after pivot */

static bool seen_before(char *const *v, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(v[j], v[i]) == 0)
			return true;
	return false;
}

/* The classic API names fds as paths for mount(2).  After pivot_root, the
 * string "/proc/self/fd/N" would be resolved through the container's /proc
 * on every call, and a symlink swapped in for /proc (or anything mounted
 * there) would redirect the mount (CVE-2025-52881).  So the directory is
 * opened once, verified (fs_proc_open: a procfs root, no mount or symlink on
 * the way), made the cwd, and fs_fd_path() gives "N" relative to it until
 * rootfs_setup() returns. */
static int check_classic_proc(struct rootfs *r, struct silo_error *err)
{
	cleanup_close int fd = -1;

	if (r->new_api || r->proc_fd_cwd)
		return 0;
	fd = fs_proc_open("thread-self/fd", O_PATH | O_DIRECTORY, err);
	if (fd < 0)
		return silo_error_ctx(err, "the classic mount API needs /proc mounted in the container");
	if (fchdir(fd) < 0)
		return silo_error(err, errno, "chdir to /proc/thread-self/fd");
	fs_fd_path_relative(true);
	r->proc_fd_cwd = true;
	return 0;
}

/* The /dev/null masks are bound from: ours, and checked to be 1:3
 * (CVE-2025-31133: never bind what a symlink there points at). */
static int open_dev_null(struct rootfs *r, struct silo_error *err)
{
	struct stat st;
	int fd = fs_open_in_root(r->root_fd, "/dev/null", O_PATH | O_NOFOLLOW, 0, err);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
		close(fd);
		return silo_error_errnum(err, EPERM, "/dev/null is not the null device (1:3)");
	}
	return fd;
}

struct masker {
	int devnull;                /* verified /dev/null, or -1 */
	int tmpfs;                  /* new API: the first ro tmpfs mask, cloned for the rest */
};

static int mask_dir(struct rootfs *r, struct masker *mk, int fd, struct silo_error *err)
{
	char buf[64];

	if (!r->new_api) {
		if (mount("tmpfs", fs_fd_path(fd, buf, sizeof(buf)), "tmpfs", MS_RDONLY, NULL) < 0)
			return silo_error(err, errno, "mount tmpfs");
		return 0;
	}
	if (mk->tmpfs < 0) {
		mk->tmpfs = fs_make("tmpfs", "tmpfs", "ro", 0, MOUNT_ATTR_RDONLY, err);
		if (mk->tmpfs < 0)
			return -1;
		return attach(mk->tmpfs, fd, err);
	}
	{
		cleanup_close int clone = sys_open_tree(mk->tmpfs, "",
							 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

		if (clone < 0)
			return silo_error(err, errno, "clone the mask tmpfs");
		return attach(clone, fd, err);
	}
}

static int mask_file(struct rootfs *r, struct masker *mk, int fd, struct silo_error *err)
{
	char sb[64], db[64];

	if (mk->devnull < 0) {
		mk->devnull = open_dev_null(r, err);
		if (mk->devnull < 0)
			return -1;
	}
	if (r->new_api) {
		cleanup_close int clone = sys_open_tree(mk->devnull, "",
							 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

		if (clone < 0)
			return silo_error(err, errno, "clone /dev/null");
		return attach(clone, fd, err);
	}
	if (mount(fs_fd_path(mk->devnull, sb, sizeof(sb)), fs_fd_path(fd, db, sizeof(db)), NULL,
		  MS_BIND, NULL) < 0)
		return silo_error(err, errno, "bind /dev/null");
	return 0;
}

static int mask_paths(struct rootfs *r, struct silo_error *err)
{
	const struct spec_linux *l = &r->spec->linux;
	struct masker mk = { .devnull = -1, .tmpfs = -1 };
	int ret = 0;

	if (l->n_masked_paths > 0 && check_classic_proc(r, err) < 0)
		return silo_error_ctx(err, "maskedPaths");
	for (size_t i = 0; i < l->n_masked_paths && ret == 0; i++) {
		const char *path = l->masked_paths[i];
		cleanup_close int fd = -1;
		struct silo_error e2;
		struct stat st;

		if (seen_before(l->masked_paths, i))
			continue;
		fd = open_existing(r, path, &e2);
		if (fd < 0 && e2.errnum == ENOENT)
			continue;
		if (fd < 0) {
			*err = e2;
			ret = -1;
		} else if (fstat(fd, &st) < 0) {
			ret = silo_error(err, errno, "stat %s", path);
		} else {
			ret = S_ISDIR(st.st_mode) ? mask_dir(r, &mk, fd, err) : mask_file(r, &mk, fd, err);
		}
		if (ret < 0)
			silo_error_ctx(err, "mask %s", path);
	}
	if (mk.devnull >= 0)
		close(mk.devnull);
	if (mk.tmpfs >= 0)
		close(mk.tmpfs);
	return ret;
}

static int readonly_path(struct rootfs *r, const char *path, int fd, struct silo_error *err)
{
	char buf[64];

	if (r->new_api) {
		cleanup_close int clone = sys_open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
									AT_RECURSIVE | AT_EMPTY_PATH);

		if (clone < 0)
			return silo_error(err, errno, "bind");
		/* mount_setattr keeps nosuid/nodev/noexec as they are. */
		if (setattr_fd(clone, AT_RECURSIVE, MOUNT_ATTR_RDONLY, 0, 0) < 0)
			return silo_error(err, errno, "set read-only");
		return attach(clone, fd, err);
	}
	{
		cleanup_close int top = -1;

		fs_fd_path(fd, buf, sizeof(buf));
		if (mount(buf, buf, NULL, MS_BIND | MS_REC, NULL) < 0)
			return silo_error(err, errno, "bind");
		top = open_existing(r, path, err);
		if (top < 0)
			return -1;
		return classic_remount(top, MOUNT_ATTR_RDONLY, 0, err);
	}
}

static int readonly_paths(struct rootfs *r, struct silo_error *err)
{
	const struct spec_linux *l = &r->spec->linux;

	if (l->n_readonly_paths > 0 && check_classic_proc(r, err) < 0)
		return silo_error_ctx(err, "readonlyPaths");
	for (size_t i = 0; i < l->n_readonly_paths; i++) {
		const char *path = l->readonly_paths[i];
		cleanup_close int fd = -1;
		struct silo_error e2;

		if (seen_before(l->readonly_paths, i))
			continue;
		fd = open_existing(r, path, &e2);
		if (fd < 0 && e2.errnum == ENOENT)
			continue;
		if (fd < 0) {
			*err = e2;
			return silo_error_ctx(err, "make %s read-only", path);
		}
		if (readonly_path(r, path, fd, err) < 0)
			return silo_error_ctx(err, "make %s read-only", path);
	}
	return 0;
}

static int readonly_root(struct rootfs *r, struct silo_error *err)
{
	if (check_classic_proc(r, err) < 0)
		return silo_error_ctx(err, "root.readonly");
	if (r->new_api) {
		if (setattr_fd(r->root_fd, 0, MOUNT_ATTR_RDONLY, 0, 0) < 0)
			return silo_error(err, errno, "make / read-only");
		return 0;
	}
	if (classic_remount(r->root_fd, MOUNT_ATTR_RDONLY, 0, err) < 0)
		return silo_error_ctx(err, "make / read-only");
	return 0;
}

/* ------------------------------------------------------------ the plan */

static int setup(struct rootfs *r, struct silo_error *err)
{
	const struct spec *spec = r->spec;
	const struct rootfs_opts *o = r->opts;
	unsigned long prop = spec->linux.rootfs_propagation;

	if (spec->root_path == NULL)
		return silo_error_errnum(err, EINVAL, "root.path is not set");
	if (prepare_root(r, err) < 0)
		return -1;
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (mount_one(r, &spec->mounts[i], err) < 0)
			return -1;
	if (dev_setup(r->root_fd, spec, o, err) < 0)
		return -1;
	if (apply_deferred_ro(r, err) < 0)
		return -1;
	if (o->before_pivot != NULL && o->before_pivot(o->before_pivot_data, err) < 0)
		return -1;
	if ((o->no_pivot ? move_root(r, err)
			 : pivot(r, prop == 0 || prop == (MS_SLAVE | MS_REC), err)) < 0)
		return -1;
	/* A requested propagation also applies to the container's own "/"
	 * (private is already what pivot_root left). */
	if (prop != 0 && !(prop & MS_PRIVATE) && mount(NULL, "/", NULL, prop, NULL) < 0)
		return silo_error(err, errno, "set the propagation of the container's /");
	if (o->after_pivot != NULL && o->after_pivot(o->after_pivot_data, err) < 0)
		return -1;
	if (mask_paths(r, err) < 0 || readonly_paths(r, err) < 0)
		return -1;
	if (spec->root_readonly && readonly_root(r, err) < 0)
		return -1;
	return 0;
}

int rootfs_setup(const struct spec *spec, const struct rootfs_opts *opts, struct silo_error *err)
{
	static const struct rootfs_opts no_opts;
	struct rootfs r = {
		.spec = spec,
		.opts = opts != NULL ? opts : &no_opts,
		.root_fd = -1,
		.new_api = fs_new_mount_api(),
	};
	int ret = setup(&r, err);

	if (r.proc_fd_cwd) {
		fs_fd_path_relative(false);
		if (chdir("/") < 0 && ret == 0)
			ret = silo_error(err, errno, "chdir /");
	}
	for (size_t i = 0; i < r.n_ro; i++) {
		if (r.ro[i].mnt_fd >= 0)
			close(r.ro[i].mnt_fd);
		free(r.ro[i].dest);
	}
	free(r.ro);
	if (r.root_fd >= 0)
		close(r.root_fd);
	return ret;
}
