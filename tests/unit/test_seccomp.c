/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for linux.seccomp (src/lib/seccomp.c): SHA-256 vectors, the
 * profile checks, filters installed in forked children (the parent is never
 * filtered), the ENOSYS stub, the cache (hits, corruption, eviction, an
 * untrusted directory) and the cost of prepare cold vs from cache.
 *
 * Profiles are written as the linux.seccomp section of a minimal config and
 * go through spec_parse, as in the runtime.  The docker-size profile is
 * tests/integration/fixtures/seccomp-docker.json, found through
 * SILO_SOURCE_ROOT (a -D from meson) or, failing that, next to this file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include <seccomp.h>

#include "seccomp_filter.h"
#include "spec.h"
#include "util.h"

#ifndef SYS_clone3
#define SYS_clone3 435
#endif

/* ------------------------------------------------------------ helpers */

static struct spec *parse_profile(const char *seccomp_json)
{
	struct silo_error err;
	struct spec *spec = NULL;
	cleanup_free char *json = xasprintf(
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		"\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}},"
		"\"linux\":{\"seccomp\":%s}}",
		seccomp_json);

	if (spec_parse(json, strlen(json), "config.json", "/tmp", &spec, &err) < 0)
		fail_msg("spec_parse: %s", err.msg);
	assert_non_null(spec->linux.seccomp);
	return spec;
}

static char *fixture_path(const char *name)
{
#ifdef SILO_SOURCE_ROOT
	return xasprintf("%s/tests/integration/fixtures/%s", SILO_SOURCE_ROOT, name);
#else
	cleanup_free char *dir = xstrdup(__FILE__);
	char *slash = strrchr(dir, '/');

	if (slash != NULL)
		*slash = '\0';
	return xasprintf("%s/../integration/fixtures/%s", slash ? dir : ".", name);
#endif
}

static char *docker_profile(void)
{
	cleanup_free char *path = fixture_path("seccomp-docker.json");
	struct silo_error err;
	char *text;
	size_t len;

	if (read_file_at(AT_FDCWD, path, &text, &len, &err) < 0)
		fail_msg("%s", err.msg);
	return text;
}

static struct seccomp_prog *prepare_ok(const char *seccomp_json, const char *cache)
{
	struct spec *spec = parse_profile(seccomp_json);
	struct seccomp_prog *p = NULL;
	struct silo_error err;

	if (seccomp_prepare(spec->linux.seccomp, cache, &p, &err) < 0)
		fail_msg("seccomp_prepare: %s", err.msg);
	spec_free(spec);
	return p;
}

static void prepare_fails(const char *seccomp_json, const char *want)
{
	struct spec *spec = parse_profile(seccomp_json);
	struct seccomp_prog *p = NULL;
	struct silo_error err;

	assert_int_equal(seccomp_prepare(spec->linux.seccomp, NULL, &p, &err), -1);
	assert_null(p);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
	spec_free(spec);
}

/*
 * Fork; the child sets no_new_privs, installs p and makes the raw syscall
 * nr(a0, a1).  Returns the child's answer: the return value (>= 0), -errno,
 * or -1000 - signal when it was killed.
 */
static long in_filtered_child(const struct seccomp_prog *p, long nr, long a0, long a1)
{
	int pipefd[2], status;
	long answer = 0;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct silo_error err;
		int lfd;
		long r;

		close(pipefd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(p, &lfd, &err) < 0)
			_exit(100);
		r = syscall(nr, a0, a1, 0, 0, 0, 0);
		r = r < 0 ? -errno : r;
		(void)!write(pipefd[1], &r, sizeof(r));
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &answer, sizeof(answer)) != sizeof(answer))
		answer = 0;
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		return -1000 - WTERMSIG(status);
	assert_int_equal(WEXITSTATUS(status), 0);
	return answer;
}

static char *make_tmpdir(void)
{
	char *dir = xstrdup("/tmp/seccomp-unit-XXXXXX");

	assert_non_null(mkdtemp(dir));
	return dir;
}

