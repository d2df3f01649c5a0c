/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rootfs_setup() end to end, as root, with the attack cases of security.md:
 * each case builds a small rootfs in a temp dir (no binaries needed), forks a
 * child into new namespaces that runs rootfs_setup() and then checks, from
 * inside the container, what it sees; the parent checks the host side (the
 * outside directories untouched, its own mountinfo unchanged).  Every case
 * runs four times: new mount API + openat2, and each fallback forced in the
 * child (fs_disable_openat2(), fs_disable_new_mount_api()), plus a user
 * namespace variant for the default set.  Skipped when not root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/magic.h>

#include "fs.h"
#include "rootfs.h"
#include "spec.h"
#include "util.h"

#define V_NO_OPENAT2 1
#define V_CLASSIC 2
#define V_USERNS 4

static char *base;       /* temp dir: rootfs/ and outside/ */
static char *rootfs;
static char *outside;

/* --------------------------------------------------------- spec building */

struct plan {
	struct spec spec;
	struct rootfs_opts opts;
	struct spec_mount mounts[16];
	bool swap_devnull;        /* before_pivot makes /dev/null a symlink */
};

static void add_mount(struct plan *p, const char *dest, const char *type, const char *src,
		      unsigned long flags, const char *data)
{
	struct spec_mount *m = &p->mounts[p->spec.n_mounts++];

	memset(m, 0, sizeof(*m));
	m->destination = (char *)dest;
	m->type = (char *)type;
	m->source = (char *)src;
	m->opts.flags = flags;
	m->opts.data = (char *)data;
	m->opts.bind = type == NULL;
	p->spec.mounts = p->mounts;
}

static char *masked[] = { "/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/acpi",
			  "/sys/firmware", "/proc/does-not-exist", "/proc/keys", NULL };
