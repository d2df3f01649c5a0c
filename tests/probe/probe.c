/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-probe: the one program the integration tests run inside containers.
 *
 * It is linked statically and copied as /probe into throwaway root
 * filesystems, so a test needs no distribution image.  argv[1] is a verb; each
 * verb reports one thing about the process as the runtime left it (ids,
 * capabilities, namespaces, mounts, fds, limits...) in plain lines that a
 * shell test can grep, or performs one action whose outcome the test checks
 * (write a file, exit with a code, die by a signal).
 *
 * Failures print "probe: <verb> <what>: <ENAME>: <strerror>" on stderr and
 * exit 1, so a test can assert the errno by name (EROFS, EACCES...).  A usage
 * error exits 2.  Hand-written rather than a busybox script because the tests
 * need exact kernel views (raw /proc lines, getrlimit, ioctls) that shell
 * applets would reformat or not provide.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *verb = "probe";

static const char *errno_name(int e)
{
	static const struct { int num; const char *name; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
		{ EBADF, "EBADF" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
		{ ENOTDIR, "ENOTDIR" }, { EISDIR, "EISDIR" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { EROFS, "EROFS" }, { ETXTBSY, "ETXTBSY" },
		{ ENOTTY, "ENOTTY" }, { EMFILE, "EMFILE" }, { ENOSYS, "ENOSYS" },
		{ ELOOP, "ELOOP" }, { ENOTEMPTY, "ENOTEMPTY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EAGAIN, "EAGAIN" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].num == e)
			return names[i].name;
	return "E?";
}

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "probe: %s ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s: %s\n", errno_name(e), strerror(e));
	exit(1);
}

static void __attribute__((noreturn)) usage(const char *msg)
{
	fprintf(stderr, "probe: %s: %s\n", verb, msg);
	exit(2);
}

static void need(int argc, int n, const char *what)
{
	if (argc < n)
		usage(what);
}

static long parse_long(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || *end || end == s)
		usage("bad number");
	return v;
}

/* Copy a file to stdout; used by cat, mounts, cgroup and friends. */
static int copy_file(const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail("%s", path);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			fail("write stdout");
	if (n < 0)
		fail("read %s", path);
	close(fd);
	return 0;
}

/* The value of one "Field:\tvalue" line of /proc/self/status, or NULL. */
static char *status_field(const char *field, char *line, size_t len)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t flen = strlen(field);
	char *ret = NULL;

	if (!f)
		fail("/proc/self/status");
	while (fgets(line, (int)len, f)) {
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			char *v = line + flen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			v[strcspn(v, "\n")] = '\0';
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int v_ids(int argc, char **argv)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);

	if (n < 0)
		fail("getgroups");
	printf("uid=%u gid=%u euid=%u egid=%u groups=", getuid(), getgid(), geteuid(), getegid());
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	return 0;
}

static int v_caps(int argc, char **argv)
{
	static const char *sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	char line[512];

	for (size_t i = 0; i < 5; i++) {
		char *v = status_field(sets[i], line, sizeof(line));
		printf("%s: %s\n", sets[i], v ? v : "missing");
	}
	return 0;
}

static int v_status(int argc, char **argv)
{
	char line[4096];
	char *v;

	need(argc, 3, "status FIELD");
	v = status_field(argv[2], line, sizeof(line));
	if (!v) {
		errno = ENOENT;
		fail("%s", argv[2]);
	}
	printf("%s\n", v);
	return 0;
}

static int v_cat(int argc, char **argv)
{
	need(argc, 3, "cat FILE");
	return copy_file(argv[2]);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int v_ls(int argc, char **argv)
{
	char *names[4096];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	need(argc, 3, "ls DIR");
	d = opendir(argv[2]);
	if (!d)
		fail("%s", argv[2]);
	while ((de = readdir(d)) && n < 4096) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < n; i++)
		printf("%s\n", names[i]);
	return 0;
}

static int v_write(int argc, char **argv)
{
	size_t len;
	int fd;

	need(argc, 4, "write FILE DATA");
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail("%s", argv[2]);
	len = strlen(argv[3]);
	if (write(fd, argv[3], len) != (ssize_t)len)
		fail("%s", argv[2]);
	if (close(fd) < 0)
		fail("%s", argv[2]);
	printf("ok\n");
	return 0;
}