static void rm_rf(const char *dir)
{
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
}

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The single cache file's path in dir. */
static char *only_file(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *path = NULL;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			path = xasprintf("%s/%s", dir, de->d_name);
	closedir(d);
	assert_non_null(path);
	return path;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------ SHA-256 */

static void hex(const uint8_t *d, char *out)
{
	for (int i = 0; i < SILO_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha256_vectors(void **state)
{
	static const struct {
		const char *in, *out;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	uint8_t d[SILO_SHA256_LEN];
	char h[2 * SILO_SHA256_LEN + 1];
	char *million = xmalloc(1000000);

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		silo_sha256(v[i].in, strlen(v[i].in), d);
		hex(d, h);
		assert_string_equal(h, v[i].out);
	}
	memset(million, 'a', 1000000);
	silo_sha256(million, 1000000, d);
	hex(d, h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

static void test_lib_version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", SCMP_VER_MAJOR, SCMP_VER_MINOR, SCMP_VER_MICRO);
	assert_string_equal(seccomp_lib_version(), want);
}

/* ------------------------------------------------------------ refusals */

/* A NOTIFY rule asks for a listener; a listenerPath alone does not. */
static void test_notify_listener_flag(void **state)
{
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\","
		       "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", NULL);
	assert_true(seccomp_prog_has_listener(p));
	seccomp_prog_free(p);
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\","
		       "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}", NULL);
	assert_false(seccomp_prog_has_listener(p));
	seccomp_prog_free(p);
	/* WAIT_KILLABLE_RECV goes with a listener (kernel >= 5.19). */
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/l.sock\","
		       "\"flags\":[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"],"
		       "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_NOTIFY\"}]}", NULL);
	assert_int_equal(seccomp_prog_flags(p),
			 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
	seccomp_prog_free(p);
}

static void test_errno_out_of_range(void **state)
{
	(void)state;
	prepare_fails("{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		      "\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5000}]}",
		      "linux.seccomp.syscalls[0]: errnoRet 5000 is out of range");
}

/* The config parser already refuses names outside its table; these checks
 * are for structs built otherwise, and for arches this libseccomp lacks. */
static void test_unknown_arch_and_errno_on_allow(void **state)
{
	char *archs[] = { "SCMP_ARCH_X86_64", "SCMP_ARCH_FOO", NULL };
	char *names[] = { "mkdir", NULL };
	struct spec_seccomp_syscall sc = { .names = names, .n_names = 1, .action = SECCOMP_ACTION_ALLOW,
					   .errno_ret = { .set = true, .v = 1 } };
	struct spec_seccomp s = { .default_action = SECCOMP_ACTION_ERRNO, .architectures = archs,
				  .n_architectures = 2 };
	struct seccomp_prog *p = NULL;
	struct silo_error err;

	(void)state;
	assert_int_equal(seccomp_prepare(&s, NULL, &p, &err), -1);
	assert_string_equal(err.msg, "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_FOO\"");
	s.n_architectures = 1;
	archs[1] = NULL;
	s.syscalls = &sc;
	s.n_syscalls = 1;
	assert_int_equal(seccomp_prepare(&s, NULL, &p, &err), -1);
	assert_string_equal(err.msg,
			    "linux.seccomp.syscalls[0]: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
}

static void test_skips_unknown_names_and_default_rules(void **state)
{
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		       "{\"names\":[\"no_such_syscall\",\"getpid\",\"write\",\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		       "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}",
		       NULL);
	assert_true(in_filtered_child(p, SYS_getpid, 0, 0) > 0);
	assert_int_equal(in_filtered_child(p, SYS_mkdir, (long)"/nonexistent/x", 0), -EPERM);
	seccomp_prog_free(p);
}

static void test_flags(void **state)
{
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", NULL);
	assert_int_equal(seccomp_prog_flags(p), SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	seccomp_prog_free(p);
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\","
		       "\"SECCOMP_FILTER_FLAG_TSYNC\"]}",
		       NULL);
	assert_int_equal(seccomp_prog_flags(p), SECCOMP_FILTER_FLAG_LOG);
	assert_true(in_filtered_child(p, SYS_getpid, 0, 0) > 0);
	seccomp_prog_free(p);
}

/* ------------------------------------------------------------ behaviour */

static void test_errno_default_and_errno_ret(void **state)
{
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":6,\"syscalls\":["
		       "{\"names\":[\"getpid\",\"write\",\"exit_group\",\"exit\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		       "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
		       NULL);
	assert_true(in_filtered_child(p, SYS_getpid, 0, 0) > 0);
	assert_int_equal(in_filtered_child(p, SYS_mkdir, (long)"/nonexistent/x", 0), -EACCES);
	assert_int_equal(in_filtered_child(p, SYS_chmod, (long)"/nonexistent/x", 0), -ENXIO);
	seccomp_prog_free(p);
}

