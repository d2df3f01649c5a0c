/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo bundle IMAGE DIR`: an OCI bundle that silo-oci (or runc) runs.
 *
 *   DIR/config.json   the library's default spec with the image's config
 *                     applied (image-spec's conversion rules): args =
 *                     Entrypoint + Cmd, Env (PATH added when missing, HOME from
 *                     /etc/passwd), cwd = WorkingDir, user from User resolved
 *                     against the image's /etc/passwd and /etc/group,
 *                     ExposedPorts, StopSignal and Labels as annotations
 *   DIR/rootfs        an overlay mount: the image's layers as lowerdirs (top
 *                     first, given one by one with fsconfig "lowerdir+", so
 *                     the 4 KiB limit of mount data does not bound the layer
 *                     count; mount(2) with one option string where that is
 *                     not available), upper and work dirs in DIR/.silo
 *                     or, with --copy or where overlayfs is missing or refuses
 *                     the file system (ENODEV, EINVAL, EOPNOTSUPP), the layers
 *                     applied in order into a plain directory (whiteouts
 *                     honoured); SILO_TEST_NO_OVERLAY=1 forces that fallback
 *
 * The store records every bundle (bundles/HASH.json) so that rmi can refuse
 * an image in use; `silo bundle --rm DIR` undoes all of it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs.h"
#include "image.h"
#include "spec.h"
#include "syscalls.h"
#include "util.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif

/* ------------------------------------------------------------ user lookup */

/* Find a line of an /etc/passwd-style file inside the rootfs whose first
 * field is `name` (or whose third field is `name` when by_id); returns the
 * fields split in place, 0 found, -1 not. */
static int db_lookup(int rootfs_fd, const char *file, const char *name, bool by_id,
		     char **buf_out, char *fields[7])
{
	struct silo_error err;
	cleanup_close int fd = rootfs_fd >= 0 ? fs_open_in_root(rootfs_fd, file, O_RDONLY, 0, &err) : -1;
	char *buf = NULL, *line, *save = NULL;
	size_t len;

	if (fd < 0 || read_fd_all(fd, &buf, &len, &err) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		size_t n = 0;
		char *p = line;
		memset(fields, 0, 7 * sizeof(char *));
		while (n < 7) {
			fields[n++] = p;
			p = strchr(p, ':');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (n >= 3 && strcmp(fields[by_id ? 2 : 0], name) == 0) {
			*buf_out = buf;
			return 0;
		}
	}
	free(buf);
	return -1;
}

static bool numeric(const char *s, uint32_t *v)
{
	uint64_t x;
	if (parse_u64(s, &x) < 0 || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static int resolve_user(int rootfs_fd, const char *spec, uint32_t *uid, uint32_t *gid, char **home,
			struct silo_error *err)
{
	cleanup_free char *user = xstrdup(spec != NULL ? spec : ""), *buf = NULL;
	char *group = strchr(user, ':'), *f[7];

	*uid = 0;
	*gid = 0;
	*home = NULL;
	if (group != NULL)
		*group++ = '\0';
	if (user[0] == '\0') {
		free(user);
		user = xstrdup("0");
	}
	{
		bool num = numeric(user, uid);
		if (db_lookup(rootfs_fd, "/etc/passwd", user, num, &buf, f) == 0) {
			if (!num && !numeric(f[2], uid))
				return silo_error(err, 0, "user %s: bad uid in /etc/passwd", user);
			if (f[3] == NULL || !numeric(f[3], gid))
				*gid = 0;
			if (f[5] != NULL && f[5][0] != '\0')
				*home = xstrdup(f[5]);
		} else if (!num) {
			return silo_error(err, 0, "user %s: not found in the image's /etc/passwd", user);
		}
	}
	if (group != NULL && group[0] != '\0') {
		cleanup_free char *gbuf = NULL;
		if (!numeric(group, gid)) {
			if (db_lookup(rootfs_fd, "/etc/group", group, false, &gbuf, f) < 0 || !numeric(f[2], gid))
				return silo_error(err, 0, "group %s: not found in the image's /etc/group", group);
		}
	}
	return 0;
}

/* ------------------------------------------------------------ the spec */

static json_t *string_array(json_t *a)
{
	json_t *out = json_array(), *x;
	size_t i;

	json_array_foreach(a, i, x) {
		if (json_is_string(x))
			json_array_append(out, x);
	}
	return out;
}

static char *spec_for(int rootfs_fd, const json_t *image_config, const char *image_name,
		      const char *id, struct silo_error *err)
{
	cleanup_free char *def = spec_default_json(false), *home = NULL;
	json_t *spec, *proc, *cfg = json_object_get(image_config, "config"), *args, *env, *x, *ann;
	const char *key;
	bool has_path = false, has_home = false;
	uint32_t uid, gid;
	size_t i;
	char *out;

	if (def == NULL)
		return (silo_error(err, 0, "cannot render the default config"), NULL);
	if (resolve_user(rootfs_fd, json_string_value(json_object_get(cfg, "User")), &uid, &gid, &home,
			 err) < 0)
		return NULL;
	spec = json_loads(def, 0, NULL);
	proc = json_object_get(spec, "process");
	args = string_array(json_object_get(cfg, "Entrypoint"));
	{
		json_t *cmdv = string_array(json_object_get(cfg, "Cmd"));
		json_array_extend(args, cmdv);
		json_decref(cmdv);
	}
	if (json_array_size(args) == 0) {
		json_decref(args);
		json_decref(spec);
		return (silo_error(err, 0, "image %s has neither Entrypoint nor Cmd", image_name), NULL);
	}
	json_object_set_new(proc, "args", args);
	json_object_set_new(proc, "terminal", json_false());
	env = string_array(json_object_get(cfg, "Env"));
	json_array_foreach(env, i, x) {
		has_path |= str_has_prefix(json_string_value(x), "PATH=");
		has_home |= str_has_prefix(json_string_value(x), "HOME=");
	}
	if (!has_path)
		json_array_insert_new(env, 0, json_string(DEFAULT_PATH));
	if (!has_home)
		json_array_append_new(env, json_sprintf("HOME=%s", home != NULL ? home : "/"));
	json_object_set_new(proc, "env", env);
	x = json_object_get(cfg, "WorkingDir");
	json_object_set_new(proc, "cwd", json_string(json_is_string(x) && json_string_value(x)[0] == '/'
						     ? json_string_value(x) : "/"));
	json_object_set_new(proc, "user", json_pack("{s:I, s:I}", "uid", (json_int_t)uid, "gid", (json_int_t)gid));
	json_object_set_new(spec, "root", json_pack("{s:s, s:b}", "path", "rootfs", "readonly", 0));
	json_object_set_new(spec, "hostname", json_string("silo"));
	ann = json_object();
	json_object_foreach(json_object_get(cfg, "Labels"), key, x) {
		if (json_is_string(x))
			json_object_set(ann, key, x);
	}
	if (json_is_object(json_object_get(cfg, "ExposedPorts"))) {
		cleanup_free char *ports = NULL;
		json_object_foreach(json_object_get(cfg, "ExposedPorts"), key, x) {
			char *p = ports == NULL ? xstrdup(key) : xasprintf("%s,%s", ports, key);
			free(ports);
			ports = p;
		}
		if (ports != NULL)
			json_object_set_new(ann, "org.opencontainers.image.exposedPorts", json_string(ports));
	}
	x = json_object_get(cfg, "StopSignal");
	if (json_is_string(x))
		json_object_set(ann, "org.opencontainers.image.stopSignal", x);
	x = json_object_get(image_config, "os");
	if (json_is_string(x))
		json_object_set(ann, "org.opencontainers.image.os", x);
	x = json_object_get(image_config, "architecture");
	if (json_is_string(x))
		json_object_set(ann, "org.opencontainers.image.architecture", x);
	x = json_object_get(image_config, "author");
	if (json_is_string(x))
		json_object_set(ann, "org.opencontainers.image.author", x);
	x = json_object_get(image_config, "created");
	if (json_is_string(x))
		json_object_set(ann, "org.opencontainers.image.created", x);
	if (image_name != NULL)
		json_object_set_new(ann, "org.opencontainers.image.ref.name", json_string(image_name));
	json_object_set_new(ann, "io.silo.image.id", json_string(id));
	json_object_set_new(spec, "annotations", ann);
	out = json_dumps(spec, JSON_INDENT(2));
	json_decref(spec);
	return out;
}

char *img_bundle_spec(const json_t *image_config, const char *image_name, const char *id,
		      struct silo_error *err)
{
	return spec_for(-1, image_config, image_name, id, err);
}

/* ------------------------------------------------------------ rootfs: overlay */

static int mount_overlay(struct img_store *s, json_t *layers, int dir_fd, const char *dir,
			 struct silo_error *err)
{
	cleanup_close int fsfd = -1, mfd = -1, target = -1;
	cleanup_free char *opts = NULL;
	size_t n = json_array_size(layers);

	target = openat(dir_fd, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return silo_error(err, errno, "open %s/rootfs", dir);
	fsfd = sys_fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd >= 0) {
		bool ok = true;
		for (size_t i = n; ok && i-- > 0;) {
			cleanup_free char *p = xasprintf("%s/layers/%s", s->root,
							 img_digest_hex(json_string_value(json_array_get(layers, i))));
			ok = sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", p, 0) == 0;
		}
		if (ok) {
			cleanup_free char *up = xasprintf("%s/.silo/upper", dir), *wd = xasprintf("%s/.silo/work", dir);
			if (sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "upperdir", up, 0) < 0 ||
			    sys_fsconfig(fsfd, FSCONFIG_SET_STRING, "workdir", wd, 0) < 0 ||
			    sys_fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
				return silo_error(err, errno, "mount overlay on %s/rootfs", dir);
			mfd = sys_fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
			if (mfd < 0 || sys_move_mount(mfd, "", target, "",
						      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
				return silo_error(err, errno, "mount overlay on %s/rootfs", dir);
			return 0;
		}
		/* no "lowerdir+" (kernels before 6.8): one option string */
	}
	opts = xstrdup("lowerdir=");
	for (size_t i = n; i-- > 0;) {
		char *o = xasprintf("%s%s%s/layers/%s", opts, i + 1 == n ? "" : ":", s->root,
				    img_digest_hex(json_string_value(json_array_get(layers, i))));
		free(opts);
		opts = o;
	}
	{
		char *o = xasprintf("%s,upperdir=%s/.silo/upper,workdir=%s/.silo/work", opts, dir, dir);
		free(opts);
		opts = o;
	}
	{
		char proc[64];
		if (mount("overlay", fs_fd_path(target, proc, sizeof(proc)), "overlay", 0, opts) < 0)
			return silo_error(err, errno, "mount overlay on %s/rootfs", dir);
	}
	return 0;
}

/* ------------------------------------------------------------ rootfs: copy */

static int copy_layer_dir(int src, int dst, struct silo_error *err);

static int copy_entry(int src, int dst, const char *name, struct silo_error *err)
{
	struct stat st, dt;
	struct timespec ts[2];

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_error(err, errno, "stat %s", name);
	if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {   /* whiteout */
		if (img_rm_rf_at(dst, name) < 0)
			return silo_error(err, errno, "remove %s", name);
		return 0;
	}
	if (fstatat(dst, name, &dt, AT_SYMLINK_NOFOLLOW) == 0 &&
	    (!S_ISDIR(st.st_mode) || !S_ISDIR(dt.st_mode))) {
		if (img_rm_rf_at(dst, name) < 0)
			return silo_error(err, errno, "remove %s", name);
	}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (S_ISDIR(st.st_mode)) {
		cleanup_close int sfd = -1, dfd = -1;
		char v[4];
		if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST)
			return silo_error(err, errno, "create %s", name);
		sfd = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dfd = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sfd < 0 || dfd < 0)
			return silo_error(err, errno, "open %s", name);
		if (fgetxattr(sfd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y') {
			/* opaque: what lower layers put here goes */
			cleanup_dir DIR *d = fdopendir(dup(dfd));
			struct dirent *e;
			while (d != NULL && (e = readdir(d)) != NULL) {
				if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
					img_rm_rf_at(dfd, e->d_name);
			}
		}
		if (copy_layer_dir(sfd, dfd, err) < 0)
			return silo_error_ctx(err, "%s", name);
		if (fchown(dfd, st.st_uid, st.st_gid) < 0 || fchmod(dfd, st.st_mode & 07777) < 0)
			return silo_error(err, errno, "set owner and mode of %s", name);
		futimens(dfd, ts);
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		cleanup_close int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		char buf[1 << 16];
		ssize_t n;
		if (in < 0 || out < 0)
			return silo_error(err, errno, "copy %s", name);
		while ((n = read(in, buf, sizeof(buf))) > 0) {
			if (write_all(out, buf, (size_t)n) < 0)
				return silo_error(err, errno, "copy %s", name);
		}
		if (n < 0 || fchown(out, st.st_uid, st.st_gid) < 0 || fchmod(out, st.st_mode & 07777) < 0)
			return silo_error(err, errno, "copy %s", name);
		futimens(out, ts);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);
		if (n < 0)
			return silo_error(err, errno, "read symlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0 ||
		    fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return silo_error(err, errno, "copy symlink %s", name);
		utimensat(dst, name, ts, AT_SYMLINK_NOFOLLOW);
		return 0;
	}
	if (mknodat(dst, name, st.st_mode, st.st_rdev) < 0 ||
	    fchownat(dst, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_error(err, errno, "copy node %s", name);
	return 0;
}

static int copy_layer_dir(int src, int dst, struct silo_error *err)
{
	int fd = dup(src);
	cleanup_dir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return silo_error(err, errno, "read layer directory");
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (copy_entry(src, dst, e->d_name, err) < 0)
			return -1;
	}
	return 0;
}

static int copy_layers(struct img_store *s, json_t *layers, int dir_fd, const char *dir,
		       struct silo_error *err)
{
	cleanup_close int dst = openat(dir_fd, "rootfs", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (dst < 0)
		return silo_error(err, errno, "open %s/rootfs", dir);
	for (size_t i = 0; i < json_array_size(layers); i++) {
		const char *hex = img_digest_hex(json_string_value(json_array_get(layers, i)));
		cleanup_close int src = openat(s->layers_fd, hex, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0)
			return silo_error(err, errno, "open layer %s", hex);
		if (copy_layer_dir(src, dst, err) < 0)
			return silo_error_ctx(err, "copy layer %s", hex);
	}
	return 0;
}

/* ------------------------------------------------------------ create, remove */

/* The record's name: FNV-1a of the bundle path (no libcrypto load for a
 * name; the record holds the path itself). */
static char *bundle_record_name(const char *absdir)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)absdir; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return xasprintf("%016llx.json", (unsigned long long)h);
}

static char *abs_path(const char *dir, struct silo_error *err)
{
	char cwd[PATH_MAX];
	cleanup_free char *joined = NULL;

	if (dir[0] == '/')
		return fs_clean_path(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return (silo_error(err, errno, "getcwd"), NULL);
	joined = xasprintf("%s/%s", cwd, dir);
	return fs_clean_path(joined);
}

int img_bundle_create(struct img_store *s, const char *what, const char *dir_arg,
		      const struct img_bundle_opts *o, struct silo_error *err)
{
	char id[IMG_DIGEST_LEN + 1];
	cleanup_free char *dir = NULL, *spec = NULL, *recname = NULL, *rec_text = NULL, *name = NULL;
	cleanup_close int dir_fd = -1, rootfs_fd = -1, bdir = -1;
	json_t *rec = NULL, *cfg = NULL, *layers;
	struct img_ref ref;
	struct silo_error perr;
	bool made_dir = false, mounted = false, made_meta = false;
	int ret = -1;

	if (img_resolve(s, what, id, err) < 0)
		return -1;
	rec = img_record_load(s, id);
	if (rec == NULL)
		return silo_error(err, 0, "image %s: no record in the store", what);
	layers = json_object_get(rec, "layers");
	if (json_array_size(layers) == 0) {
		silo_error(err, 0, "image %s has no layers", what);
		goto out;
	}
	cfg = img_config_json(s, id, err);
	if (cfg == NULL)
		goto out;
	if (img_ref_parse(what, &ref, &perr) == 0) {
		name = img_ref_string(&ref);
		img_ref_free(&ref);
	}
	dir = abs_path(dir_arg, err);
	if (dir == NULL)
		goto out;
	if (mkdir(dir, 0700) == 0)
		made_dir = true;
	else if (errno != EEXIST) {
		silo_error(err, errno, "create %s", dir);
		goto out;
	}
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0) {
		silo_error(err, errno, "open %s", dir);
		goto out;
	}
	if (faccessat(dir_fd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0 ||
	    faccessat(dir_fd, ".silo", F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		silo_error(err, 0, "%s already holds a bundle (silo bundle --rm %s removes it)", dir, dir);
		goto out;
	}
	if (mkdirat(dir_fd, ".silo", 0700) < 0) {
		silo_error(err, errno, "create %s/.silo", dir);
		goto out;
	}
	made_meta = true;
	if ((mkdirat(dir_fd, "rootfs", 0755) < 0 && errno != EEXIST)) {
		silo_error(err, errno, "create %s/rootfs", dir);
		goto out;
	}
	if (o != NULL && o->copy) {
		if (copy_layers(s, layers, dir_fd, dir, err) < 0)
			goto out;
	} else {
		cleanup_close int meta = openat(dir_fd, ".silo", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int r;
		if (meta < 0 || mkdirat(meta, "upper", 0755) < 0 || mkdirat(meta, "work", 0700) < 0) {
			silo_error(err, errno, "create %s/.silo/upper and work", dir);
			goto out;
		}
		if (getenv("SILO_TEST_NO_OVERLAY") != NULL && strcmp(getenv("SILO_TEST_NO_OVERLAY"), "1") == 0)
			r = silo_error(err, ENODEV, "mount overlay on %s/rootfs (SILO_TEST_NO_OVERLAY)", dir);
		else
			r = mount_overlay(s, layers, dir_fd, dir, err);
		if (r < 0 && (err->errnum == ENODEV || err->errnum == EINVAL || err->errnum == EOPNOTSUPP)) {
			/* no overlay here (or not on this file system): a private copy */
			silo_error_clear(err);
			img_rm_rf_at(meta, "upper");
			img_rm_rf_at(meta, "work");
			r = copy_layers(s, layers, dir_fd, dir, err);
			if (r < 0)
				goto out;
		} else if (r < 0) {
			goto out;
		} else {
			mounted = true;
		}
	}
	rootfs_fd = openat(dir_fd, "rootfs", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	spec = spec_for(rootfs_fd, cfg, name != NULL ? name : what, id, err);
	if (spec == NULL || img_write_file(dir_fd, "config.json", spec, strlen(spec), false, err) < 0)
		goto out;
	bdir = openat(s->root_fd, "bundles", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bdir < 0 && errno == ENOENT && mkdirat(s->root_fd, "bundles", 0700) == 0)
		bdir = openat(s->root_fd, "bundles", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bdir < 0) {
		silo_error(err, errno, "open %s/bundles", s->root);
		goto out;
	}
	recname = bundle_record_name(dir);
	rec_text = xasprintf("{\"dir\":\"%s\",\"image\":\"%s\",\"overlay\":%s}\n", dir, id,
			     mounted ? "true" : "false");
	if (strchr(dir, '"') != NULL || strchr(dir, '\\') != NULL) {
		json_t *j = json_pack("{s:s, s:s, s:b}", "dir", dir, "image", id, "overlay", mounted);
		free(rec_text);
		rec_text = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	if (img_write_file(bdir, recname, rec_text, strlen(rec_text), false, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0) {
		if (dir_fd >= 0) {
			unlinkat(dir_fd, "config.json", 0);
			if (mounted) {
				cleanup_free char *r = xasprintf("%s/rootfs", dir);
				umount2(r, MNT_DETACH);
			}
			if (made_meta) {
				img_rm_rf_at(dir_fd, ".silo");
				img_rm_rf_at(dir_fd, "rootfs");
			}
		}
		if (made_dir && dir != NULL)
			rmdir(dir);
	}
	json_decref(rec);
	json_decref(cfg);
	return ret;
}

int img_bundle_remove(struct img_store *s, const char *dir_arg, struct silo_error *err)
{
	cleanup_free char *dir = abs_path(dir_arg, err), *rootfs = NULL, *recname = NULL;
	cleanup_close int dir_fd = -1, bdir = -1;

	if (dir == NULL)
		return -1;
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dir_fd < 0)
		return silo_error(err, errno, "open %s", dir);
	if (faccessat(dir_fd, ".silo", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return silo_error(err, 0, "%s is not a bundle made by silo bundle", dir);
	rootfs = xasprintf("%s/rootfs", dir);
	if (umount2(rootfs, UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
		return silo_error(err, errno, "unmount %s", rootfs);
	if (img_rm_rf_at(dir_fd, "rootfs") < 0 || img_rm_rf_at(dir_fd, ".silo") < 0 ||
	    (unlinkat(dir_fd, "config.json", 0) < 0 && errno != ENOENT))
		return silo_error(err, errno, "remove the bundle in %s", dir);
	recname = bundle_record_name(dir);
	bdir = openat(s->root_fd, "bundles", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bdir >= 0)
		unlinkat(bdir, recname, 0);
	return 0;
}