/* Write DATA to an already open fd (a preserved fd, a pipe given by the test). */
static int v_fdwrite(int argc, char **argv)
{
	size_t len;

	need(argc, 4, "fdwrite N DATA");
	len = strlen(argv[3]);
	if (write((int)parse_long(argv[2]), argv[3], len) != (ssize_t)len)
		fail("fd %s", argv[2]);
	printf("ok\n");
	return 0;
}

/* notify MSG: send MSG as one datagram to $NOTIFY_SOCKET (sd_notify). */
static int v_notify(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	int fd;

	need(argc, 3, "notify MSG");
	if (!path || strlen(path) >= sizeof(a.sun_path))
		fail("NOTIFY_SOCKET unset or too long");
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, argv[2], strlen(argv[2]), 0, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail("send to %s", path);
	printf("ok\n");
	return 0;
}

/* notify-listen PATH N: bind a datagram socket at PATH (the host side of
 * NOTIFY_SOCKET), print "listening" and then N datagrams, one per line
 * (newlines inside shown as "|"), then exit.  Gives up after 60 s. */
static int v_notify_listen(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	long n;
	int fd;

	need(argc, 4, "notify-listen PATH N");
	n = parse_long(argv[3]);
	if (strlen(argv[2]) >= sizeof(a.sun_path))
		fail("path too long");
	strcpy(a.sun_path, argv[2]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		fail("bind %s", argv[2]);
	printf("listening\n");
	fflush(stdout);
	alarm(60);
	for (long i = 0; i < n; i++) {
		char buf[4096];
		ssize_t r = recv(fd, buf, sizeof(buf) - 1, 0);

		if (r < 0)
			fail("recv");
		buf[r] = '\0';
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = '|';
		printf("%s\n", buf);
		fflush(stdout);
	}
	return 0;
}

static int v_mounts(int argc, char **argv)
{
	return copy_file("/proc/self/mountinfo");
}

static int v_cwd(int argc, char **argv)
{
	char buf[PATH_MAX];

	if (!getcwd(buf, sizeof(buf)))
		fail("getcwd");
	printf("%s\n", buf);
	return 0;
}

static int v_env(int argc, char **argv)
{
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return 0;
}

static int v_hostname(int argc, char **argv)
{
	struct utsname u;

	if (uname(&u) < 0)
		fail("uname");
	printf("%s\n", strcmp(argv[1], "hostname") == 0 ? u.nodename : u.domainname);
	return 0;
}

static int v_pid(int argc, char **argv)
{
	printf("pid=%d ppid=%d\n", getpid(), getppid());
	return 0;
}

static int v_ns(int argc, char **argv)
{
	static const char *names[] = { "cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
				       "time", "time_for_children", "user", "uts" };
	char path[64], target[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		printf("%s %s\n", names[i], target);
	}
	return 0;
}

static int v_fds(int argc, char **argv)
{
	char path[300], target[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");

	if (!d)
		fail("/proc/self/fd");
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		printf("%s %s\n", de->d_name, target);
	}
	closedir(d);
	return 0;
}

static void print_rlim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

static int v_limits(int argc, char **argv)
{
	static const struct { int res; const char *name; } lims[] = {
		{ RLIMIT_AS, "RLIMIT_AS" }, { RLIMIT_CORE, "RLIMIT_CORE" },
		{ RLIMIT_CPU, "RLIMIT_CPU" }, { RLIMIT_DATA, "RLIMIT_DATA" },
		{ RLIMIT_FSIZE, "RLIMIT_FSIZE" }, { RLIMIT_LOCKS, "RLIMIT_LOCKS" },
		{ RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK" }, { RLIMIT_MSGQUEUE, "RLIMIT_MSGQUEUE" },
		{ RLIMIT_NICE, "RLIMIT_NICE" }, { RLIMIT_NOFILE, "RLIMIT_NOFILE" },
		{ RLIMIT_NPROC, "RLIMIT_NPROC" }, { RLIMIT_RSS, "RLIMIT_RSS" },
		{ RLIMIT_RTPRIO, "RLIMIT_RTPRIO" }, { RLIMIT_RTTIME, "RLIMIT_RTTIME" },
		{ RLIMIT_SIGPENDING, "RLIMIT_SIGPENDING" }, { RLIMIT_STACK, "RLIMIT_STACK" },
	};

	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit rl;

		if (getrlimit(lims[i].res, &rl) < 0)
			fail("%s", lims[i].name);
		printf("%s ", lims[i].name);
		print_rlim(rl.rlim_cur);
		printf(" ");
		print_rlim(rl.rlim_max);
		printf("\n");
	}
	return 0;
}

static int v_umask(int argc, char **argv)
{
	mode_t m = umask(0);

	printf("%04o\n", (unsigned)m);
	return 0;
}

static int v_oom(int argc, char **argv)
{
	return copy_file("/proc/self/oom_score_adj");
}

static int v_sysctl(int argc, char **argv)
{
	char path[PATH_MAX];

	need(argc, 3, "sysctl KEY");
	snprintf(path, sizeof(path), "/proc/sys/%s", argv[2]);
	for (char *p = path + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return copy_file(path);
}

static int v_isatty(int argc, char **argv)
{
	need(argc, 3, "isatty N");
	printf("%d\n", isatty((int)parse_long(argv[2])) ? 1 : 0);
	return 0;
}

static int v_ttyname(int argc, char **argv)
{
	int fd = argc > 2 ? (int)parse_long(argv[2]) : 0;
	char *name = ttyname(fd);

	if (!name)
		fail("fd %d", fd);
	printf("%s\n", name);
	return 0;
}

static int v_winsize(int argc, char **argv)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) < 0)
		fail("TIOCGWINSZ");
	printf("%u %u\n", ws.ws_row, ws.ws_col);
	return 0;
}