static void test_arg_conditions(void **state)
{
	struct seccomp_prog *p;

	(void)state;
	/* personality only with arg0 == 0; several conditions on arg0 are OR'ed. */
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
		       "{\"names\":[\"getpid\",\"write\",\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		       "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
		       "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
		       "{\"names\":[\"getpriority\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		       "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
		       "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
		       "{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
		       "{\"index\":1,\"value\":255,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
		       NULL);
	assert_true(in_filtered_child(p, SYS_personality, 0, 0) >= 0);
	assert_int_equal(in_filtered_child(p, SYS_personality, 0xffffffff, 0), -EPERM);
	assert_true(in_filtered_child(p, SYS_getpriority, 0, 0) >= 0);
	assert_true(in_filtered_child(p, SYS_getpriority, 1, 0) >= 0);
	assert_int_equal(in_filtered_child(p, SYS_getpriority, 2, 0), -EPERM);
	/* AND of arg0 == 0 and (arg1 & 255) == 0: kill(0, 0) only. */
	assert_int_equal(in_filtered_child(p, SYS_kill, 0, 0), 0);
	assert_int_equal(in_filtered_child(p, SYS_kill, 0, 1), -EPERM);
	assert_int_equal(in_filtered_child(p, SYS_kill, 1, 0), -EPERM);
	seccomp_prog_free(p);
}

static void test_kill(void **state)
{
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
		       "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_KILL\"},"
		       "{\"names\":[\"chmod\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}",
		       NULL);
	assert_int_equal(in_filtered_child(p, SYS_mkdir, (long)"/nonexistent/x", 0), -1000 - SIGSYS);
	assert_int_equal(in_filtered_child(p, SYS_chmod, (long)"/nonexistent/x", 0), -1000 - SIGSYS);
	assert_int_equal(in_filtered_child(p, SYS_rmdir, (long)"/nonexistent/x", 0), -ENOENT);
	seccomp_prog_free(p);
}

/* The profile names nothing above rseq (334): newer calls get ENOSYS, older
 * unnamed ones the default EPERM. */
static void test_enosys_for_newer_syscalls(void **state)
{
	static const char *const profile =
		"{\"defaultAction\":\"%s\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
		"\"SCMP_ARCH_X32\"],\"syscalls\":["
		"{\"names\":[\"getpid\",\"write\",\"exit_group\",\"rseq\"],\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}";
	cleanup_free char *deny = xasprintf(profile, "SCMP_ACT_ERRNO");
	cleanup_free char *kill = xasprintf(profile, "SCMP_ACT_KILL_PROCESS");
	cleanup_free char *allow = xasprintf(profile, "SCMP_ACT_LOG");
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok(deny, NULL);
	assert_int_equal(in_filtered_child(p, SYS_clone3, 0, 0), -ENOSYS);
	assert_int_equal(in_filtered_child(p, 1000, 0, 0), -ENOSYS);
	assert_int_equal(in_filtered_child(p, SYS_mkdir, (long)"/nonexistent/x", 0), -EPERM);
	assert_int_equal(in_filtered_child(p, SYS_chmod, (long)"/nonexistent/x", 0), -EPERM);
	assert_true(in_filtered_child(p, SYS_getpid, 0, 0) > 0);
	seccomp_prog_free(p);

	/* Killing by default: newer syscalls still only get ENOSYS. */
	p = prepare_ok(kill, NULL);
	assert_int_equal(in_filtered_child(p, SYS_clone3, 0, 0), -ENOSYS);
	assert_int_equal(in_filtered_child(p, SYS_chmod, (long)"/nonexistent/x", 0), -1000 - SIGSYS);
	seccomp_prog_free(p);

	/* Allowing by default: no stub, clone3 reaches the kernel (EFAULT/EINVAL). */
	p = prepare_ok(allow, NULL);
	assert_int_not_equal(in_filtered_child(p, SYS_clone3, 0, 0), -ENOSYS);
	assert_int_equal(in_filtered_child(p, SYS_mkdir, (long)"/nonexistent/x", 0), -EPERM);
	seccomp_prog_free(p);
}

static void test_docker_profile(void **state)
{
	cleanup_free char *docker = docker_profile();
	struct seccomp_prog *p;

	(void)state;
	p = prepare_ok(docker, NULL);
	assert_true(seccomp_prog_len(p) > 100);
	assert_true(in_filtered_child(p, SYS_getpid, 0, 0) > 0);
	assert_int_equal(in_filtered_child(p, SYS_clone3, 0, 0), -ENOSYS);   /* errnoRet 38 */
	assert_int_equal(in_filtered_child(p, SYS_unshare, 0, 0), -EPERM);   /* not listed */
	assert_int_equal(in_filtered_child(p, 1000, 0, 0), -ENOSYS);         /* stub */
	assert_int_equal(in_filtered_child(p, SYS_personality, 0x1234, 0), -EPERM);
	assert_true(in_filtered_child(p, SYS_personality, 0xffffffff, 0) >= 0);
	seccomp_prog_free(p);
}

