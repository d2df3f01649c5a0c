/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-oci's log sink: where the library's warnings and debug lines, and the
 * command's final error, end up.
 *
 * Without --log everything goes to stderr as "silo-oci: warning: ...".  With
 * --log FILE each entry is one line appended to FILE, in runc's formats:
 *   text  time="2026-01-01T00:00:00Z" level=error msg="..."     (logrus)
 *   json  {"level":"error","msg":"...","time":"2026-...Z"}      (runc key order)
 * Engines read that file after a failure: containerd takes the last error
 * line, podman json-decodes the whole file as one object.  So, unless --debug
 * asks for a full trace, a failed command leaves exactly one line, its error:
 * warnings are held in memory until the command ends and then written to the
 * log on success, or to stderr on failure.
 *
 * The escapers are hand-written because a log line must come out whatever
 * bytes the message holds (jansson refuses invalid UTF-8).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "oci.h"
#include "util.h"

#define HELD_MAX 64

struct held_line {
	int level;
	struct timespec ts;
	char *msg;
};

static struct {
	int fd;                    /* -1: no --log, stderr only */
	enum oci_log_format format;
	bool debug;
	pid_t pid;                 /* lines from forked children are not held */
	struct held_line held[HELD_MAX];
	size_t n_held;
} lg = { .fd = -1 };

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when the bytes are not one. */
static size_t utf8_len(const unsigned char *s, unsigned *cp)
{
	size_t n, i;
	unsigned c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* A JSON string body, as Go's encoding/json writes it (invalid bytes become
 * U+FFFD; U+2028/U+2029 are escaped for JavaScript consumers). */
static void json_escape(struct sbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char tmp[8];

	while (*s != '\0') {
		unsigned cp;
		size_t n = utf8_len(s, &cp);

		if (n == 0) {
			sb_puts(b, "\\ufffd");
			s++;
			continue;
		}
		if (cp == '"' || cp == '\\') {
			sb_put(b, "\\", 1);
			sb_put(b, (const char *)s, 1);
		} else if (cp == '\n') {
			sb_puts(b, "\\n");
		} else if (cp == '\r') {
			sb_puts(b, "\\r");
		} else if (cp == '\t') {
			sb_puts(b, "\\t");
		} else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) {
			snprintf(tmp, sizeof(tmp), "\\u%04x", cp);
			sb_puts(b, tmp);
		} else {
			sb_put(b, (const char *)s, n);
		}
		s += n;
	}
}

/* The letter of a C escape Go's %q uses for c ('n' for '\n'), 0 when none. */
static char c_escape(unsigned c)
{
	switch (c) {
	case '\a': return 'a';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	case '\v': return 'v';
	case '"': return '"';
	case '\\': return '\\';
	default: return 0;
	}
}

/* A Go %q string body (logrus quotes values that way): the C escapes,
 * other control bytes and invalid UTF-8 as \xNN, printable text as is. */
static void go_quote(struct sbuf *b, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	char tmp[8];

	while (*s != '\0') {
		unsigned cp;
		size_t n = utf8_len(s, &cp);
		char e = n == 1 ? c_escape(cp) : 0;

		if (e != 0) {
			tmp[0] = '\\';
			tmp[1] = e;
			sb_put(b, tmp, 2);
		} else if (n == 0 || cp < 0x20 || cp == 0x7f) {
			snprintf(tmp, sizeof(tmp), "\\x%02x", s[0]);
			sb_puts(b, tmp);
			n = 1;
		} else {
			sb_put(b, (const char *)s, n);
		}
		s += n;
	}
}

