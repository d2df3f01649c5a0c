/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-sysc: make one raw system call and print what the kernel answered.
 * Used by the seccomp tests (tests/integration/45-seccomp.bats) inside
 * containers, linked statically like the probe.
 *
 *   sysc NAME|NUMBER [ARG...]
 *
 * Prints "ok <return value>" or "err <ENAME>" and exits 0; 2 on a usage
 * error.  An ARG that parses as a number (strtoull, base 0) is passed as
 * that number, anything else as a pointer to the string.  Raw syscall(2)
 * on purpose: libc wrappers may fall back to or substitute other syscalls
 * (mkdir → mkdirat, clone3 → clone) and hide what the filter did.
 */
#include <errno.h>
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
	{ ETXTBSY, "ETXTBSY" },
};

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

	if (argc < 2 || argc > 8 || (nr = syscall_number(argv[1])) < 0) {
		fprintf(stderr, "usage: sysc NAME|NUMBER [ARG...] (at most 6 args)\n");
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
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].num == errno) {
			printf("err %s\n", errnos[i].name);
			return 0;
		}
	printf("err %d\n", errno);
	return 0;
}