/* ------------------------------------------------------------ the cache */

static void test_cache_hit_and_corruption(void **state)
{
	cleanup_free char *tmp = make_tmpdir();
	cleanup_free char *dir = xasprintf("%s/state/.cache/seccomp", tmp);
	cleanup_free char *docker = docker_profile();
	cleanup_free char *file = NULL;
	struct seccomp_prog *a, *b, *c;
	struct stat st;
	int fd;

	(void)state;
	a = prepare_ok(docker, dir);
	assert_false(seccomp_prog_from_cache(a));
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(count_files(dir), 1);
	b = prepare_ok(docker, dir);
	assert_true(seccomp_prog_from_cache(b));
	assert_int_equal(seccomp_prog_len(a), seccomp_prog_len(b));
	assert_memory_equal(seccomp_prog_insns(a), seccomp_prog_insns(b),
			    seccomp_prog_len(a) * sizeof(struct sock_filter));
	assert_int_equal(seccomp_prog_flags(a), seccomp_prog_flags(b));
	assert_int_equal(in_filtered_child(b, SYS_unshare, 0, 0), -EPERM);

	/* Flip a byte of the program: ignored, compiled again, replaced. */
	file = only_file(dir);
	fd = open(file, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\xff", 1, 200), 1);
	close(fd);
	c = prepare_ok(docker, dir);
	assert_false(seccomp_prog_from_cache(c));
	assert_memory_equal(seccomp_prog_insns(a), seccomp_prog_insns(c),
			    seccomp_prog_len(a) * sizeof(struct sock_filter));
	seccomp_prog_free(c);
	c = prepare_ok(docker, dir);
	assert_true(seccomp_prog_from_cache(c));
	seccomp_prog_free(c);

	/* Truncated: ignored too. */
	assert_int_equal(truncate(file, 100), 0);
	c = prepare_ok(docker, dir);
	assert_false(seccomp_prog_from_cache(c));
	seccomp_prog_free(c);
	assert_int_equal(count_files(dir), 1);

	seccomp_prog_free(a);
	seccomp_prog_free(b);
	rm_rf(tmp);
}

/* spec_load_cached: config.json in dir with the seccomp section given. */
static struct spec *load_cached(const char *dir, const char *seccomp_json, const char *cache)
{
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	cleanup_free char *json = xasprintf(
		"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		"\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}},"
		"\"linux\":{\"seccomp\":%s}}",
		seccomp_json);
	struct spec *spec = NULL;
	struct silo_error err;
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(json, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	if (spec_load_cached(dir, NULL, cache, &spec, &err) < 0)
		fail_msg("spec_load_cached: %s", err.msg);
	assert_non_null(spec->linux.seccomp);
	return spec;
}

/* The parser looks the cache up and, on a hit, builds no rules; prepare
 * hands out that program.  A file that does not verify means a full parse. */
static void test_cache_lookup_at_parse(void **state)
{
	cleanup_free char *tmp = make_tmpdir();
	cleanup_free char *dir = xasprintf("%s/state/.cache/seccomp", tmp);
	cleanup_free char *docker = docker_profile();
	cleanup_free char *file = NULL;
	struct seccomp_prog *a, *b;
	struct silo_error err;
	struct spec *spec;
	int fd;

	(void)state;
	/* cold: no directory yet, the lookup does not make one */
	spec = load_cached(tmp, docker, dir);
	assert_null(spec->linux.seccomp->cached);
	assert_true(spec->linux.seccomp->n_syscalls > 0);
	assert_int_equal(access(dir, F_OK), -1);
	assert_int_equal(seccomp_prepare(spec->linux.seccomp, dir, &a, &err), 0);
	assert_false(seccomp_prog_from_cache(a));
	spec_free(spec);

	/* warm */
	spec = load_cached(tmp, docker, dir);
	assert_non_null(spec->linux.seccomp->cached);
	assert_null(spec->linux.seccomp->syscalls);
	assert_int_equal(spec->linux.seccomp->n_syscalls, 0);
	assert_int_equal(seccomp_prepare(spec->linux.seccomp, dir, &b, &err), 0);
	assert_true(seccomp_prog_from_cache(b));
	assert_int_equal(seccomp_prog_len(a), seccomp_prog_len(b));
	assert_memory_equal(seccomp_prog_insns(a), seccomp_prog_insns(b),
			    seccomp_prog_len(a) * sizeof(struct sock_filter));
	assert_int_equal(seccomp_prog_flags(a), seccomp_prog_flags(b));
	seccomp_prog_free(b);
	/* The program moved out; without rules there is nothing to compile. */
	assert_null(spec->linux.seccomp->cached);
	assert_int_equal(seccomp_prepare(spec->linux.seccomp, dir, &b, &err), -1);
	assert_null(b);
	spec_free(spec);

	/* corrupt: a miss, the rules are parsed and compiled again */
	file = only_file(dir);
	fd = open(file, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "\x01", 1, 300), 1);
	close(fd);
	spec = load_cached(tmp, docker, dir);
	assert_null(spec->linux.seccomp->cached);
	assert_true(spec->linux.seccomp->n_syscalls > 0);
	assert_int_equal(seccomp_prepare(spec->linux.seccomp, dir, &b, &err), 0);
	assert_false(seccomp_prog_from_cache(b));
	assert_memory_equal(seccomp_prog_insns(a), seccomp_prog_insns(b),
			    seccomp_prog_len(a) * sizeof(struct sock_filter));
	seccomp_prog_free(b);
	spec_free(spec);

	seccomp_prog_free(a);
	rm_rf(tmp);
}

