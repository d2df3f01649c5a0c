/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel's cpu list format; see cpulist.h.  Hand-written: no Debian
 * library parses it (libnuma's numa_parse_cpustring reads the host's CPUs
 * and prints its own errors), and it is a few lines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cpulist.h"
#include "util.h"

static bool is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The character at s[pos] for a message: itself when printable, else \xHH. */
static const char *show(char buf[8], char c)
{
	unsigned char u = (unsigned char)c;

	if (u == '\0')
		return "end of list";
	if (u > 0x20 && u < 0x7f && u != '"' && u != '\\')
		snprintf(buf, 8, "\"%c\"", c);
	else
		snprintf(buf, 8, "\\x%02x", u);
	return buf;
}

/* A number at s + *pos; advances *pos. */
static int get_num(const char *s, size_t *pos, const char *what, uint32_t *out,
		   struct silo_error *err)
{
	size_t i = *pos;
	uint64_t v = 0;
	char buf[8];

	if (!is_digit(s[i]))
		return silo_error(err, 0, "expected %s at position %zu, found %s", what, i + 1,
				  show(buf, s[i]));
	for (; is_digit(s[i]); i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > SILO_CPULIST_MAX)
			return silo_error(err, 0, "number at position %zu is above %u", *pos + 1,
					  SILO_CPULIST_MAX);
	}
	*pos = i;
	*out = (uint32_t)v;
	return 0;
}

/* Bits lo..hi (inclusive) of the set. */
static void set_range(uint64_t *bits, uint32_t lo, uint32_t hi)
{
	while (lo <= hi) {
		uint32_t w = lo / 64, b = lo % 64, n = hi - lo + 1 < 64 - b ? hi - lo + 1 : 64 - b;

		bits[w] |= (n == 64 ? ~0ull : ((1ull << n) - 1)) << b;
		lo += n;
	}
}

int silo_cpulist_parse(const char *s, uint64_t *bits, struct silo_error *err)
{
	bool any = false;
	size_t pos = 0;
	char buf[8];

	if (bits != NULL)
		memset(bits, 0, SILO_CPULIST_WORDS * sizeof(uint64_t));
	if (*s == '\0')
		return 0;
	for (;;) {
		uint32_t first, last, used, size;
		size_t at;

		while (is_sep(s[pos]))
			pos++;
		if (s[pos] == '\0')
			break;
		at = pos + 1;
		if (s[pos] == 'N' || ((s[pos] | 0x20) == 'a' && strncasecmp(s + pos, "all", 3) == 0))
			return silo_error(err, 0, "\"%s\" at position %zu depends on the host's CPUs: give "
					  "the numbers", s[pos] == 'N' ? "N" : "all", at);
		if (get_num(s, &pos, "a number", &first, err) < 0)
			return -1;
		last = first;
		used = size = 1;
		if (s[pos] == '-') {
			pos++;
			if (get_num(s, &pos, "the end of a range", &last, err) < 0)
				return -1;
			if (last < first)
				return silo_error(err, 0, "range %u-%u at position %zu ends before it starts",
						  first, last, at);
			if (s[pos] == ':') {
				pos++;
				if (get_num(s, &pos, "a count of used numbers", &used, err) < 0)
					return -1;
				if (s[pos] != '/')
					return silo_error(err, 0, "expected \"/\" at position %zu, found %s",
							  pos + 1, show(buf, s[pos]));
				pos++;
				if (get_num(s, &pos, "a group size", &size, err) < 0)
					return -1;
				if (size == 0)
					return silo_error(err, 0, "group size 0 at position %zu", at);
				if (used > size)
					return silo_error(err, 0, "%u-%u:%u/%u at position %zu uses more than "
							  "its group size", first, last, used, size, at);
			}
		}
		if (s[pos] != '\0' && !is_sep(s[pos]))
			return silo_error(err, 0, "unexpected %s at position %zu (entries are N, N-M or "
					  "N-M:USED/SIZE, separated by commas)", show(buf, s[pos]), pos + 1);
		if (used == 0)
			continue;
		any = true;
		if (bits == NULL)
			continue;
		/* first..last in groups of `size` numbers, the first `used` of each */
		for (uint64_t g = first; g <= last; g += size)
			set_range(bits, (uint32_t)g, (uint32_t)(g + used - 1 < last ? g + used - 1 : last));
	}
	if (!any)
		return silo_error(err, 0, "selects nothing (\"\" leaves the setting unset)");
	return 0;
}

size_t silo_cpulist_count(const uint64_t *bits)
{
	size_t n = 0;

	for (size_t i = 0; i < SILO_CPULIST_WORDS; i++)
		n += (size_t)__builtin_popcountll(bits[i]);
	return n;
}

static bool bit(const uint64_t *bits, uint32_t b)
{
	return (bits[b / 64] >> (b % 64)) & 1;
}

/* Decimal digits of v at p; returns the end (no snprintf: a list of 32768
 * entries is formatted in a blink, which the fuzzer's speed needs). */
static char *put_u32(char *p, uint32_t v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

char *silo_cpulist_format(const uint64_t *bits)
{
	size_t len = 0, cap = 64;
	char *out = xmalloc(cap);

	for (uint32_t b = 0; b <= SILO_CPULIST_MAX; b++) {
		uint32_t e = b;
		char *p;

		if (b % 64 == 0 && bits[b / 64] == 0) {
			b += 63;   /* an empty word */
			continue;
		}
		if (!bit(bits, b))
			continue;
		while (e < SILO_CPULIST_MAX && bit(bits, e + 1)) {
			e++;
			if (e % 64 == 63 && e < SILO_CPULIST_MAX && bits[e / 64 + 1] == ~0ull)
				e += 64;   /* a full word */
		}
		if (len + 24 > cap) {   /* ",65535-65535" and the NUL fit */
			cap *= 2;
			out = xrealloc(out, cap);
		}
		p = out + len;
		if (len > 0)
			*p++ = ',';
		p = put_u32(p, b);
		if (e != b) {
			*p++ = '-';
			p = put_u32(p, e);
		}
		len = (size_t)(p - out);
		b = e;
	}
	out[len] = '\0';
	return out;
}