static char *readonly[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", NULL };

/* runc's default mount set, masked and read-only paths (no cgroup: the
 * cgroup layout is the cgroup module's business). */
static void default_plan(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->spec.root_path = rootfs;
	add_mount(p, "/proc", "proc", "proc", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	add_mount(p, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	add_mount(p, "/dev/pts", "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620");
	add_mount(p, "/dev/shm", "tmpfs", "shm", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777");
	add_mount(p, "/dev/mqueue", "mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	add_mount(p, "/sys", "sysfs", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	p->spec.linux.masked_paths = masked;
	p->spec.linux.n_masked_paths = strv_len(masked);
	p->spec.linux.readonly_paths = readonly;
	p->spec.linux.n_readonly_paths = strv_len(readonly);
}

/* ------------------------------------------------------------- the child */

static struct plan *cur_plan;

static int swap_hook(void *data, struct silo_error *err)
{
	cleanup_free char *p = xasprintf("%s/dev/null", rootfs);

	(void)data;
	(void)err;
	umount2(p, MNT_DETACH);
	if (unlink(p) < 0 || symlink("/etc/passwd", p) < 0)
		_exit(90);
	return 0;
}

/* What the container must see after a successful default setup; returns a
 * nonzero code naming the first check that failed. */
static int check_inside(void)
{
	struct stat st;
	struct statfs sf;
	struct statvfs sv;
	char cwd[8];

	if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
		return 10;
	if (stat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return 11;
	if (stat("/dev/zero", &st) < 0 || st.st_rdev != makedev(1, 5))
		return 12;
	if (lstat("/dev/ptmx", &st) < 0 || !S_ISLNK(st.st_mode))
		return 13;
	if (statfs("/proc", &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return 14;
	if (statvfs("/sys", &sv) < 0 || !(sv.f_flag & ST_RDONLY))
		return 15;
	if (statvfs("/proc/sys", &sv) < 0 || !(sv.f_flag & ST_RDONLY) || !(sv.f_flag & ST_NOSUID))
		return 16;
	/* masked: a file reads as /dev/null, a directory is an empty tmpfs */
	if (stat("/proc/keys", &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
		return 17;
	if (statfs("/sys/firmware", &sf) == 0 && sf.f_type != TMPFS_MAGIC)
		return 18;
	if (statvfs("/", &sv) < 0 || !(sv.f_flag & ST_RDONLY))
		return 19;
	if (statfs("/dev/pts", &sf) < 0 || sf.f_type != DEVPTS_SUPER_MAGIC)
		return 20;
	if (access("/outside-marker", F_OK) == 0)
		return 21;   /* the host's root is not reachable by name */
	return 0;
}

/* In the child: the namespaces, then rootfs_setup, then the checks.  The
 * exit code says what happened: 0 ok, 42 rootfs_setup failed (its message
 * on stderr), anything else a failed check or step. */
static int container(unsigned variant, bool check)
{
	struct silo_error err = { 0 };

	if (variant & V_NO_OPENAT2)
		fs_disable_openat2();
	if (variant & V_CLASSIC)
		fs_disable_new_mount_api();
	if (rootfs_setup(&cur_plan->spec, &cur_plan->opts, &err) < 0) {
		fprintf(stderr, "rootfs_setup: %s\n", err.msg);
		return 42;
	}
	return check ? check_inside() : 0;
}

static int run_in_child(unsigned variant, bool check, char *errbuf, size_t errlen)
{
	int pipefd[2], go[2], status;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID;
		char c;

		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(go[1]);
		if (variant & V_USERNS) {
			if (unshare(CLONE_NEWUSER) < 0)
				_exit(80);
			if (write(2, "", 0) < 0 || read(go[0], &c, 1) != 1)
				_exit(81);
			if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
				_exit(82);
			cur_plan->opts.userns = true;
		}
		if (unshare(flags) < 0)
			_exit(83);
		/* pid 1 of the new pid namespace does the work */
		pid = fork();
		if (pid == 0)
			_exit(container(variant, check));
		if (pid < 0 || waitpid(pid, &status, 0) < 0)
			_exit(84);
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 85);
	}
	close(pipefd[1]);
	close(go[0]);
	if (variant & V_USERNS) {
		char path[64];
		/* identity maps: root stays root, but mknod and locked mounts
		 * behave as in any user namespace */
		for (int i = 0; i < 50; i++) {
			char self[64], child[64];
			ssize_t a, b;

			snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
			a = readlink("/proc/self/ns/user", self, sizeof(self) - 1);
			b = readlink(path, child, sizeof(child) - 1);
			if (a > 0 && b > 0 && (a != b || memcmp(self, child, (size_t)a) != 0))
				break;
			usleep(2000);
		}
		snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
		assert_int_equal(write_file_at(AT_FDCWD, path, "0 0 4294967295", 14, 0, NULL), 0);
		snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
		assert_int_equal(write_file_at(AT_FDCWD, path, "0 0 4294967295", 14, 0, NULL), 0);
	}
	assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	n = read_all(pipefd[0], errbuf, errlen - 1);
	errbuf[n > 0 ? n : 0] = '\0';
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ------------------------------------------------------------- fixtures */

static char *mountinfo_before;

static char *read_mountinfo(void)
{
	char *s = NULL;
	size_t len;

	assert_int_equal(read_file_at(AT_FDCWD, "/proc/self/mountinfo", &s, &len, NULL), 0);
	return s;
}

static void mkdirs(const char *parent, const char *const *names)
{
	for (; *names; names++) {
		cleanup_free char *p = xasprintf("%s/%s", parent, *names);
		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0)
		return 0;
	base = xstrdup("/tmp/silo-test-rootfs-XXXXXX");
	assert_non_null(mkdtemp(base));
	rootfs = xasprintf("%s/rootfs", base);
	outside = xasprintf("%s/outside", base);
	mkdirs(base, (const char *const[]){ "rootfs", "outside", NULL });
	mkdirs(rootfs, (const char *const[]){ "proc", "sys", "dev", "etc", NULL });
	mountinfo_before = read_mountinfo();
	return 0;
}

static int teardown(void **state)
{
	cleanup_free char *now = NULL;
	cleanup_free char *cmd = NULL;
	int r;

	(void)state;
	if (geteuid() != 0)
		return 0;
	now = read_mountinfo();
	r = strcmp(now, mountinfo_before);
	if (r != 0)
		fprintf(stderr, "host mountinfo changed\n");
	cmd = xasprintf("rm -rf '%s'", base);
	(void)!system(cmd);
	free(mountinfo_before);
	free(base);
	free(rootfs);
	free(outside);
	return r == 0 ? 0 : -1;
}

/* Every test starts from the same rootfs and an empty outside/, whatever
 * an earlier failed test left. */
static void need_root(void)
{
	cleanup_free char *cmd = NULL;

	if (geteuid() != 0)
		skip();
	cmd = xasprintf("rm -rf '%s' '%s' && mkdir -p '%s' '%s/proc' '%s/sys' '%s/dev' '%s/etc'",
			rootfs, outside, outside, rootfs, rootfs, rootfs, rootfs);
	assert_int_equal(system(cmd), 0);
}

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool dir_empty(const char *path)
{
	cleanup_free char *cmd = xasprintf("[ -z \"$(ls -A '%s')\" ]", path);
	return system(cmd) == 0;
}

static const unsigned variants[] = { 0, V_NO_OPENAT2, V_CLASSIC, V_NO_OPENAT2 | V_CLASSIC };

/* --------------------------------------------------------------- tests */

static void test_default_set(void **state)
{
	struct plan p;
	char msg[2048];

	(void)state;
	need_root();
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		default_plan(&p);
		p.spec.root_readonly = true;
		cur_plan = &p;
		assert_int_equal(run_in_child(variants[i], true, msg, sizeof(msg)), 0);
	}
	default_plan(&p);
	p.spec.root_readonly = true;
	cur_plan = &p;
	assert_int_equal(run_in_child(V_USERNS, true, msg, sizeof(msg)), 0);
	assert_int_equal(run_in_child(V_USERNS | V_CLASSIC | V_NO_OPENAT2, true, msg, sizeof(msg)), 0);
}

/* CVE-2026-41579 / CVE-2026-47766: rootfs/dev -> outside must fail and
 * leave the outside alone, with or without a /dev mount. */
static void test_dev_symlink(void **state)
{
	cleanup_free char *dev = xasprintf("%s/dev", rootfs);
	cleanup_free char *marker = xasprintf("%s/ptmx", outside);
	struct plan p;
	char msg[2048];

	(void)state;
	need_root();
	assert_int_equal(rmdir(dev), 0);
	assert_int_equal(symlink(outside, dev), 0);
	put_file(marker, "marker");
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		for (int with_mount = 0; with_mount < 2; with_mount++) {
			memset(&p, 0, sizeof(p));
			p.spec.root_path = rootfs;
			if (with_mount)
				add_mount(&p, "/dev", "tmpfs", "tmpfs", 0, NULL);
			cur_plan = &p;
			assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 42);
			assert_non_null(strstr(msg, with_mount ? "mount tmpfs on /dev: destination is a symlink"
							       : "/dev is a symlink"));
		}
	}
	unlink(dev);
	assert_int_equal(mkdir(dev, 0755), 0);
	{
		char *text = NULL;
		size_t len;

		assert_int_equal(read_file_at(AT_FDCWD, marker, &text, &len, NULL), 0);
		assert_string_equal(text, "marker");
		free(text);
	}
	assert_int_equal(unlink(marker), 0);
	assert_true(dir_empty(outside));
}

/* CVE-2021-30465: a destination under a symlink to a host directory lands
 * inside the rootfs. */
static void test_dest_under_symlink(void **state)
{
	cleanup_free char *a = xasprintf("%s/a", rootfs);
	cleanup_free char *twin = xasprintf("%s%s/b", rootfs, outside);
	struct plan p;
	struct stat st;
	char msg[2048];

	(void)state;
	need_root();
	assert_int_equal(symlink(outside, a), 0);
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		memset(&p, 0, sizeof(p));
		p.spec.root_path = rootfs;
		add_mount(&p, "/a/b", "tmpfs", "tmpfs", 0, NULL);
		cur_plan = &p;
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 0);
		assert_true(dir_empty(outside));
		assert_int_equal(stat(twin, &st), 0);
	}
	unlink(a);
}

/* CVE-2019-19921 / 2023-27561 and checkProcMount. */
static void test_proc_rules(void **state)
{
	cleanup_free char *proc = xasprintf("%s/proc", rootfs);
	struct plan p;
	char msg[2048];

	(void)state;
	need_root();
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		memset(&p, 0, sizeof(p));
		p.spec.root_path = rootfs;
		add_mount(&p, "/proc", "tmpfs", "tmpfs", 0, NULL);
		cur_plan = &p;
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 42);
		assert_non_null(strstr(msg, "only procfs may be mounted on /proc"));

		memset(&p, 0, sizeof(p));
		p.spec.root_path = rootfs;
		add_mount(&p, "/proc", NULL, outside, MS_BIND, NULL);
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 42);
		assert_non_null(strstr(msg, "only procfs may be mounted on /proc"));

		memset(&p, 0, sizeof(p));
		p.spec.root_path = rootfs;
		add_mount(&p, "/proc", "proc", "proc", 0, NULL);
		add_mount(&p, "/proc/sys/kernel/core_pattern", NULL, "/etc/hostname", MS_BIND, NULL);
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 42);
		assert_non_null(strstr(msg, "refusing a mount inside /proc"));
	}
	assert_int_equal(rmdir(proc), 0);
	assert_int_equal(symlink(outside, proc), 0);
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		memset(&p, 0, sizeof(p));
		p.spec.root_path = rootfs;
		add_mount(&p, "/proc", "proc", "proc", 0, NULL);
		cur_plan = &p;
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 42);
		assert_non_null(strstr(msg, "mount proc on /proc: destination is a symlink"));
		assert_true(dir_empty(outside));
	}
	unlink(proc);
	assert_int_equal(mkdir(proc, 0755), 0);
}

