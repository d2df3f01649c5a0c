/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the cgroup manager's pure helpers (cgroup_internal.h): layout
 * discovery from canned /proc/self/cgroup + mountinfo texts (hybrid, legacy
 * with co-mounted controllers, unified, bind-mounted roots, escapes),
 * cgroupsPath resolution, and the v1 -> v2 conversions.  Nothing here touches
 * the host's cgroups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cgroup_internal.h"
#include "util.h"

/* This development machine: v1 hybrid, memory nested, hugetlb on unified. */
static const char hybrid_cgroup[] =
	"9:name=systemd:/\n"
	"8:pids:/\n"
	"7:blkio:/\n"
	"6:freezer:/\n"
	"5:devices:/\n"
	"4:memory:/process_api/1ae6\n"
	"3:cpuset:/\n"
	"2:cpuacct:/\n"
	"1:cpu:/\n"
	"0::/\n";
static const char hybrid_mountinfo[] =
	"22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	"33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	"34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static const struct cg_mountpoint *find(const struct cg_layout *l, const char *controllers)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->m[i].controllers, controllers) == 0)
			return &l->m[i];
	return NULL;
}

static void test_layout_hybrid(void **state)
{
	struct cg_layout l;
	struct silo_error err;
	const struct cg_mountpoint *m;

	assert_int_equal(cg_layout_parse(CGROUP_MODE_V1, hybrid_cgroup, hybrid_mountinfo, &l, &err), 0);
	assert_int_equal(l.n, 10);
	m = find(&l, "memory");
	assert_non_null(m);
	assert_string_equal(m->mount, "/sys/fs/cgroup/memory");
	assert_string_equal(m->own, "/process_api/1ae6");
	assert_string_equal(m->name, "memory");
	m = find(&l, "name=systemd");
	assert_non_null(m);
	assert_string_equal(m->name, "systemd");
	assert_string_equal(m->mount, "/sys/fs/cgroup/systemd");
	m = find(&l, "");
	assert_non_null(m);
	assert_true(m->flags & CG_H_UNIFIED);
	assert_string_equal(m->mount, "/sys/fs/cgroup/unified");
	assert_string_equal(m->name, "unified");
	assert_string_equal(m->own, "/");
	cg_layout_free(&l);
}

/* Co-mounted cpu,cpuacct and net_cls,net_prio, no unified mount, a duplicate
 * bind mount outside /sys/fs/cgroup (listed first) and a mount root that is
 * not "/" (a container's view without a cgroup namespace). */
