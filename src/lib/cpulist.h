/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's cpu list format, which cpuset.cpus and cpuset.mems take
 * (linux.resources.cpu.cpus/.mems, `update --cpuset-cpus/--cpuset-mems`):
 * a pure parser, unit-tested and fuzzed (fuzz/fuzz_cpuset.c), so that a bad
 * list is refused while the spec is parsed, before anything is created.
 *
 * The grammar is the kernel's (lib/bitmap-str.c, bitmap_parselist):
 *
 *   list   := entry (sep+ entry)*, with sep+ also allowed at either end
 *   sep    := ',' or white space
 *   entry  := N | N-M | N-M:USED/SIZE
 *
 * N-M is N to M (N <= M); N-M:USED/SIZE takes the first USED of every SIZE
 * numbers from N ("0-7:2/4" is 0,1,4,5; SIZE >= 1, USED <= SIZE).  Numbers
 * are decimal digits only, at most SILO_CPULIST_MAX.  The empty string means
 * "unset" (runc and crun leave the file alone); any other list must select
 * at least one number (a cpuset with no CPU or node can hold no process).
 *
 * Stricter than the kernel on purpose: "all" and "N" (the last CPU, since
 * 5.13) are refused, since they depend on the host's CPU count and older
 * kernels refuse them; the kernel's bound is the host's nr_cpu_ids, which
 * the kernel still checks when the list is written.
 */
#ifndef SILO_CPULIST_H
#define SILO_CPULIST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Above any NR_CPUS (8192 at most in Linux 6.x) and MAX_NUMNODES (1024). */
#define SILO_CPULIST_MAX 65535u
#define SILO_CPULIST_WORDS ((SILO_CPULIST_MAX + 1) / 64)

/* Check `s`.  When `bits` is not NULL (SILO_CPULIST_WORDS words), it gets
 * the selected numbers (bit n of bits[n / 64]; all zero for "").  Returns 0,
 * or -1 with *err saying what is wrong and where ("range 5-3 at position 3
 * ends before it starts"); the caller names the field and the value. */
int silo_cpulist_parse(const char *s, uint64_t *bits, struct silo_error *err);

/* How many numbers a set holds. */
size_t silo_cpulist_count(const uint64_t *bits);

/* The canonical text of a set: ascending "0-3,7,9-11" ("" when empty). */
char *silo_cpulist_format(const uint64_t *bits);

#endif
