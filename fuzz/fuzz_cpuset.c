/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for silo_cpulist_parse() and silo_cpulist_format() (the
 * kernel's cpu list format of linux.resources.cpu.cpus/.mems and update's
 * --cpuset-cpus/--cpuset-mems).  Besides memory errors and undefined
 * behaviour it checks: validation alone and parsing into a set agree; a
 * failure has a message and a success a non-empty set (or came from "");
 * the canonical text of a set parses back to the same set and prints the
 * same; and the set agrees with a slow reference reading of the list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static uint64_t bits[SILO_CPULIST_WORDS], again[SILO_CPULIST_WORDS], ref[SILO_CPULIST_WORDS];

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || (c >= '\t' && c <= '\r');
}

/* A second, independent reading of an accepted list: strtoul per entry,
 * one bit at a time. */
static void reference(const char *s)
{
	memset(ref, 0, sizeof(ref));
	while (*s) {
		unsigned long a, b, used = 1, grp = 1;
		char *end;

		if (is_sep(*s)) {
			s++;
			continue;
		}
		a = b = strtoul(s, &end, 10);
		if (*end == '-') {
			b = strtoul(end + 1, &end, 10);
			if (*end == ':') {
				used = strtoul(end + 1, &end, 10);
				grp = strtoul(end + 1, &end, 10);   /* skips the '/' */
			}
		}
		for (unsigned long n = a; n <= b; n++)
			if ((n - a) % grp < used)
				ref[n / 64] |= 1ull << (n % 64);
		s = end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct silo_error err = { 0 }, err2 = { 0 };
	int r = silo_cpulist_parse(text, bits, &err);

	check(silo_cpulist_parse(text, NULL, &err2) == r);
	if (r < 0) {
		check(r == -1 && err.msg[0] != '\0' && strcmp(err.msg, err2.msg) == 0);
		for (const char *c = err.msg; *c; c++)
			check((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
	} else {
		size_t n = silo_cpulist_count(bits);
		char *canon = silo_cpulist_format(bits), *canon2;

		check(n > 0 || text[0] == '\0');
		check(silo_cpulist_parse(canon, again, &err) == 0);
		check(memcmp(bits, again, sizeof(bits)) == 0);
		canon2 = silo_cpulist_format(again);
		check(strcmp(canon, canon2) == 0);
		/* the bounded reference walk: skip lists that would take long */
		if (size < 64) {
			reference(text);
			check(memcmp(bits, ref, sizeof(bits)) == 0);
		}
		free(canon);
		free(canon2);
	}
	free(text);
	return 0;
}
