/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The built-in image silo/busybox: made once per store from the host's static
 * busybox (Debian's busybox-static), so that silo works without a registry.
 * It is a real image: one gzip layer (bin/busybox, a symlink per applet from
 * `busybox --list`, /etc/passwd and /etc/group, the usual empty directories),
 * an OCI config with Cmd ["sh"] and an OCI manifest, stored and committed
 * like any pulled image.  Every timestamp is the busybox binary's mtime and
 * gzip carries none, so the same busybox always gives the same digests.
 * The store remembers that it made it (the file `builtin`), so an rmi'd
 * silo/busybox stays removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "lazy.h"
#include "util.h"

extern char **environ;

struct membuf {
	char *data;
	size_t len, cap;
};

static la_ssize_t mem_write(struct archive *a, void *p, const void *buf, size_t n)
{
	struct membuf *m = p;
	(void)a;
	if (m->len + n > m->cap) {
		m->cap = (m->len + n) * 2;
		m->data = xrealloc(m->data, m->cap);
	}
	memcpy(m->data + m->len, buf, n);
	m->len += n;
	return (la_ssize_t)n;
}

/* `busybox --list`: the applet names, one per line. */
static char *applet_list(const char *busybox, struct silo_error *err)
{
	char *argv[] = { (char *)busybox, "--list", NULL };
	posix_spawn_file_actions_t fa;
	struct membuf m = { 0 };
	int p[2], status;
	pid_t pid;
	char buf[4096];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return (silo_error(err, errno, "pipe"), NULL);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], 1);
	if ((errno = posix_spawn(&pid, busybox, &fa, NULL, argv, environ)) != 0) {
		int e = errno;
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return (silo_error(err, e, "run %s --list", busybox), NULL);
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		mem_write(NULL, &m, buf, (size_t)n);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	mem_write(NULL, &m, "", 1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		free(m.data);
		return (silo_error(err, 0, "%s --list failed", busybox), NULL);
	}
	return m.data;
}

static void add_entry(struct archive *a, const char *path, mode_t type, mode_t perm, const char *link,
		      const void *data, size_t len, time_t t)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_mtime(e, t, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (link != NULL)
		archive_entry_set_symlink(e, link);
	archive_entry_set_size(e, type == AE_IFREG ? (la_int64_t)len : 0);
	archive_write_header(a, e);
	if (type == AE_IFREG && len > 0)
		archive_write_data(a, data, len);
	archive_entry_free(e);
}

static int build_layer(const char *busybox, struct membuf *tar, struct membuf *gz, time_t *mtime,
		       struct silo_error *err)
{
	static const char *const dirs[] = { "bin", "dev", "etc", "home", "proc", "root", "sys",
					    "usr", "usr/bin", "usr/sbin", "sbin", "var", "var/tmp" };
	static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
				     "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
	static const char group[] = "root:x:0:\nnobody:x:65534:\n";
	cleanup_free char *list = NULL, *bin = NULL;
	struct archive *a;
	struct stat st;
	size_t binlen;
	char *save = NULL;

