/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the small text and wire parsers that have fuzz harnesses:
 * exec's user spec (userspec.c), the kernel's cpu list format (cpulist.c),
 * id maps (idmap.c) and the decoding of sync messages (sync.c).  Inputs the fuzzers found or
 * that sit on an edge (overflow, empty parts, signs, white space) are here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cpulist.h"
#include "idmap.h"
#include "sync.h"
#include "userspec.h"
#include "util.h"

/* ------------------------------------------------------------ user specs */

static void user_ok(const char *s, uint32_t uid, bool has_gid, uint32_t gid)
{
	struct silo_user_spec u = { 0 };
	struct silo_error e = { 0 };

	if (silo_user_spec_parse(s, &u, &e) < 0)
		fail_msg("\"%s\" refused: %s", s, e.msg);
	assert_int_equal(u.uid, uid);
	assert_int_equal(u.has_gid, has_gid);
	if (has_gid)
		assert_int_equal(u.gid, gid);
}

static void user_bad(const char *s, const char *msg)
{
	struct silo_user_spec u = { .uid = 77, .has_gid = true, .gid = 88 };
	struct silo_error e = { 0 };

	if (silo_user_spec_parse(s, &u, &e) == 0)
		fail_msg("\"%s\" accepted as %u:%u", s, u.uid, u.gid);
	assert_string_equal(e.msg, msg);
	assert_int_equal(u.uid, 77);        /* untouched on failure */
	assert_int_equal(u.gid, 88);
}

static void test_user_spec(void **state)
{
	(void)state;
	user_ok("0", 0, false, 0);
	user_ok("1000", 1000, false, 0);
	user_ok("1000:1000", 1000, true, 1000);
	user_ok("0:0", 0, true, 0);
	user_ok("007:010", 7, true, 10);         /* leading zeros are decimal, not octal */
	user_ok("4294967294", 4294967294u, false, 0);
	user_ok("4294967294:4294967294", 4294967294u, true, 4294967294u);
	user_ok("00000000000000000000000000001", 1, false, 0);

	user_bad("", "empty uid");
	user_bad(":5", "empty uid");
	user_bad("5:", "empty gid");
	user_bad(":", "empty uid");
	user_bad("4294967295", "uid \"4294967295\": out of range (0 to 4294967294)");
	user_bad("1:4294967295", "gid \"4294967295\": out of range (0 to 4294967294)");
	user_bad("18446744073709551616", "uid \"18446744073709551616\": out of range (0 to 4294967294)");
	user_bad("99999999999999999999999999999999999999",
		 "uid \"99999999999999999999999999999999...\": out of range (0 to 4294967294)");
	user_bad("-1", "uid \"-1\": not a decimal number");
	user_bad("-0", "uid \"-0\": not a decimal number");
	user_bad("+5", "uid \"+5\": not a decimal number");
	user_bad("5:-1", "gid \"-1\": not a decimal number");
	user_bad(" 5", "uid \" 5\": not a decimal number");          /* strtoul would skip it */
	user_bad("\t-0", "uid \"?-0\": not a decimal number");
	user_bad("5 ", "uid \"5 \": not a decimal number");
	user_bad("5: 6", "gid \" 6\": not a decimal number");
	user_bad("0x10", "uid \"0x10\": not a decimal number");
	user_bad("1e3", "uid \"1e3\": not a decimal number");
	user_bad("nobody", "uid \"nobody\": not a decimal number");   /* names are not resolved */
	user_bad("1000:users", "gid \"users\": not a decimal number");
	user_bad("1:2:3", "gid \"2:3\": not a decimal number");
	user_bad("\x1b[31m", "uid \"?[31m\": not a decimal number"); /* no control characters out */
	user_bad("a\"b", "uid \"a?b\": not a decimal number");
}

static void test_id(void **state)
{
	struct silo_error e = { 0 };
	uint32_t v = 9;

	(void)state;
	assert_int_equal(silo_id_parse("65534", "gid", &v, &e), 0);
	assert_int_equal(v, 65534);
	assert_int_equal(silo_id_parse("", "gid", &v, &e), -1);
	assert_string_equal(e.msg, "empty gid");
	assert_int_equal(silo_id_parse("4294967295", "gid", &v, &e), -1);
	assert_int_equal(silo_id_parse("1:2", "gid", &v, &e), -1);
	assert_int_equal(v, 65534);
}

/* ------------------------------------------------------------- cpu lists */

static uint64_t *bits_new(void)
{
	return xzalloc(SILO_CPULIST_WORDS * sizeof(uint64_t));
}

