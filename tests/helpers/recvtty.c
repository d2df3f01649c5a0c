/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-recvtty: the receiving end of --console-socket, for tests and demos.
 *
 * It listens on a unix stream socket at PATH, accepts one connection and
 * receives one SCM_RIGHTS fd: the pty master of the container (the wire
 * contract runc set; the payload bytes are ignored).  Then, by --mode:
 *
 *   copy  copy stdin -> master and master -> stdout until the pty closes
 *         (interactive use, like runc's recvtty);
 *   null  drain the master into --out FILE (or discard it) until the pty
 *         closes; what the tty tests use.
 *
 * Options for tests:
 *   --info FILE      after receiving, write "ptn N" (TIOCGPTN: proves the fd
 *                    is a pty master) and "target T" (its /proc fd link)
 *   --winsize RxC    TIOCSWINSZ on the master before anything else
 *   --input TEXT     write TEXT into the master after receiving
 *   --timeout SEC    give up after SEC seconds (default 120), exit 124
 *
 * It exits 0 once the slave side is gone (read returns EIO/0), 1 on errors,
 * 2 on usage errors.  The socket file is removed on exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

struct options {
	const char *socket_path;
	const char *mode;
	const char *out;
	const char *info;
	const char *winsize;
	const char *input;
	unsigned timeout;
};

static const char *socket_path;

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fprintf(stderr, "silo-recvtty: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	fprintf(stderr, "\n");
	if (socket_path)
		unlink(socket_path);
	exit(1);
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: silo-recvtty [--mode copy|null] [--out FILE] [--info FILE] "
			"[--winsize RxC] [--input TEXT] [--timeout SEC] SOCKET\n");
	exit(2);
}

static void on_alarm(int sig)
{
	(void)sig;
	if (socket_path)
		unlink(socket_path);
	_exit(124);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->mode = "copy";
	o->timeout = 120;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (o->socket_path)
				usage();
			o->socket_path = a;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(a, "--mode") == 0)
			o->mode = argv[++i];
		else if (strcmp(a, "--out") == 0)
			o->out = argv[++i];
		else if (strcmp(a, "--info") == 0)
			o->info = argv[++i];
		else if (strcmp(a, "--winsize") == 0)
			o->winsize = argv[++i];
		else if (strcmp(a, "--input") == 0)
			o->input = argv[++i];
		else if (strcmp(a, "--timeout") == 0)
			o->timeout = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			usage();
	}
	if (!o->socket_path || (strcmp(o->mode, "copy") != 0 && strcmp(o->mode, "null") != 0))
		usage();
}

static int listen_on(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int s;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		die("socket path %s", path);
	}
	memcpy(addr.sun_path, path, strlen(path));
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	unlink(path);
	if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		die("bind %s", path);
	socket_path = path;
	if (listen(s, 1) < 0)
		die("listen %s", path);
	return s;
}

/* Accept one connection and take the first fd passed with SCM_RIGHTS. */
static int receive_fd(int listener)
{
	char payload[4096];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = payload, .iov_len = sizeof(payload) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	int conn, fd;

	conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0)
		die("accept");
	if (recvmsg(conn, &msg, MSG_CMSG_CLOEXEC) < 0)
		die("recvmsg");
	cmsg = CMSG_FIRSTHDR(&msg);
	if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
		errno = 0;
		die("no SCM_RIGHTS fd in the message");
	}
	memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
	close(conn);
	return fd;
}

static void write_info(const char *path, int master)
{
	char link[64], target[256] = "";
	unsigned ptn = 0;
	FILE *f;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", master);
	if (readlink(link, target, sizeof(target) - 1) < 0)
		snprintf(target, sizeof(target), "?");
	f = fopen(path, "we");
	if (!f)
		die("open %s", path);
	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		fprintf(f, "ptn none\n");
	else
		fprintf(f, "ptn %u\n", ptn);
	fprintf(f, "target %s\n", target);
	fclose(f);
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		buf += n;
		len -= (size_t)n;
	}
}

/* Pump master -> out (and, in copy mode, stdin -> master) until the pty closes. */
static void pump(int master, int out, int in)
{
	char buf[4096];

	for (;;) {
		struct pollfd p[2] = { { .fd = master, .events = POLLIN }, { .fd = in, .events = POLLIN } };
		ssize_t n;

		if (poll(p, in >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll");
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(master, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return; /* EIO: every slave fd is closed */
			if (out >= 0)
				write_all(out, buf, (size_t)n);
		}
		if (in >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			n = read(in, buf, sizeof(buf));
			if (n <= 0)
				in = -1;
			else
				write_all(master, buf, (size_t)n);
		}
	}
}

int main(int argc, char **argv)
{
	struct options o;
	int listener, master, out = -1;

	parse_args(argc, argv, &o);
	signal(SIGALRM, on_alarm);
	signal(SIGPIPE, SIG_IGN);
	alarm(o.timeout);
	listener = listen_on(o.socket_path);
	master = receive_fd(listener);
	close(listener);
	unlink(o.socket_path);
	socket_path = NULL;

	if (o.winsize) {
		struct winsize ws = { 0 };
		if (sscanf(o.winsize, "%hux%hu", &ws.ws_row, &ws.ws_col) != 2)
			usage();
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			die("TIOCSWINSZ");
	}
	if (o.info)
		write_info(o.info, master);
	if (o.input)
		write_all(master, o.input, strlen(o.input));

	if (strcmp(o.mode, "copy") == 0) {
		out = STDOUT_FILENO;
	} else if (o.out) {
		out = open(o.out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			die("open %s", o.out);
	}
	pump(master, out, strcmp(o.mode, "copy") == 0 ? STDIN_FILENO : -1);
	return 0;
}
