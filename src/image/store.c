/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store on disk (layout in image.h): opening and locking it, blobs that
 * are verified before they are trusted, references, image records, and the
 * operations on them (commit, resolve, tag, remove, list, prune).
 *
 * Crash and concurrency rules:
 * - a blob is written to tmp/, hashed as it is written, verified, fsynced and
 *   only then renamed to blobs/sha256/HEX: whatever is in blobs/ is good;
 * - a layer is unpacked into layers/.tmp-*, verified and renamed: whatever is
 *   in layers/HEX/ is complete;
 * - refs.json and records are replaced atomically (temp + fsync + rename);
 *   refs.json read-modify-write happens under the flock of refs.lock;
 * - loading and pulling hold `lock` shared, rmi and prune hold it exclusive,
 *   so a prune never removes a blob a running pull has just stored.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "util.h"

/* ------------------------------------------------------------ small helpers */

int img_write_atomic(int dirfd, const char *name, const void *data, size_t len,
		     struct silo_error *err)
{
	return img_write_file(dirfd, name, data, len, true, err);
}

int img_write_file(int dirfd, const char *name, const void *data, size_t len, bool sync,
		   struct silo_error *err)
{
	return write_file_atomic_sync(dirfd, name, data, len, 0644, sync, err);
}

static int rm_rf_fd(int dfd)
{
	cleanup_dir DIR *d = fdopendir(dfd);
	struct dirent *e;
	int ret = 0;

	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (img_rm_rf_at(dirfd(d), e->d_name) < 0)
			ret = -1;
	}
	return ret;
}

int img_rm_rf_at(int dfd, const char *name)
{
	struct stat st;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) < 0 && errno != ENOENT ? -1 : 0;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* a read-only directory inside a layer (mode 0555) is still removable by root */
	if (rm_rf_fd(fd) < 0)
		return -1;
	return unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

char *img_json_dump(const json_t *j, bool pretty)
{
	return json_dumps(j, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_ENCODE_ANY);
}

void img_store_progress(struct img_store *s, const struct img_progress *p)
{
	if (s->progress != NULL)
		s->progress(p, s->progress_data);
}

static void progress_info(struct img_store *s, const char *msg)
{
	struct img_progress p = { .kind = IMG_PROGRESS_INFO, .msg = msg, .index = -1 };
	img_store_progress(s, &p);
}

/* ------------------------------------------------------------ open, lock */

static int open_subdir(int parent, const char *name, const char *root, struct silo_error *err)
{
	int fd;

	if (mkdirat(parent, name, 0700) < 0 && errno != EEXIST)
		return silo_error(err, errno, "create %s/%s", root, name);
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return silo_error(err, errno, "open %s/%s", root, name);
	return fd;
}

static int mkdir_p(const char *path, struct silo_error *err)
{
	cleanup_free char *p = xstrdup(path);

	for (char *c = p + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return silo_error(err, errno, "create %s", p);
		*c = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return silo_error(err, errno, "create %s", p);
	return 0;
}

int img_store_open(struct img_store *s, const char *root, struct silo_error *err)
{
	cleanup_close int blobs = -1;

	memset(s, 0, sizeof(*s));
	s->root_fd = s->lock_fd = s->blobs_fd = s->layers_fd = s->images_fd = s->tmp_fd = -1;
	s->root = xstrdup(root);
	if (mkdir_p(root, err) < 0)
		goto fail;
	s->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0) {
		silo_error(err, errno, "open store %s", root);
		goto fail;
	}
	s->lock_fd = openat(s->root_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->lock_fd < 0) {
		silo_error(err, errno, "open %s/lock", root);
		goto fail;
	}
	if ((blobs = open_subdir(s->root_fd, "blobs", root, err)) < 0 ||
	    (s->blobs_fd = open_subdir(blobs, "sha256", root, err)) < 0 ||
	    (s->layers_fd = open_subdir(s->root_fd, "layers", root, err)) < 0 ||
	    (s->images_fd = open_subdir(s->root_fd, "images", root, err)) < 0 ||
	    (s->tmp_fd = open_subdir(s->root_fd, "tmp", root, err)) < 0)
		goto fail;
	return 0;
fail:
	img_store_close(s);
	return -1;
}