static int v_clock(int argc, char **argv)
{
	struct timespec ts;
	clockid_t id;

	need(argc, 3, "clock monotonic|boottime");
	if (strcmp(argv[2], "monotonic") == 0)
		id = CLOCK_MONOTONIC;
	else if (strcmp(argv[2], "boottime") == 0)
		id = CLOCK_BOOTTIME;
	else
		usage("clock monotonic|boottime");
	if (clock_gettime(id, &ts) < 0)
		fail("clock_gettime");
	printf("%lld\n", (long long)ts.tv_sec);
	return 0;
}

static int v_sleep(int argc, char **argv)
{
	struct timespec ts;

	need(argc, 3, "sleep N");
	ts.tv_sec = parse_long(argv[2]);
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	return 0;
}

static volatile sig_atomic_t last_signal;

static void on_signal(int sig)
{
	last_signal = sig;
}

/*
 * pause: print "ready" once every handler is in place (a test must not signal
 * earlier: a pid-namespace init ignores signals it has no handler for), then
 * print "signal N" for each signal received.  SIGTERM and SIGINT end it with
 * status 0, so `kill ID` (SIGTERM) gives a clean stop.
 */
static int v_pause(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t all, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sig != SIGCHLD)
			sigaction(sig, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		sigset_t none;

		sigemptyset(&none);
		sigsuspend(&none);
		printf("signal %d\n", (int)last_signal);
		fflush(stdout);
		if (last_signal == SIGTERM || last_signal == SIGINT)
			return 0;
	}
}

static int v_exit(int argc, char **argv)
{
	need(argc, 3, "exit N");
	fflush(stdout);
	_exit((int)parse_long(argv[2]));
}

/*
 * Die by signal SIG.  A pid-namespace init ignores signals it sends itself,
 * even SIGKILL, so for pid 1 the signal has to come from the kernel: a real
 * fault for SIGSEGV/SIGILL/SIGFPE/SIGTRAP, and for SIGKILL the RLIMIT_CPU
 * hard limit (one second of spinning).
 */
static int v_kill_self(int argc, char **argv)
{
	sigset_t set;
	int sig;

	need(argc, 3, "kill-self SIG");
	sig = (int)parse_long(argv[2]);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	fflush(stdout);
	if (getpid() != 1) {
		kill(getpid(), sig);
	} else if (sig == SIGSEGV) {
		volatile int *volatile bad = NULL;
		*bad = 1;
	} else if (sig == SIGILL) {
		__builtin_trap();
	} else if (sig == SIGFPE) {
		volatile int zero = 0, one = 1;
		printf("%d\n", one / zero);
	} else if (sig == SIGTRAP) {
		__asm__ volatile("int3");
	} else if (sig == SIGKILL) {
		struct rlimit rl = { 1, 1 };
		if (setrlimit(RLIMIT_CPU, &rl) < 0)
			fail("RLIMIT_CPU");
		for (volatile unsigned long i = 0;; i++)
			;
	}
	fprintf(stderr, "probe: kill-self: signal %d did not kill pid %d\n", sig, getpid());
	return 125;
}

static int v_cgroup(int argc, char **argv)
{
	return copy_file("/proc/self/cgroup");
}

