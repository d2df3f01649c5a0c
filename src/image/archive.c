/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo load` and `silo save`: image archives.
 *
 * Load reads a tar (any compression libarchive knows) and accepts
 *   - docker-archive, old layout: manifest.json + <config>.json + <id>/layer.tar;
 *   - docker-archive, Docker 25+: the same manifest.json over an OCI layout;
 *   - OCI image layout: oci-layout + index.json + blobs/sha256/… (skopeo's
 *     oci-archive, podman's --format oci-archive).
 * The archive is first extracted into a private directory under tmp/ (plain
 * files, directories and symlinks only, every path resolved inside it), then
 * each blob is copied into the store with its digest checked: against its
 * descriptor in an OCI layout, against its file name (blobs/sha256/HEX,
 * HEX.json) in a docker-archive; legacy layer.tar files are checked against
 * the config's diff_ids when unpacked.  A failed load removes the blobs it
 * added and names nothing.
 *
 * Save writes the Docker 25+ shape: an OCI layout whose index.json names every
 * image, plus docker's manifest.json, so both docker and OCI tools load it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs.h"
#include "image.h"
#include "lazy.h"
#include "util.h"

/* ------------------------------------------------------------ extraction */

static int extract_to(int fd, int root, struct silo_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[1 << 16];
	int r, ret = -1;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		silo_error(err, 0, "read archive: %s", archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		cleanup_free char *path = img_layer_path_clean(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		cleanup_free char *dir = NULL;
		cleanup_close int pfd = -1, out = -1;
		const char *base;
		char *slash;

		if (path == NULL) {
			silo_error(err, 0, "archive entry \"%s\" leaves the archive", archive_entry_pathname(e));
			goto out;
		}
		if (path[0] == '\0')
			continue;
		slash = strrchr(path, '/');
		if (slash != NULL) {
			dir = xstrndup(path, (size_t)(slash - path));
			base = slash + 1;
		} else {
			base = path;
		}
		pfd = dir != NULL ? fs_mkdir_p_in_root(root, dir, 0700, err)
				  : openat(root, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0) {
			if (dir == NULL)
				silo_error(err, errno, "open the extraction directory");
			goto out;
		}
		switch (archive_entry_filetype(e)) {
		case AE_IFDIR:
			if (mkdirat(pfd, base, 0700) < 0 && errno != EEXIST) {
				silo_error(err, errno, "extract %s", path);
				goto out;
			}
			continue;
		case AE_IFLNK:
			unlinkat(pfd, base, 0);
			if (symlinkat(archive_entry_symlink(e), pfd, base) < 0) {
				silo_error(err, errno, "extract %s", path);
				goto out;
			}
			continue;
		case AE_IFREG:
			break;
		default:
			continue;
		}
		unlinkat(pfd, base, 0);
		out = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0) {
			silo_error(err, errno, "extract %s", path);
			goto out;
		}
		for (;;) {
			la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
			if (n == 0)
				break;
			if (n < 0) {
				silo_error(err, 0, "read archive: %s", archive_error_string(a));
				goto out;
			}
			if (write_all(out, buf, (size_t)n) < 0) {
				silo_error(err, errno, "extract %s", path);
				goto out;
			}
		}
	}
	if (r != ARCHIVE_EOF) {
		silo_error(err, 0, "read archive: %s", archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	archive_read_free(a);
	return ret;
}

/* ------------------------------------------------------------ ingestion */

struct load {
	struct img_store *s;
	int root;                  /* the extracted archive */
	char **added;              /* blobs this load created (removed on failure) */
	size_t nadded;
	char **names;              /* what was loaded */
	size_t nnames;
};

static int put_file(struct load *l, const char *path, const char *expect, int64_t size,
		    char *digest_out, struct silo_error *err)
{
	cleanup_close int fd = fs_open_in_root(l->root, path, O_RDONLY, 0, err);
	bool had;

	if (fd < 0)
		return silo_error_ctx(err, "archive");
	had = expect != NULL && img_blob_exists(l->s, expect, size);
	if (had) {
		memcpy(digest_out, expect, IMG_DIGEST_LEN + 1);
		return 0;
	}
	if (img_blob_put_fd(l->s, fd, expect, size, digest_out, err) < 0)
		return silo_error_ctx(err, "%s", path);
	l->added = xreallocarray(l->added, l->nadded + 1, sizeof(char *));
	l->added[l->nadded++] = xstrdup(digest_out);
	return 0;
}

static int put_buf(struct load *l, const char *data, size_t len, char *digest_out,
		   struct silo_error *err)
{
	if (img_sha256_buf(data, len, digest_out, err) < 0)
		return -1;
	if (img_blob_exists(l->s, digest_out, (int64_t)len))
		return 0;
	if (img_blob_put(l->s, data, len, NULL, digest_out, err) < 0)
		return -1;
	l->added = xreallocarray(l->added, l->nadded + 1, sizeof(char *));
	l->added[l->nadded++] = xstrdup(digest_out);
	return 0;
}

static void add_name(struct load *l, const char *name)
{
	l->names = xreallocarray(l->names, l->nnames + 2, sizeof(char *));
	l->names[l->nnames++] = xstrdup(name);
	l->names[l->nnames] = NULL;
}

/* The expected digest from a path "blobs/sha256/HEX" or "HEX.json", else NULL. */
static char *digest_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	cleanup_free char *d = NULL;

	base = base != NULL ? base + 1 : path;
	if (str_has_prefix(path, "blobs/sha256/"))
		d = xasprintf("sha256:%s", base);
	else if (strlen(base) == 69 && strcmp(base + 64, ".json") == 0)
		d = xasprintf("sha256:%.64s", base);
	if (d != NULL && img_digest_valid(d))
		return steal_pointer(&d);
	return NULL;
}

static const char *sniff_layer_type(struct load *l, const char *digest)
{
	unsigned char m[4] = { 0 };
	struct silo_error err;
	cleanup_close int fd = img_blob_open(l->s, digest, &err);

	if (fd >= 0 && read(fd, m, 4) == 4) {
		if (m[0] == 0x1f && m[1] == 0x8b)
			return IMG_MT_OCI_LAYER_GZIP;
		if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
			return IMG_MT_OCI_LAYER_ZSTD;
	}
	return IMG_MT_OCI_LAYER;
}

static int normalise_name(const char *name, char **out, struct silo_error *err)
{
	struct img_ref ref;

	if (img_ref_parse(name, &ref, err) < 0)
		return -1;
	*out = img_ref_string(&ref);
	img_ref_free(&ref);
	return 0;
}

static int load_docker(struct load *l, const char *mdata, size_t mlen, struct silo_error *err)
{
	json_error_t je;
	json_t *arr = json_loadb(mdata, mlen, 0, &je), *item;
	size_t i;
	int ret = -1;

	if (!json_is_array(arr)) {
		silo_error(err, 0, "manifest.json: not a JSON array");
		goto out;
	}
	json_array_foreach(arr, i, item) {
		json_t *cfgp = json_object_get(item, "Config"), *layers = json_object_get(item, "Layers");
		json_t *tags = json_object_get(item, "RepoTags"), *mlayers = json_array(), *man, *x;
		char cfg_digest[IMG_DIGEST_LEN + 1], man_digest[IMG_DIGEST_LEN + 1], id[IMG_DIGEST_LEN + 1];
		cleanup_free char *expect = NULL, *text = NULL;
		cleanup_strv char **names = NULL;
		size_t j, nn = 0;
		int64_t cfg_size;
		struct stat st;

		if (!json_is_string(cfgp) || !json_is_array(layers)) {
			json_decref(mlayers);
			silo_error(err, 0, "manifest.json[%zu]: Config and Layers are required", i);
			goto out;
		}
		expect = digest_from_path(json_string_value(cfgp));
		if (put_file(l, json_string_value(cfgp), expect, -1, cfg_digest, err) < 0) {
			json_decref(mlayers);
			goto out;
		}
		cfg_size = fstatat(l->s->blobs_fd, img_digest_hex(cfg_digest), &st, 0) == 0 ? st.st_size : 0;
		json_array_foreach(layers, j, x) {
			char ld[IMG_DIGEST_LEN + 1];
			cleanup_free char *lexp = NULL;
			if (!json_is_string(x)) {
				json_decref(mlayers);
				silo_error(err, 0, "manifest.json[%zu].Layers[%zu]: not a string", i, j);
				goto out;
			}
			lexp = digest_from_path(json_string_value(x));
			if (put_file(l, json_string_value(x), lexp, -1, ld, err) < 0) {
				json_decref(mlayers);
				goto out;
			}
			fstatat(l->s->blobs_fd, img_digest_hex(ld), &st, 0);
			json_array_append_new(mlayers, json_pack("{s:s, s:s, s:I}", "mediaType",
								 sniff_layer_type(l, ld), "digest", ld,
								 "size", (json_int_t)st.st_size));
		}
		man = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
				IMG_MT_OCI_MANIFEST, "config", "mediaType", IMG_MT_OCI_CONFIG, "digest",
				cfg_digest, "size", (json_int_t)cfg_size, "layers", mlayers);
		text = json_dumps(man, JSON_COMPACT);
		json_decref(man);
		if (put_buf(l, text, strlen(text), man_digest, err) < 0)
			goto out;
		names = xzalloc((json_array_size(tags) + 1) * sizeof(char *));
		json_array_foreach(tags, j, x) {
			if (!json_is_string(x) || normalise_name(json_string_value(x), &names[nn], err) < 0) {
				silo_error_ctx(err, "manifest.json[%zu].RepoTags[%zu]", i, j);
				goto out;
			}
			nn++;
		}
		if (img_store_commit(l->s, man_digest, names, id, err) < 0)
			goto out;
		for (j = 0; j < nn; j++)
			add_name(l, names[j]);
		if (nn == 0)
			add_name(l, id);
	}
	ret = 0;
out:
	json_decref(arr);
	return ret;
}

/* One manifest (or nested index) of an OCI layout, with its blobs. */
static int load_oci_manifest(struct load *l, const struct img_descriptor *d, const char *name,
			     int depth, struct silo_error *err)
{
	cleanup_free char *path = xasprintf("blobs/sha256/%s", img_digest_hex(d->digest));
	cleanup_free char *data = NULL;
	char got[IMG_DIGEST_LEN + 1], id[IMG_DIGEST_LEN + 1];
	struct img_manifest m;
	size_t len;
	int ret = -1;

	if (put_file(l, path, d->digest, d->size, got, err) < 0 ||
	    img_blob_read(l->s, d->digest, &data, &len, err) < 0)
		return -1;
	if (img_media_is_index(d->media_type)) {
		struct img_index ix;
		int pick;
		if (depth > 2)
			return silo_error(err, 0, "index %s: nested too deeply", d->digest);
		if (img_index_parse(data, len, &ix, err) < 0)
			return -1;
		pick = img_index_pick(&ix, "linux", img_host_arch(), NULL);
		if (pick < 0)
			ret = silo_error(err, 0, "index %s: no image for linux/%s", d->digest, img_host_arch());
		else
			ret = load_oci_manifest(l, &ix.manifests[pick], name, depth + 1, err);
		img_index_free(&ix);
		return ret;
	}
	if (img_manifest_parse(data, len, &m, err) < 0)
		return -1;
	{
		cleanup_free char *cpath = xasprintf("blobs/sha256/%s", img_digest_hex(m.config.digest));
		if (put_file(l, cpath, m.config.digest, m.config.size, got, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < m.n_layers; i++) {
		cleanup_free char *lpath = xasprintf("blobs/sha256/%s", img_digest_hex(m.layers[i].digest));
		if (put_file(l, lpath, m.layers[i].digest, m.layers[i].size, got, err) < 0)
			goto out;
	}
	{
		char *names[2] = { (char *)name, NULL };
		if (img_store_commit(l->s, d->digest, name != NULL ? names : NULL, id, err) < 0)
			goto out;
	}
	add_name(l, name != NULL ? name : id);
	ret = 0;
out:
	img_manifest_free(&m);
	return ret;
}

static int load_oci(struct load *l, const char *data, size_t len, struct silo_error *err)
{
	struct img_index ix;
	int ret = 0;

	if (img_index_parse(data, len, &ix, err) < 0)
		return silo_error_ctx(err, "index.json");
	for (size_t i = 0; i < ix.n && ret == 0; i++) {
		cleanup_free char *name = NULL;
		const char *ref = ix.manifests[i].ref_name;
		if (ref != NULL && normalise_name(ref, &name, err) < 0) {
			silo_error_ctx(err, "index.json: manifests[%zu]: annotation ref.name", i);
			ret = -1;
			break;
		}
		ret = load_oci_manifest(l, &ix.manifests[i], name, 0, err);
	}
	img_index_free(&ix);
	return ret;
}

int img_load(struct img_store *s, int fd, char ***names, struct silo_error *err)
{
	static unsigned counter;
	struct load l = { .s = s, .root = -1 };
	cleanup_free char *data = NULL;
	char tmp[64];
	size_t len;
	int ret = -1;

	*names = NULL;
	if (img_lazy_need(IMG_LAZY_ARCHIVE, err) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "load-%d-%u", (int)getpid(), counter++);
	if (mkdirat(s->tmp_fd, tmp, 0700) < 0)
		return silo_error(err, errno, "create %s/tmp/%s", s->root, tmp);
	l.root = openat(s->tmp_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l.root < 0) {
		silo_error(err, errno, "open %s/tmp/%s", s->root, tmp);
		goto out;
	}
	if (extract_to(fd, l.root, err) < 0)
		goto out;
	if (read_file_at(l.root, "manifest.json", &data, &len, err) == 0) {
		ret = load_docker(&l, data, len, err);
	} else if (read_file_at(l.root, "index.json", &data, &len, err) == 0) {
		ret = load_oci(&l, data, len, err);
	} else {
		silo_error(err, 0, "not an image archive: neither manifest.json nor index.json in it");
	}
	if (ret == 0 && l.nnames == 0)
		ret = silo_error(err, 0, "the archive holds no image");
out:
	if (ret < 0) {
		/* take back what this load stored; a record made meanwhile keeps its blobs */
		for (size_t i = 0; l.nnames == 0 && i < l.nadded; i++)
			unlinkat(s->blobs_fd, img_digest_hex(l.added[i]), 0);
		strv_free(l.names);
	} else {
		*names = l.names;
	}
	for (size_t i = 0; i < l.nadded; i++)
		free(l.added[i]);
	free(l.added);
	if (l.root >= 0)
		close(l.root);
	img_rm_rf_at(s->tmp_fd, tmp);
	return ret;
}

/* ------------------------------------------------------------ save */

static int tar_add_buf(struct archive *a, const char *name, const void *data, size_t len,
		       struct silo_error *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK || (len > 0 && archive_write_data(a, data, len) != (la_ssize_t)len))
		return silo_error(err, 0, "write %s: %s", name, archive_error_string(a));
	return 0;
}

static int tar_add_blob(struct img_store *s, struct archive *a, const char *digest, json_t *done,
			struct silo_error *err)
{
	cleanup_free char *name = xasprintf("blobs/sha256/%s", img_digest_hex(digest));
	cleanup_close int fd = -1;
	struct archive_entry *e;
	char buf[1 << 16];
	struct stat st;
	ssize_t n;
	int r;

	if (json_object_get(done, digest) != NULL)
		return 0;
	json_object_set_new(done, digest, json_true());
	fd = img_blob_open(s, digest, err);
	if (fd < 0 || fstat(fd, &st) < 0)
		return fd < 0 ? -1 : silo_error(err, errno, "stat blob %s", digest);
	e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK)
		return silo_error(err, 0, "write %s: %s", name, archive_error_string(a));
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (archive_write_data(a, buf, (size_t)n) != n)
			return silo_error(err, 0, "write %s: %s", name, archive_error_string(a));
	}
	if (n < 0)
		return silo_error(err, errno, "read blob %s", digest);
	return 0;
}

int img_save(struct img_store *s, char *const *images, int fd, struct silo_error *err)
{
	struct archive *a;
	json_t *index = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", IMG_MT_OCI_INDEX,
				  "manifests");
	json_t *dmanifest = json_array(), *done = json_object(), *refs = NULL;
	cleanup_free char *itext = NULL, *mtext = NULL;
	int ret = -1;

	if (img_lazy_need(IMG_LAZY_ARCHIVE, err) < 0) {
		json_decref(index);
		json_decref(dmanifest);
		json_decref(done);
		return -1;
	}
	a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		silo_error(err, 0, "write archive: %s", archive_error_string(a));
		goto out;
	}
	if (img_refs_load(s, &refs, err) < 0)
		goto out;
	for (size_t i = 0; images[i] != NULL; i++) {
		char id[IMG_DIGEST_LEN + 1];
		cleanup_free char *mdata = NULL, *full = NULL;
		struct img_manifest m = { 0 };
		json_t *rec, *tags = json_array(), *lpaths = json_array(), *desc;
		struct img_ref ref;
		struct silo_error perr;
		const char *mdigest, *mt;
		size_t mlen;

		if (img_resolve(s, images[i], id, err) < 0 || (rec = img_record_load(s, id)) == NULL) {
			if (err->msg[0] == '\0')
				silo_error(err, 0, "image %s: no record", images[i]);
			json_decref(tags);
			json_decref(lpaths);
			goto out;
		}
		mdigest = json_string_value(json_object_get(rec, "manifest"));
		mt = json_string_value(json_object_get(rec, "mediaType"));
		if (mdigest == NULL || img_blob_read(s, mdigest, &mdata, &mlen, err) < 0 ||
		    img_manifest_parse(mdata, mlen, &m, err) < 0) {
			if (err->msg[0] == '\0')
				silo_error(err, 0, "image %s: bad record", images[i]);
			json_decref(rec);
			json_decref(tags);
			json_decref(lpaths);
			goto out;
		}
		if (img_ref_parse(images[i], &ref, &perr) == 0) {
			full = img_ref_string(&ref);
			if (ref.digest == NULL)
				json_array_append_new(tags, json_string(full));
			img_ref_free(&ref);
		}
		ret = tar_add_blob(s, a, mdigest, done, err);
		ret = ret < 0 ? ret : tar_add_blob(s, a, m.config.digest, done, err);
		for (size_t j = 0; ret == 0 && j < m.n_layers; j++) {
			ret = tar_add_blob(s, a, m.layers[j].digest, done, err);
			json_array_append_new(lpaths, json_sprintf("blobs/sha256/%s", img_digest_hex(m.layers[j].digest)));
		}
		desc = json_pack("{s:s, s:s, s:I}", "mediaType", mt != NULL ? mt : IMG_MT_OCI_MANIFEST,
				 "digest", mdigest, "size", (json_int_t)mlen);
		if (json_array_size(tags) > 0) {
			const char *t = json_string_value(json_array_get(tags, 0));
			json_object_set_new(desc, "annotations",
					    json_pack("{s:s, s:s}", "io.containerd.image.name", t,
						      "org.opencontainers.image.ref.name", strrchr(t, ':') + 1));
		}
		json_array_append_new(json_object_get(index, "manifests"), desc);
		json_array_append_new(dmanifest,
				      json_pack("{s:s+, s:o, s:o}", "Config", "blobs/sha256/",
						img_digest_hex(m.config.digest), "RepoTags", tags, "Layers", lpaths));
		img_manifest_free(&m);
		json_decref(rec);
		if (ret < 0)
			goto out;
		ret = -1;
	}
	itext = json_dumps(index, JSON_COMPACT);
	mtext = json_dumps(dmanifest, JSON_COMPACT);
	if (tar_add_buf(a, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30, err) < 0 ||
	    tar_add_buf(a, "index.json", itext, strlen(itext), err) < 0 ||
	    tar_add_buf(a, "manifest.json", mtext, strlen(mtext), err) < 0)
		goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		silo_error(err, 0, "write archive: %s", archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	archive_write_free(a);
	json_decref(index);
	json_decref(dmanifest);
	json_decref(done);
	json_decref(refs);
	return ret;
}
