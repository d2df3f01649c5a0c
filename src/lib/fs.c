/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Path resolution that cannot leave a root directory (see fs.h), and the probe
 * of the kernel features it and the mount code depend on.
 *
 * Why hand-written: libpathrs would do the resolution, but it is a Rust
 * library that Debian 12 does not ship, and the whole job is ~400 lines.
 *
 * Two resolvers, one contract:
 *   - openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): the kernel resolves
 *     symlinks and ".." inside the root, race-free.  EAGAIN (a concurrent
 *     rename or mount somewhere in the system) is retried.
 *   - the walk: one O_PATH|O_NOFOLLOW openat per component, symlinks read
 *     and spliced into the remaining path by us (absolute targets restart at
 *     the root), ".." popped from a stack of the directories we actually went
 *     through (so it can never climb above the root), at most 40 symlinks, and
 *     a final check that the result still lies under the root (readlink of
 *     /proc/self/fd/N) unless the root is the process root, where the kernel
 *     itself clamps.  The walk also creates missing directories for
 *     fs_mkdir_p_in_root(), one mkdirat(parent_fd, name) at a time, so a
 *     created directory is always a child of a directory we hold.
 */
#include "syscalls.h"

#include <dirent.h>
#include <linux/magic.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "fs.h"
#include "util.h"

#define FS_MAX_SYMLINKS 40
#define FS_OPENAT2_TRIES 128
#define FS_MKDIR_TRIES 16

/* Feature switches: -1 = not probed yet, 0 = off, 1 = on. */
static int openat2_state = -1;
static int mount_api_state = -1;
static bool env_read;

static bool env_is_one(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && strcmp(v, "1") == 0;
}

/* The test suite forces the fallbacks through the environment; read it once. */
static void read_env_once(void)
{
	if (env_read)
		return;
	env_read = true;
	if (env_is_one("SILO_TEST_NO_OPENAT2"))
		openat2_state = 0;
	if (env_is_one("SILO_TEST_NO_NEW_MOUNT_API"))
		mount_api_state = 0;
}

void fs_disable_openat2(void)
{
	read_env_once();
	openat2_state = 0;
}

void fs_disable_new_mount_api(void)
{
	read_env_once();
	mount_api_state = 0;
}

bool fs_new_mount_api(void)
{
	read_env_once();
	if (mount_api_state < 0) {
		/* mount_setattr (5.12) is the newest call we need; with a NULL
		 * attr of size 0 a kernel that has it fails with EINVAL or EBADF,
		 * one without it (or a seccomp filter refusing it) otherwise. */
		long r = syscall(__NR_mount_setattr, -1, "", 0, NULL, 0);
		mount_api_state = (r < 0 && (errno == EINVAL || errno == EBADF)) ? 1 : 0;
	}
	return mount_api_state == 1;
}

static bool fd_path_relative;

void fs_fd_path_relative(bool on)
{
	fd_path_relative = on;
}

const char *fs_fd_path(int fd, char *buf, size_t len)
{
	if (fd_path_relative)
		snprintf(buf, len, "%d", fd);
	else
		snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

char *fs_clean_path(const char *path)
{
	size_t o = 1;
	char *out = xmalloc(strlen(path) + 2);
	const char *p = path;

	out[0] = '/';
	while (*p != '\0') {
		const char *e;
		size_t l;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchrnul(p, '/');
		l = (size_t)(e - p);
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			char *s = memrchr(out, '/', o);
			o = (size_t)(s - out);
			if (o == 0)
				o = 1;
		} else if (!(l == 1 && p[0] == '.')) {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, l);
			o += l;
		}
		p = e;
	}
	out[o] = '\0';
	return out;
}

/* ------------------------------------------------------------ the walk */

struct walk {
	int *fds;          /* fds[0] is the root, fds[n - 1] the current directory */
	size_t n, cap;
};

static void walk_push(struct walk *w, int fd)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->fds = xreallocarray(w->fds, w->cap, sizeof(int));
	}
	w->fds[w->n++] = fd;
}

