/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Private to spec.c and spec_linux.c: the parse context and the typed JSON
 * getters both halves of the config.json parser use.  Not for other files.
 *
 * Getters sj_get_*(c, obj, key, path, out) return 0 when the key is absent
 * or null, 1 when it was read, -1 (with c->err set) when it has the wrong
 * type or value.  `path` is the field path of obj ("linux.resources"); the
 * messages name path.key.
 */
#ifndef SILO_SPEC_INTERNAL_H
#define SILO_SPEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "spec.h"

/* Field paths ("linux.resources.devices[3].access") are built on the stack. */
#define FP_MAX 512
typedef char fpath_t[FP_MAX];

struct sj_ctx {
	const char *name;      /* file name for messages; NULL = none */
	const char *bundle;    /* absolute bundle directory */
	struct silo_error *err;
	uint64_t *bigs;        /* sorted integer literals above INT64_MAX (spec.c) */
	size_t n_bigs;
	const char *seccomp_cache; /* seccomp_cache_lookup's directory, or NULL */
};

/* "<name>: <path>: <reason>"; returns -1. */
int sj_fail(struct sj_ctx *c, const char *path, const char *fmt, ...) SILO_FORMAT(3, 4);
int sj_missing(struct sj_ctx *c, const char *path, const char *key);

/* User text for a message: bounded, control characters and quotes replaced. */
const char *sj_safe(char *buf, size_t size, const char *s);
#define SAFE(s) sj_safe((char[96]){ 0 }, 96, (s))

/* buf (an fpath_t) = path.key, path[i], path["key"]; returns buf. */
const char *sj_fld(char *buf, const char *path, const char *key);
const char *sj_idx(char *buf, const char *path, size_t i);
const char *sj_keyed(char *buf, const char *path, const char *key);

/* A uint64 literal above INT64_MAX was read as this negative int64. */
bool sj_is_big(const struct sj_ctx *c, uint64_t v);
/* JSON text -> its object (spec_text.c): big integers and layout handled,
 * errors "<name>:<line>:<col>: invalid JSON: ..." at the text as written. */
json_t *sj_load_json(struct sj_ctx *c, const char *json, size_t len);

json_t *sj_get(json_t *obj, const char *key);   /* NULL when absent or null */
int sj_get_obj(struct sj_ctx *c, json_t *o, const char *key, const char *path, json_t **out);
int sj_get_arr(struct sj_ctx *c, json_t *o, const char *key, const char *path, json_t **out);
int sj_get_str(struct sj_ctx *c, json_t *o, const char *key, const char *path, char **out);
int sj_get_bool(struct sj_ctx *c, json_t *o, const char *key, const char *path, bool *out);
int sj_get_i64(struct sj_ctx *c, json_t *o, const char *key, const char *path, int64_t *out);
int sj_get_u64(struct sj_ctx *c, json_t *o, const char *key, const char *path, uint64_t max,
	       uint64_t *out);
int sj_get_u32(struct sj_ctx *c, json_t *o, const char *key, const char *path, uint32_t *out);
int sj_get_opt_u64(struct sj_ctx *c, json_t *o, const char *key, const char *path, uint64_t max,
		   struct opt_u64 *out);
int sj_get_opt_i64(struct sj_ctx *c, json_t *o, const char *key, const char *path,
		   struct opt_i64 *out);
/* Array of strings -> NULL-terminated vector; *n (may be NULL) excludes the NULL. */
int sj_get_strv(struct sj_ctx *c, json_t *o, const char *key, const char *path, char ***out,
		size_t *n);
/* Object of strings -> key/value array. */
int sj_get_kv(struct sj_ctx *c, json_t *o, const char *key, const char *path,
	      struct spec_kv **out, size_t *n);
void sj_kv_free(struct spec_kv *kv, size_t n);

/* fn(c, element, "path[i]", i, data) for each element, which must be an object. */
typedef int (*sj_elem_fn)(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data);
int sj_each_obj(struct sj_ctx *c, json_t *arr, const char *path, sj_elem_fn fn, void *data);

int sj_check_abs(struct sj_ctx *c, const char *path, const char *value);

/* uidMappings / gidMappings arrays (linux and per mount). */
int sj_parse_idmaps(struct sj_ctx *c, json_t *o, const char *key, const char *path,
		    struct spec_idmap **out, size_t *n);

/* spec_linux.c: the "linux" object, and freeing it. */
int sj_parse_linux(struct sj_ctx *c, json_t *root, struct spec *s);
void sj_linux_free(struct spec_linux *l);
/* linux.resources alone (linux = an object holding "resources"); *out is
 * never NULL on success. */
int sj_parse_resources(struct sj_ctx *c, json_t *linux, struct spec_resources **out);

#endif
