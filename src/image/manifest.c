/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI and docker v2 schema 2 documents: manifests, indexes (manifest lists)
 * and image configs, parsed with jansson into small structs.  Every
 * descriptor is checked (media type a string, digest valid, size >= 0)
 * before anything uses it; the raw bytes stay the source of truth for
 * digests (never re-serialised before hashing).
 */
#include <string.h>
#include <sys/utsname.h>

#include "image.h"
#include "util.h"

bool img_media_is_index(const char *mt)
{
	return mt != NULL && (strcmp(mt, IMG_MT_OCI_INDEX) == 0 || strcmp(mt, IMG_MT_DOCKER_LIST) == 0);
}

bool img_media_is_manifest(const char *mt)
{
	return mt != NULL &&
	       (strcmp(mt, IMG_MT_OCI_MANIFEST) == 0 || strcmp(mt, IMG_MT_DOCKER_MANIFEST) == 0);
}

bool img_media_is_layer(const char *mt)
{
	return mt != NULL && (str_has_prefix(mt, "application/vnd.oci.image.layer.") ||
			      str_has_prefix(mt, "application/vnd.docker.image.rootfs."));
}

char *img_media_sniff(const char *data, size_t len)
{
	json_t *j = json_loadb(data, len, 0, NULL), *mt;
	char *out = NULL;

	if (j == NULL || !json_is_object(j))
		goto done;
	mt = json_object_get(j, "mediaType");
	if (json_is_string(mt))
		out = xstrdup(json_string_value(mt));
	else if (json_is_array(json_object_get(j, "manifests")))
		out = xstrdup(IMG_MT_OCI_INDEX);
	else if (json_is_array(json_object_get(j, "layers")))
		out = xstrdup(IMG_MT_OCI_MANIFEST);
done:
	json_decref(j);
	return out;
}

void img_descriptor_free(struct img_descriptor *d)
{
	free(d->media_type);
	free(d->digest);
	free(d->os);
	free(d->arch);
	free(d->variant);
	free(d->ref_name);
	memset(d, 0, sizeof(*d));
}

static char *opt_string(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static int parse_descriptor(json_t *j, const char *where, struct img_descriptor *d,
			    struct silo_error *err)
{
	json_t *mt, *dg, *sz, *plat, *ann;

	memset(d, 0, sizeof(*d));
	if (!json_is_object(j))
		return silo_error(err, 0, "%s: not an object", where);
	mt = json_object_get(j, "mediaType");
	dg = json_object_get(j, "digest");
	sz = json_object_get(j, "size");
	if (!json_is_string(mt))
		return silo_error(err, 0, "%s.mediaType: missing or not a string", where);
	if (!json_is_string(dg) || !img_digest_valid(json_string_value(dg)))
		return silo_error(err, 0, "%s.digest: missing or not a sha256 digest", where);
	if (!json_is_integer(sz) || json_integer_value(sz) < 0)
		return silo_error(err, 0, "%s.size: missing or not a non-negative integer", where);
	d->media_type = xstrdup(json_string_value(mt));
	d->digest = xstrdup(json_string_value(dg));
	d->size = json_integer_value(sz);
	plat = json_object_get(j, "platform");
	if (json_is_object(plat)) {
		d->os = opt_string(plat, "os");
		d->arch = opt_string(plat, "architecture");
		d->variant = opt_string(plat, "variant");
	}
	ann = json_object_get(j, "annotations");
	if (json_is_object(ann))
		d->ref_name = opt_string(ann, "org.opencontainers.image.ref.name");
	return 0;
}

static json_t *load_object(const char *data, size_t len, const char *what, struct silo_error *err)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);

	if (j == NULL) {
		silo_error(err, 0, "%s: line %d column %d: %s", what, je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		silo_error(err, 0, "%s: not a JSON object", what);
		return NULL;
	}
	return j;
}