static void test_cache_untrusted_dir(void **state)
{
	cleanup_free char *dir = make_tmpdir();
	struct seccomp_prog *p;

	(void)state;
	assert_int_equal(chmod(dir, 0777), 0);
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", dir);
	seccomp_prog_free(p);
	p = prepare_ok("{\"defaultAction\":\"SCMP_ACT_ALLOW\"}", dir);
	assert_false(seccomp_prog_from_cache(p));
	assert_int_equal(count_files(dir), 0);
	seccomp_prog_free(p);
	rm_rf(dir);
}

static void test_cache_eviction(void **state)
{
	cleanup_free char *dir = make_tmpdir();

	(void)state;
	for (int i = 0; i < SECCOMP_CACHE_MAX + 6; i++) {
		cleanup_free char *json = xasprintf("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":%d,"
						    "\"syscalls\":[{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
						    i + 1);
		seccomp_prog_free(prepare_ok(json, dir));
	}
	assert_int_equal(count_files(dir), SECCOMP_CACHE_MAX);
	rm_rf(dir);
}

/* Not an assertion of speed: the figures go to the report. */
static void test_measure_prepare(void **state)
{
	cleanup_free char *tmp = make_tmpdir();
	cleanup_free char *docker = docker_profile();
	struct spec *spec = parse_profile(docker);
	struct seccomp_prog *p;
	struct silo_error err;
	double t, cold = 1e9, warm = 1e9;
	enum { ROUNDS = 20 };

	(void)state;
	for (int i = 0; i < ROUNDS; i++) {
		t = now_ms();
		assert_int_equal(seccomp_prepare(spec->linux.seccomp, NULL, &p, &err), 0);
		t = now_ms() - t;
		cold = t < cold ? t : cold;
		seccomp_prog_free(p);
	}
	seccomp_prog_free(prepare_ok(docker, tmp));
	for (int i = 0; i < ROUNDS * 10; i++) {
		t = now_ms();
		assert_int_equal(seccomp_prepare(spec->linux.seccomp, tmp, &p, &err), 0);
		t = now_ms() - t;
		warm = t < warm ? t : warm;
		assert_true(seccomp_prog_from_cache(p));
		seccomp_prog_free(p);
	}
	print_message("docker-size profile (%zu rules): prepare cold %.3f ms, from cache %.3f ms (best of %d/%d)\n",
		      spec->linux.seccomp->n_syscalls, cold, warm, ROUNDS, ROUNDS * 10);
	spec_free(spec);
	rm_rf(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256_vectors),
		cmocka_unit_test(test_lib_version),
		cmocka_unit_test(test_notify_listener_flag),
		cmocka_unit_test(test_errno_out_of_range),
		cmocka_unit_test(test_unknown_arch_and_errno_on_allow),
		cmocka_unit_test(test_skips_unknown_names_and_default_rules),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_errno_default_and_errno_ret),
		cmocka_unit_test(test_arg_conditions),
		cmocka_unit_test(test_kill),
		cmocka_unit_test(test_enosys_for_newer_syscalls),
		cmocka_unit_test(test_docker_profile),
		cmocka_unit_test(test_cache_hit_and_corruption),
		cmocka_unit_test(test_cache_lookup_at_parse),
		cmocka_unit_test(test_cache_untrusted_dir),
		cmocka_unit_test(test_cache_eviction),
		cmocka_unit_test(test_measure_prepare),
	};

	return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