static void walk_pop_to(struct walk *w, size_t n)
{
	while (w->n > n)
		close(w->fds[--w->n]);
}

static void walk_free(struct walk *w)
{
	walk_pop_to(w, 0);
	free(w->fds);
}

static int walk_top(const struct walk *w)
{
	return w->fds[w->n - 1];
}

/* Read a symlink (fd = the link itself when name is ""). */
static char *read_link_at(int dirfd, const char *name)
{
	size_t len = 256;

	for (;;) {
		char *buf = xmalloc(len);
		ssize_t r = readlinkat(dirfd, name, buf, len);

		if (r < 0) {
			free(buf);
			return NULL;
		}
		if ((size_t)r < len) {
			buf[r] = '\0';
			return buf;
		}
		free(buf);
		if (len >= PATH_MAX * 4) {
			errno = ENAMETOOLONG;
			return NULL;
		}
		len *= 2;
	}
}

/* Is root_fd the process's own root?  Then no walk can end outside it. */
static bool is_process_root(int root_fd)
{
	struct stat a, b;

	return fstat(root_fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* The fallback's last line of defence against a rename race during the walk:
 * the result's path must start with the root's. */
static int check_under_root(int root_fd, int fd)
{
	char rb[64], fb[64];
	cleanup_free char *root = NULL;
	cleanup_free char *got = NULL;
	size_t rl;

	if (is_process_root(root_fd))
		return 0;
	root = read_link_at(AT_FDCWD, fs_fd_path(root_fd, rb, sizeof(rb)));
	got = read_link_at(AT_FDCWD, fs_fd_path(fd, fb, sizeof(fb)));
	if (root == NULL || got == NULL)
		return -1;
	rl = strlen(root);
	if (strcmp(root, "/") == 0)
		return 0;
	if (strncmp(got, root, rl) == 0 && (got[rl] == '\0' || got[rl] == '/'))
		return 0;
	errno = EXDEV;
	return -1;
}

/* Replace the unresolved rest of the path by target + "/" + rest. */
static char *splice_link(const char *target, const char *rest)
{
	while (*rest == '/')
		rest++;
	if (*rest == '\0')
		return xstrdup(target);
	return xasprintf("%s/%s", target, rest);
}

/*
 * The userspace resolver.  flags/mode are those of the final open;
 * O_NOFOLLOW in flags keeps a final symlink as is.  With mkdir_missing every
 * missing component (the last one included) is created as a directory.
 * Returns an fd, or -1 with errno set.
 */
static int walk_resolve(int root_fd, const char *path, int flags, mode_t mode, bool mkdir_missing)
{
	struct walk w = { 0 };
	cleanup_free char *buf = xstrdup(path);
	const char *p = buf;
	bool follow_last = !(flags & O_NOFOLLOW);
	int links = 0, tries = 0, fd = -1, saved;

	fd = openat(root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	walk_push(&w, take_fd(&fd));

	for (;;) {
		const char *e, *rest;
		cleanup_free char *name = NULL;
		cleanup_free char *target = NULL;
		bool last;
		struct stat st;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* The path ended on a directory we hold ("/", "a/.."). */
			fd = openat(walk_top(&w), ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
			break;
		}
		e = strchrnul(p, '/');
		rest = e;
		while (*rest == '/')
			rest++;
		last = *rest == '\0';
		if (e - p == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		if (e - p == 2 && p[0] == '.' && p[1] == '.') {
			if (w.n > 1)
				walk_pop_to(&w, w.n - 1);
			p = e;
			continue;
		}
		name = xstrndup(p, (size_t)(e - p));

		if (!last || mkdir_missing)
			fd = openat(walk_top(&w), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		else
			fd = openat(walk_top(&w), name, flags | O_NOFOLLOW | O_CLOEXEC, mode);

		if (fd < 0 && errno == ENOENT && mkdir_missing) {
			if (++tries > FS_MKDIR_TRIES) {
				errno = EAGAIN;
				goto fail;
			}
			if (mkdirat(walk_top(&w), name, mode) < 0 && errno != EEXIST)
				goto fail;
			continue;   /* look it up again: it may be a symlink now */
		}
		if (fd < 0 && (errno == ELOOP || errno == ENOTDIR) && last && follow_last) {
			/* O_NOFOLLOW refused a final symlink, or O_DIRECTORY met one. */
			int e0 = errno;
			target = read_link_at(walk_top(&w), name);
			if (target == NULL) {
				errno = e0;
				goto fail;
			}
		} else if (fd < 0) {
			goto fail;
		} else if (!last || mkdir_missing || (flags & O_PATH)) {
			/* Only an O_PATH open can hand us a symlink: look. */
			if (fstat(fd, &st) < 0)
				goto fail;
			if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
				target = read_link_at(fd, "");
				close(fd);
				fd = -1;
				if (target == NULL)
					goto fail;
			} else if (!last || mkdir_missing) {
				if (!S_ISDIR(st.st_mode)) {
					errno = ENOTDIR;
					goto fail;
				}
				if (!last) {
					walk_push(&w, take_fd(&fd));
					p = e;
					tries = 0;
					continue;
				}
			}
		}

		if (target != NULL) {
			char *next;

			if (++links > FS_MAX_SYMLINKS) {
				errno = ELOOP;
				goto fail;
			}
			if (target[0] == '/')
				walk_pop_to(&w, 1);
			next = splice_link(target, rest);
			free(buf);
			buf = next;
			p = buf;
			tries = 0;
			continue;
		}
		/* The final component, opened as asked. */
		if (mkdir_missing && (flags & ~(O_PATH | O_DIRECTORY | O_NOFOLLOW)) == 0)
			break;
		if (mkdir_missing) {
			int dfd = fd;
			fd = openat(dfd, ".", (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW)) | O_CLOEXEC);
			close(dfd);
		}
		break;
	}
	if (fd < 0)
		goto fail;
	if (check_under_root(root_fd, fd) < 0)
		goto fail;
	walk_free(&w);
	return fd;

fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	walk_free(&w);
	errno = saved;
	return -1;
}

/* ------------------------------------------------------------ public */

static const char *in_root_rel(const char *path)
{
	while (*path == '/')
		path++;
	return *path == '\0' ? "." : path;
}

int fs_open_in_root(int root_fd, const char *path, int flags, mode_t mode,
		    struct silo_error *err)
{
	int fd;

	read_env_once();
	if (openat2_state != 0) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC),
			.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0,
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		const char *rel = in_root_rel(path);

		for (int i = 0; i < FS_OPENAT2_TRIES; i++) {
			fd = sys_openat2(root_fd, rel, &how);
			if (fd >= 0) {
				openat2_state = 1;
				return fd;
			}
			if (errno != EAGAIN && errno != EINTR)
				break;
		}
		if (errno != ENOSYS || openat2_state == 1)
			return silo_error(err, errno, "open %s", path);
		openat2_state = 0;
	}
	fd = walk_resolve(root_fd, path, flags, mode, false);
	if (fd < 0)
		return silo_error(err, errno, "open %s", path);
	return fd;
}

int fs_mkdir_p_in_root(int root_fd, const char *path, mode_t mode, struct silo_error *err)
{
	struct silo_error e2;
	int fd;

	/* The common case: it exists already.  One openat2. */
	fd = fs_open_in_root(root_fd, path, O_PATH | O_DIRECTORY, 0, &e2);
	if (fd >= 0)
		return fd;
	if (e2.errnum != ENOENT) {
		*err = e2;
		return -1;
	}
	fd = walk_resolve(root_fd, path, O_PATH | O_DIRECTORY, mode, true);
	if (fd < 0)
		return silo_error(err, errno, "mkdir %s", path);
	return fd;
}

/* Split a path into its parent ("/" for "/x") and its last component. */
static void split_last(const char *path, char **parent, const char **name)
{
	size_t l = strlen(path);
	const char *slash;

	while (l > 1 && path[l - 1] == '/')
		l--;
	slash = memrchr(path, '/', l);
	if (slash == NULL) {
		*parent = xstrdup("/");
		*name = path;
		return;
	}
	*parent = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	*name = slash + 1;
}

int fs_ensure_mountpoint(int root_fd, const char *path, bool is_dir, struct silo_error *err)
{
	cleanup_free char *parent = NULL;
	cleanup_free char *name = NULL;
	cleanup_close int pfd = -1;
	const char *n0;
	struct stat st;

	split_last(path, &parent, &n0);
	name = xstrdup(n0);
	{
		/* Drop trailing slashes that split_last left on the name. */
		char *s = strchr(name, '/');
		if (s != NULL)
			*s = '\0';
	}
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		int fd = fs_open_in_root(root_fd, path, O_PATH | O_DIRECTORY, 0, err);
		if (fd < 0)
			silo_error_ctx(err, "create mountpoint %s", path);
		return fd;
	}
	pfd = fs_mkdir_p_in_root(root_fd, parent, 0755, err);
	if (pfd < 0)
		return silo_error_ctx(err, "create mountpoint %s", path);

	for (int i = 0; i < FS_MKDIR_TRIES; i++) {
		int fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

		if (fd >= 0) {
			if (fstat(fd, &st) < 0) {
				close(fd);
				return silo_error(err, errno, "create mountpoint %s", path);
			}
			if (S_ISLNK(st.st_mode)) {
				close(fd);
				silo_error(err, 0, "create mountpoint %s: is a symlink", path);
				err->errnum = ELOOP;
				return -1;
			}
			if (is_dir != !!S_ISDIR(st.st_mode)) {
				close(fd);
				return silo_error(err, is_dir ? ENOTDIR : EISDIR, "create mountpoint %s",
						  path);
			}
			return fd;
		}
		if (errno != ENOENT)
			return silo_error(err, errno, "create mountpoint %s", path);
		if (is_dir) {
			if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST)
				return silo_error(err, errno, "create mountpoint %s", path);
		} else {
			fd = openat(pfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd < 0 && errno != EEXIST)
				return silo_error(err, errno, "create mountpoint %s", path);
			if (fd >= 0)
				close(fd);
		}
	}
	return silo_error(err, EAGAIN, "create mountpoint %s", path);
}