/* s parses, and its canonical text is `canon`. */
static void list_ok(const char *s, const char *canon)
{
	cleanup_free uint64_t *bits = bits_new();
	cleanup_free char *text = NULL;
	struct silo_error e = { 0 };

	if (silo_cpulist_parse(s, bits, &e) < 0)
		fail_msg("\"%s\" refused: %s", s, e.msg);
	assert_int_equal(silo_cpulist_parse(s, NULL, &e), 0);
	text = silo_cpulist_format(bits);
	assert_string_equal(text, canon);
}

static void list_bad(const char *s, const char *msg)
{
	cleanup_free uint64_t *bits = bits_new();
	struct silo_error e = { 0 };

	if (silo_cpulist_parse(s, bits, &e) == 0)
		fail_msg("\"%s\" accepted", s);
	assert_string_equal(e.msg, msg);
	e.msg[0] = '\0';
	assert_int_equal(silo_cpulist_parse(s, NULL, &e), -1);
	assert_string_equal(e.msg, msg);
}

static void test_cpulist(void **state)
{
	cleanup_free uint64_t *bits = bits_new();
	struct silo_error e = { 0 };

	(void)state;
	list_ok("", "");
	list_ok("0", "0");
	list_ok("0-3", "0-3");
	list_ok("0-3,7,9-11", "0-3,7,9-11");
	list_ok("3,2,1,0", "0-3");                  /* order and overlap are the kernel's business */
	list_ok("0-5,2-8", "0-8");
	list_ok("5-5", "5");
	list_ok("007", "7");
	list_ok("0-7:2/4", "0-1,4-5");              /* the kernel's group syntax */
	list_ok("0-9:1/3", "0,3,6,9");
	list_ok("0-3:4/4", "0-3");
	list_ok("0-3:0/4,5", "5");
	list_ok("1,,2", "1-2");                     /* separators as the kernel reads them */
	list_ok(",1,", "1");
	list_ok("0 1\t2\n", "0-2");
	list_ok("65535", "65535");
	list_ok("0-65535", "0-65535");
	list_ok("63-64,127-128", "63-64,127-128");  /* word edges of the bitmap */

	list_bad(",", "selects nothing (\"\" leaves the setting unset)");
	list_bad(" ", "selects nothing (\"\" leaves the setting unset)");
	list_bad("0-3:0/4", "selects nothing (\"\" leaves the setting unset)");
	list_bad("3-0", "range 3-0 at position 1 ends before it starts");
	list_bad("1,5-3", "range 5-3 at position 3 ends before it starts");
	list_bad("65536", "number at position 1 is above 65535");
	list_bad("0-65536", "number at position 3 is above 65535");
	list_bad("99999999999999999999999", "number at position 1 is above 65535");
	list_bad("-1", "expected a number at position 1, found \"-\"");
	list_bad("+1", "expected a number at position 1, found \"+\"");
	list_bad("1-", "expected the end of a range at position 3, found end of list");
	list_bad("1--2", "expected the end of a range at position 3, found \"-\"");
	list_bad("1 -2", "expected a number at position 3, found \"-\"");
	list_bad("0x1", "unexpected \"x\" at position 2 (entries are N, N-M or N-M:USED/SIZE, "
		 "separated by commas)");
	list_bad("1;2", "unexpected \";\" at position 2 (entries are N, N-M or N-M:USED/SIZE, "
		 "separated by commas)");
	list_bad("1\x1b", "unexpected \\x1b at position 2 (entries are N, N-M or N-M:USED/SIZE, "
		 "separated by commas)");
	list_bad("1:2/3", "unexpected \":\" at position 2 (entries are N, N-M or N-M:USED/SIZE, "
		 "separated by commas)");
	list_bad("0-7:2", "expected \"/\" at position 6, found end of list");
	list_bad("0-7:2/0", "group size 0 at position 1");
	list_bad("0-7:5/4", "0-7:5/4 at position 1 uses more than its group size");
	list_bad("0-7:/4", "expected a count of used numbers at position 5, found \"/\"");
	list_bad("0-7:1/", "expected a group size at position 7, found end of list");
	list_bad("0-7:1/4x", "unexpected \"x\" at position 8 (entries are N, N-M or N-M:USED/SIZE, "
		 "separated by commas)");
	list_bad("all", "\"all\" at position 1 depends on the host's CPUs: give the numbers");
	list_bad("0,ALL", "\"all\" at position 3 depends on the host's CPUs: give the numbers");
	list_bad("N", "\"N\" at position 1 depends on the host's CPUs: give the numbers");
	list_bad("0-N", "expected the end of a range at position 3, found \"N\"");

	assert_int_equal(silo_cpulist_parse("0-3,8,10-11", bits, &e), 0);
	assert_int_equal(silo_cpulist_count(bits), 7);
	assert_int_equal(silo_cpulist_parse("0-65535:1/2", bits, &e), 0);
	assert_int_equal(silo_cpulist_count(bits), 32768);
	assert_int_equal(silo_cpulist_parse("", bits, &e), 0);
	assert_int_equal(silo_cpulist_count(bits), 0);
}

