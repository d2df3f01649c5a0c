/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-swap: the racer of the symlink-exchange tests (90-security.bats).
 * Swaps two paths with renameat2(RENAME_EXCHANGE) in a tight loop until it
 * is killed, so that a path the runtime is about to use is a directory one
 * moment and a symlink to a host directory the next (CVE-2021-30465 and the
 * mkdir, /dev/null, /proc races of ../../../shared/docs/security.md §1).
 *
 *   silo-swap PATH-A PATH-B
 *
 * Prints "racing" once the first exchange worked, so the test knows the race
 * is on before it starts creating containers; exits 1 when the first
 * exchange fails (the paths must both exist).  Every exchange is done twice
 * per round, so the names are at their original places between rounds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int exchange(const char *a, const char *b)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: silo-swap PATH-A PATH-B\n");
		return 2;
	}
	if (exchange(argv[1], argv[2]) < 0 || exchange(argv[1], argv[2]) < 0) {
		fprintf(stderr, "silo-swap: exchange %s %s: %s\n", argv[1], argv[2], strerror(errno));
		return 1;
	}
	printf("racing\n");
	fflush(stdout);
	for (;;)
		(void)exchange(argv[1], argv[2]);
}
