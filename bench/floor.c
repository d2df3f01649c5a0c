/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * floor: the physical floor of a container start (docs/perf.md §3).
 *
 * Per iteration it does only the kernel work a runtime cannot avoid, with no
 * JSON, no state files and no re-exec: clone() a child into new PID, mount,
 * UTS, IPC, net and cgroup namespaces; the child makes the mount tree rslave,
 * bind-mounts the rootfs, mounts proc, does pivot_root(".", "."), lazily
 * unmounts the old root, remounts the new root read-only, sets the hostname
 * and execve()s the rootfs's static /bin/true; the parent waits.
 *
 *   floor [-n N] [-m ns|fork] [-u] [-c PARENT [-l]] [-X net,pid,ipc,uts,cgroup] [-q] ROOTFS
 *
 *   -n N      iterations in this process (default 1); without -q, prints the
 *             median and minimum µs per iteration
 *   -m fork   plain fork + execve of ROOTFS/bin/true, no isolation (baseline)
 *   -u        add a user namespace: the parent writes uid/gid_map
 *             0 -> 100000 (65536 ids), the child calls setres[ug]id(0)
 *   -c PARENT create, attach and remove a v1 cgroup PARENT/floor-PID-I in the
 *             memory, pids and cpu hierarchies (PARENT is a path below each
 *             hierarchy's root, and must exist); -l also writes limits
 *   -X list   drop these namespaces (the mount namespace always stays)
 *   -q        print nothing on success
 *
 * Written by hand, standalone, and compiled by bench/start.sh at bench time:
 * it must stay a few hundred lines of plain syscalls so its cost is the
 * kernel's and nothing else's.  Any failure is fatal (exit 1) so that a broken
 * floor never passes for a fast one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static const char *const cg_controllers[] = { "memory", "pids", "cpu" };
#define N_CG (sizeof(cg_controllers) / sizeof(cg_controllers[0]))

struct opts {
	long iterations;
	int fork_only;
	int userns;
	int limits;
	int quiet;
	unsigned long ns_flags;
	const char *cg_parent;
	const char *rootfs;
};

__attribute__((noreturn, format(printf, 1, 2)))
static void die(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fputs("floor: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (saved)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
	exit(1);
}

/* The child cannot report through stdio buffers shared with the parent, and
 * must not run atexit handlers: write(2) the message and _exit. */
__attribute__((noreturn))
static void child_die(const char *what)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "floor: child: %s: %s\n", what, strerror(errno));

	if (n > 0 && write(2, buf, (size_t)n) < 0)
		_exit(126);
	_exit(127);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s", path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("write %s", path);
	close(fd);
}

static unsigned long parse_drop(const char *list, unsigned long flags)
{
	static const struct { const char *name; unsigned long flag; } ns[] = {
		{ "net", CLONE_NEWNET }, { "pid", CLONE_NEWPID }, { "ipc", CLONE_NEWIPC },
		{ "uts", CLONE_NEWUTS }, { "cgroup", CLONE_NEWCGROUP },
	};
	char *copy = strdup(list), *save = NULL;

	if (!copy)
		die("strdup");
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
			if (strcmp(tok, ns[i].name) == 0)
				break;
		if (i == sizeof(ns) / sizeof(ns[0])) {
			errno = 0;
			die("-X: unknown namespace %s (net, pid, ipc, uts, cgroup)", tok);
		}
		flags &= ~ns[i].flag;
	}
	free(copy);
	return flags;
}

static void usage(void)
{
	fputs("usage: floor [-n N] [-m ns|fork] [-u] [-c PARENT [-l]] "
	      "[-X net,pid,ipc,uts,cgroup] [-q] ROOTFS\n", stderr);
	exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){
		.iterations = 1,
		.ns_flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
			    CLONE_NEWNET | CLONE_NEWCGROUP,
	};
	while ((c = getopt(argc, argv, "n:m:uc:lX:q")) != -1) {
		switch (c) {
		case 'n':
			o->iterations = strtol(optarg, NULL, 10);
			if (o->iterations < 1)
				usage();
			break;
		case 'm':
			if (strcmp(optarg, "fork") == 0)
				o->fork_only = 1;
			else if (strcmp(optarg, "ns") != 0)
				usage();
			break;
		case 'u': o->userns = 1; break;
		case 'c': o->cg_parent = optarg; break;
		case 'l': o->limits = 1; break;
		case 'X': o->ns_flags = parse_drop(optarg, o->ns_flags); break;
		case 'q': o->quiet = 1; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || (o->limits && !o->cg_parent) || (o->userns && o->fork_only))
		usage();
	o->rootfs = argv[optind];
	if (o->userns)
		o->ns_flags |= CLONE_NEWUSER;
}

