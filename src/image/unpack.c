/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Layer unpacking: a layer blob (tar, optionally gzip or zstd) into its own
 * directory, with whiteouts converted for overlayfs.
 *
 * libarchive reads and decompresses, but the entries are written here, not
 * by archive_write_disk: every entry's parent is opened inside the layer
 * directory with fs.c (openat2 RESOLVE_IN_ROOT, or the checked O_PATH walk),
 * the last component is created relative to that fd and never followed
 * (O_NOFOLLOW / AT_SYMLINK_NOFOLLOW), names are cleaned lexically first and
 * an entry that climbs out ("../x") fails the layer.  So absolute paths land
 * inside the layer, and a symlink planted by an earlier entry ("etc -> /etc",
 * then "etc/passwd") resolves inside the layer too.  Hard links resolve their
 * target the same way.
 *
 * Two archive readers are chained: the outer one only decompresses (format
 * raw, any filter), and the inner tar reader takes its bytes through a
 * callback that hashes them, so the diff_id (sha256 of the uncompressed tar)
 * is checked in the same pass.  Everything goes into a temp directory that is
 * renamed into place only when the whole layer was written and verified.
 *
 * Whiteouts: ".wh.NAME" becomes a 0/0 character device NAME; ".wh..wh..opq"
 * becomes trusted.overlay.opaque=y on its directory.  Entries of the layer's
 * own that carry trusted.overlay.* xattrs have them dropped (a layer must not
 * forge overlay redirects).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs.h"
#include "image.h"
#include "lazy.h"
#include "util.h"

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

int img_whiteout_name(const char *base, const char **target)
{
	if (strncmp(base, WH_PREFIX, 4) != 0)
		return 0;
	if (strcmp(base, WH_OPAQUE) == 0)
		return 2;
	if (str_has_prefix(base, ".wh..wh."))
		return -1;     /* other reserved AUFS names */
	*target = base + 4;
	if (**target == '\0' || strcmp(*target, ".") == 0 || strcmp(*target, "..") == 0 ||
	    strchr(*target, '/') != NULL)
		return -1;
	return 1;
}

char *img_layer_path_clean(const char *path)
{
	size_t len = strlen(path), n = 0;
	char *out = xmalloc(len + 1);
	const char *p = path;

	while (*p) {
		const char *e = strchr(p, '/');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);

		if (l == 0 || (l == 1 && p[0] == '.')) {
			/* skip */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (n == 0) {
				free(out);
				return NULL;
			}
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;        /* the slash */
		} else {
			if (n > 0)
				out[n++] = '/';
			memcpy(out + n, p, l);
			n += l;
		}
		p += l;
		if (*p == '/')
			p++;
	}
	out[n] = '\0';
	return out;
}

/* ------------------------------------------------------------ the chained readers */

struct unpack {
	struct archive *outer, *inner;
	struct img_sha256 hash;
	int root;                   /* the temp layer directory */
	bool outer_eof;
	char outer_err[256];
	struct dirtime { char *path; struct timespec ts[2]; } *dirs;
	size_t ndirs;
};

static la_ssize_t inner_read(struct archive *a, void *data, const void **buf)
{
	struct unpack *u = data;
	const void *b;
	size_t size;
	la_int64_t off;
	int r;

	(void)a;
	/* data blocks, not archive_read_data(): a block of 0 bytes (between
	 * the members of a multi-member gzip, as pgzip writes) is not the end */
	while (!u->outer_eof) {
		r = archive_read_data_block(u->outer, &b, &size, &off);
		if (r == ARCHIVE_EOF) {
			u->outer_eof = true;
			break;
		}
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			snprintf(u->outer_err, sizeof(u->outer_err), "%s", archive_error_string(u->outer));
			return -1;
		}
		if (size == 0)
			continue;
		img_sha256_update(&u->hash, b, size);
		*buf = b;
		return (la_ssize_t)size;
	}
	return 0;
}

static int arch_error(struct unpack *u, struct archive *a, const char *what, struct silo_error *err)
{
	const char *msg = u->outer_err[0] ? u->outer_err : archive_error_string(a);
	return silo_error(err, 0, "%s: %s", what, msg != NULL ? msg : "unknown archive error");
}

