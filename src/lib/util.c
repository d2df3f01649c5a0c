/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the library; see util.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

void cleanup_freep(void *p)
{
	free(*(void **)p);
}

void cleanup_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

void cleanup_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

void cleanup_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

void cleanup_strvp(char ***v)
{
	strv_free(*v);
}

static NORETURN void oom(void)
{
	static const char m[] = "silo: out of memory\n";
	(void)!write(2, m, sizeof(m) - 1);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xzalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	p = reallocarray(p, n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (r < 0)
		oom();
	return p;
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **strv_dup(char *const *v)
{
	size_t n = strv_len(v);
	char **r = xmalloc((n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	r[n] = NULL;
	return r;
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = write(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)r;
	}
	return (ssize_t)done;
}

ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(fd, p + done, len - done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int read_fd_all(int fd, char **out, size_t *len, struct silo_error *err)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);

	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return silo_error(err, errno, "read");
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int read_file_at(int dirfd, const char *path, char **out, size_t *len, struct silo_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return silo_error(err, errno, "open %s", path);
	if (read_fd_all(fd, out, len, err) < 0)
		return silo_error_ctx(err, "%s", path);
	return 0;
}

int write_file_at(int dirfd, const char *path, const char *data, size_t len, int flags,
		  struct silo_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY | flags, 0644);

	if (fd < 0)
		return silo_error(err, errno, "open %s", path);
	if (write_all(fd, data, len) < 0)
		return silo_error(err, errno, "write %s", path);
	return 0;
}

int write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
		      struct silo_error *err)
{
	return write_file_atomic_sync(dirfd, name, data, len, mode, false, err);
}

int write_file_atomic_sync(int dirfd, const char *name, const void *data, size_t len,
			   mode_t mode, bool sync, struct silo_error *err)
{
	static unsigned counter; /* distinct temp names for threads of one process */
	char tmp[PATH_MAX];
	int fd;

	snprintf(tmp, sizeof(tmp), ".%.200s.%d.%u.tmp", name, (int)getpid(),
		 __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return silo_error(err, errno, "create %s", tmp);
	if (write_all(fd, data, len) < 0 || (sync && fsync(fd) < 0)) {
		int e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		return silo_error(err, e, "write %s", tmp);
	}
	close(fd);
	/* Replacing a file: exchange the two, then unlink the old one.  ext4
	 * (auto_da_alloc) starts writeback of a file renamed over another,
	 * and the unlink that removes it later waits for that I/O: about
	 * 0.2-0.6 ms per container for a state.json that lives a few ms.  A
	 * synced write wants that writeback anyway, so it keeps renameat. */
	if (!sync && renameat2(dirfd, tmp, dirfd, name, RENAME_EXCHANGE) == 0) {
		unlinkat(dirfd, tmp, 0);
		return 0;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0) {
		int e = errno;
		unlinkat(dirfd, tmp, 0);
		return silo_error(err, e, "rename %s to %s", tmp, name);
	}
	if (sync)
		fsync(dirfd);
	return 0;
}

int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

bool str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* /proc/PID/stat: "pid (comm) S ppid ..." where comm may hold spaces and ')'. */
static int proc_stat_fields(pid_t pid, char *state, uint64_t *start, int *cpu)
{
	char path[64], buf[1024], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	if (state)
		*state = *p;
	/* field 3 is the state; start time is field 22, the CPU field 39 */
	for (int field = 3, last = cpu ? 39 : start ? 22 : 3; field < last; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
		if (field + 1 == 22 && start)
			*start = strtoull(p, NULL, 10);
	}
	if (cpu)
		*cpu = atoi(p);
	return 0;
}

uint64_t proc_start_time(pid_t pid)
{
	uint64_t start = 0;
	if (pid <= 0 || proc_stat_fields(pid, NULL, &start, NULL) < 0)
		return 0;
	return start;
}

uint64_t proc_start_time_cpu(pid_t pid, int *cpu)
{
	uint64_t start = 0;

	*cpu = -1;
	if (pid <= 0 || proc_stat_fields(pid, NULL, &start, cpu) < 0)
		return 0;
	return start;
}

char proc_state(pid_t pid)
{
	char st = 0;
	if (pid <= 0 || proc_stat_fields(pid, &st, NULL, NULL) < 0)
		return 0;
	return st;
}

/* Days since 1970-01-01 -> civil date (Howard Hinnant's days_from_civil, inverted). */
void format_rfc3339_utc(const struct timespec *ts, char *buf, size_t len)
{
	int64_t secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400;
	int64_t era, doe, yoe, y, doy, mp, d, m;

	if (rem < 0) {
		rem += 86400;
		days--;
	}
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, len, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%09ldZ", (long long)y,
		 (long long)m, (long long)d, (long long)(rem / 3600), (long long)(rem / 60 % 60),
		 (long long)(rem % 60), ts->tv_nsec);
}