void img_store_close(struct img_store *s)
{
	int *fds[] = { &s->root_fd, &s->lock_fd, &s->blobs_fd, &s->layers_fd, &s->images_fd, &s->tmp_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(s->root);
	s->root = NULL;
}

int img_store_lock(struct img_store *s, bool exclusive, struct silo_error *err)
{
	int mode = exclusive ? LOCK_EX : LOCK_SH;

	while (flock(s->lock_fd, mode) < 0) {
		if (errno != EINTR)
			return silo_error(err, errno, "lock %s/lock", s->root);
	}
	s->lock_mode = mode;
	return 0;
}

/* ------------------------------------------------------------ blobs */

int img_blob_begin(struct img_store *s, struct img_blob_writer *w, struct silo_error *err)
{
	static unsigned counter;

	memset(w, 0, sizeof(*w));
	w->store = s;
	w->fd = -1;
	snprintf(w->tmpname, sizeof(w->tmpname), "blob-%d-%u", (int)getpid(), counter++);
	if (img_sha256_init(&w->hash, err) < 0)
		return -1;
	w->fd = openat(s->tmp_fd, w->tmpname, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		img_sha256_free(&w->hash);
		return silo_error(err, errno, "create %s/tmp/%s", s->root, w->tmpname);
	}
	return 0;
}

int img_blob_resume(struct img_store *s, const char *digest, struct img_blob_writer *w,
		    int64_t *have, struct silo_error *err)
{
	char buf[65536];
	ssize_t n;

	*have = 0;
	memset(w, 0, sizeof(*w));
	w->store = s;
	w->fd = -1;
	snprintf(w->tmpname, sizeof(w->tmpname), "%s.partial", img_digest_hex(digest));
	w->fd = openat(s->tmp_fd, w->tmpname, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (w->fd < 0)
		return silo_error(err, errno, "open %s/tmp/%s", s->root, w->tmpname);
	/* another process downloading the same blob: take a private file instead */
	if (flock(w->fd, LOCK_EX | LOCK_NB) < 0) {
		close(w->fd);
		return img_blob_begin(s, w, err);
	}
	if (img_sha256_init(&w->hash, err) < 0) {
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	w->keep_on_abort = true;
	while ((n = read(w->fd, buf, sizeof(buf))) > 0)
		img_sha256_update(&w->hash, buf, (size_t)n);
	if (n < 0) {
		int e = errno;
		img_blob_abort(w);
		return silo_error(err, e, "read %s/tmp/%s", s->root, w->tmpname);
	}
	*have = (int64_t)w->hash.size;
	return 0;
}

int img_blob_write(struct img_blob_writer *w, const void *data, size_t len, struct silo_error *err)
{
	if (write_all(w->fd, data, len) < 0)
		return silo_error(err, errno, "write %s/tmp/%s", w->store->root, w->tmpname);
	img_sha256_update(&w->hash, data, len);
	return 0;
}

void img_blob_abort(struct img_blob_writer *w)
{
	if (w->fd >= 0) {
		if (!w->keep_on_abort)
			unlinkat(w->store->tmp_fd, w->tmpname, 0);
		close(w->fd);
	}
	w->fd = -1;
	img_sha256_free(&w->hash);
}

int img_blob_commit(struct img_blob_writer *w, const char *expect_digest, int64_t expect_size,
		    char *digest_out, struct silo_error *err)
{
	char digest[IMG_DIGEST_LEN + 1];
	uint64_t size = w->hash.size;
	struct img_store *s = w->store;

	img_sha256_final(&w->hash, digest);
	if (expect_size >= 0 && (uint64_t)expect_size != size) {
		w->keep_on_abort = false;
		img_blob_abort(w);
		return silo_error(err, 0, "blob %s: size %llu, expected %lld", expect_digest ? expect_digest : digest,
				  (unsigned long long)size, (long long)expect_size);
	}
	if (expect_digest != NULL && strcmp(digest, expect_digest) != 0) {
		w->keep_on_abort = false;
		img_blob_abort(w);
		return silo_error(err, 0, "blob %s: digest mismatch: the content hashes to %s",
				  expect_digest, digest);
	}
	if (fsync(w->fd) < 0 ||
	    renameat(s->tmp_fd, w->tmpname, s->blobs_fd, img_digest_hex(digest)) < 0) {
		int e = errno;
		w->keep_on_abort = false;
		img_blob_abort(w);
		return silo_error(err, e, "store blob %s", digest);
	}
	fsync(s->blobs_fd);
	close(w->fd);
	w->fd = -1;
	if (digest_out != NULL)
		memcpy(digest_out, digest, IMG_DIGEST_LEN + 1);
	return 0;
}

int img_blob_put(struct img_store *s, const void *data, size_t len, const char *expect_digest,
		 char *digest_out, struct silo_error *err)
{
	struct img_blob_writer w;

	if (expect_digest != NULL && img_blob_exists(s, expect_digest, (int64_t)len)) {
		char d[IMG_DIGEST_LEN + 1];
		if (img_sha256_buf(data, len, d, err) < 0)
			return -1;
		if (strcmp(d, expect_digest) != 0)
			return silo_error(err, 0, "blob %s: digest mismatch: the content hashes to %s",
					  expect_digest, d);
		if (digest_out != NULL)
			memcpy(digest_out, d, sizeof(d));
		return 0;
	}
	if (img_blob_begin(s, &w, err) < 0)
		return -1;
	if (img_blob_write(&w, data, len, err) < 0) {
		img_blob_abort(&w);
		return -1;
	}
	return img_blob_commit(&w, expect_digest, -1, digest_out, err);
}

int img_blob_put_fd(struct img_store *s, int fd, const char *expect_digest, int64_t expect_size,
		    char *digest_out, struct silo_error *err)
{
	struct img_blob_writer w;
	char buf[1 << 16];
	ssize_t n;

	if (img_blob_begin(s, &w, err) < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			img_blob_abort(&w);
			return silo_error(err, e, "read blob");
		}
		if (img_blob_write(&w, buf, (size_t)n, err) < 0) {
			img_blob_abort(&w);
			return -1;
		}
	}
	return img_blob_commit(&w, expect_digest, expect_size, digest_out, err);
}

bool img_blob_exists(struct img_store *s, const char *digest, int64_t size)
{
	struct stat st;

	if (!img_digest_valid(digest) ||
	    fstatat(s->blobs_fd, img_digest_hex(digest), &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return false;
	return size < 0 || st.st_size == size;
}

int img_blob_open(struct img_store *s, const char *digest, struct silo_error *err)
{
	int fd;

	if (!img_digest_valid(digest))
		return silo_error(err, 0, "invalid digest \"%s\"", digest);
	fd = openat(s->blobs_fd, img_digest_hex(digest), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return silo_error(err, errno, "blob %s", digest);
	return fd;
}

int img_blob_read(struct img_store *s, const char *digest, char **data, size_t *len,
		  struct silo_error *err)
{
	cleanup_close int fd = img_blob_open(s, digest, err);

	if (fd < 0)
		return -1;
	if (read_fd_all(fd, data, len, err) < 0)
		return silo_error_ctx(err, "blob %s", digest);
	return 0;
}

/* ------------------------------------------------------------ references */

int img_refs_load(struct img_store *s, json_t **refs, struct silo_error *err)
{
	cleanup_free char *data = NULL;
	json_error_t je;
	size_t len;
	int fd;

	fd = openat(s->root_fd, "refs.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT)
			return silo_error(err, errno, "open %s/refs.json", s->root);
		*refs = json_object();
		return 0;
	}
	if (read_fd_all(fd, &data, &len, err) < 0) {
		close(fd);
		return silo_error_ctx(err, "%s/refs.json", s->root);
	}
	close(fd);
	*refs = json_loadb(data, len, 0, &je);
	if (*refs == NULL || !json_is_object(*refs)) {
		json_decref(*refs);
		*refs = NULL;
		return silo_error(err, 0, "%s/refs.json: not a JSON object", s->root);
	}
	return 0;
}

static int refs_lock(struct img_store *s, struct silo_error *err)
{
	int fd = openat(s->root_fd, "refs.lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return silo_error(err, errno, "open %s/refs.lock", s->root);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			close(fd);
			return silo_error(err, errno, "lock %s/refs.lock", s->root);
		}
	}
	return fd;
}

static int refs_store(struct img_store *s, json_t *refs, struct silo_error *err)
{
	cleanup_free char *text = json_dumps(refs, JSON_INDENT(1) | JSON_SORT_KEYS);

	return img_write_atomic(s->root_fd, "refs.json", text, strlen(text), err);
}

int img_refs_set(struct img_store *s, const char *name, const char *id, struct silo_error *err)
{
	cleanup_close int lk = refs_lock(s, err);
	json_t *refs = NULL;
	int r;

	if (lk < 0 || img_refs_load(s, &refs, err) < 0)
		return -1;
	if (id != NULL)
		json_object_set_new(refs, name, json_string(id));
	else
		json_object_del(refs, name);
	r = refs_store(s, refs, err);
	json_decref(refs);
	return r;
}

/* ------------------------------------------------------------ records */

json_t *img_record_load(struct img_store *s, const char *id)
{
	cleanup_free char *data = NULL, *name = NULL;
	struct silo_error err;
	size_t len;
	json_t *j;

	if (!img_digest_valid(id))
		return NULL;
	name = xasprintf("%s.json", img_digest_hex(id));
	if (read_file_at(s->images_fd, name, &data, &len, &err) < 0)
		return NULL;
	j = json_loadb(data, len, 0, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

static int64_t layer_size_get(struct img_store *s, const char *hex)
{
	cleanup_free char *name = xasprintf("%s.size", hex), *data = NULL;
	struct silo_error err;
	int64_t v = 0;
	size_t len;

	if (read_file_at(s->layers_fd, name, &data, &len, &err) < 0)
		return 0;
	data[strcspn(data, "\n")] = '\0';
	return parse_i64(data, &v) == 0 ? v : 0;
}

/* Unpack one layer and record its uncompressed size (layers/HEX.size). */
static int unpack_one(struct img_store *s, const struct img_descriptor *d, const char *diff_id,
		      struct silo_error *err)
{
	const char *hex = img_digest_hex(diff_id);
	cleanup_close int bfd = img_blob_open(s, d->digest, err);
	cleanup_free char *sz = NULL, *szname = NULL;
	int64_t size = 0;

	if (bfd < 0)
		return -1;
	if (img_layer_unpack(bfd, s->layers_fd, hex, diff_id, &size, err) < 0)
		return silo_error_ctx(err, "layer %s", d->digest);
	sz = xasprintf("%lld\n", (long long)size);
	szname = xasprintf("%s.size", hex);
	return img_write_atomic(s->layers_fd, szname, sz, strlen(sz), err);
}

#define UNPACK_JOBS_MAX 4

struct unpack_job {
	pid_t pid;
	int fd;          /* read end: the child's struct silo_error, or EOF on success */
	size_t layer;
};

/* Collect a finished child: its error (if it sent one) or its status. */
static int unpack_reap(struct unpack_job *j, const struct img_manifest *m, struct silo_error *err)
{
	struct silo_error cerr;
	ssize_t got = read_all(j->fd, &cerr, sizeof(cerr));
	int status = 0;

	close(j->fd);
	while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == (ssize_t)sizeof(cerr)) {
		*err = cerr;
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return silo_error(err, 0, "layer %s: the unpacking process failed (status %d)",
				  m->layers[j->layer].digest, status);
	return 0;
}

/* Unpack the layers the store lacks.  Layers are independent (each has its
 * own directory), so with several CPUs they are unpacked by up to
 * UNPACK_JOBS_MAX child processes at once; a child reports a failure as a
 * struct silo_error through a pipe.  The first failure stops new starts; the
 * running ones are waited for. */
static int unpack_missing(struct img_store *s, const struct img_manifest *m,
			  const struct img_config *c, struct silo_error *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t jobs = ncpu > 1 ? (size_t)(ncpu < UNPACK_JOBS_MAX ? ncpu : UNPACK_JOBS_MAX) : 1;
	cleanup_free size_t *todo = xzalloc((m->n_layers + 1) * sizeof(size_t));
	struct unpack_job run[UNPACK_JOBS_MAX];
	size_t n = 0, nrun = 0, next = 0;
	int ret = 0;

	for (size_t i = 0; i < m->n_layers; i++) {
		struct stat st;
		bool dup = false;
		if (fstatat(s->layers_fd, img_digest_hex(c->diff_ids[i]), &st, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		for (size_t k = 0; k < n; k++)
			dup |= strcmp(c->diff_ids[todo[k]], c->diff_ids[i]) == 0;
		if (!dup)
			todo[n++] = i;
	}
	if (n > 0 && img_lazy_need_archive(err) < 0)
		return -1;
	while (next < n || nrun > 0) {
		while (ret == 0 && next < n && (nrun < jobs)) {
			size_t i = todo[next++];
			struct img_progress p = { .kind = IMG_PROGRESS_UNPACK, .digest = m->layers[i].digest,
						  .index = (int)i, .total = m->layers[i].size };
			int fds[2];
			pid_t pid;

			img_store_progress(s, &p);
			if (n == 1 || jobs == 1) {       /* no point in a child */
				ret = unpack_one(s, &m->layers[i], c->diff_ids[i], err);
				continue;
			}
			if (pipe2(fds, O_CLOEXEC) < 0) {
				ret = silo_error(err, errno, "pipe");
				break;
			}
			pid = fork();
			if (pid < 0) {
				ret = silo_error(err, errno, "fork");
				close(fds[0]);
				close(fds[1]);
				break;
			}
			if (pid == 0) {
				struct silo_error cerr = { 0 };
				close(fds[0]);
				if (unpack_one(s, &m->layers[i], c->diff_ids[i], &cerr) < 0) {
					write_all(fds[1], &cerr, sizeof(cerr));
					_exit(1);
				}
				_exit(0);
			}
			close(fds[1]);
			run[nrun].pid = pid;
			run[nrun].fd = fds[0];
			run[nrun].layer = i;
			nrun++;
		}
		if (nrun == 0)
			break;
		{
			struct pollfd pf[UNPACK_JOBS_MAX];
			for (size_t k = 0; k < nrun; k++) {
				pf[k].fd = run[k].fd;
				pf[k].events = POLLIN;
				pf[k].revents = 0;
			}
			if (poll(pf, nrun, -1) < 0) {
				if (errno == EINTR)
					continue;
				pf[0].revents = POLLHUP;    /* cannot poll: wait for the first */
			}
			for (size_t k = 0; k < nrun; k++) {
				struct silo_error cerr;
				if (pf[k].revents == 0)
					continue;
				if (unpack_reap(&run[k], m, &cerr) < 0 && ret == 0) {
					*err = cerr;
					ret = -1;
				}
				run[k] = run[--nrun];
				break;
			}
		}
	}
	return ret;
}

int img_store_commit(struct img_store *s, const char *manifest_digest, char *const *names,
		     char *id_out, struct silo_error *err)
{
	cleanup_free char *mdata = NULL, *cdata = NULL, *text = NULL, *recname = NULL;
	struct img_manifest m = { 0 };
	struct img_config c = { 0 };
	json_t *rec = NULL, *layers, *blobs;
	int64_t total = 0;
	size_t mlen, clen;
	int ret = -1;

	if (img_blob_read(s, manifest_digest, &mdata, &mlen, err) < 0 ||
	    img_manifest_parse(mdata, mlen, &m, err) < 0)
		goto out;
	if (img_blob_read(s, m.config.digest, &cdata, &clen, err) < 0 ||
	    img_config_parse(cdata, clen, &c, err) < 0)
		goto out;
	if (c.n_diff_ids != m.n_layers) {
		silo_error(err, 0, "image %s: the manifest has %zu layers but the config %zu diff_ids",
			   m.config.digest, m.n_layers, c.n_diff_ids);
		goto out;
	}
	layers = json_array();
	blobs = json_array();
	rec = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", m.config.digest, "manifest", manifest_digest,
			"mediaType", m.media_type, "layers", layers, "blobs", blobs);
	if (unpack_missing(s, &m, &c, err) < 0)
		goto out;
	for (size_t i = 0; i < m.n_layers; i++) {
		total += layer_size_get(s, img_digest_hex(c.diff_ids[i]));
		json_array_append_new(layers, json_string(c.diff_ids[i]));
		json_array_append_new(blobs, json_string(m.layers[i].digest));
	}
	json_object_set_new(rec, "size", json_integer(total));
	if (c.created != NULL)
		json_object_set_new(rec, "created", json_string(c.created));
	text = json_dumps(rec, JSON_INDENT(1));
	recname = xasprintf("%s.json", img_digest_hex(m.config.digest));
	if (img_write_atomic(s->images_fd, recname, text, strlen(text), err) < 0)
		goto out;
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		if (img_refs_set(s, names[i], m.config.digest, err) < 0)
			goto out;
	}
	if (id_out != NULL)
		snprintf(id_out, IMG_DIGEST_LEN + 1, "%s", m.config.digest);
	ret = 0;
out:
	json_decref(rec);
	img_manifest_free(&m);
	img_config_free(&c);
	return ret;
}

/* ------------------------------------------------------------ resolve, tag, remove */

static bool is_hex(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++) {
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	}
	return true;
}

/* An id from a full or unique short hex id; 0 found, -1 none or ambiguous. */
static int resolve_id_prefix(struct img_store *s, const char *hex, char *id_out,
			     struct silo_error *err)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	size_t n = strlen(hex), found = 0;
	int fd = openat(s->images_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return silo_error(err, errno, "open %s/images", s->root);
	}
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l != 64 + 5 || strcmp(e->d_name + 64, ".json") != 0 || strncmp(e->d_name, hex, n) != 0)
			continue;
		if (found++ == 0)
			snprintf(id_out, IMG_DIGEST_LEN + 1, "sha256:%.64s", e->d_name);
	}
	if (found > 1)
		return silo_error(err, 0, "image id prefix \"%s\" is ambiguous", hex);
	return found == 1 ? 0 : -1;
}

int img_resolve(struct img_store *s, const char *what, char *id_out, struct silo_error *err)
{
	struct img_ref ref;
	struct silo_error perr;
	json_t *refs = NULL, *v;
	const char *hex = what;
	cleanup_free char *full = NULL;

	if (str_has_prefix(what, "sha256:"))
		hex = what + 7;
	if (is_hex(hex) && strlen(hex) == 64 && str_has_prefix(what, "sha256:") == (hex != what)) {
		json_t *rec;
		snprintf(id_out, IMG_DIGEST_LEN + 1, "sha256:%s", hex);
		rec = img_record_load(s, id_out);
		if (rec != NULL) {
			json_decref(rec);
			return 0;
		}
	}
	if (img_ref_parse(what, &ref, &perr) == 0) {
		full = img_ref_string(&ref);
		img_ref_free(&ref);
		if (img_refs_load(s, &refs, err) < 0)
			return -1;
		v = json_object_get(refs, full);
		if (json_is_string(v) && img_digest_valid(json_string_value(v))) {
			snprintf(id_out, IMG_DIGEST_LEN + 1, "%s", json_string_value(v));
			json_decref(refs);
			return 0;
		}
		json_decref(refs);
	}
	if (is_hex(hex) && strlen(hex) >= 4 && strlen(hex) <= 64) {
		silo_error_clear(err);
		if (resolve_id_prefix(s, hex, id_out, err) == 0)
			return 0;
		if (err->msg[0] != '\0')
			return -1;
	}
	return silo_error_errnum(err, ENOENT, "no such image: %s", what);
}

int img_tag(struct img_store *s, const char *src, const char *dst, struct silo_error *err)
{
	char id[IMG_DIGEST_LEN + 1];
	struct img_ref ref;
	cleanup_free char *full = NULL;

	if (img_resolve(s, src, id, err) < 0)
		return -1;
	if (img_ref_parse(dst, &ref, err) < 0)
		return -1;
	if (ref.digest != NULL) {
		img_ref_free(&ref);
		return silo_error(err, 0, "tag %s: a target name cannot have a digest", dst);
	}
	full = img_ref_string(&ref);
	img_ref_free(&ref);
	return img_refs_set(s, full, id, err);
}

/* The directory of bundle records, created on demand. */
static int bundles_dir(struct img_store *s, struct silo_error *err)
{
	return open_subdir(s->root_fd, "bundles", s->root, err);
}

/* The first bundle directory that uses image id, or NULL.  Records whose
 * bundle directory is gone are stale and removed. */
static char *image_user(struct img_store *s, const char *id)
{
	struct silo_error err;
	int fd = bundles_dir(s, &err);
	cleanup_dir DIR *d = NULL;
	struct dirent *e;
	char *user = NULL;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (user == NULL && (e = readdir(d)) != NULL) {
		cleanup_free char *data = NULL;
		size_t len;
		json_t *j;
		const char *dir, *img;
		struct stat st;

		if (e->d_name[0] == '.' || read_file_at(dirfd(d), e->d_name, &data, &len, &err) < 0)
			continue;
		j = json_loadb(data, len, 0, NULL);
		dir = json_string_value(json_object_get(j, "dir"));
		img = json_string_value(json_object_get(j, "image"));
		if (dir != NULL && img != NULL && strcmp(img, id) == 0) {
			if (stat(dir, &st) == 0)
				user = xstrdup(dir);
			else
				unlinkat(dirfd(d), e->d_name, 0);
		}
		json_decref(j);
	}
	return user;
}

static int gc(struct img_store *s, int64_t *freed, struct silo_error *err);

int img_remove(struct img_store *s, const char *what, bool force, struct silo_error *err)
{
	char id[IMG_DIGEST_LEN + 1];
	cleanup_free char *full = NULL, *user = NULL, *recname = NULL;
	json_t *refs = NULL, *v;
	const char *key;
	void *tmp;
	struct img_ref ref;
	struct silo_error perr;
	bool by_name = false;
	size_t tags = 0;
	int lk = -1, ret = -1;

	if (img_resolve(s, what, id, err) < 0)
		return -1;
	if (img_ref_parse(what, &ref, &perr) == 0) {
		full = img_ref_string(&ref);
		img_ref_free(&ref);
	}
	lk = refs_lock(s, err);
	if (lk < 0 || img_refs_load(s, &refs, err) < 0)
		goto out;
	v = json_object_get(refs, full != NULL ? full : "");
	by_name = json_is_string(v) && strcmp(json_string_value(v), id) == 0;
	json_object_foreach(refs, key, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0 && strchr(key, '@') == NULL)
			tags++;
	}
	if (!by_name && tags > 1 && !force) {
		silo_error(err, 0, "image %.19s is referenced by %zu names: remove them by name, or use -f", id, tags);
		goto out;
	}
	/* untag; the image itself goes once no tag names it (its digest
	 * references go with it, as docker does) */
	if (by_name && strchr(full, '@') == NULL)
		tags--;
	if (by_name && tags > 0) {
		cleanup_free char *line = xasprintf("Untagged: %s", full);
		json_object_del(refs, full);
		progress_info(s, line);
		ret = refs_store(s, refs, err);
		goto out;
	}
	user = image_user(s, id);
	if (user != NULL && !force) {
		silo_error(err, 0, "image %s is in use by the bundle %s (use -f to remove it anyway)", what, user);
		goto out;
	}
	json_object_foreach_safe(refs, tmp, key, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), id) == 0) {
			cleanup_free char *line = xasprintf("Untagged: %s", key);
			progress_info(s, line);
			json_object_del(refs, key);
		}
	}
	if (refs_store(s, refs, err) < 0)
		goto out;
	recname = xasprintf("%s.json", img_digest_hex(id));
	if (unlinkat(s->images_fd, recname, 0) < 0 && errno != ENOENT) {
		silo_error(err, errno, "remove %s/images/%s", s->root, recname);
		goto out;
	}
	{
		cleanup_free char *line = xasprintf("Deleted: %s", id);
		progress_info(s, line);
	}
	close(lk);
	lk = -1;
	ret = gc(s, NULL, err);
