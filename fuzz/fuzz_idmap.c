/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for id mappings: their parsing inside config.json
 * (linux.uidMappings/gidMappings and a bind mount's, spec.c with
 * idmap_check) and the uid_map text written from them (idmap_format).
 *
 * The input is used twice.  As JSON text, it becomes the value of all four
 * mapping arrays of a small spec with a user namespace; when that spec
 * parses, every map must pass a slow reference of the kernel's map_write
 * rules, and its text must be under a page and read back, line by line, to
 * the same entries.  As raw bytes, it is an array of {containerID, hostID,
 * size} given to idmap_check directly, which must agree with the reference.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* The kernel's rules (kernel/user_namespace.c map_write), written plainly. */
static bool reference_ok(const struct spec_idmap *m, size_t n)
{
	size_t text = 0;

	if (n > 340)
		return false;
	for (size_t i = 0; i < n; i++) {
		uint64_t c0 = m[i].container_id, h0 = m[i].host_id, sz = m[i].size;
		char line[40];

		if (sz == 0 || c0 + sz > UINT32_MAX || h0 + sz > UINT32_MAX)
			return false;
		for (size_t j = 0; j < i; j++) {
			uint64_t c1 = m[j].container_id, h1 = m[j].host_id, sz1 = m[j].size;

			if (!(c0 + sz <= c1 || c1 + sz1 <= c0) || !(h0 + sz <= h1 || h1 + sz1 <= h0))
				return false;
		}
		text += (size_t)snprintf(line, sizeof(line), "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
					 m[i].container_id, m[i].host_id, m[i].size);
	}
	return text < 4096;
}

/* The text read back as the kernel reads it. */
static void check_text(const struct spec_idmap *m, size_t n)
{
	size_t len, i = 0;
	char *text = idmap_format(m, n, &len), *p = text;

	check(strlen(text) == len && len <= IDMAP_TEXT_MAX);
	while (*p) {
		unsigned long a, b, c;
		int used = 0;

		check(sscanf(p, "%lu %lu %lu\n%n", &a, &b, &c, &used) == 3 && used > 0);
		check(i < n && a == m[i].container_id && b == m[i].host_id && c == m[i].size);
		p += used;
		i++;
	}
	check(i == n);
	free(text);
}

static void check_map(const struct spec_idmap *m, size_t n)
{
	struct silo_error err = { 0 };

	check(idmap_check(m, n, &err) == 0);
	check(reference_ok(m, n));
	check_text(m, n);
}

static const char head[] =
	"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
	" \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"},"
	" \"mounts\": [{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"/s\","
	" \"options\": [\"rbind\"], \"uidMappings\": ";

static void from_json(const uint8_t *data, size_t size)
{
	struct silo_error err = { 0 };
	struct spec *s = NULL;
	size_t cap = sizeof(head) + 4 * size + 256, len = 0;
	char *j = xmalloc(cap);

#define PUT(p, n) (memcpy(j + len, (p), (n)), len += (n))
#define PUTS(lit) PUT(lit, sizeof(lit) - 1)
	PUTS(head);
	PUT(data, size);
	PUTS(", \"gidMappings\": ");
	PUT(data, size);
	PUTS("}], \"linux\": {\"namespaces\": [{\"type\": \"mount\"}, {\"type\": \"user\"}],"
	     " \"uidMappings\": ");
	PUT(data, size);
	PUTS(", \"gidMappings\": ");
	PUT(data, size);
	PUTS("}}");
#undef PUT
#undef PUTS
	if (spec_parse(j, len, "config.json", "/bundle", &s, &err) == 0) {
		check(s->linux.n_uid_mappings > 0 && s->linux.n_gid_mappings > 0);
		check_map(s->linux.uid_mappings, s->linux.n_uid_mappings);
		check_map(s->linux.gid_mappings, s->linux.n_gid_mappings);
		check(s->n_mounts == 1);
		check_map(s->mounts[0].uid_mappings, s->mounts[0].n_uid_mappings);
		check_map(s->mounts[0].gid_mappings, s->mounts[0].n_gid_mappings);
		spec_free(s);
	} else {
		check(s == NULL && err.msg[0] != '\0');
	}
	free(j);
}

static void from_raw(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct spec_idmap);
	struct spec_idmap *m = xmalloc((n + 1) * sizeof(*m));
	struct silo_error err = { 0 };
	int r;

	memcpy(m, data, n * sizeof(*m));
	r = idmap_check(m, n, &err);
	check((r == 0) == reference_ok(m, n));
	if (r == 0)
		check_text(m, n);
	else
		check(err.msg[0] != '\0');
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	from_json(data, size);
	from_raw(data, size);
	return 0;
}