/* --------------------------------------------------------------- id maps */

static void test_idmap(void **state)
{
	struct spec_idmap *m = xzalloc(400 * sizeof(*m));
	struct silo_error e = { 0 };
	cleanup_free char *text = NULL;
	size_t len;

	(void)state;
	/* 30 bytes a line: 136 lines fit in a page write, 137 do not */
	for (size_t i = 0; i < 400; i++)
		m[i] = (struct spec_idmap){ 1000000000 + (uint32_t)i * 1000000,
					    2000000000 + (uint32_t)i * 1000000, 1000000 };
	assert_int_equal(idmap_check(m, 136, &e), 0);
	text = idmap_format(m, 136, &len);
	assert_int_equal(len, 136 * 30);
	assert_int_equal(strlen(text), len);
	assert_memory_equal(text, "1000000000 2000000000 1000000\n1001000000 2001000000 1000000\n", 60);
	assert_int_equal(idmap_check(m, 137, &e), -1);
	assert_string_equal(e.msg, "the map is 4110 bytes as text; the kernel takes at most 4095");
	assert_int_equal(idmap_check(m, 341, &e), -1);
	assert_string_equal(e.msg, "at most 340 mappings are allowed");

	m[0] = (struct spec_idmap){ 0, 0, 4294967295u };   /* everything but (uid_t)-1 */
	assert_int_equal(idmap_check(m, 1, &e), 0);
	m[0] = (struct spec_idmap){ 1, 0, 4294967295u };
	assert_int_equal(idmap_check(m, 1, &e), -1);
	assert_string_equal(e.msg, "[0]: range goes past id 4294967294");
	m[0] = (struct spec_idmap){ 0, 1, 0 };
	assert_int_equal(idmap_check(m, 1, &e), -1);
	m[0] = (struct spec_idmap){ 0, 100, 10 };
	m[1] = (struct spec_idmap){ 10, 110, 10 };           /* adjacent, not overlapping */
	m[2] = (struct spec_idmap){ 20, 90, 10 };
	assert_int_equal(idmap_check(m, 3, &e), 0);
	m[2] = (struct spec_idmap){ 20, 91, 10 };            /* 91..100 touches [0]'s 100 */
	assert_int_equal(idmap_check(m, 3, &e), -1);
	assert_string_equal(e.msg, "[0] and [2] overlap in host ids");
	m[2] = (struct spec_idmap){ 19, 200, 1 };
	assert_int_equal(idmap_check(m, 3, &e), -1);
	assert_string_equal(e.msg, "[1] and [2] overlap in container ids");
	free(text);
	text = idmap_format(m, 0, &len);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	free(m);
}

/* -------------------------------------------------------- sync messages */

static size_t packet(char *buf, uint32_t type, int32_t errnum, uint32_t len, const void *data,
		     size_t n)
{
	memcpy(buf, &type, 4);
	memcpy(buf + 4, &errnum, 4);
	memcpy(buf + 8, &len, 4);
	memcpy(buf + 12, data, n);
	return 12 + n;
}

static void test_sync_decode(void **state)
{
	struct sync_msg *m = xmalloc(sizeof(*m));
	cleanup_free char *buf = xmalloc(12 + SYNC_MAX_DATA + 2);
	struct silo_error e = { 0 };
	size_t n;

	(void)state;
	n = packet(buf, SYNC_ERROR, ENOENT, 5, "oops!", 5);
	assert_int_equal(sync_decode(buf, n, m, &e), 0);
	assert_int_equal(m->type, SYNC_ERROR);
	assert_int_equal(m->errnum, ENOENT);
	assert_int_equal(m->len, 5);
	assert_string_equal(m->data, "oops!");
	assert_int_equal(m->fd, -1);

	assert_int_equal(sync_decode(buf, 11, m, &e), -1);             /* short header */
	assert_string_equal(e.msg, "sync: malformed message: protocol error");
	assert_int_equal(sync_decode(buf, 0, m, &e), -1);
	assert_int_equal(sync_decode(buf, n - 1, m, &e), -1);          /* len says more */
	n = packet(buf, SYNC_READY, 0, 2, "abc", 3);
	assert_int_equal(sync_decode(buf, n, m, &e), -1);              /* len says less */
	n = packet(buf, SYNC_READY, 0, 0xffffffffu, "", 0);
	assert_int_equal(sync_decode(buf, n, m, &e), -1);              /* len overflow */
	memset(buf + 12, 'x', SYNC_MAX_DATA + 1);
	n = packet(buf, SYNC_READY, 0, SYNC_MAX_DATA + 1, buf + 12, SYNC_MAX_DATA + 1);
	assert_int_equal(sync_decode(buf, n, m, &e), -1);              /* too big */
	n = packet(buf, SYNC_READY, 0, SYNC_MAX_DATA, buf + 12, SYNC_MAX_DATA);
	assert_int_equal(sync_decode(buf, n, m, &e), 0);               /* the largest */
	assert_int_equal(strlen(m->data), SYNC_MAX_DATA);
	free(m);
}

