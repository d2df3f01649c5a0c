/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-sysc: make one raw system call and print what the kernel answered.
 * Used by the seccomp tests (tests/integration/45-seccomp.bats) inside
 * containers, linked statically like the probe.
 *
 *   sysc NAME|NUMBER [ARG...]
 *   sysc thread
 *
 * Prints "ok <return value>" or "err <ENAME>" and exits 0; 2 on a usage
 * error.  An ARG that parses as a number (strtoull, base 0) is passed as
 * that number, anything else as a pointer to the string.  Raw syscall(2)
 * on purpose: libc wrappers may fall back to or substitute other syscalls
 * (mkdir → mkdirat, clone3 → clone) and hide what the filter did.
 * `sysc thread` is the opposite: it goes through glibc on purpose, creating
 * and joining one thread with pthread_create (glibc ≥ 2.34 tries clone3 and
 * falls back to clone on ENOSYS); prints "ok thread" or "err ENAME".
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{ "getpid", SYS_getpid },       { "mkdir", SYS_mkdir },
	{ "mkdirat", SYS_mkdirat },     { "chmod", SYS_chmod },
	{ "fchmodat", SYS_fchmodat },   { "personality", SYS_personality },
	{ "unshare", SYS_unshare },     { "getcwd", SYS_getcwd },
	{ "socket", SYS_socket },       { "clone", SYS_clone },
#ifdef SYS_clone3
	{ "clone3", SYS_clone3 },
#endif
#ifdef SYS_openat2
	{ "openat2", SYS_openat2 },
#endif
#ifdef SYS_close_range
	{ "close_range", SYS_close_range },
#endif
};

static const struct {
	int num;
	const char *name;
} errnos[] = {
	{ EPERM, "EPERM" },   { ENOENT, "ENOENT" }, { ENXIO, "ENXIO" },   { EBADF, "EBADF" },
	{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
	{ ENOSYS, "ENOSYS" }, { EROFS, "EROFS" },   { E2BIG, "E2BIG" },   { ENOTDIR, "ENOTDIR" },
	{ ETXTBSY, "ETXTBSY" }, { EAFNOSUPPORT, "EAFNOSUPPORT" }, { EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" }, { EAGAIN, "EAGAIN" },
};

static void print_err(int e)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == e) {
			printf("err %s\n", errnos[i].name);
			return;
		}
	printf("err %d\n", e);
}

static void *thread_main(void *arg)
{
	return arg;
}

static int thread(void)
{
	static int token;
	pthread_t t;
	void *ret = NULL;
	int e = pthread_create(&t, NULL, thread_main, &token);

	if (e == 0)
		e = pthread_join(t, &ret);
	if (e == 0 && ret != &token)
		e = EINVAL;
	if (e != 0)
		print_err(e);
	else
		printf("ok thread\n");
	return 0;
}

static long syscall_number(const char *s)
{
	char *end;
	long nr = strtol(s, &end, 0);

	if (*s != '\0' && *end == '\0')
		return nr;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(calls[i].name, s) == 0)
			return calls[i].nr;
	return -1;
}

int main(int argc, char **argv)
{
	long a[6] = { 0 }, nr, r;

	if (argc == 2 && strcmp(argv[1], "thread") == 0)
		return thread();
	if (argc < 2 || argc > 8 || (nr = syscall_number(argv[1])) < 0) {
		fprintf(stderr, "usage: sysc NAME|NUMBER [ARG...] (at most 6 args) | sysc thread\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		char *end;
		unsigned long long v = strtoull(argv[i], &end, 0);
		a[i - 2] = (*argv[i] != '\0' && *end == '\0') ? (long)v : (long)argv[i];
	}
	errno = 0;
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r != -1) {
		printf("ok %ld\n", r);
		return 0;
	}
	print_err(errno);
	return 0;
}
