/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsilo-image: silo's image store.  A content-addressed store of blobs
 * (sha256), unpacked layers ready for overlayfs, image records and named
 * references, plus what fills it (docker-archive and OCI-layout load, registry
 * pull, the built-in silo/busybox image) and what uses it (save, bundle).
 *
 * Like src/lib it never prints and never exits: fallible functions return < 0
 * (or NULL) and fill a struct silo_error; progress goes through a callback.
 *
 * On disk (root = /var/lib/silo by default):
 *   lock                  flock: shared while loading/pulling, exclusive for rmi/prune
 *   refs.lock, refs.json  name -> image id ("docker.io/library/busybox:latest": "sha256:…")
 *   blobs/sha256/HEX      every blob, verified (digest and size) before the rename into place
 *   layers/HEX/           one unpacked layer per diff_id, overlay whiteouts already converted
 *   images/HEX.json       one record per image id (= config digest): manifest, layers, size
 *   bundles/              bundles made by `silo bundle` (an image in use)
 *   tmp/                  partial downloads and unpacks; nothing there is ever trusted
 */
#ifndef SILO_IMAGE_H
#define SILO_IMAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define IMG_DEFAULT_ROOT "/var/lib/silo"
#define IMG_DIGEST_LEN 71            /* "sha256:" + 64 hex */
#define IMG_BUILTIN_NAME "docker.io/silo/busybox:latest"

#define IMG_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define IMG_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define IMG_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define IMG_MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define IMG_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define IMG_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define IMG_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMG_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define IMG_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar.gzip"

/* ------------------------------------------------------------ digests */

/* "sha256:" + 64 lower-case hex digits, nothing else. */
bool img_digest_valid(const char *d);
/* The hex part of a valid digest. */
static inline const char *img_digest_hex(const char *d) { return d + 7; }

struct img_sha256 { void *ctx; uint64_t size; };
int img_sha256_init(struct img_sha256 *h, struct silo_error *err);
void img_sha256_update(struct img_sha256 *h, const void *data, size_t len);
/* Writes "sha256:HEX" into out (IMG_DIGEST_LEN + 1 bytes) and frees the context. */
void img_sha256_final(struct img_sha256 *h, char *out);
void img_sha256_free(struct img_sha256 *h);
int img_sha256_buf(const void *data, size_t len, char *out, struct silo_error *err);

/* ------------------------------------------------------------ references */

/* A parsed reference, normalised the way docker does it:
 * "busybox" = docker.io / library/busybox : latest. */
struct img_ref {
	char *domain;      /* "docker.io", "127.0.0.1:5000" */
	char *path;        /* "library/busybox" */
	char *tag;         /* "latest"; NULL when only a digest was given */
	char *digest;      /* "sha256:…" or NULL */
};

int img_ref_parse(const char *s, struct img_ref *ref, struct silo_error *err);
void img_ref_free(struct img_ref *ref);
/* "docker.io/library/busybox" */
char *img_ref_repo(const struct img_ref *ref);
/* "docker.io/library/busybox:latest", or "…@sha256:…" when there is a digest. */
char *img_ref_string(const struct img_ref *ref);
/* The short form docker shows: "docker.io/library/busybox" -> "busybox",
 * "docker.io/silo/busybox" -> "silo/busybox"; other domains unchanged. */
char *img_ref_familiar(const char *repo);

/* ------------------------------------------------------------ manifests, configs */

struct img_descriptor {
	char *media_type;
	char *digest;
	int64_t size;
	char *os, *arch, *variant;   /* index entries only */
	char *ref_name;              /* org.opencontainers.image.ref.name, if any */
};

struct img_manifest {
	char *media_type;
	struct img_descriptor config;
	struct img_descriptor *layers;
	size_t n_layers;
};

struct img_index {
	char *media_type;
	struct img_descriptor *manifests;
	size_t n;
};

struct img_config {
	json_t *root;            /* the whole document */
	char **diff_ids;         /* rootfs.diff_ids */
	size_t n_diff_ids;
	char *created;           /* may be NULL */
	char *os, *arch;
};

bool img_media_is_index(const char *mt);
bool img_media_is_manifest(const char *mt);
bool img_media_is_layer(const char *mt);
/* The media type of a manifest or index document: its mediaType field, else
 * guessed from its shape (manifests[] = index, layers[] = manifest). */
char *img_media_sniff(const char *data, size_t len);

int img_manifest_parse(const char *data, size_t len, struct img_manifest *m, struct silo_error *err);
void img_manifest_free(struct img_manifest *m);
int img_index_parse(const char *data, size_t len, struct img_index *ix, struct silo_error *err);
void img_index_free(struct img_index *ix);
/* The entry for os/arch/variant (variant NULL: any; arm64 defaults to v8), -1 if none. */
int img_index_pick(const struct img_index *ix, const char *os, const char *arch, const char *variant);
int img_config_parse(const char *data, size_t len, struct img_config *c, struct silo_error *err);
void img_config_free(struct img_config *c);
void img_descriptor_free(struct img_descriptor *d);
/* This machine's platform in OCI terms ("amd64", "arm64" …). */
const char *img_host_arch(void);