/* Every interface of /proc/net/dev with "up" or "down" from SIOCGIFFLAGS. */
static int v_net(int argc, char **argv)
{
	char line[512];
	FILE *f = fopen("/proc/net/dev", "re");
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!f)
		fail("/proc/net/dev");
	if (s < 0)
		fail("socket");
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *name = line;
		struct ifreq ifr;

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		memset(&ifr, 0, sizeof(ifr));
		if (strlen(name) >= sizeof(ifr.ifr_name))
			continue;
		memcpy(ifr.ifr_name, name, strlen(name));
		if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
			fail("SIOCGIFFLAGS %s", name);
		printf("%s %s\n", name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
	}
	fclose(f);
	close(s);
	return 0;
}

/*
 * mknod-test [PATH [MAJ:MIN]]: make a char device (default 1:3, /dev/null's
 * numbers) at PATH (default /tmp/probe-null), report "ok", remove it.  Shows
 * what the devices cgroup and CAP_MKNOD allow.
 */
static int v_mknod_test(int argc, char **argv)
{
	const char *path = argc > 2 ? argv[2] : "/tmp/probe-null";
	unsigned maj = 1, min = 3;

	if (argc > 3 && sscanf(argv[3], "%u:%u", &maj, &min) != 2)
		usage("mknod-test [PATH [MAJ:MIN]]");
	if (mknod(path, S_IFCHR | 0666, makedev(maj, min)) < 0)
		fail("%s", path);
	unlink(path);
	printf("ok\n");
	return 0;
}

static char type_char(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFREG: return 'f';
	case S_IFDIR: return 'd';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	case S_IFLNK: return 'l';
	case S_IFIFO: return 'p';
	case S_IFSOCK: return 's';
	default: return '?';
	}
}

static int v_stat(int argc, char **argv)
{
	struct stat st;

	need(argc, 3, "stat PATH");
	if (lstat(argv[2], &st) < 0)
		fail("%s", argv[2]);
	printf("type=%c mode=%04o uid=%u gid=%u rdev=%u:%u size=%lld\n", type_char(st.st_mode),
	       (unsigned)(st.st_mode & 07777), st.st_uid, st.st_gid, major(st.st_rdev),
	       minor(st.st_rdev), (long long)st.st_size);
	return 0;
}

static int v_readlink(int argc, char **argv)
{
	char target[PATH_MAX];
	ssize_t n;

	need(argc, 3, "readlink PATH");
	n = readlink(argv[2], target, sizeof(target) - 1);
	if (n < 0)
		fail("%s", argv[2]);
	target[n] = '\0';
	printf("%s\n", target);
	return 0;
}

/* open PATH: open read-only and non-blocking (so a device never hangs), close, "ok". */
static int v_open(int argc, char **argv)
{
	int fd;

	need(argc, 3, "open PATH");
	fd = open(argv[2], O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fail("%s", argv[2]);
	close(fd);
	printf("ok\n");
	return 0;
}

static int v_true(int argc, char **argv)
{
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} verbs[] = {
	{ "ids", v_ids }, { "caps", v_caps }, { "status", v_status }, { "cat", v_cat },
	{ "ls", v_ls }, { "write", v_write }, { "fdwrite", v_fdwrite }, { "mounts", v_mounts },
	{ "cwd", v_cwd }, { "env", v_env }, { "hostname", v_hostname }, { "domainname", v_hostname },
	{ "pid", v_pid }, { "ns", v_ns }, { "fds", v_fds }, { "limits", v_limits },
	{ "umask", v_umask }, { "oom", v_oom }, { "sysctl", v_sysctl }, { "isatty", v_isatty },
	{ "ttyname", v_ttyname }, { "winsize", v_winsize }, { "clock", v_clock },
	{ "sleep", v_sleep }, { "pause", v_pause }, { "exit", v_exit },
	{ "kill-self", v_kill_self }, { "cgroup", v_cgroup }, { "net", v_net },
	{ "mknod-test", v_mknod_test }, { "stat", v_stat }, { "readlink", v_readlink },
	{ "open", v_open }, { "true", v_true }, { "notify", v_notify },
	{ "notify-listen", v_notify_listen },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: probe VERB [ARGS...]; verbs:");
		for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
			fprintf(stderr, " %s", verbs[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	verb = argv[1];
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (strcmp(verbs[i].name, argv[1]) == 0) {
			int rc = verbs[i].fn(argc, argv);
			if (fflush(stdout) != 0)
				fail("stdout");
			return rc;
		}
	}
	usage("unknown verb");
}