static void test_layout_legacy_comounted(void **state)
{
	static const char pc[] =
		"5:net_cls,net_prio:/\n"
		"4:cpu,cpuacct:/docker/abc\n"
		"3:memory:/docker/abc\n"
		"2:name=systemd:/docker/abc\n"
		"1:rdma:/\n"
		"0::/docker/abc\n";
	static const char mi[] =
		"60 50 0:40 /docker/abc /mnt/cpu\\040x rw - cgroup cgroup rw,cpu,cpuacct\n"
		"61 50 0:40 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
		"62 50 0:41 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"63 50 0:42 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio\n"
		"64 50 0:43 /docker/abc /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n";
	struct cg_layout l;
	struct silo_error err;
	const struct cg_mountpoint *m;

	assert_int_equal(cg_layout_parse(CGROUP_MODE_V1, pc, mi, &l, &err), 0);
	assert_int_equal(l.n, 4);     /* rdma and the unified are not mounted */
	m = find(&l, "cpu,cpuacct");
	assert_non_null(m);
	assert_string_equal(m->mount, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(m->name, "cpu,cpuacct");
	assert_string_equal(m->own, "/");
	m = find(&l, "net_cls,net_prio");
	assert_non_null(m);
	assert_string_equal(m->own, "/");
	m = find(&l, "name=systemd");
	assert_non_null(m);
	assert_string_equal(m->own, "/");
	assert_null(find(&l, ""));
	cg_layout_free(&l);
}

static void test_layout_escaped_mount(void **state)
{
	static const char pc[] = "3:memory:/a\n";
	static const char mi[] = "60 50 0:40 / /srv/my\\040cg\\134x\\04 rw - cgroup cgroup rw,memory\n";
	struct cg_layout l;
	struct silo_error err;

	assert_int_equal(cg_layout_parse(CGROUP_MODE_V1, pc, mi, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.m[0].mount, "/srv/my cg\\x\\04");   /* a cut escape stays as is */
	assert_string_equal(l.m[0].name, "my cg\\x\\04");
	cg_layout_free(&l);
}

static void test_layout_v2(void **state)
{
	static const char pc[] = "0::/user.slice/user-0.slice/session-1.scope\n";
	static const char mi[] =
		"25 20 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
		"90 25 0:23 /user.slice /mnt/cg rw - cgroup2 cgroup2 rw\n";
	struct cg_layout l;
	struct silo_error err;

	assert_int_equal(cg_layout_parse(CGROUP_MODE_V2, pc, mi, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.m[0].mount, "/sys/fs/cgroup");
	assert_string_equal(l.m[0].name, "");
	assert_string_equal(l.m[0].controllers, "");
	assert_string_equal(l.m[0].own, "/user.slice/user-0.slice/session-1.scope");
	assert_true(l.m[0].flags & CG_H_UNIFIED);
	cg_layout_free(&l);
}

/* Legacy v1 with a cgroup2 mounted by someone elsewhere: not joined. */
static void test_layout_v1_foreign_cgroup2(void **state)
{
	static const char pc[] = "1:memory:/\n0::/\n";
	static const char mi[] =
		"60 50 0:40 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
		"61 50 0:41 / /mnt/cg2 rw - cgroup2 cgroup2 rw\n";
	struct cg_layout l;
	struct silo_error err;

	assert_int_equal(cg_layout_parse(CGROUP_MODE_V1, pc, mi, &l, &err), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.m[0].controllers, "memory");
	cg_layout_free(&l);
}

static void test_layout_none(void **state)
{
	struct cg_layout l;
	struct silo_error err;

	silo_error_clear(&err);
	assert_int_equal(cg_layout_parse(CGROUP_MODE_V1, "0::/\n", "", &l, &err), -1);
	assert_non_null(strstr(err.msg, "no mounted cgroup hierarchy"));
}

static void check_rel(const char *path, const char *id, const char *own, const char *want)
{
	struct silo_error err;
	char *got;

	silo_error_clear(&err);
	got = cg_rel_path(path, id, own, &err);
	if (want == NULL) {
		assert_null(got);
		assert_true(err.msg[0] != '\0');
		return;
	}
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_rel_path(void **state)
{
	check_rel("/a/b", "id", "/own", "/a/b");
	check_rel("a/b", "id", "/own", "/own/a/b");
	check_rel("a/b", "id", "/", "/a/b");
	check_rel(NULL, "c1", "/own/x", "/own/x/c1");
	check_rel("", "c1", "/", "/c1");
	check_rel("//a/./b//", "id", "/", "/a/b");
	check_rel("./a", "id", "/o", "/o/a");
	check_rel("/", "id", "/o", "/");
	check_rel("a/../b", "id", "/", NULL);
	check_rel("/..", "id", "/", NULL);
	check_rel("..", "id", "/", NULL);
	check_rel(NULL, "a/b", "/", NULL);
	check_rel(NULL, "..", "/", NULL);
	check_rel(NULL, NULL, "/", NULL);
	check_rel("a", "id", "/../../x", NULL);   /* caller outside its cgroup namespace */
	check_rel("/a", "id", "/../../x", "/a");  /* absolute does not need it */
	check_rel("a:b", "id", "/", "/a:b");      /* one colon: a plain name */
	check_rel("/x:y:z", "id", "/", "/x:y:z"); /* has a slash: a plain path */
}

static void test_systemd_path(void **state)
{
	struct silo_error err;

	assert_true(cg_is_systemd_path("system.slice:docker:abc"));
	assert_true(cg_is_systemd_path("a:b:c"));
	assert_true(cg_is_systemd_path(":b:"));
	assert_false(cg_is_systemd_path("a:b"));
	assert_false(cg_is_systemd_path("a:b:c:d"));
	assert_false(cg_is_systemd_path("/a:b:c"));
	assert_false(cg_is_systemd_path(NULL));
	silo_error_clear(&err);
	assert_null(cg_rel_path("a:b:c", "id", "/", &err));
	assert_string_equal(err.msg, "cgroupsPath \"a:b:c\": systemd cgroup paths need --systemd-cgroup, "
				     "and systemd is not running");
}

static void test_controllers(void **state)
{
	assert_int_equal(cg2_parse_controllers("cpuset cpu io memory hugetlb pids rdma misc\n"),
			 CG2_CPUSET | CG2_CPU | CG2_IO | CG2_MEMORY | CG2_HUGETLB | CG2_PIDS |
				 CG2_RDMA | CG2_MISC);
	assert_int_equal(cg2_parse_controllers("hugetlb\n"), CG2_HUGETLB);
	assert_int_equal(cg2_parse_controllers("cpux memoryy dmem\n"), 0);
	assert_int_equal(cg2_parse_controllers(""), 0);
	assert_true(cg_list_has("rw,cpu,cpuacct", "cpu"));
	assert_true(cg_list_has("rw,cpu,cpuacct", "cpuacct"));
	assert_false(cg_list_has("rw,cpuacct", "cpu"));
	assert_true(cg_list_has("rw,xattr,name=systemd", "name=systemd"));
	assert_int_equal(cg_count_lines(""), 0);
	assert_int_equal(cg_count_lines("12\n"), 1);
	assert_int_equal(cg_count_lines("1\n2\n3\n"), 3);
}

static void test_conversions(void **state)
{
	assert_int_equal(cg_shares_to_weight(2), 1);
	assert_int_equal(cg_shares_to_weight(1024), 39);
	assert_int_equal(cg_shares_to_weight(262144), 10000);
	assert_int_equal(cg_shares_to_weight(0), 0);
	assert_int_equal(cg_blkio_weight_to_io(10), 1);
	assert_int_equal(cg_blkio_weight_to_io(500), 4950);
	assert_int_equal(cg_blkio_weight_to_io(1000), 10000);
}

static void check_swap(bool lset, int64_t limit, bool sset, int64_t swap, int want_rc, int64_t want)
{
	struct spec_resources r;
	struct silo_error err;
	int64_t out = 12345;

	memset(&r, 0, sizeof(r));
	r.memory.limit.set = lset;
	r.memory.limit.v = limit;
	r.memory.swap.set = sset;
	r.memory.swap.v = swap;
	silo_error_clear(&err);
	assert_int_equal(cg2_swap_value(&r, &out, &err), want_rc);
	if (want_rc == 0)
		assert_int_equal(out, want);
	else
		assert_true(err.msg[0] != '\0');
}

static void test_swap_value(void **state)
{
	check_swap(true, 100, true, 300, 0, 200);     /* memory+swap total -> swap only */
	check_swap(true, 100, true, 100, 0, 0);       /* no swap at all */
	check_swap(true, 100, true, -1, 0, -1);       /* unlimited swap */
	check_swap(true, 100, false, 0, 0, 0);        /* swap unset: leave it */
	check_swap(true, -1, false, 0, 0, -1);        /* unlimited memory: swap too */
	check_swap(false, 0, false, 0, 0, 0);
	check_swap(true, 100, true, 50, -1, 0);       /* total below memory */
	check_swap(false, 0, true, 300, -1, 0);       /* swap without memory */
	check_swap(true, -1, true, 300, -1, 0);
}

static void check_rule(bool allow, char type, int64_t maj, int64_t min, const char *acc, const char *want)
{
	struct spec_device_rule d = { allow, type, maj, min, "" };
	char buf[64];

	snprintf(d.access, sizeof(d.access), "%s", acc);
	cg_device_rule_str(&d, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_device_rules(void **state)
{
	check_rule(false, 'a', -1, -1, "rwm", "a");
	check_rule(true, 'c', 1, 3, "rwm", "c 1:3 rwm");
	check_rule(true, 'c', 136, -1, "rwm", "c 136:* rwm");
	check_rule(true, 'b', -1, -1, "m", "b *:* m");
	check_rule(true, 'c', 10, 200, "rw", "c 10:200 rw");
	check_rule(true, 'a', 5, -1, "r", "a 5:* r");
}

static void test_validators(void **state)
{
	char buf[24];

	assert_true(cg_valid_page_size("2MB"));
	assert_true(cg_valid_page_size("1GB"));
	assert_true(cg_valid_page_size("64KB"));
	assert_false(cg_valid_page_size("2M"));
	assert_false(cg_valid_page_size("MB"));
	assert_false(cg_valid_page_size("2MB/../x"));
	assert_false(cg_valid_page_size("../2MB"));
	assert_false(cg_valid_page_size(""));
	assert_true(cg_valid_unified_key("memory.high"));
	assert_false(cg_valid_unified_key("../cgroup.procs"));
	assert_false(cg_valid_unified_key(".."));
	assert_false(cg_valid_unified_key(""));
	cg_limit_str(-1, false, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	cg_limit_str(0, false, buf, sizeof(buf));
	assert_string_equal(buf, "0");
	cg_limit_str(0, true, buf, sizeof(buf));
	assert_string_equal(buf, "max");
	cg_limit_str(-5, true, buf, sizeof(buf));
	assert_string_equal(buf, "-5");
	cg_limit_str(4096, true, buf, sizeof(buf));
	assert_string_equal(buf, "4096");
}

/* ---- stats files (cgroup_stats.c) ---- */

static void test_kv(void **state)
{
	static const char stat[] = "usage_usec 1234\nuser_usec 1000\nsystem_usec 234\n"
				   "nr_periods 7\nnr_throttled 2\nthrottled_usec 99";
	uint64_t v = 0;

	assert_int_equal(cg_kv_u64(stat, "usage_usec", &v), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(cg_kv_u64(stat, "throttled_usec", &v), 0);   /* no trailing newline */
	assert_int_equal(v, 99);
	assert_int_equal(cg_kv_u64(stat, "nr_throttled", &v), 0);
	assert_int_equal(v, 2);
	/* a key that is only a prefix of another does not match */
	assert_int_equal(cg_kv_u64(stat, "usage", &v), -1);
	assert_int_equal(cg_kv_u64(stat, "user", &v), -1);
	assert_int_equal(cg_kv_u64("oom 1\noom_kill 3\n", "oom_kill", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(cg_kv_u64("oom 1\noom_kill 3\n", "oom", &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(cg_kv_u64("max x\n", "max", &v), -1);
	assert_int_equal(cg_kv_u64("", "max", &v), -1);
}

static void test_u64_list(void **state)
{
	uint64_t *v = NULL;
	size_t n = cg_u64_list("12 0 345 \n", &v);

	assert_int_equal(n, 3);
	assert_int_equal(v[0], 12);
	assert_int_equal(v[1], 0);
	assert_int_equal(v[2], 345);
	free(v);
	assert_int_equal(cg_u64_list("\n", &v), 0);
	assert_null(v);
}

static void test_blkio_v1(void **state)
{
	static const char text[] = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\n"
				   "253:1 Read 1\nTotal 12289\n";
	struct cg_blkio_entry *v = NULL;
	size_t n = cg_parse_blkio_v1(text, &v, 0);

	assert_int_equal(n, 5);
	assert_int_equal(v[0].major, 8);
	assert_int_equal(v[0].minor, 0);
	assert_string_equal(v[0].op, "Read");
	assert_int_equal(v[0].value, 4096);
	assert_string_equal(v[3].op, "Total");
	assert_int_equal(v[4].major, 253);
	assert_int_equal(v[4].minor, 1);
	free(v);
	v = NULL;
	assert_int_equal(cg_parse_blkio_v1("Total 0\n", &v, 0), 0);
}

static void test_io_stat(void **state)
{
	static const char text[] = "8:0 rbytes=4096 wbytes=512 rios=2 wios=1 dbytes=0 dios=0\n"
				   "254:16 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n";
	struct cg_blkio_entry *v = NULL;
	size_t n = cg_parse_io_stat(text, "rbytes", "Read", &v, 0);

	n = cg_parse_io_stat(text, "wbytes", "Write", &v, n);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].major, 8);
	assert_string_equal(v[0].op, "Read");
	assert_int_equal(v[0].value, 4096);
	assert_int_equal(v[1].major, 254);
	assert_int_equal(v[1].minor, 16);
	assert_int_equal(v[1].value, 1);
	assert_string_equal(v[2].op, "Write");
	assert_int_equal(v[2].value, 512);
	free(v);
	v = NULL;
	/* "rios" is not "rbytes"'s prefix match, "r" matches nothing */
	assert_int_equal(cg_parse_io_stat(text, "r", "Read", &v, 0), 0);
}

static void test_hugepage_name(void **state)
{
	char buf[32];

	assert_true(cg_hugepage_name("hugepages-2048kB", buf, sizeof(buf)));
	assert_string_equal(buf, "2MB");
	assert_true(cg_hugepage_name("hugepages-1048576kB", buf, sizeof(buf)));
	assert_string_equal(buf, "1GB");
	assert_true(cg_hugepage_name("hugepages-64kB", buf, sizeof(buf)));
	assert_string_equal(buf, "64KB");
	assert_false(cg_hugepage_name("hugepages-kB", buf, sizeof(buf)));
	assert_false(cg_hugepage_name("hugepages-2048MB", buf, sizeof(buf)));
	assert_false(cg_hugepage_name("nr_hugepages", buf, sizeof(buf)));
}

/* The stats JSON keeps values above INT64_MAX (v2's "max") exact, and
 * Go's omitempty leaves zeros out where runc's types say so. */
static void test_stats_json(void **state)
{
	json_t *d = cg_stats_new(), *pids = json_object_get(d, "pids");
	char *s;

	json_object_set_new(json_object_get(d, "memory"), "usage",
			    cg_json_memory_entry(UINT64_MAX, 4096, 0, 0));
	cg_json_u64(pids, "current", 3, true);
	cg_json_u64(pids, "limit", 0, true);
	s = cgroup_stats_dumps(d);
	assert_non_null(strstr(s, "\"usage\":{\"limit\":18446744073709551615,\"usage\":4096,\"failcnt\":0}"));
	assert_non_null(strstr(s, "\"pids\":{\"current\":3}"));
	assert_non_null(strstr(s, "\"network_interfaces\":null"));
	assert_null(strstr(s, "\\u0001"));
	free(s);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv),
		cmocka_unit_test(test_u64_list),
		cmocka_unit_test(test_blkio_v1),
		cmocka_unit_test(test_io_stat),
		cmocka_unit_test(test_hugepage_name),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_layout_hybrid),
		cmocka_unit_test(test_layout_legacy_comounted),
		cmocka_unit_test(test_layout_escaped_mount),
		cmocka_unit_test(test_layout_v2),
		cmocka_unit_test(test_layout_v1_foreign_cgroup2),
		cmocka_unit_test(test_layout_none),
		cmocka_unit_test(test_rel_path),
		cmocka_unit_test(test_systemd_path),
		cmocka_unit_test(test_controllers),
		cmocka_unit_test(test_conversions),
		cmocka_unit_test(test_swap_value),
		cmocka_unit_test(test_device_rules),
		cmocka_unit_test(test_validators),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