/* ------------------------------------------------------------ progress */

enum img_progress_kind {
	IMG_PROGRESS_INFO,         /* msg */
	IMG_PROGRESS_BLOB_START,   /* digest, total; index = layer number or -1 */
	IMG_PROGRESS_BLOB_BYTES,   /* digest, done, total */
	IMG_PROGRESS_BLOB_DONE,    /* digest (verified) */
	IMG_PROGRESS_BLOB_EXISTS,  /* digest already stored */
	IMG_PROGRESS_BLOB_RESUME,  /* digest, done = bytes already there */
	IMG_PROGRESS_UNPACK,       /* digest (diff_id) being unpacked */
};

struct img_progress {
	enum img_progress_kind kind;
	const char *digest;
	int64_t done, total;
	int index;
	const char *msg;
};

typedef void (*img_progress_fn)(const struct img_progress *p, void *data);

/* ------------------------------------------------------------ the store */

struct img_store {
	char *root;
	int root_fd, lock_fd, blobs_fd, layers_fd, images_fd, tmp_fd;
	int lock_mode;             /* 0, LOCK_SH or LOCK_EX currently held */
	img_progress_fn progress;
	void *progress_data;
};

/* Open (creating when missing) the store at root.  No lock is taken. */
int img_store_open(struct img_store *s, const char *root, struct silo_error *err);
void img_store_close(struct img_store *s);
/* Take the store lock shared (writers that only add) or exclusive (removal). */
int img_store_lock(struct img_store *s, bool exclusive, struct silo_error *err);
void img_store_progress(struct img_store *s, const struct img_progress *p);

/* A blob being written: temp file in tmp/, hashed as it is written.  commit
 * verifies digest (and size when >= 0), fsyncs and renames it into blobs/. */
struct img_blob_writer {
	struct img_store *store;
	int fd;
	char tmpname[128];
	struct img_sha256 hash;
	bool keep_on_abort;        /* resumable downloads keep their partial file */
};
int img_blob_begin(struct img_store *s, struct img_blob_writer *w, struct silo_error *err);
/* A writer on tmp/HEX.partial, resuming after its first bytes (which are
 * hashed again); *have = the bytes already there. */
int img_blob_resume(struct img_store *s, const char *digest, struct img_blob_writer *w,
		    int64_t *have, struct silo_error *err);
int img_blob_write(struct img_blob_writer *w, const void *data, size_t len, struct silo_error *err);
int img_blob_commit(struct img_blob_writer *w, const char *expect_digest, int64_t expect_size,
		    char *digest_out, struct silo_error *err);
void img_blob_abort(struct img_blob_writer *w);

int img_blob_put(struct img_store *s, const void *data, size_t len, const char *expect_digest,
		 char *digest_out, struct silo_error *err);
/* Copy fd to the end into a blob. */
int img_blob_put_fd(struct img_store *s, int fd, const char *expect_digest, int64_t expect_size,
		    char *digest_out, struct silo_error *err);
bool img_blob_exists(struct img_store *s, const char *digest, int64_t size);
int img_blob_open(struct img_store *s, const char *digest, struct silo_error *err);
int img_blob_read(struct img_store *s, const char *digest, char **data, size_t *len,
		  struct silo_error *err);

/* Named references (refs.json). */
int img_refs_load(struct img_store *s, json_t **refs, struct silo_error *err);
/* Set (id != NULL) or remove (id == NULL) a reference, under refs.lock. */
int img_refs_set(struct img_store *s, const char *name, const char *id, struct silo_error *err);

/* An image record (images/HEX.json), NULL when there is none. */
json_t *img_record_load(struct img_store *s, const char *id);

/* Turn a stored manifest (and its config and layer blobs, all present) into
 * an image: unpack the missing layers (diff_ids verified), write the record,
 * point each of names (normalised references) at it.  id_out gets the id. */
int img_store_commit(struct img_store *s, const char *manifest_digest, char *const *names,
		     char *id_out, struct silo_error *err);

/* Resolve what the user typed (a name, name:tag, name@digest, a full or
 * short id) to an image id. */
int img_resolve(struct img_store *s, const char *what, char *id_out, struct silo_error *err);

/* Remove the reference `what` (or, for an id or with force, every reference
 * of the image) and the image record once nothing names it.  An image used by
 * a bundle is refused unless force.  untagged/deleted lines go to the
 * callback as INFO ("Untagged: …", "Deleted: …"). */
