/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Go durations and docker byte sizes; see units.h.  Hand-written: no Debian
 * C library parses Go's duration syntax or go-units' sizes, and both are a
 * few lines of careful integer arithmetic.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "units.h"

/* Digits "123" or "1.25" at *p: integer part and the fraction scaled to
 * `scale` (the unit's size), both checked for overflow.  Advances *p. */
static int number_times(const char **p, uint64_t scale, uint64_t *out)
{
	const char *s = *p;
	uint64_t whole = 0, frac = 0, div = 1;
	bool digits = false;

	for (; *s >= '0' && *s <= '9'; s++, digits = true) {
		if (whole > (UINT64_MAX - 9) / 10)
			return errno = ERANGE, -1;
		whole = whole * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		for (; *s >= '0' && *s <= '9'; s++, digits = true) {
			/* digits beyond 10^18 of precision cannot matter */
			if (div < 1000000000000000000ULL) {
				frac = frac * 10 + (uint64_t)(*s - '0');
				div *= 10;
			}
		}
	}
	if (!digits)
		return errno = EINVAL, -1;
	if (whole != 0 && whole > UINT64_MAX / scale)
		return errno = ERANGE, -1;
	whole *= scale;
	/* frac/div * scale without overflow: scale <= 3.6e12, frac < div <= 1e18 */
	if (frac != 0) {
		unsigned __int128 f = (unsigned __int128)frac * scale / div;

		if (whole > UINT64_MAX - (uint64_t)f)
			return errno = ERANGE, -1;
		whole += (uint64_t)f;
	}
	*p = s;
	*out = whole;
	return 0;
}

int parse_go_duration(const char *s, int64_t *ns)
{
	static const struct { const char *name; uint64_t ns; } units[] = {
		/* longest first where one is a prefix of another */
		{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 },
		{ "ms", 1000000 }, { "s", 1000000000ULL }, { "m", 60000000000ULL },
		{ "h", 3600000000000ULL },
	};
	bool neg = false;
	uint64_t total = 0;

	if (s == NULL || *s == '\0')
		return errno = EINVAL, -1;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*ns = 0;
		return 0;
	}
	if (*s == '\0')
		return errno = EINVAL, -1;
	while (*s != '\0') {
		const char *num = s, *u;
		size_t ulen;
		uint64_t scale = 0, v;

		/* find the unit after the number to know the scale */
		u = num + strspn(num, "0123456789.");
		ulen = strcspn(u, "0123456789.");
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (strlen(units[i].name) == ulen && memcmp(u, units[i].name, ulen) == 0)
				scale = units[i].ns;
		if (scale == 0)
			return errno = EINVAL, -1;
		if (number_times(&s, scale, &v) < 0)
			return -1;
		if (s != u)
			return errno = EINVAL, -1;
		if (total > UINT64_MAX - v)
			return errno = ERANGE, -1;
		total += v;
		s = u + ulen;
	}
	if (total > (uint64_t)INT64_MAX + (neg ? 1 : 0))
		return errno = ERANGE, -1;
	*ns = neg ? (int64_t)(0 - total) : (int64_t)total;
	return 0;
}

int parse_byte_size(const char *s, int64_t *bytes)
{
	const char *p = s, *u;
	uint64_t scale = 1, v;
	char c;

	if (s == NULL || *s == '\0')
		return errno = EINVAL, -1;
	u = s + strspn(s, "0123456789.");
	c = *u;
	if (c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 'a');
	switch (c) {
	case '\0': break;
	case 'b': break;
	case 'k': scale = 1ULL << 10; break;
	case 'm': scale = 1ULL << 20; break;
	case 'g': scale = 1ULL << 30; break;
	case 't': scale = 1ULL << 40; break;
	case 'p': scale = 1ULL << 50; break;
	default: return errno = EINVAL, -1;
	}
	if (c != '\0') {
		const char *rest = u + 1;

		/* "k", "kb", "kib" (any case); a bare "b" takes no suffix */
		if (c != 'b' && *rest != '\0') {
			if (*rest == 'i' || *rest == 'I')
				rest++;
			if (*rest != 'b' && *rest != 'B')
				return errno = EINVAL, -1;
			rest++;
		}
		if (*rest != '\0')
			return errno = EINVAL, -1;
	}
	if (number_times(&p, scale, &v) < 0)
		return -1;
	if (p != u)
		return errno = EINVAL, -1;
	if (v > INT64_MAX)
		return errno = ERANGE, -1;
	*bytes = (int64_t)v;
	return 0;
}
