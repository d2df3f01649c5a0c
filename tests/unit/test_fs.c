/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of fs.c: lexical cleaning, and resolution inside a root against
 * directory trees full of symlink tricks (absolute and relative escapes,
 * loops, chains, "..", dangling links), for both resolvers: every resolution
 * test runs once with openat2 and once with the O_PATH walk
 * (fs_disable_openat2()).  No privileges needed: plain temp directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "fs.h"
#include "util.h"

static char *base;               /* the temp dir holding root/ and outside/ */
static char *root;
static char *outside;
static int root_fd = -1;

static void mk(const char *dir, const char *name)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, name);

	assert_int_equal(mkdir(p, 0755), 0);
}

static void ln(const char *target, const char *name)
{
	cleanup_free char *p = xasprintf("%s/%s", root, name);

	assert_int_equal(symlink(target, p), 0);
}

/* Run a shell command built from a format (cleanup of test trees). */
static int sh(const char *fmt, ...) SILO_FORMAT(1, 2);
static int sh(const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	assert_true(r >= 0);
	r = system(cmd);
	free(cmd);
	return r;
}

static void put(const char *dir, const char *name, const char *text)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, name);
	FILE *f;

	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Read the small file behind fd. */
static char *slurp(int fd)
{
	static char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static bool exists_outside(const char *name)
{
	cleanup_free char *p = xasprintf("%s/%s", outside, name);
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Does root/<rel> exist, and is it a directory? */
static bool dir_in_root(const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", root, rel);
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * root/
 *   etc/passwd            "inside"
 *   dir/sub/
 *   abs -> OUTSIDE        (absolute host path of outside/)
 *   rel -> ../../../../../../../../etc
 *   dotdot -> dir/../../..
 *   loop1 -> loop2, loop2 -> loop1
 *   chainN -> chainN+1 ... (50 links), chain50 -> etc
 *   dangling -> /nowhere/deeper
 *   file (regular), flink -> file
 * outside/passwd         "outside"
 */
static int setup_tree(void **state)
{
	char name[32], target[32];

	(void)state;
	base = xasprintf("%s/silo-test-fs-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(base));
	root = xasprintf("%s/root", base);
	outside = xasprintf("%s/outside", base);
	mk(base, "root");
	mk(base, "outside");
	mk(root, "etc");
	mk(root, "dir");
	mk(root, "dir/sub");
	put(root, "etc/passwd", "inside");
	put(outside, "passwd", "outside");
	put(root, "file", "file");
	ln(outside, "abs");
	ln("../../../../../../../../etc", "rel");
	ln("dir/../../..", "dotdot");
	ln("loop2", "loop1");
	ln("loop1", "loop2");
	for (int i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "chain%d", i);
		snprintf(target, sizeof(target), "chain%d", i + 1);
		ln(target, name);
	}
	ln("etc", "chain50");
	ln("/nowhere/deeper", "dangling");
	ln("file", "flink");
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(root_fd >= 0);
	return 0;
}

static int teardown_tree(void **state)
{
	int r;

	(void)state;
	close(root_fd);
	r = sh("rm -rf '%s'", base);
	free(base);
	free(root);
	free(outside);
	return r == 0 ? 0 : -1;
}

/* Remove what a test created under root/<first component of outside>. */
static void clean_twin(void)
{
	cleanup_free char *first = xstrndup(outside + 1, strcspn(outside + 1, "/"));

	(void)sh("rm -rf '%s/%s'", root, first);
}

/* ---------------------------------------------------------------- pure */

static void expect_clean(const char *in, const char *want)
{
	cleanup_free char *got = fs_clean_path(in);

	assert_string_equal(got, want);
}

static void test_clean_path(void **state)
{
	(void)state;
	expect_clean("/", "/");
	expect_clean("", "/");
	expect_clean("//a//b//", "/a/b");
	expect_clean("/a/./b/.", "/a/b");
	expect_clean("/a/b/../c", "/a/c");
	expect_clean("/../../a", "/a");
	expect_clean("/a/../..", "/");
	expect_clean("a/b", "/a/b");
	expect_clean("/a/b/../../../c/./d/..", "/c");
	expect_clean("/...", "/...");
	expect_clean("/a/..b/c..", "/a/..b/c..");
}

static void test_fd_path(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(fs_fd_path(7, buf, sizeof(buf)), "/proc/self/fd/7");
}

/* ---------------------------------------------------------------- resolution */

static void test_absolute_symlink_stays_inside(void **state)
{
	struct silo_error err;
	int fd;

	(void)state;
	/* abs -> <outside>: resolved as <root><outside>, which does not exist. */
	fd = fs_open_in_root(root_fd, "/abs/passwd", O_RDONLY, 0, &err);
	assert_int_equal(fd, -1);
	assert_int_equal(err.errnum, ENOENT);
	assert_non_null(strstr(err.msg, "open /abs/passwd"));
	/* Once the in-root twin exists, that is what opens. */
	assert_int_equal(sh("mkdir -p '%s%s' && echo twin > '%s%s/passwd'", root, outside, root,
			    outside), 0);
	fd = fs_open_in_root(root_fd, "abs/passwd", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "twin\n");
	close(fd);
	clean_twin();
}

static void test_relative_escape_clamped(void **state)
{
	struct silo_error err;
	int fd;

	(void)state;
	fd = fs_open_in_root(root_fd, "/rel/passwd", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "inside");
	close(fd);
	fd = fs_open_in_root(root_fd, "../../../../etc/passwd", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "inside");
	close(fd);
	fd = fs_open_in_root(root_fd, "/dotdot/etc/passwd", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "inside");
	close(fd);
	fd = fs_open_in_root(root_fd, "/dir/sub/../../../../etc/passwd", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "inside");
	close(fd);
}

static void test_root_itself(void **state)
{
	struct silo_error err;
	struct stat a, b;
	int fd;

	(void)state;
	fstat(root_fd, &a);
	for (const char *const *p = (const char *const[]){ "/", "", ".", "..", "/../..", NULL }; *p; p++) {
		fd = fs_open_in_root(root_fd, *p, O_PATH | O_DIRECTORY, 0, &err);
		assert_true(fd >= 0);
		fstat(fd, &b);
		assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
		close(fd);
	}
}

static void test_loops(void **state)
{
	struct silo_error err;

	(void)state;
	assert_int_equal(fs_open_in_root(root_fd, "/loop1", O_RDONLY, 0, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
	assert_int_equal(fs_open_in_root(root_fd, "/loop1/x", O_PATH, 0, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
	/* 51 links in a row: over the limit of 40. */
	assert_int_equal(fs_open_in_root(root_fd, "/chain0/passwd", O_RDONLY, 0, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
}

static void test_chain_within_limit(void **state)
{
	struct silo_error err;
	int fd;

	(void)state;
	/* chain20 .. chain50 -> etc: 31 links. */
	fd = fs_open_in_root(root_fd, "/chain20/passwd", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "inside");
	close(fd);
}

static void test_final_symlink_nofollow(void **state)
{
	struct silo_error err;
	struct stat st;
	int fd;

	(void)state;
	fd = fs_open_in_root(root_fd, "/flink", O_PATH | O_NOFOLLOW, 0, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	close(fd);
	assert_int_equal(fs_open_in_root(root_fd, "/flink", O_RDONLY | O_NOFOLLOW, 0, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
	fd = fs_open_in_root(root_fd, "/flink", O_RDONLY, 0, &err);
	assert_true(fd >= 0);
	assert_string_equal(slurp(fd), "file");
	close(fd);
	fd = fs_open_in_root(root_fd, "/flink", O_PATH, 0, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	/* A final symlink to a directory, opened as one (O_DIRECTORY meets the
	 * link first in the walk). */
	fd = fs_open_in_root(root_fd, "/rel", O_RDONLY | O_DIRECTORY, 0, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	assert_int_equal(fs_open_in_root(root_fd, "/file", O_PATH | O_DIRECTORY, 0, &err), -1);
	assert_int_equal(err.errnum, ENOTDIR);
	assert_int_equal(fs_open_in_root(root_fd, "/file/x", O_PATH, 0, &err), -1);
	assert_int_equal(err.errnum, ENOTDIR);
}

static void test_create_through_symlink(void **state)
{
	struct silo_error err;
	cleanup_free char *p = xasprintf("%s/etc/newfile", root);
	struct stat st;
	int fd;

	(void)state;
	/* O_CREAT through an absolute symlink creates inside the root. */
	fd = fs_open_in_root(root_fd, "/dangling", O_CREAT | O_WRONLY, 0644, &err);
	/* /nowhere does not exist inside the root: ENOENT, nothing created. */
	assert_int_equal(fd, -1);
	assert_int_equal(err.errnum, ENOENT);
	fd = fs_open_in_root(root_fd, "/rel/newfile", O_CREAT | O_WRONLY, 0644, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat(p, &st), 0);
	unlink(p);
}

static void test_mkdir_p(void **state)
{
	struct silo_error err;
	cleanup_free char *twin = NULL;
	struct stat st;
	int fd;

	(void)state;
	/* Through the absolute link: lands under root<outside>, not outside/. */
	fd = fs_mkdir_p_in_root(root_fd, "/abs/new/deep", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_false(exists_outside("new"));
	twin = xasprintf("%s/new/deep", outside + 1);
	assert_true(dir_in_root(twin));
	/* Through a dangling link: its target is created inside. */
	fd = fs_mkdir_p_in_root(root_fd, "/dangling/x", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(dir_in_root("nowhere/deeper/x"));
	assert_int_equal(lstat("/nowhere", &st), -1);
	/* Existing: success (parallel creators, runc#4543). */
	fd = fs_mkdir_p_in_root(root_fd, "/dir/sub", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	/* A file in the way. */
	assert_int_equal(fs_mkdir_p_in_root(root_fd, "/file/x", 0755, &err), -1);
	assert_int_equal(err.errnum, ENOTDIR);
	/* ".." in the missing part. */
	fd = fs_mkdir_p_in_root(root_fd, "/m1/../m2/./m3", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(dir_in_root("m2/m3"));
	(void)sh("rm -rf '%s/m1' '%s/m2' '%s/nowhere'", root, root, root);
	clean_twin();
}

static void test_ensure_mountpoint(void **state)
{
	struct silo_error err;
	struct stat st;
	int fd;

	(void)state;
	fd = fs_ensure_mountpoint(root_fd, "/mp/dir", true, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	close(fd);
	fd = fs_ensure_mountpoint(root_fd, "/mp/file", false, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	close(fd);
	/* Again: existing ones are fine. */
	fd = fs_ensure_mountpoint(root_fd, "/mp/file", false, &err);
	assert_true(fd >= 0);
	close(fd);
	/* Wrong kind. */
	assert_int_equal(fs_ensure_mountpoint(root_fd, "/mp/file", true, &err), -1);
	assert_int_equal(err.errnum, ENOTDIR);
	assert_int_equal(fs_ensure_mountpoint(root_fd, "/mp/dir", false, &err), -1);
	assert_int_equal(err.errnum, EISDIR);
	/* A final symlink is never followed. */
	assert_int_equal(fs_ensure_mountpoint(root_fd, "/dangling", true, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
	assert_non_null(strstr(err.msg, "create mountpoint /dangling: is a symlink"));
	assert_int_equal(fs_ensure_mountpoint(root_fd, "/abs", true, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
	/* Parents go through symlinks inside the root. */
	fd = fs_ensure_mountpoint(root_fd, "/abs/mnt", true, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_false(exists_outside("mnt"));
	(void)sh("rm -rf '%s/mp'", root);
	clean_twin();
}

/* fs_proc_open on the host's /proc: procfs files open, through "self" and
 * "thread-self"; nothing climbs out with ".." or through a magic link. */
static void test_proc_open(void **state)
{
	struct silo_error err;
	struct statfs sfs;
	char rel[64];
	int fd;

	(void)state;
	fd = fs_proc_open("self/status", O_RDONLY, &err);
	assert_true(fd >= 0);
	close(fd);
	fd = fs_proc_open("thread-self/attr/current", O_RDONLY, &err);
	if (fd >= 0)
		close(fd);
	else
		assert_int_not_equal(err.errnum, EXDEV);
	fd = fs_proc_open("sys/kernel/ostype", O_RDONLY, &err);
	assert_true(fd >= 0);
	assert_int_equal(fstatfs(fd, &sfs), 0);
	assert_true(sfs.f_type == PROC_SUPER_MAGIC);
	close(fd);
	assert_true(fs_proc_open("self/../../etc/passwd", O_RDONLY, &err) < 0);
	/* magic links (cwd, root) lead out of procfs: refused */
	assert_true(fs_proc_open("self/cwd/etc", O_RDONLY, &err) < 0);
	snprintf(rel, sizeof(rel), "%d/root/etc/hostname", getpid());
	assert_true(fs_proc_open(rel, O_RDONLY, &err) < 0);
	/* binfmt_misc, when mounted, is another filesystem below /proc/sys */
	fd = fs_proc_open("sys/fs/binfmt_misc/status", O_RDONLY, &err);
	if (fd >= 0)
		close(fd);
}

#define RESOLUTION_TESTS                                                           \
	cmocka_unit_test(test_absolute_symlink_stays_inside),                      \
		cmocka_unit_test(test_relative_escape_clamped),                    \
		cmocka_unit_test(test_root_itself), cmocka_unit_test(test_loops),  \
		cmocka_unit_test(test_chain_within_limit),                         \
		cmocka_unit_test(test_final_symlink_nofollow),                     \
		cmocka_unit_test(test_create_through_symlink),                     \
		cmocka_unit_test(test_mkdir_p), cmocka_unit_test(test_ensure_mountpoint)

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_clean_path),
		cmocka_unit_test(test_fd_path),
	};
	const struct CMUnitTest resolution[] = { RESOLUTION_TESTS };
	int failed = 0;
	failed += cmocka_run_group_tests_name("fs_pure", pure, NULL, NULL);
	const struct CMUnitTest proc[] = { cmocka_unit_test(test_proc_open) };

	failed += cmocka_run_group_tests_name("fs_openat2", resolution, setup_tree, teardown_tree);
	failed += cmocka_run_group_tests_name("fs_proc_openat2", proc, NULL, NULL);
	fs_disable_openat2();
	failed += cmocka_run_group_tests_name("fs_walk", resolution, setup_tree, teardown_tree);
	failed += cmocka_run_group_tests_name("fs_proc_walk", proc, NULL, NULL);
	return failed;
}