/* ------------------------------------------------------------ writing entries */

/* Without root (a store under $XDG_DATA_HOME) files keep the caller's
 * owner, as tar does for non-root users; root must get every owner right. */
static bool chown_failed(int r)
{
	return r < 0 && !(errno == EPERM && geteuid() != 0);
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[0].tv_sec = archive_entry_atime_is_set(e) ? archive_entry_atime(e) : archive_entry_mtime(e);
	ts[0].tv_nsec = archive_entry_atime_is_set(e) ? archive_entry_atime_nsec(e) : archive_entry_mtime_nsec(e);
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
}

static int set_xattrs(int fd, struct archive_entry *e, const char *path, struct silo_error *err)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (str_has_prefix(name, "trusted.overlay."))
			continue;
		if (fsetxattr(fd, name, value, size, 0) < 0 && errno != ENOTSUP)
			return silo_error(err, errno, "set xattr %s on %s", name, path);
	}
	return 0;
}

/* Make room for a new entry `base` in pfd: a directory stays for a
 * directory, anything else goes. */
static int clear_slot(int pfd, const char *base, bool want_dir, const char *path,
		      struct silo_error *err)
{
	struct stat st;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : silo_error(err, errno, "stat %s", path);
	if (S_ISDIR(st.st_mode)) {
		if (want_dir)
			return 1;
		if (img_rm_rf_at(pfd, base) < 0)
			return silo_error(err, errno, "remove %s", path);
		return 0;
	}
	if (unlinkat(pfd, base, 0) < 0)
		return silo_error(err, errno, "remove %s", path);
	return 0;
}

static int write_regular(struct unpack *u, int pfd, const char *base, struct archive_entry *e,
			 const char *path, struct silo_error *err)
{
	cleanup_close int fd = -1;
	struct timespec ts[2];
	const void *buf;
	size_t size;
	la_int64_t off, end = 0;
	int r;

	fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return silo_error(err, errno, "create %s", path);
	while ((r = archive_read_data_block(u->inner, &buf, &size, &off)) == ARCHIVE_OK) {
		if (off + (la_int64_t)size > end)
			end = off + (la_int64_t)size;
		if (pwrite(fd, buf, size, off) != (ssize_t)size) {
			/* short pwrite to a regular file only happens on errors; retry once */
			size_t done = 0;
			while (done < size) {
				ssize_t w = pwrite(fd, (const char *)buf + done, size - done, off + (off_t)done);
				if (w < 0) {
					if (errno == EINTR)
						continue;
					return silo_error(err, errno, "write %s", path);
				}
				done += (size_t)w;
			}
		}
	}
	if (r != ARCHIVE_EOF)
		return arch_error(u, u->inner, path, err);
	/* a sparse file may end in a hole */
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > end &&
	    ftruncate(fd, archive_entry_size(e)) < 0)
		return silo_error(err, errno, "truncate %s", path);
	if (chown_failed(fchown(fd, archive_entry_uid(e), archive_entry_gid(e))))
		return silo_error(err, errno, "chown %s", path);
	if (fchmod(fd, archive_entry_perm(e)) < 0)
		return silo_error(err, errno, "chmod %s", path);
	if (set_xattrs(fd, e, path, err) < 0)
		return -1;
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return silo_error(err, errno, "set times of %s", path);
	return 0;
}