out:
	if (lk >= 0)
		close(lk);
	json_decref(refs);
	return ret;
}

/* ------------------------------------------------------------ list, config */

static int64_t record_size(json_t *rec)
{
	json_t *v = json_object_get(rec, "size");
	return json_is_integer(v) ? json_integer_value(v) : 0;
}

static void info_fill(struct img_store *s, struct img_info *row, const char *id, json_t *rec)
{
	snprintf(row->id, sizeof(row->id), "%s", id);
	row->size = record_size(rec);
	if (json_is_string(json_object_get(rec, "created")))
		row->created = xstrdup(json_string_value(json_object_get(rec, "created")));
	if (json_is_string(json_object_get(rec, "manifest")))
		row->digest = xstrdup(json_string_value(json_object_get(rec, "manifest")));
	(void)s;
}

int img_list(struct img_store *s, struct img_info **out, size_t *n, struct silo_error *err)
{
	cleanup_dir DIR *d = NULL;
	json_t *refs = NULL, *v;
	const char *key;
	struct dirent *e;
	struct img_info *rows = NULL;
	size_t nrows = 0;
	int fd;

	if (img_refs_load(s, &refs, err) < 0)
		return -1;
	fd = openat(s->images_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		json_decref(refs);
		return silo_error(err, errno, "open %s/images", s->root);
	}
	while ((e = readdir(d)) != NULL) {
		char id[IMG_DIGEST_LEN + 1];
		size_t shown = 0;
		json_t *rec;

		if (strlen(e->d_name) != 69 || strcmp(e->d_name + 64, ".json") != 0)
			continue;
		snprintf(id, sizeof(id), "sha256:%.64s", e->d_name);
		rec = img_record_load(s, id);
		if (rec == NULL)
			continue;
		/* one row per tag; a digest reference only for a repository with no tag here */
		json_object_foreach(refs, key, v) {
			const char *sep;
			if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0 || strchr(key, '@') != NULL)
				continue;
			sep = strrchr(key, ':');
			rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
			memset(&rows[nrows], 0, sizeof(*rows));
			{
				cleanup_free char *repo = xstrndup(key, (size_t)(sep - key));
				rows[nrows].repo = img_ref_familiar(repo);
			}
			rows[nrows].tag = xstrdup(sep + 1);
			info_fill(s, &rows[nrows++], id, rec);
			shown++;
		}
		json_object_foreach(refs, key, v) {
			const char *at = strchr(key, '@');
			bool tagged = false;
			const char *k2;
			json_t *v2;
			if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0 || at == NULL)
				continue;
			json_object_foreach(refs, k2, v2) {
				if (strchr(k2, '@') == NULL && strncmp(k2, key, (size_t)(at - key)) == 0 &&
				    k2[at - key] == ':' && json_is_string(v2) && strcmp(json_string_value(v2), id) == 0)
					tagged = true;
			}
			if (tagged)
				continue;
			rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
			memset(&rows[nrows], 0, sizeof(*rows));
			{
				cleanup_free char *repo = xstrndup(key, (size_t)(at - key));
				rows[nrows].repo = img_ref_familiar(repo);
			}
			info_fill(s, &rows[nrows++], id, rec);
			shown++;
		}
		if (shown == 0) {
			rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
			memset(&rows[nrows], 0, sizeof(*rows));
			info_fill(s, &rows[nrows++], id, rec);
		}
		json_decref(rec);
	}
	json_decref(refs);
	*out = rows;
	*n = nrows;
	return 0;
}