/* ------------------------------------------------------------ copy-up */

#define FS_COPY_MAX_DEPTH 64

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st)
{
	cleanup_close int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int out = -1;
	off_t left = st->st_size;

	if (in < 0)
		return -1;
	out = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 07777);
	if (out < 0)
		return -1;
	while (left > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);

		if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL))
			n = sendfile(out, in, NULL, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;   /* the file shrank under us */
		left -= n;
	}
	return 0;
}

/* One entry: create it in ddir like in sdir, owner, mode and times included. */
static int copy_entry(int sdir, int ddir, const char *name, int depth)
{
	struct stat st;
	struct timespec times[2];

	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -1;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR: {
		cleanup_close int s2 = -1;
		cleanup_close int d2 = -1;

		if (depth >= FS_COPY_MAX_DEPTH) {
			errno = ELOOP;
			return -1;
		}
		if (mkdirat(ddir, name, st.st_mode & 07777) < 0)
			return -1;
		s2 = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d2 = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s2 < 0 || d2 < 0 || fs_copy_tree(s2, d2, depth + 1) < 0)
			return -1;
		break;
	}
	case S_IFREG:
		if (copy_file(sdir, ddir, name, &st) < 0)
			return -1;
		break;
	case S_IFLNK: {
		cleanup_free char *target = read_link_at(sdir, name);

		if (target == NULL || symlinkat(target, ddir, name) < 0)
			return -1;
		break;
	}
	default:
		if (mknodat(ddir, name, st.st_mode, st.st_rdev) < 0)
			return -1;
		break;
	}
	if (fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != EPERM &&
	    errno != EINVAL)
		return -1;
	/* The umask and chown may have dropped bits; what we made is no
	 * symlink, so fchmodat cannot be diverted. */
	if (!S_ISLNK(st.st_mode) && fchmodat(ddir, name, st.st_mode & 07777, 0) < 0)
		return -1;
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	(void)utimensat(ddir, name, times, AT_SYMLINK_NOFOLLOW);
	return 0;
}

