/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runloop: the timing loop of bench/start.sh.
 *
 *   runloop [-n N] [-s SLEEP_MS] [-p PREP] -- COMMAND [ARG...]
 *
 * Runs COMMAND N times back to back (fork + execve, as a shell loop would,
 * stdin and stdout on /dev/null, stderr inherited), optionally sleeping
 * SLEEP_MS before each start so every start is a cold one, optionally running
 * the shell command PREP (/bin/sh -c, untimed, must exit 0) before each
 * start (bench/seccomp.sh empties a cache with it), and prints one line:
 *
 *   wall_ns busy_ns cpu_ns maxrss_kb
 *
 * wall_ns is the whole loop (sleeps and PREP excluded), busy_ns the sum of the
 * individual starts (fork to reap), cpu_ns the user+sys time of the children
 * and the descendants they waited for (wait4's rusage, what /usr/bin/time
 * reports), maxrss_kb the largest ru_maxrss seen.  Any start that does not
 * exit 0 stops the loop with exit status 1: a failing runtime is not timed.
 *
 * A shell loop would do the same job with sh's fork and `date +%s%N` around
 * it; this does it without the interpreter and with µs CPU times instead of
 * /usr/bin/time's 10 ms resolution.  Written by hand: it is the measuring
 * instrument, so it must stay trivial.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long tv_ns(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000000LL + (long long)tv->tv_usec * 1000LL;
}

static void usage(void)
{
	fputs("usage: runloop [-n N] [-s SLEEP_MS] [-p PREP] -- COMMAND [ARG...]\n", stderr);
	exit(2);
}

/* One start: returns the child's wait status, adds its CPU time to *cpu_ns
 * and raises *maxrss to its peak RSS. */
static int one_run(char **cmd, int devnull, long long *cpu_ns, long *maxrss)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("runloop: fork");
		exit(1);
	}
	if (pid == 0) {
		if (dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0)
			_exit(126);
		execvp(cmd[0], cmd);
		fprintf(stderr, "runloop: execvp %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("runloop: wait4");
			exit(1);
		}
	}
	*cpu_ns += tv_ns(&ru.ru_utime) + tv_ns(&ru.ru_stime);
	if (ru.ru_maxrss > *maxrss)
		*maxrss = ru.ru_maxrss;
	return status;
}

int main(int argc, char **argv)
{
	long n = 20, sleep_ms = 0, maxrss = 0;
	long long busy = 0, cpu = 0, slept = 0, start;
	const char *prep = NULL;
	int devnull, c;

	while ((c = getopt(argc, argv, "+n:s:p:")) != -1) {
		switch (c) {
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 's': sleep_ms = strtol(optarg, NULL, 10); break;
		case 'p': prep = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || n < 1 || sleep_ms < 0)
		usage();
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		perror("runloop: open /dev/null");
		return 1;
	}
	start = now_ns();
	for (long i = 0; i < n; i++) {
		long long t0, t1;
		int status;

		if (sleep_ms) {
			struct timespec ts = { sleep_ms / 1000, (sleep_ms % 1000) * 1000000L };
			long long s0 = now_ns();

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
			slept += now_ns() - s0;
		}
		if (prep != NULL) {
			char *sh[] = { "/bin/sh", "-c", (char *)prep, NULL };
			long long p0 = now_ns(), ignored_cpu = 0;
			long ignored_rss = 0;

			status = one_run(sh, devnull, &ignored_cpu, &ignored_rss);
			slept += now_ns() - p0;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
				fprintf(stderr, "runloop: -p %s failed (status 0x%x)\n", prep, status);
				return 1;
			}
		}
		t0 = now_ns();
		status = one_run(argv + optind, devnull, &cpu, &maxrss);
		t1 = now_ns();
		busy += t1 - t0;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "runloop: %s: start %ld of %ld failed (status 0x%x)\n",
				argv[optind], i + 1, n, status);
			return 1;
		}
	}
	printf("%lld %lld %lld %ld\n", now_ns() - start - slept, busy, cpu, maxrss);
	return 0;
}
