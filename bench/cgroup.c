/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * cgbench: the cost of a container's cgroup through silo's own cgroup
 * manager (src/lib/cgroup*.c), phase by phase, on whichever driver the host
 * runs (v1/hybrid or v2).
 *
 *   cgbench [-n N] [-c MS] [-r RESOURCES-JSON] [-q]
 *
 * Per iteration, as `create`/`delete` do it:
 *   create   cgroup_plan() + cgroup_make(): the directories in every hierarchy, the
 *            controllers (v2) or cpusets (v1), linux.resources incl. the
 *            device rules (v1 files, v2 eBPF program)
 *   join     v1: fork + cgroup_attach() (one cgroup.procs write per
 *            hierarchy); v2: clone3(CLONE_INTO_CGROUP), as create does
 *   destroy  the child exits and is reaped, then cgroup_destroy() (rmdir)
 * and, for reference, `fork` (a plain fork + exit + wait, which join
 * contains).  -c MS sleeps MS milliseconds (untimed) before every iteration:
 * the "cold" case, where the first cgroup.procs write of a v1 hierarchy
 * waits for an RCU grace period.  Prints the median and min µs of each
 * phase.  The cgroups go below the caller's own cgroup ("cgbench-PID-I").
 *
 * Built by bench/cgroup.sh against the build's libsilo.a; a benchmark, not
 * a test.  Any failure is fatal (exit 1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "spec.h"
#include "syscalls.h"

enum { P_CREATE, P_JOIN, P_DESTROY, P_FORK, P_TOTAL, P_N };
static const char *const phase_names[P_N] = { "create", "join", "destroy", "fork", "total" };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what, const struct silo_error *err)
{
	fprintf(stderr, "cgbench: %s: %s\n", what, err ? err->msg : strerror(errno));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A child that waits for its pipe to close, then exits. */
static pid_t spawn(int rfd, int wfd, int cgroup_fd)
{
	struct silo_clone_args args = { .exit_signal = SIGCHLD };
	pid_t pid;

	if (cgroup_fd >= 0) {
		args.flags = CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	pid = sys_clone3(&args);
	if (pid == 0) {
		char c;

		close(wfd);
		(void)!read(rfd, &c, 1);
		_exit(0);
	}
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	const char *res_json = "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}";
	struct spec_resources *res = NULL;
	struct silo_error err;
	int n = 200, cold_ms = 0, quiet = 0, opt, mode;
	double *t[P_N];

	while ((opt = getopt(argc, argv, "n:c:r:q")) != -1) {
		switch (opt) {
		case 'n': n = atoi(optarg); break;
		case 'c': cold_ms = atoi(optarg); break;
		case 'r': res_json = optarg; break;
		case 'q': quiet = 1; break;
		default:
			fprintf(stderr, "usage: cgbench [-n N] [-c MS] [-r RESOURCES-JSON] [-q]\n");
			return 2;
		}
	}
	if (n < 1)
		n = 1;
	if (spec_parse_resources(res_json, strlen(res_json), "-r", &res, &err) < 0)
		die("resources", &err);
	mode = cgroup_mode(&err);
	if (mode < 0)
		die("cgroup mode", &err);
	for (int p = 0; p < P_N; p++)
		t[p] = calloc((size_t)n, sizeof(double));
	for (int i = 0; i < n; i++) {
		char name[64];
		struct cgroup *cg = NULL;
		bool changed;
		int pfd[2];
		double t0, t1, t2, t3, t4, t5;
		pid_t pid;

		if (cold_ms > 0)
			usleep((useconds_t)cold_ms * 1000);
		snprintf(name, sizeof(name), "cgbench-%d-%d", (int)getpid(), i);
		if (pipe2(pfd, O_CLOEXEC) < 0)
			die("pipe", NULL);
		t0 = now_us();
		if (cgroup_plan(name, NULL, &cg, &err) < 0 ||
		    cgroup_make(cg, res, &changed, &err) < 0)
			die("create", &err);
		t1 = now_us();
		pid = spawn(pfd[0], pfd[1], mode == CGROUP_MODE_V2 ? cgroup_clone_fd(cg) : -1);
		if (pid < 0)
			die("clone3", NULL);
		if (mode != CGROUP_MODE_V2 && cgroup_attach(cg, pid, &err) < 0)
			die("attach", &err);
		t2 = now_us();
		close(pfd[1]);
		close(pfd[0]);
		reap(pid);
		if (cgroup_destroy(cg, &err) < 0)
			die("destroy", &err);
		t3 = now_us();
		cgroup_free(cg);
		/* the same child without any cgroup: what join and destroy contain */
		if (pipe2(pfd, O_CLOEXEC) < 0)
			die("pipe", NULL);
		t4 = now_us();
		pid = spawn(pfd[0], pfd[1], -1);
		close(pfd[1]);
		close(pfd[0]);
		reap(pid);
		t5 = now_us();
		t[P_CREATE][i] = t1 - t0;
		t[P_JOIN][i] = t2 - t1;
		t[P_DESTROY][i] = t3 - t2;
		t[P_FORK][i] = t5 - t4;
		t[P_TOTAL][i] = t3 - t0;
	}
	if (!quiet) {
		printf("driver %s, %d iterations%s%.0d%s\n", mode == CGROUP_MODE_V2 ? "v2" : "v1 (hybrid)", n,
		       cold_ms ? ", cold (" : ", warm", cold_ms, cold_ms ? " ms idle before each)" : "");
		printf("%-8s %10s %10s\n", "phase", "median us", "min us");
	}
	for (int p = 0; p < P_N; p++) {
		qsort(t[p], (size_t)n, sizeof(double), cmp_double);
		printf("%-8s %10.0f %10.0f\n", phase_names[p], t[p][n / 2], t[p][0]);
	}
	spec_resources_free(res);
	return 0;
}
