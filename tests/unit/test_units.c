/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of units.c: Go's duration syntax (`events --interval`) and
 * docker's byte sizes (`update --memory`), including the texts they refuse
 * and the overflow edges.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "units.h"

static int64_t dur(const char *s)
{
	int64_t ns = -42;

	assert_int_equal(parse_go_duration(s, &ns), 0);
	return ns;
}

static void dur_bad(const char *s, int e)
{
	int64_t ns = -42;

	errno = 0;
	assert_int_equal(parse_go_duration(s, &ns), -1);
	assert_int_equal(errno, e);
	assert_int_equal(ns, -42);
}

static void test_durations(void **state)
{
	assert_int_equal(dur("5s"), 5000000000LL);
	assert_int_equal(dur("500ms"), 500000000LL);
	assert_int_equal(dur("1m30s"), 90000000000LL);
	assert_int_equal(dur("1h"), 3600000000000LL);
	assert_int_equal(dur("1.5s"), 1500000000LL);
	assert_int_equal(dur(".5s"), 500000000LL);
	assert_int_equal(dur("2.s"), 2000000000LL);
	assert_int_equal(dur("10us"), 10000);
	assert_int_equal(dur("10\xc2\xb5s"), 10000);
	assert_int_equal(dur("7ns"), 7);
	assert_int_equal(dur("0"), 0);
	assert_int_equal(dur("0s"), 0);
	assert_int_equal(dur("-1s"), -1000000000LL);
	assert_int_equal(dur("+3ms"), 3000000);
	assert_int_equal(dur("1h2m3s4ms5us6ns"), 3723004005006LL);
	assert_int_equal(dur("2562047h47m16.854775807s"), INT64_MAX);
	assert_int_equal(dur("-2562047h47m16.854775808s"), INT64_MIN);
}

static void test_durations_bad(void **state)
{
	dur_bad("", EINVAL);
	dur_bad("5", EINVAL);          /* a number needs a unit (except 0) */
	dur_bad("5x", EINVAL);
	dur_bad("s", EINVAL);
	dur_bad(".s", EINVAL);
	dur_bad("1..5s", EINVAL);
	dur_bad("-", EINVAL);
	dur_bad("5 s", EINVAL);
	dur_bad("5S", EINVAL);
	dur_bad("2562047h47m16.854775808s", ERANGE);
	dur_bad("9999999999999999999h", ERANGE);
}

static int64_t size(const char *s)
{
	int64_t v = -42;

	assert_int_equal(parse_byte_size(s, &v), 0);
	return v;
}

static void size_bad(const char *s, int e)
{
	int64_t v = -42;

	errno = 0;
	assert_int_equal(parse_byte_size(s, &v), -1);
	assert_int_equal(errno, e);
	assert_int_equal(v, -42);
}

static void test_sizes(void **state)
{
	assert_int_equal(size("4096"), 4096);
	assert_int_equal(size("0"), 0);
	assert_int_equal(size("10b"), 10);
	assert_int_equal(size("1k"), 1024);
	assert_int_equal(size("512m"), 512LL << 20);
	assert_int_equal(size("512M"), 512LL << 20);
	assert_int_equal(size("1g"), 1LL << 30);
	assert_int_equal(size("1gb"), 1LL << 30);
	assert_int_equal(size("1GiB"), 1LL << 30);
	assert_int_equal(size("1.5g"), 3LL << 29);
	assert_int_equal(size("2t"), 2LL << 40);
	assert_int_equal(size("1p"), 1LL << 50);
	size_bad("", EINVAL);
	size_bad("m", EINVAL);
	size_bad("-1", EINVAL);        /* the callers handle -1 themselves */
	size_bad("12x", EINVAL);
	size_bad("12mm", EINVAL);
	size_bad("12bb", EINVAL);
	size_bad("1 g", EINVAL);
	size_bad("8192p", ERANGE);
	size_bad("99999999999999999999", ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_durations_bad),
		cmocka_unit_test(test_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