	if (read_file_at(AT_FDCWD, busybox, &bin, &binlen, err) < 0 || stat(busybox, &st) < 0)
		return -1;
	*mtime = st.st_mtime;
	list = applet_list(busybox, err);
	if (list == NULL)
		return -1;
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	archive_write_open(a, tar, NULL, mem_write, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		add_entry(a, dirs[i], AE_IFDIR, 0755, NULL, NULL, 0, *mtime);
	add_entry(a, "tmp", AE_IFDIR, 01777, NULL, NULL, 0, *mtime);
	add_entry(a, "bin/busybox", AE_IFREG, 0755, NULL, bin, binlen, *mtime);
	for (char *app = strtok_r(list, "\n", &save); app != NULL; app = strtok_r(NULL, "\n", &save)) {
		cleanup_free char *p = xasprintf("bin/%s", app);
		if (strcmp(app, "busybox") == 0 || strchr(app, '/') != NULL || app[0] == '.')
			continue;
		add_entry(a, p, AE_IFLNK, 0777, "busybox", NULL, 0, *mtime);
	}
	add_entry(a, "etc/passwd", AE_IFREG, 0644, NULL, passwd, sizeof(passwd) - 1, *mtime);
	add_entry(a, "etc/group", AE_IFREG, 0644, NULL, group, sizeof(group) - 1, *mtime);
	if (archive_write_close(a) != ARCHIVE_OK) {
		silo_error(err, 0, "build the busybox layer: %s", archive_error_string(a));
		archive_write_free(a);
		return -1;
	}
	archive_write_free(a);

	/* gzip it: the raw format writes one entry's bytes through the filter */
	a = archive_write_new();
	archive_write_set_format_raw(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_filter_option(a, "gzip", "timestamp", NULL);
	archive_write_open(a, gz, NULL, mem_write, NULL);
	add_entry(a, "layer.tar", AE_IFREG, 0644, NULL, tar->data, tar->len, *mtime);
	if (archive_write_close(a) != ARCHIVE_OK) {
		silo_error(err, 0, "compress the busybox layer: %s", archive_error_string(a));
		archive_write_free(a);
		return -1;
	}
	archive_write_free(a);
	return 0;
}

int img_builtin_ensure(struct img_store *s, const char *busybox, struct silo_error *err)
{
	struct membuf tar = { 0 }, gz = { 0 };
	char diff_id[IMG_DIGEST_LEN + 1], layer[IMG_DIGEST_LEN + 1], cfgd[IMG_DIGEST_LEN + 1];
	char mand[IMG_DIGEST_LEN + 1], id[IMG_DIGEST_LEN + 1], created[40];
	cleanup_free char *cfgtext = NULL, *mantext = NULL;
	char *names[] = { (char *)IMG_BUILTIN_NAME, NULL };
	struct timespec ts = { 0 };
	json_t *cfg = NULL, *man = NULL;
	time_t mtime;
	int ret = -1;

	if (busybox == NULL)
		busybox = "/bin/busybox";
	if (faccessat(s->root_fd, "builtin", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (access(busybox, X_OK) < 0)
		return 0;           /* no busybox-static here: no built-in image, not an error */
	if (img_lazy_need(IMG_LAZY_ARCHIVE, err) < 0)
		return -1;
	if (build_layer(busybox, &tar, &gz, &mtime, err) < 0)
		goto out;
	if (img_sha256_buf(tar.data, tar.len, diff_id, err) < 0 ||
	    img_blob_put(s, gz.data, gz.len, NULL, layer, err) < 0)
		goto out;
	ts.tv_sec = mtime;
	format_rfc3339_utc(&ts, created, sizeof(created));
	cfg = json_pack("{s:s, s:s, s:s, s:{s:[s], s:[s]}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}",
			"created", created, "architecture", img_host_arch(), "os", "linux",
			"config", "Env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"Cmd", "sh", "rootfs", "type", "layers", "diff_ids", diff_id,
			"history", "created", created, "created_by", "silo: the host's busybox-static");
	cfgtext = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
	if (img_blob_put(s, cfgtext, strlen(cfgtext), NULL, cfgd, err) < 0)
		goto out;
	man = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}]}", "schemaVersion", 2,
			"mediaType", IMG_MT_OCI_MANIFEST, "config", "mediaType", IMG_MT_OCI_CONFIG,
			"digest", cfgd, "size", (json_int_t)strlen(cfgtext), "layers", "mediaType",
			IMG_MT_OCI_LAYER_GZIP, "digest", layer, "size", (json_int_t)gz.len);
	mantext = json_dumps(man, JSON_COMPACT | JSON_SORT_KEYS);
	if (img_blob_put(s, mantext, strlen(mantext), NULL, mand, err) < 0 ||
	    img_store_commit(s, mand, names, id, err) < 0)
		goto out;
	ret = img_write_atomic(s->root_fd, "builtin", id, strlen(id), err);
out:
	if (ret < 0)
		silo_error_ctx(err, "built-in image from %s", busybox);
	json_decref(cfg);
	json_decref(man);
	free(tar.data);
	free(gz.data);
	return ret;
}
