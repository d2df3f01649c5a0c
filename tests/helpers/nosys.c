/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-nosys: run a program with the newer syscalls that silo uses refused
 * by the kernel with ENOSYS, as on an older kernel, so that the fallbacks
 * (O_PATH walk instead of openat2, clone instead of clone3, mount(2) instead
 * of the new mount API, an fcntl loop instead of close_range) are exercised
 * for real.  tests/run.sh runs part of the integration suite through it.
 *
 *   silo-nosys [-s NAME]... [--] PROGRAM [ARG...]
 *
 * Without -s the list is: openat2 clone3 fsopen fsconfig fsmount fspick
 * move_mount open_tree mount_setattr close_range.  The filter (libseccomp,
 * so every ABI of the machine is covered) is inherited by everything the
 * program starts, containers included: their payloads see the same refusals,
 * which libc handles (glibc falls back from clone3 to clone).  No
 * no_new_privs: we run as root with CAP_SYS_ADMIN, and no_new_privs would
 * change what the containers' setuid tests see.
 *
 * Exit status: 127 when the program cannot be run, 125 on a usage or
 * seccomp error; otherwise the program's own.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const default_calls[] = {
	"openat2", "clone3", "fsopen", "fsconfig", "fsmount", "fspick",
	"move_mount", "open_tree", "mount_setattr", "close_range", NULL,
};

int main(int argc, char **argv)
{
	const char *calls[64];
	size_t n = 0;
	int i = 1, rc;
	scmp_filter_ctx ctx;

	while (i < argc && strcmp(argv[i], "-s") == 0 && i + 1 < argc && n < 63) {
		calls[n++] = argv[i + 1];
		i += 2;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	if (i >= argc) {
		fprintf(stderr, "usage: silo-nosys [-s NAME]... [--] PROGRAM [ARG...]\n");
		return 125;
	}
	if (n == 0)
		for (; default_calls[n] != NULL; n++)
			calls[n] = default_calls[n];
	calls[n] = NULL;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (ctx == NULL) {
		fprintf(stderr, "silo-nosys: seccomp_init failed\n");
		return 125;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	for (size_t k = 0; rc == 0 && calls[k] != NULL; k++) {
		int nr = seccomp_syscall_resolve_name(calls[k]);
		if (nr == __NR_SCMP_ERROR) {
			fprintf(stderr, "silo-nosys: unknown syscall %s\n", calls[k]);
			return 125;
		}
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0) {
		fprintf(stderr, "silo-nosys: seccomp: %s\n", strerror(-rc));
		return 125;
	}
	execvp(argv[i], argv + i);
	fprintf(stderr, "silo-nosys: exec %s: %s\n", argv[i], strerror(errno));
	return 127;
}