static int write_entry(struct unpack *u, struct archive_entry *e, struct silo_error *err)
{
	const char *raw = archive_entry_pathname(e), *base, *wh_target = NULL, *link;
	cleanup_free char *path = NULL, *dir = NULL;
	cleanup_close int pfd = -1;
	mode_t type = archive_entry_filetype(e);
	struct timespec ts[2];
	char *slash;
	int kind;

	if (raw == NULL)
		return silo_error(err, 0, "entry without a name");
	path = img_layer_path_clean(raw);
	if (path == NULL)
		return silo_error(err, 0, "entry \"%s\" leaves the layer directory", raw);
	if (path[0] == '\0')
		return 0;    /* the layer's root itself */
	slash = strrchr(path, '/');
	if (slash != NULL) {
		dir = xstrndup(path, (size_t)(slash - path));
		base = slash + 1;
	} else {
		base = path;
	}
	kind = img_whiteout_name(base, &wh_target);
	if (kind < 0)
		return silo_error(err, 0, "entry \"%s\": invalid whiteout name", raw);

	pfd = dir != NULL ? fs_mkdir_p_in_root(u->root, dir, 0755, err)
			  : openat(u->root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return dir != NULL ? silo_error_ctx(err, "entry \"%s\"", raw)
				   : silo_error(err, errno, "open the layer directory");

	if (kind == 2) {        /* opaque directory */
		cleanup_close int dfd = dir != NULL
			? fs_open_in_root(u->root, dir, O_RDONLY | O_DIRECTORY, 0, err)
			: openat(u->root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return silo_error(err, errno, "open %s", dir != NULL ? dir : ".");
		if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
			return silo_error(err, errno, "mark %s opaque", dir != NULL ? dir : "/");
		return 0;
	}
	if (kind == 1) {        /* whiteout: a 0/0 char device, unless this layer has the name */
		if (mknodat(pfd, wh_target, S_IFCHR | 0, makedev(0, 0)) < 0 && errno != EEXIST)
			return silo_error(err, errno, "create whiteout %s", path);
		return 0;
	}

	link = archive_entry_hardlink(e);
	if (link != NULL) {
		cleanup_free char *target = img_layer_path_clean(link);
		cleanup_close int tfd = -1;
		struct stat st;

		if (target == NULL || target[0] == '\0')
			return silo_error(err, 0, "hard link \"%s\" -> \"%s\" leaves the layer directory", raw, link);
		tfd = fs_open_in_root(u->root, target, O_PATH | O_NOFOLLOW, 0, err);
		if (tfd < 0)
			return silo_error_ctx(err, "hard link %s", path);
		if (fstat(tfd, &st) < 0 || S_ISDIR(st.st_mode))
			return silo_error(err, 0, "hard link %s -> %s: target is a directory", path, target);
		if (clear_slot(pfd, base, false, path, err) < 0)
			return -1;
		if (linkat(tfd, "", pfd, base, AT_EMPTY_PATH) < 0) {
			char proc[64];
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d", tfd);
			if (linkat(AT_FDCWD, proc, pfd, base, AT_SYMLINK_FOLLOW) < 0)
				return silo_error(err, errno, "hard link %s -> %s", path, target);
		}
		return 0;
	}

	switch (type) {
	case AE_IFDIR: {
		cleanup_close int dfd = -1;
		int r = clear_slot(pfd, base, true, path, err);
		if (r < 0)
			return -1;
		if (r == 0 && mkdirat(pfd, base, 0700) < 0)
			return silo_error(err, errno, "create directory %s", path);
		dfd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0)
			return silo_error(err, errno, "open %s", path);
		if (chown_failed(fchown(dfd, archive_entry_uid(e), archive_entry_gid(e))) ||
		    fchmod(dfd, archive_entry_perm(e)) < 0)
			return silo_error(err, errno, "set owner and mode of %s", path);
		if (set_xattrs(dfd, e, path, err) < 0)
			return -1;
		u->dirs = xreallocarray(u->dirs, u->ndirs + 1, sizeof(*u->dirs));
		u->dirs[u->ndirs].path = steal_pointer(&path);
		entry_times(e, u->dirs[u->ndirs].ts);
		u->ndirs++;
		return 0;
	}
	case AE_IFREG:
		if (clear_slot(pfd, base, false, path, err) < 0)
			return -1;
		return write_regular(u, pfd, base, e, path, err);
	case AE_IFLNK:
		if (archive_entry_symlink(e) == NULL)
			return silo_error(err, 0, "symlink %s has no target", path);
		if (clear_slot(pfd, base, false, path, err) < 0)
			return -1;
		if (symlinkat(archive_entry_symlink(e), pfd, base) < 0)
			return silo_error(err, errno, "create symlink %s", path);
		if (chown_failed(fchownat(pfd, base, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW)))
			return silo_error(err, errno, "chown %s", path);
		entry_times(e, ts);
		utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO: {
		if (clear_slot(pfd, base, false, path, err) < 0)
			return -1;
		if (mknodat(pfd, base, type | 0600, type == AE_IFIFO ? 0 : archive_entry_rdev(e)) < 0)
			return silo_error(err, errno, "create node %s", path);
		if (chown_failed(fchownat(pfd, base, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW)) ||
		    fchmodat(pfd, base, archive_entry_perm(e), 0) < 0)
			return silo_error(err, errno, "set owner and mode of %s", path);
		entry_times(e, ts);
		utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	default:
		return 0;    /* sockets and unknown types are not part of an image */
	}
}

static void unpack_release(struct unpack *u)
{
	if (u->inner != NULL)
		archive_read_free(u->inner);
	if (u->outer != NULL)
		archive_read_free(u->outer);
	img_sha256_free(&u->hash);
	for (size_t i = 0; i < u->ndirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	if (u->root >= 0)
		close(u->root);
	free(u);
}

int img_layer_unpack(int blob_fd, int dir_fd, const char *name, const char *diff_id,
		     int64_t *size, struct silo_error *err)
{
	struct unpack *u = xzalloc(sizeof(*u));
	struct archive_entry *e;
	char tmp[256], digest[IMG_DIGEST_LEN + 1];
	int r;

	u->root = -1;
	if (img_lazy_need(IMG_LAZY_ARCHIVE, err) < 0) {
		free(u);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), ".tmp-%.100s-%d", name, (int)getpid());
	img_rm_rf_at(dir_fd, tmp);
	if (mkdirat(dir_fd, tmp, 0755) < 0) {
		silo_error(err, errno, "create %s", tmp);
		goto fail;
	}
	u->root = openat(dir_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u->root < 0 || img_sha256_init(&u->hash, err) < 0) {
		if (u->root < 0)
			silo_error(err, errno, "open %s", tmp);
		goto fail;
	}
	u->outer = archive_read_new();
	u->inner = archive_read_new();
	archive_read_support_filter_all(u->outer);
	archive_read_support_format_raw(u->outer);
	archive_read_support_format_tar(u->inner);
	if (lseek(blob_fd, 0, SEEK_SET) < 0 ||
	    archive_read_open_fd(u->outer, blob_fd, 1 << 17) != ARCHIVE_OK ||
	    archive_read_next_header(u->outer, &e) != ARCHIVE_OK) {
		arch_error(u, u->outer, "read layer", err);
		goto fail;
	}
	if (archive_read_open(u->inner, u, NULL, inner_read, NULL) != ARCHIVE_OK) {
		arch_error(u, u->inner, "read layer tar", err);
		goto fail;
	}
	while ((r = archive_read_next_header(u->inner, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (write_entry(u, e, err) < 0)
			goto fail;
	}
	if (r != ARCHIVE_EOF) {
		arch_error(u, u->inner, "read layer tar", err);
		goto fail;
	}
	/* hash what follows the tar's end-of-archive blocks too */
	while (!u->outer_eof) {
		const void *b;
		if (inner_read(u->inner, u, &b) < 0) {
			arch_error(u, u->outer, "read layer", err);
			goto fail;
		}
	}
	for (size_t i = u->ndirs; i-- > 0;)
		utimensat(u->root, u->dirs[i].path, u->dirs[i].ts, AT_SYMLINK_NOFOLLOW);
	*size = (int64_t)u->hash.size;
	img_sha256_final(&u->hash, digest);
	if (diff_id != NULL && strcmp(digest, diff_id) != 0) {
		silo_error(err, 0, "diff_id mismatch: the uncompressed layer hashes to %s, the config says %s",
			   digest, diff_id);
		goto fail;
	}
	/* the content is on disk before the name that vouches for it */
	if (syncfs(u->root) < 0) {
		silo_error(err, errno, "sync layer %s", name);
		goto fail;
	}
	if (renameat(dir_fd, tmp, dir_fd, name) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY) {
			silo_error(err, errno, "rename %s to %s", tmp, name);
			goto fail;
		}
		img_rm_rf_at(dir_fd, tmp);   /* another process unpacked it first */
	}
	unpack_release(u);
	return 0;
fail:
	unpack_release(u);
	img_rm_rf_at(dir_fd, tmp);
	return -1;
}