static void test_sync_payloads(void **state)
{
	struct sync_msg *m = xzalloc(sizeof(*m));
	struct silo_error e = { 0 };
	int32_t v = 1234;
	pid_t pid = 7;

	(void)state;
	/* SYNC_INIT_PID: exactly four bytes, a pid > 0 (it was read blindly) */
	memcpy(m->data, &v, 4);
	m->len = 4;
	assert_int_equal(sync_msg_pid(m, &pid, &e), 0);
	assert_int_equal(pid, 1234);
	m->len = 3;
	assert_int_equal(sync_msg_pid(m, &pid, &e), -1);
	assert_string_equal(e.msg, "sync: the init's pid is 3 bytes, not 4: protocol error");
	m->len = 0;
	assert_int_equal(sync_msg_pid(m, &pid, &e), -1);
	v = 0;
	memcpy(m->data, &v, 4);
	m->len = 4;
	assert_int_equal(sync_msg_pid(m, &pid, &e), -1);
	v = -5;
	memcpy(m->data, &v, 4);
	assert_int_equal(sync_msg_pid(m, &pid, &e), -1);
	assert_int_equal(pid, 1234);

	/* SYNC_ERROR: the text to its first NUL, a sane errnum */
	memcpy(m->data, "bad\0hidden", 10);
	m->len = 10;
	m->errnum = EACCES;
	assert_int_equal(sync_msg_error(m, &e), -1);
	assert_string_equal(e.msg, "bad");
	assert_int_equal(e.errnum, EACCES);
	m->errnum = -3;
	assert_int_equal(sync_msg_error(m, &e), -1);
	assert_int_equal(e.errnum, 0);
	m->len = 0;
	assert_int_equal(sync_msg_error(m, &e), -1);
	assert_string_equal(e.msg, "container init failed without a message");
	free(m);
}

static void paths_bad(const char *data, size_t len)
{
	struct sync_cgroup_paths p = { 0 };
	struct silo_error e = { 0 };

	if (sync_decode_cgroup_paths(data, len, &p, &e) == 0)
		fail_msg("cgroup paths of %zu bytes accepted", len);
	assert_null(p.buf);
	assert_int_equal(p.n, 0);
	assert_true(str_has_prefix(e.msg, "sync: cgroup paths: "));
}

static void test_sync_cgroup_paths(void **state)
{
	static const char two[] = "cpu,cpuacct\0/sys/fs/cgroup/cpu,cpuacct/x\0\0/sys/fs/cgroup/unified/x";
	struct sync_cgroup_paths p;
	struct silo_error e = { 0 };

	(void)state;
	assert_int_equal(sync_decode_cgroup_paths(two, sizeof(two), &p, &e), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.controllers[0], "cpu,cpuacct");
	assert_string_equal(p.dirs[0], "/sys/fs/cgroup/cpu,cpuacct/x");
	assert_string_equal(p.controllers[1], "");
	assert_string_equal(p.dirs[1], "/sys/fs/cgroup/unified/x");
	sync_cgroup_paths_free(&p);
	assert_int_equal(sync_decode_cgroup_paths("", 0, &p, &e), 0);   /* no cgroup */
	assert_int_equal(p.n, 0);
	sync_cgroup_paths_free(&p);

	paths_bad("cpu\0/x", 6);              /* the last string unterminated */
	paths_bad("cpu", 4);                  /* a controller without a directory */
	paths_bad("cpu\0/x\0memory", 14);
	paths_bad("cpu\0x\0", 6);             /* a relative directory */
	paths_bad("cpu\0\0", 5);
	paths_bad("..\0/x\0", 6);             /* a controller that is a path */
	paths_bad("a/b\0/x\0", 7);
	paths_bad(".\0/x\0", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_spec),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_idmap),
		cmocka_unit_test(test_sync_decode),
		cmocka_unit_test(test_sync_payloads),
		cmocka_unit_test(test_sync_cgroup_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