static const char *level_name(int level)
{
	switch (level) {
	case SILO_LOG_ERROR:
		return "error";
	case SILO_LOG_WARNING:
		return "warning";
	case SILO_LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* "2026-01-01T00:00:00Z", with ".NNNNNNNNN" before the Z when nanos. */
static void format_time(char *buf, size_t size, const struct timespec *ts, bool nanos)
{
	struct tm tm;
	size_t n;

	gmtime_r(&ts->tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	if (nanos)
		snprintf(buf + n, size - n, ".%09ldZ", ts->tv_nsec);
	else
		snprintf(buf + n, size - n, "Z");
}

static void write_line(int level, const struct timespec *ts, const char *msg)
{
	struct sbuf b = { 0 };
	char t[64];

	if (lg.format == OCI_LOG_JSON) {
		format_time(t, sizeof(t), ts, true);
		sb_puts(&b, "{\"level\":\"");
		sb_puts(&b, level_name(level));
		sb_puts(&b, "\",\"msg\":\"");
		json_escape(&b, msg);
		sb_puts(&b, "\",\"time\":\"");
		sb_puts(&b, t);
		sb_puts(&b, "\"}\n");
	} else {
		format_time(t, sizeof(t), ts, false);
		sb_puts(&b, "time=\"");
		sb_puts(&b, t);
		sb_puts(&b, "\" level=");
		sb_puts(&b, level_name(level));
		sb_puts(&b, " msg=\"");
		go_quote(&b, msg);
		sb_puts(&b, "\"\n");
	}
	/* One write per line: O_APPEND keeps concurrent writers' lines whole. */
	(void)write_all(lg.fd, b.p, b.len);
	free(b.p);
}

static void print_stderr(int level, const char *msg)
{
	if (level == SILO_LOG_ERROR || level == SILO_LOG_INFO)
		fprintf(stderr, "silo-oci: %s\n", msg);
	else
		fprintf(stderr, "silo-oci: %s: %s\n", level_name(level), msg);
}

static void sink(int level, const char *msg, void *data UNUSED)
{
	struct timespec ts;
	size_t len = strlen(msg);
	cleanup_free char *m = xstrndup(msg, len);

	while (len > 0 && m[len - 1] == '\n')
		m[--len] = '\0';
	if (lg.fd < 0) {
		print_stderr(level, m);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (lg.debug || level == SILO_LOG_ERROR || getpid() != lg.pid) {
		write_line(level, &ts, m);
		return;
	}
	if (lg.n_held == HELD_MAX) {
		print_stderr(level, m);
		return;
	}
	lg.held[lg.n_held].level = level;
	lg.held[lg.n_held].ts = ts;
	lg.held[lg.n_held].msg = steal_pointer(&m);
	lg.n_held++;
}

int oci_log_open(const char *path, enum oci_log_format format, bool debug,
		 struct silo_error *err)
{
	lg.format = format;
	lg.debug = debug;
	lg.pid = getpid();
	if (path != NULL) {
		lg.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
		if (lg.fd < 0)
			return silo_error(err, errno, "open log file %s", path);
	}
	silo_log_set(sink, NULL, debug ? SILO_LOG_DEBUG : SILO_LOG_WARNING);
	return 0;
}

/* Held warnings go to stderr once the command is known to fail: before its
 * error, in the order they came. */
static void release_held(bool to_log)
{
	for (size_t i = 0; i < lg.n_held; i++) {
		struct held_line *h = &lg.held[i];

		if (to_log)
			write_line(h->level, &h->ts, h->msg);
		else
			print_stderr(h->level, h->msg);
		free(h->msg);
	}
	lg.n_held = 0;
}

void oci_log_fail(const char *verb, const char *msg)
{
	struct timespec ts;

	release_held(false);
	if (verb != NULL)
		fprintf(stderr, "silo-oci: %s: %s\n", verb, msg);
	else
		fprintf(stderr, "silo-oci: %s\n", msg);
	if (lg.fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	write_line(SILO_LOG_ERROR, &ts, msg);
}

void oci_log_keep_fds_free(int below)
{
	int fd;

	if (lg.fd < 0 || lg.fd >= below)
		return;
	fd = fcntl(lg.fd, F_DUPFD_CLOEXEC, below);
	if (fd < 0)
		return;     /* the library then finds the range taken and says so */
	close(lg.fd);
	lg.fd = fd;
}

void oci_log_finish(void)
{
	release_held(true);
	if (lg.fd >= 0)
		close(lg.fd);
	lg.fd = -1;
	silo_log_set(NULL, NULL, SILO_LOG_WARNING);
}
