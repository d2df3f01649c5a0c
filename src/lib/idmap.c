/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Id mappings: the kernel's rules and the uid_map text; see idmap.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "idmap.h"
#include "util.h"

/* The last id of a range, 64-bit so that it cannot wrap. */
static uint64_t last(uint32_t first, uint32_t size)
{
	return (uint64_t)first + size - 1;
}

static bool overlap(uint32_t a, uint32_t an, uint32_t b, uint32_t bn)
{
	return a <= last(b, bn) && b <= last(a, an);
}

int idmap_check(const struct spec_idmap *m, size_t n, struct silo_error *err)
{
	size_t len = 0;

	if (n > IDMAP_MAX)
		return silo_error(err, 0, "at most %d mappings are allowed", IDMAP_MAX);
	for (size_t i = 0; i < n; i++) {
		char line[40];

		if (m[i].size == 0)
			return silo_error(err, 0, "[%zu]: size must be at least 1", i);
		if (last(m[i].container_id, m[i].size) > UINT32_MAX - 1 ||
		    last(m[i].host_id, m[i].size) > UINT32_MAX - 1)
			return silo_error(err, 0, "[%zu]: range goes past id 4294967294", i);
		/* n <= 340: the quadratic walk is the kernel's too */
		for (size_t j = 0; j < i; j++) {
			if (overlap(m[i].container_id, m[i].size, m[j].container_id, m[j].size))
				return silo_error(err, 0, "[%zu] and [%zu] overlap in container ids", j, i);
			if (overlap(m[i].host_id, m[i].size, m[j].host_id, m[j].size))
				return silo_error(err, 0, "[%zu] and [%zu] overlap in host ids", j, i);
		}
		len += (size_t)snprintf(line, sizeof(line), "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
					m[i].container_id, m[i].host_id, m[i].size);
	}
	if (len > IDMAP_TEXT_MAX)
		return silo_error(err, 0, "the map is %zu bytes as text; the kernel takes at most %d",
				  len, IDMAP_TEXT_MAX);
	return 0;
}

char *idmap_format(const struct spec_idmap *m, size_t n, size_t *len)
{
	char *buf = xmalloc(n * 33 + 1);   /* "4294967295 4294967295 4294967295\n" */
	size_t l = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		l += (size_t)sprintf(buf + l, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				     m[i].container_id, m[i].host_id, m[i].size);
	*len = l;
	return buf;
}