void img_info_free(struct img_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].repo);
		free(v[i].tag);
		free(v[i].digest);
		free(v[i].created);
	}
	free(v);
}

json_t *img_config_json(struct img_store *s, const char *id, struct silo_error *err)
{
	cleanup_free char *data = NULL;
	json_error_t je;
	size_t len;
	json_t *j;

	if (img_blob_read(s, id, &data, &len, err) < 0)
		return NULL;
	j = json_loadb(data, len, 0, &je);
	if (j == NULL)
		silo_error(err, 0, "image config %s: %s", id, je.text);
	return j;
}

/* ------------------------------------------------------------ prune */

static void mark(json_t *set, const char *digest)
{
	if (digest != NULL)
		json_object_set_new(set, digest, json_true());
}

static int64_t tree_size(int dfd, const char *name)
{
	struct stat st;
	int64_t total = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	total = (int64_t)st.st_blocks * 512;
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_dir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *e;
		if (d == NULL) {
			if (fd >= 0)
				close(fd);
			return total;
		}
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				total += tree_size(dirfd(d), e->d_name);
		}
	}
	return total;
}

/* Remove every blob and layer no record uses, and everything in tmp/.  The
 * caller holds the store lock exclusively. */
static int gc(struct img_store *s, int64_t *freed, struct silo_error *err)
{
	json_t *used = json_object();
	int fds[] = { s->images_fd, s->blobs_fd, s->layers_fd, s->tmp_fd };
	int64_t total = 0;
	int ret = 0;

	for (size_t pass = 0; pass < ARRAY_SIZE(fds); pass++) {
		int fd = openat(fds[pass], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		cleanup_dir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *e;

		if (d == NULL) {
			if (fd >= 0)
				close(fd);
			ret = silo_error(err, errno, "open %s", s->root);
			break;
		}
		while ((e = readdir(d)) != NULL) {
			const char *nm = e->d_name;
			char dg[IMG_DIGEST_LEN + 1];

			if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
				continue;
			if (pass == 0) {        /* images: mark what each record uses */
				json_t *rec, *a, *x;
				size_t i;
				if (strlen(nm) != 69)
					continue;
				snprintf(dg, sizeof(dg), "sha256:%.64s", nm);
				rec = img_record_load(s, dg);
				if (rec == NULL)
					continue;
				mark(used, dg);
				mark(used, json_string_value(json_object_get(rec, "manifest")));
				a = json_object_get(rec, "blobs");
				json_array_foreach(a, i, x) mark(used, json_string_value(x));
				a = json_object_get(rec, "layers");
				json_array_foreach(a, i, x) {
					cleanup_free char *k = xasprintf("layer:%s", json_string_value(x));
					mark(used, k);
				}
				json_decref(rec);
				continue;
			}
			if (pass == 1) {        /* blobs */
				snprintf(dg, sizeof(dg), "sha256:%s", nm);
				if (json_object_get(used, dg) != NULL)
					continue;
			} else if (pass == 2) { /* layers: HEX/ and HEX.size, temp dirs */
				cleanup_free char *k = xasprintf("layer:sha256:%.64s", nm);
				if (strlen(nm) >= 64 && nm[0] != '.' && json_object_get(used, k) != NULL)
					continue;
			}
			total += tree_size(dirfd(d), nm);
			if (img_rm_rf_at(dirfd(d), nm) < 0)
				ret = silo_error(err, errno, "remove %s", nm);
		}
	}
	json_decref(used);
	if (freed != NULL)
		*freed = total;
	return ret;
}

int img_prune(struct img_store *s, int64_t *freed, struct silo_error *err)
{
	struct img_info *rows = NULL;
	size_t n = 0;

	/* dangling images (no name) that no bundle uses go first */
	if (img_list(s, &rows, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *user = NULL, *recname = NULL;
		if (rows[i].repo != NULL)
			continue;
		user = image_user(s, rows[i].id);
		if (user != NULL)
			continue;
		recname = xasprintf("%s.json", img_digest_hex(rows[i].id));
		unlinkat(s->images_fd, recname, 0);
		{
			cleanup_free char *line = xasprintf("Deleted: %s", rows[i].id);
			progress_info(s, line);
		}
	}
	img_info_free(rows, n);
	return gc(s, freed, err);
}
