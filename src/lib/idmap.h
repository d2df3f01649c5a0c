/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * User namespace id mappings (linux.uidMappings/gidMappings and a mount's
 * uidMappings/gidMappings): the kernel's rules for a uid_map/gid_map write,
 * checked while the spec is parsed so that a map the kernel would refuse
 * fails before anything exists, and the text written.  Pure functions,
 * unit-tested and fuzzed (fuzz/fuzz_idmap.c).
 */
#ifndef SILO_IDMAP_H
#define SILO_IDMAP_H

#include <stddef.h>

#include "error.h"
#include "spec.h"

/* The kernel refuses a write of a page or more (4096 bytes on x86-64), and
 * more than 340 lines (UID_GID_MAP_MAX_EXTENTS). */
#define IDMAP_TEXT_MAX 4095
#define IDMAP_MAX 340

/* As the kernel's map_write: at most IDMAP_MAX entries, each size >= 1 and
 * both ranges ending at or below 4294967294 ((uid_t)-1 is never mapped), no
 * two entries overlapping in container ids or in host ids, and the text
 * (idmap_format) at most IDMAP_TEXT_MAX bytes.  The message names the
 * entries ("[0] and [2] overlap in host ids"); the caller names the field. */
int idmap_check(const struct spec_idmap *m, size_t n, struct silo_error *err);

/* "containerID hostID size\n" per entry, NUL-terminated; *len its length. */
char *idmap_format(const struct spec_idmap *m, size_t n, size_t *len);

#endif