/* In the child: the container's mount and identity setup, then exec. */
__attribute__((noreturn))
static void child_setup(const struct opts *o, int sync_fd)
{
	char *const argv[] = { "true", NULL };
	char *const envp[] = { NULL };
	char c;

	if (sync_fd >= 0 && read(sync_fd, &c, 1) != 1)
		child_die("wait for the parent");
	if (o->fork_only) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/bin/true", o->rootfs);
		execve(path, argv, envp);
		child_die("execve true");
	}
	if (o->userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		child_die("setres[ug]id");
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		child_die("make / rslave");
	if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_die("bind rootfs");
	if (chdir(o->rootfs) < 0)
		child_die("chdir rootfs");
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		child_die("mount proc");
	/* pivot_root(".", ".") stacks the old root on top of the new one; the
	 * lazy unmount then drops it without needing a put_old directory. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		child_die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		child_die("umount old root");
	if (chdir("/") < 0)
		child_die("chdir /");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
		child_die("remount / ro");
	if ((o->ns_flags & CLONE_NEWUTS) && sethostname("floor", 5) < 0)
		child_die("sethostname");
	execve("/bin/true", argv, envp);
	child_die("execve /bin/true");
}

static void cg_path(char *buf, size_t len, const struct opts *o, size_t ctl, long iter)
{
	snprintf(buf, len, "/sys/fs/cgroup/%s/%s/floor-%d-%ld", cg_controllers[ctl],
		 o->cg_parent, (int)getpid(), iter);
}

static void cg_create(const struct opts *o, long iter)
{
	static const char *const limit[][2] = {
		{ "memory.limit_in_bytes", "268435456" },
		{ "pids.max", "1024" },
		{ "cpu.shares", "512" },
	};
	char dir[4096], file[4200];

	for (size_t i = 0; i < N_CG; i++) {
		cg_path(dir, sizeof(dir), o, i, iter);
		if (mkdir(dir, 0755) < 0)
			die("mkdir %s", dir);
		if (o->limits) {
			snprintf(file, sizeof(file), "%s/%s", dir, limit[i][0]);
			write_file(file, limit[i][1]);
		}
	}
}

static void cg_attach(const struct opts *o, long iter, pid_t pid)
{
	char dir[4096], file[4200], text[32];

	snprintf(text, sizeof(text), "%d", (int)pid);
	for (size_t i = 0; i < N_CG; i++) {
		cg_path(dir, sizeof(dir), o, i, iter);
		snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
		write_file(file, text);
	}
}

static void cg_remove(const struct opts *o, long iter)
{
	char dir[4096];

	for (size_t i = 0; i < N_CG; i++) {
		cg_path(dir, sizeof(dir), o, i, iter);
		if (rmdir(dir) < 0)
			die("rmdir %s", dir);
	}
}

static void write_id_maps(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	write_file(path, "0 100000 65536\n");
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	write_file(path, "deny\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	write_file(path, "0 100000 65536\n");
}

/* One container start: returns its wall time in ns. */
static long long one_start(const struct opts *o, long iter)
{
	int need_sync = o->userns || o->cg_parent;
	int pipefd[2] = { -1, -1 };
	long long t0 = now_ns();
	int status;
	pid_t pid;

	if (o->cg_parent)
		cg_create(o, iter);
	if (need_sync && pipe2(pipefd, O_CLOEXEC) < 0)
		die("pipe2");
	/* A raw clone without a stack behaves like fork(), so the child can
	 * simply run on a copy of our stack. */
	pid = (pid_t)syscall(SYS_clone, (o->fork_only ? 0 : o->ns_flags) | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0)
		die("clone");
	if (pid == 0) {
		if (need_sync)
			close(pipefd[1]);
		child_setup(o, pipefd[0]);
	}
	if (need_sync) {
		close(pipefd[0]);
		if (o->userns)
			write_id_maps(pid);
		if (o->cg_parent)
			cg_attach(o, iter, pid);
		if (write(pipefd[1], "x", 1) != 1)
			die("release the child");
		close(pipefd[1]);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	if (o->cg_parent)
		cg_remove(o, iter);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = 0;
		die("iteration %ld: child status 0x%x", iter, status);
	}
	return now_ns() - t0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct opts o;
	long long *t;

	parse_opts(argc, argv, &o);
	t = calloc((size_t)o.iterations, sizeof(*t));
	if (!t)
		die("calloc");
	for (long i = 0; i < o.iterations; i++)
		t[i] = one_start(&o, i);
	if (!o.quiet) {
		qsort(t, (size_t)o.iterations, sizeof(*t), cmp_ll);
		printf("%ld iterations: median %.0f us, min %.0f us\n", o.iterations,
		       t[o.iterations / 2] / 1e3, t[0] / 1e3);
	}
	free(t);
	return 0;
}