void img_manifest_free(struct img_manifest *m)
{
	free(m->media_type);
	img_descriptor_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		img_descriptor_free(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

int img_manifest_parse(const char *data, size_t len, struct img_manifest *m, struct silo_error *err)
{
	json_t *j, *sv, *layers, *mt;
	char where[64];

	memset(m, 0, sizeof(*m));
	j = load_object(data, len, "manifest", err);
	if (j == NULL)
		return -1;
	sv = json_object_get(j, "schemaVersion");
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		silo_error(err, 0, "manifest: schemaVersion: must be 2");
		goto fail;
	}
	mt = json_object_get(j, "mediaType");
	if (mt != NULL && !json_is_string(mt)) {
		silo_error(err, 0, "manifest: mediaType: not a string");
		goto fail;
	}
	m->media_type = xstrdup(mt != NULL ? json_string_value(mt) : IMG_MT_OCI_MANIFEST);
	if (!img_media_is_manifest(m->media_type)) {
		silo_error(err, 0, "manifest: unsupported media type \"%s\"", m->media_type);
		goto fail;
	}
	if (parse_descriptor(json_object_get(j, "config"), "manifest: config", &m->config, err) < 0)
		goto fail;
	layers = json_object_get(j, "layers");
	if (!json_is_array(layers)) {
		silo_error(err, 0, "manifest: layers: missing or not an array");
		goto fail;
	}
	m->layers = xzalloc((json_array_size(layers) + 1) * sizeof(*m->layers));
	for (size_t i = 0; i < json_array_size(layers); i++) {
		snprintf(where, sizeof(where), "manifest: layers[%zu]", i);
		if (parse_descriptor(json_array_get(layers, i), where, &m->layers[i], err) < 0)
			goto fail;
		m->n_layers++;
		if (!img_media_is_layer(m->layers[i].media_type)) {
			silo_error(err, 0, "%s.mediaType: unsupported layer type \"%s\"", where,
				   m->layers[i].media_type);
			goto fail;
		}
	}
	json_decref(j);
	return 0;
fail:
	json_decref(j);
	img_manifest_free(m);
	return -1;
}

void img_index_free(struct img_index *ix)
{
	free(ix->media_type);
	for (size_t i = 0; i < ix->n; i++)
		img_descriptor_free(&ix->manifests[i]);
	free(ix->manifests);
	memset(ix, 0, sizeof(*ix));
}

int img_index_parse(const char *data, size_t len, struct img_index *ix, struct silo_error *err)
{
	json_t *j, *arr, *mt;
	char where[64];

	memset(ix, 0, sizeof(*ix));
	j = load_object(data, len, "index", err);
	if (j == NULL)
		return -1;
	if (!json_is_integer(json_object_get(j, "schemaVersion")) ||
	    json_integer_value(json_object_get(j, "schemaVersion")) != 2) {
		silo_error(err, 0, "index: schemaVersion: must be 2");
		goto fail;
	}
	mt = json_object_get(j, "mediaType");
	ix->media_type = xstrdup(json_is_string(mt) ? json_string_value(mt) : IMG_MT_OCI_INDEX);
	arr = json_object_get(j, "manifests");
	if (!json_is_array(arr)) {
		silo_error(err, 0, "index: manifests: missing or not an array");
		goto fail;
	}
	ix->manifests = xzalloc((json_array_size(arr) + 1) * sizeof(*ix->manifests));
	for (size_t i = 0; i < json_array_size(arr); i++) {
		snprintf(where, sizeof(where), "index: manifests[%zu]", i);
		if (parse_descriptor(json_array_get(arr, i), where, &ix->manifests[i], err) < 0)
			goto fail;
		ix->n++;
	}
	json_decref(j);
	return 0;
fail:
	json_decref(j);
	img_index_free(ix);
	return -1;
}

const char *img_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

int img_index_pick(const struct img_index *ix, const char *os, const char *arch, const char *variant)
{
	int fallback = -1;

	for (size_t i = 0; i < ix->n; i++) {
		const struct img_descriptor *d = &ix->manifests[i];
		if (!img_media_is_manifest(d->media_type) || d->os == NULL || d->arch == NULL ||
		    strcmp(d->os, os) != 0 || strcmp(d->arch, arch) != 0)
			continue;
		if (variant == NULL) {
			/* arm64 without a variant means v8 */
			if (d->variant == NULL || (strcmp(arch, "arm64") == 0 && strcmp(d->variant, "v8") == 0))
				return (int)i;
			if (fallback < 0)
				fallback = (int)i;
		} else if (d->variant != NULL && strcmp(d->variant, variant) == 0) {
			return (int)i;
		}
	}
	return fallback;
}

void img_config_free(struct img_config *c)
{
	json_decref(c->root);
	strv_free(c->diff_ids);
	free(c->created);
	free(c->os);
	free(c->arch);
	memset(c, 0, sizeof(*c));
}

int img_config_parse(const char *data, size_t len, struct img_config *c, struct silo_error *err)
{
	json_t *rootfs, *ids, *cfg;

	memset(c, 0, sizeof(*c));
	c->root = load_object(data, len, "image config", err);
	if (c->root == NULL)
		return -1;
	rootfs = json_object_get(c->root, "rootfs");
	ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_object(rootfs) || !json_is_array(ids)) {
		silo_error(err, 0, "image config: rootfs.diff_ids: missing or not an array");
		goto fail;
	}
	c->diff_ids = xzalloc((json_array_size(ids) + 1) * sizeof(char *));
	for (size_t i = 0; i < json_array_size(ids); i++) {
		json_t *d = json_array_get(ids, i);
		if (!json_is_string(d) || !img_digest_valid(json_string_value(d))) {
			silo_error(err, 0, "image config: rootfs.diff_ids[%zu]: not a sha256 digest", i);
			goto fail;
		}
		c->diff_ids[i] = xstrdup(json_string_value(d));
		c->n_diff_ids++;
	}
	cfg = json_object_get(c->root, "config");
	if (cfg != NULL && !json_is_object(cfg) && !json_is_null(cfg)) {
		silo_error(err, 0, "image config: config: not an object");
		goto fail;
	}
	c->created = opt_string(c->root, "created");
	c->os = opt_string(c->root, "os");
	c->arch = opt_string(c->root, "architecture");
	return 0;
fail:
	img_config_free(c);
	return -1;
}