int img_remove(struct img_store *s, const char *what, bool force, struct silo_error *err);
int img_tag(struct img_store *s, const char *src, const char *dst, struct silo_error *err);
/* Remove blobs and layers no image record uses, and stale tmp/ entries.
 * *freed = bytes removed. */
int img_prune(struct img_store *s, int64_t *freed, struct silo_error *err);

/* One row of `silo images`. */
struct img_info {
	char id[IMG_DIGEST_LEN + 1];
	char *repo, *tag;            /* familiar repo, NULL/"<none>" when untagged */
	char *digest;                /* manifest digest */
	char *created;
	int64_t size;
};
int img_list(struct img_store *s, struct img_info **out, size_t *n, struct silo_error *err);
void img_info_free(struct img_info *v, size_t n);

/* The image's config document (a new reference). */
json_t *img_config_json(struct img_store *s, const char *id, struct silo_error *err);

/* ------------------------------------------------------------ layers */

/* Unpack the layer blob (tar, gzip or zstd) into a new directory dir_fd/name
 * (created through a temp dir and a rename): entries never leave the
 * directory, whiteouts become overlay whiteouts.  The uncompressed stream
 * must hash to diff_id (when not NULL).  *size = uncompressed bytes. */
int img_layer_unpack(int blob_fd, int dir_fd, const char *name, const char *diff_id,
		     int64_t *size, struct silo_error *err);
/* Map a whiteout basename: 0 = not a whiteout, 1 = ".wh.NAME" (*target =
 * NAME), 2 = the opaque marker, -1 = an invalid marker (".wh.", ".wh..", …). */
int img_whiteout_name(const char *base, const char **target);
/* Clean a path from a layer tar into a relative path that stays inside the
 * layer ("./a//b" -> "a/b", "/etc/x" -> "etc/x"); NULL when it would climb
 * out ("../x", "a/../../x") or is empty. */
char *img_layer_path_clean(const char *path);

/* ------------------------------------------------------------ load, save, pull */

/* Load a docker-archive (old and Docker 25+) or OCI-layout archive (tar,
 * optionally compressed) from fd.  *names gets the references loaded (or the
 * ids of untagged images), NULL-terminated. */
int img_load(struct img_store *s, int fd, char ***names, struct silo_error *err);
/* Write images as a docker-archive that is also an OCI layout (Docker 25+ layout). */
int img_save(struct img_store *s, char *const *images, int fd, struct silo_error *err);

struct img_pull_opts {
	const char *os, *arch, *variant;  /* default: this machine */
	const char *auth_file;            /* default: $DOCKER_CONFIG/config.json or ~/.docker/config.json */
	char *const *insecure;            /* https unverified, then plain http if no TLS (loopback: http only if no TLS) */
	const char *certs_dir;            /* CAs in DIR/HOST:PORT/ca.crt (default /etc/docker/certs.d, /etc/containers/certs.d) */
	int parallel;                     /* blob downloads at once (default 3) */
};
int img_pull(struct img_store *s, const char *what, const struct img_pull_opts *o, char *id_out,
	     struct silo_error *err);

/* The built-in image: make docker.io/silo/busybox:latest from the static
 * busybox at path (default /bin/busybox) unless the store has made it before. */
int img_builtin_ensure(struct img_store *s, const char *busybox, struct silo_error *err);

/* ------------------------------------------------------------ bundles */

struct img_bundle_opts {
	bool copy;                   /* copy the layers instead of an overlay mount */
};
/* Make DIR/config.json and DIR/rootfs (overlay of the layers, upper and work
 * in DIR/.silo) for image `what`; DIR is created when missing. */
int img_bundle_create(struct img_store *s, const char *what, const char *dir,
		      const struct img_bundle_opts *o, struct silo_error *err);
/* Unmount DIR/rootfs and remove what img_bundle_create made. */
int img_bundle_remove(struct img_store *s, const char *dir, struct silo_error *err);
/* The runtime config for an image config (args, env, cwd, user, annotations). */
char *img_bundle_spec(const json_t *image_config, const char *image_name, const char *id,
		      struct silo_error *err);

/* small helpers shared by the files of src/image */
/* Replace dirfd/name atomically (temp file + rename), fsynced (file and
 * directory) for store data; img_write_file without sync for what a crash
 * may lose (a bundle's config.json: the bundle is remade). */
int img_write_atomic(int dirfd, const char *name, const void *data, size_t len,
		     struct silo_error *err);
int img_write_file(int dirfd, const char *name, const void *data, size_t len, bool sync,
		   struct silo_error *err);
int img_rm_rf_at(int dirfd, const char *name);
/* Load libarchive now (lazy.c), e.g. before forking workers that use it. */
int img_lazy_need_archive(struct silo_error *err);
char *img_json_dump(const json_t *j, bool pretty);

#endif
