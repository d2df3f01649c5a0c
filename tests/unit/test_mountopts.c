/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for mountopts.c: the option table, propagation names and the
 * list `features` prints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <cmocka.h>

#include "mountopts.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* Parse a NULL-terminated list; fails the test on error. */
static struct mount_opts parse_list(const char *const *opts)
{
	struct silo_error err = { 0 };
	struct mount_opts o;
	size_t n = 0;

	while (opts[n] != NULL)
		n++;
	assert_int_equal(mount_opts_parse((char *const *)opts, n, &o, &err), 0);
	return o;
}

#define PARSE(...) parse_list((const char *const[]){ __VA_ARGS__, NULL })

static void test_flags(void **state)
{
	static const struct {
		const char *name;
		unsigned long set, clear;
	} cases[] = {
		{ "ro", MS_RDONLY, 0 },          { "rw", 0, MS_RDONLY },
		{ "nosuid", MS_NOSUID, 0 },      { "suid", 0, MS_NOSUID },
		{ "nodev", MS_NODEV, 0 },        { "dev", 0, MS_NODEV },
		{ "noexec", MS_NOEXEC, 0 },      { "exec", 0, MS_NOEXEC },
		{ "sync", MS_SYNCHRONOUS, 0 },   { "async", 0, MS_SYNCHRONOUS },
		{ "dirsync", MS_DIRSYNC, 0 },    { "remount", MS_REMOUNT, 0 },
		{ "mand", MS_MANDLOCK, 0 },      { "nomand", 0, MS_MANDLOCK },
		{ "noatime", MS_NOATIME, 0 },    { "atime", 0, MS_NOATIME },
		{ "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
		{ "relatime", MS_RELATIME, 0 },  { "norelatime", 0, MS_RELATIME },
		{ "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
		{ "silent", MS_SILENT, 0 },      { "loud", 0, MS_SILENT },
		{ "iversion", MS_I_VERSION, 0 }, { "noiversion", 0, MS_I_VERSION },
		{ "lazytime", MS_LAZYTIME, 0 },  { "nolazytime", 0, MS_LAZYTIME },
		{ "nosymfollow", MS_NOSYMFOLLOW, 0 }, { "symfollow", 0, MS_NOSYMFOLLOW },
		{ "defaults", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mount_opts o = PARSE(cases[i].name);
		assert_int_equal(o.flags, cases[i].set);
		assert_int_equal(o.clear, cases[i].clear);
		assert_null(o.data);
		assert_int_equal(o.propagation, 0);
		assert_false(o.bind);
	}
}

static void test_later_wins(void **state)
{
	struct mount_opts o;

	(void)state;
	o = PARSE("ro", "rw");
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.clear, MS_RDONLY);
	o = PARSE("rw", "ro");
	assert_int_equal(o.flags, MS_RDONLY);
	assert_int_equal(o.clear, 0);
	o = PARSE("nosuid", "noexec", "nodev", "ro");
	assert_int_equal(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	o = PARSE("shared", "rprivate");
	assert_int_equal(o.propagation, MS_PRIVATE | MS_REC);
	o = PARSE("rnoatime", "rstrictatime");
	assert_int_equal(o.rec_set, MOUNT_ATTR_STRICTATIME);
	assert_int_equal(o.rec_clr, MOUNT_ATTR__ATIME);
	o = PARSE("nosymfollow", "symfollow");
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.extensions & SPEC_MOUNT_NOSYMFOLLOW, 0);
	o = PARSE("nosymfollow");
	assert_int_equal(o.extensions, SPEC_MOUNT_NOSYMFOLLOW);
}

static void test_bind(void **state)
{
	struct mount_opts o;

	(void)state;
	o = PARSE("bind");
	assert_true(o.bind);
	assert_false(o.recursive);
	assert_int_equal(o.flags, MS_BIND);
	o = PARSE("rbind", "ro");
	assert_true(o.bind);
	assert_true(o.recursive);
	assert_int_equal(o.flags, MS_BIND | MS_REC | MS_RDONLY);
}

static void test_propagation_options(void **state)
{
	static const struct {
		const char *name;
		unsigned long v;
	} cases[] = {
		{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
		{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
		{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mount_opts o = PARSE(cases[i].name);
		unsigned long v = 0;

		assert_int_equal(o.propagation, cases[i].v);
		assert_int_equal(o.flags, 0);
		assert_int_equal(mount_propagation_from_name(cases[i].name, &v), 0);
		assert_int_equal(v, cases[i].v);
	}
}

static void test_propagation_names(void **state)
{
	unsigned long v = 12345;

	(void)state;
	assert_int_equal(mount_propagation_from_name("bind", &v), -1);
	assert_int_equal(mount_propagation_from_name("", &v), -1);
	assert_int_equal(mount_propagation_from_name("Private", &v), -1);
	assert_int_equal(mount_propagation_from_name("rro", &v), -1);
	assert_int_equal(mount_propagation_from_name(NULL, &v), -1);
	assert_int_equal(v, 12345);
}

static void test_recursive(void **state)
{
	static const struct {
		const char *name;
		uint64_t set, clr;
	} cases[] = {
		{ "rro", MOUNT_ATTR_RDONLY, 0 },        { "rrw", 0, MOUNT_ATTR_RDONLY },
		{ "rnosuid", MOUNT_ATTR_NOSUID, 0 },    { "rsuid", 0, MOUNT_ATTR_NOSUID },
		{ "rnodev", MOUNT_ATTR_NODEV, 0 },      { "rdev", 0, MOUNT_ATTR_NODEV },
		{ "rnoexec", MOUNT_ATTR_NOEXEC, 0 },    { "rexec", 0, MOUNT_ATTR_NOEXEC },
		{ "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 }, { "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
		{ "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
		{ "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME },
		{ "ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
		{ "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
		{ "rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME },
		{ "rnorelatime", 0, 0 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mount_opts o = PARSE(cases[i].name);
		assert_int_equal(o.rec_set, cases[i].set);
		assert_int_equal(o.rec_clr, cases[i].clr);
		assert_int_equal(o.flags, 0);
		assert_null(o.data);
	}
}

static void test_extensions(void **state)
{
	struct mount_opts o;

	(void)state;
	o = PARSE("tmpcopyup");
	assert_int_equal(o.extensions, SPEC_MOUNT_TMPCOPYUP);
	o = PARSE("idmap");
	assert_int_equal(o.extensions, SPEC_MOUNT_IDMAP);
	o = PARSE("ridmap");
	assert_int_equal(o.extensions, SPEC_MOUNT_RIDMAP);
	o = PARSE("idmap=uids=0-1000-10;gids=0-1000-10");
	assert_int_equal(o.extensions, SPEC_MOUNT_IDMAP);
	assert_null(o.data);
	o = PARSE("ridmap=uids=0-1000-10");
	assert_int_equal(o.extensions, SPEC_MOUNT_RIDMAP);
	assert_null(o.data);
}

static void test_data(void **state)
{
	struct mount_opts o;

	(void)state;
	o = PARSE("nosuid", "mode=755", "", "size=65536k", "ro", "newinstance");
	assert_int_equal(o.flags, MS_NOSUID | MS_RDONLY);
	assert_string_equal(o.data, "mode=755,size=65536k,newinstance");
	mount_opts_free(&o);
	assert_null(o.data);
	/* Names are exact: case and near-misses are fs data. */
	o = PARSE("RO", "idmapx", "rbindx");
	assert_string_equal(o.data, "RO,idmapx,rbindx");
	assert_int_equal(o.flags, 0);
	assert_int_equal(o.extensions, 0);
	mount_opts_free(&o);
	o = parse_list((const char *const[]){ NULL });
	assert_null(o.data);
	assert_int_equal(o.flags, 0);
}

static void test_errors(void **state)
{
	struct silo_error err = { 0 };
	struct mount_opts o = { 0 };
	char big[3000];
	char *opts[] = { "ro", NULL };
	char *two[] = { big, big };

	(void)state;
	assert_int_equal(mount_opts_parse(opts, 2, &o, &err), -1);
	assert_string_equal(err.msg, "mount option 1 is missing");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(mount_opts_parse(two, 2, &o, &err), -1);
	assert_string_equal(err.msg, "mount options: fs data is longer than 4095 bytes");
}

/* Every name `features` advertises is understood: none of them is fs data. */
static void test_known(void **state)
{
	size_t n = 0;

	(void)state;
	for (; mount_opts_known[n] != NULL; n++) {
		struct silo_error err = { 0 };
		struct mount_opts o;
		char *one[] = { (char *)mount_opts_known[n] };

		assert_int_equal(mount_opts_parse(one, 1, &o, &err), 0);
		assert_null(o.data);
		for (size_t j = 0; j < n; j++)
			assert_string_not_equal(mount_opts_known[j], mount_opts_known[n]);
	}
	assert_int_equal(n, 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_later_wins),
		cmocka_unit_test(test_bind),
		cmocka_unit_test(test_propagation_options),
		cmocka_unit_test(test_propagation_names),
		cmocka_unit_test(test_recursive),
		cmocka_unit_test(test_extensions),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_known),
	};
	return cmocka_run_group_tests_name("mountopts", tests, NULL, NULL);
}