int fs_copy_tree(int src_dirfd, int dst_dirfd, int depth)
{
	int fd = openat(src_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_dir DIR *d = NULL;
	struct dirent *e;

	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (copy_entry(dirfd(d), dst_dirfd, e->d_name, depth) < 0)
			return -1;
	}
	return errno != 0 ? -1 : 0;
}

/* ------------------------------------------------------------ verified /proc */

#define PROC_ROOT_INO 1

static int proc_check(int fd, dev_t dev, const char *what, const char *rel, struct silo_error *err)
{
	struct statfs sfs;
	struct stat st;

	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		return silo_error(err, errno, "/proc/%s: stat %s", rel, what);
	if (sfs.f_type != PROC_SUPER_MAGIC)
		return silo_error(err, 0, "/proc/%s: %s is not on procfs", rel, what);
	if (dev != 0 && st.st_dev != dev)
		return silo_error(err, 0, "/proc/%s: %s is on another mount", rel, what);
	return 0;
}

/* The walk for kernels without openat2: "self" and "thread-self" become
 * our pid and tid (the container's /proc was mounted in our pid namespace),
 * every other component is opened O_NOFOLLOW and must be on the same procfs
 * instance as the root. */
static int proc_walk(int root, dev_t dev, const char *rel, int flags, struct silo_error *err)
{
	cleanup_free char *path = NULL;
	cleanup_close int dir = -1;
	char *save = NULL, *comp, *next;
	int cur = root, fd;

	if (str_has_prefix(rel, "thread-self/"))
		path = xasprintf("%d/task/%d/%s", getpid(), gettid(), rel + strlen("thread-self/"));
	else if (str_has_prefix(rel, "self/"))
		path = xasprintf("%d/%s", getpid(), rel + strlen("self/"));
	else
		path = xstrdup(rel);
	comp = strtok_r(path, "/", &save);
	while (comp != NULL) {
		next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, "..") == 0 || strcmp(comp, ".") == 0)
			return silo_error(err, EINVAL, "/proc/%s: bad component", rel);
		if (next == NULL) {
			fd = openat(cur, comp, flags | O_CLOEXEC | O_NOFOLLOW);
			if (fd < 0)
				return silo_error(err, errno, "/proc/%s", rel);
			if (proc_check(fd, dev, "the file", rel, err) < 0) {
				close(fd);
				return -1;
			}
			return fd;
		}
		fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return silo_error(err, errno, "/proc/%s", rel);
		if (proc_check(fd, dev, comp, rel, err) < 0) {
			close(fd);
			return -1;
		}
		if (dir >= 0)
			close(dir);
		cur = dir = fd;
		comp = next;
	}
	return silo_error(err, EINVAL, "/proc/%s: empty path", rel);
}

int fs_proc_open(const char *rel, int flags, struct silo_error *err)
{
	cleanup_close int root = -1;
	struct stat st;
	int fd;

	root = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return silo_error(err, errno, "/proc/%s: open /proc (is it mounted?)", rel);
	if (proc_check(root, 0, "/proc", rel, err) < 0)
		return -1;
	if (fstat(root, &st) < 0)
		return silo_error(err, errno, "/proc/%s: stat /proc", rel);
	if (st.st_ino != PROC_ROOT_INO)
		return silo_error(err, 0, "/proc/%s: /proc is not the root of a procfs", rel);
	read_env_once();
	if (openat2_state != 0) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
		};
		do
			fd = sys_openat2(root, rel, &how);
		while (fd < 0 && errno == EAGAIN);
		if (fd >= 0) {
			if (proc_check(fd, st.st_dev, "the file", rel, err) < 0) {
				close(fd);
				return -1;
			}
			return fd;
		}
		if (errno != ENOSYS && errno != E2BIG) {
			if (errno == EXDEV)
				return silo_error(err, errno, "/proc/%s: a mount lies on the way", rel);
			return silo_error(err, errno, "/proc/%s", rel);
		}
	}
	return proc_walk(root, st.st_dev, rel, flags, err);
}