/* CVE-2025-31133: /dev/null swapped for a symlink before masking. */
static void test_devnull_swap(void **state)
{
	struct plan p;
	char msg[2048];

	(void)state;
	need_root();
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		default_plan(&p);
		p.opts.before_pivot = swap_hook;
		cur_plan = &p;
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 42);
		assert_non_null(strstr(msg, "/dev/null is not the null device"));
	}
}

/* A rootfs /dev/null that is a symlink to a host file, no /dev mount: the
 * node is replaced by a real 1:3, and masking binds that. */
static void test_devnull_symlink_in_image(void **state)
{
	cleanup_free char *null = xasprintf("%s/dev/null", rootfs);
	cleanup_free char *cmd = xasprintf("rm -rf '%s/dev' && mkdir '%s/dev'", rootfs, rootfs);
	struct plan p;
	char msg[2048];

	(void)state;
	need_root();
	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		assert_int_equal(system(cmd), 0);
		assert_int_equal(symlink("/etc/passwd", null), 0);
		default_plan(&p);
		/* keep proc and sys, drop the /dev mounts */
		p.mounts[1] = p.mounts[5];
		p.spec.n_mounts = 2;
		cur_plan = &p;
		assert_int_equal(run_in_child(variants[i], false, msg, sizeof(msg)), 0);
		{
			struct stat st;
			assert_int_equal(lstat(null, &st), 0);
			assert_true(S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
		}
	}
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_set),
		cmocka_unit_test(test_dev_symlink),
		cmocka_unit_test(test_dest_under_symlink),
		cmocka_unit_test(test_proc_rules),
		cmocka_unit_test(test_devnull_swap),
		cmocka_unit_test(test_devnull_symlink_in_image),
	};

	return cmocka_run_group_tests_name("rootfs", tests, setup, teardown);
}
