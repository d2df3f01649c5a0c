/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Terminals; see terminal.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <termios.h>

#include "fs.h"
#include "syscalls.h"
#include "terminal.h"
#include "util.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143

static int bind_console(int peer, struct silo_error *err)
{
	cleanup_close int target = open("/dev/console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	cleanup_close int tree = -1;
	struct stat st;
	char src[64], dst[64];

	if (target < 0)
		return silo_error(err, errno, "open /dev/console");
	if (fstat(target, &st) < 0 || !S_ISREG(st.st_mode))
		return silo_error(err, 0, "/dev/console: not the file we created");
	tree = sys_open_tree(peer, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree >= 0) {
		if (sys_move_mount(tree, "", target, "",
				   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return silo_error(err, errno, "mount the pty on /dev/console");
		return 0;
	}
	if (errno != ENOSYS && errno != EPERM && errno != EINVAL)
		return silo_error(err, errno, "open_tree of the pty");
	/* mount(2) names the fds through a verified /proc/thread-self/fd made
	 * the cwd, not the string /proc/self/fd/N resolved through the
	 * container's /proc (see check_classic_proc() in rootfs.c). */
	{
		cleanup_close int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int fddir = fs_proc_open("thread-self/fd", O_PATH | O_DIRECTORY, err);
		int r, e;

		if (fddir < 0)
			return silo_error_ctx(err, "mount the pty on /dev/console");
		if (cwd < 0 || fchdir(fddir) < 0)
			return silo_error(err, errno, "mount the pty on /dev/console: chdir");
		snprintf(src, sizeof(src), "%d", peer);
		snprintf(dst, sizeof(dst), "%d", target);
		r = mount(src, dst, NULL, MS_BIND, NULL);
		e = errno;
		if (fchdir(cwd) < 0)
			return silo_error(err, errno, "mount the pty on /dev/console: chdir back");
		if (r < 0)
			return silo_error(err, e, "mount the pty on /dev/console");
	}
	return 0;
}

int terminal_setup(const struct terminal_opts *o, struct silo_error *err)
{
	cleanup_close int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	cleanup_close int peer = -1;
	struct statfs sfs;
	struct stat st;
	int unlock = 0;

	if (master < 0)
		return silo_error(err, errno, "terminal: open /dev/pts/ptmx (is devpts mounted?)");
	if (fstatfs(master, &sfs) < 0 || sfs.f_type != DEVPTS_SUPER_MAGIC)
		return silo_error(err, 0, "terminal: /dev/pts/ptmx is not on a devpts filesystem");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return silo_error(err, errno, "terminal: unlock pty");
	peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (peer < 0) {
		unsigned n;
		char path[64];

		if (ioctl(master, TIOCGPTN, &n) < 0)
			return silo_error(err, errno, "terminal: get pty number");
		snprintf(path, sizeof(path), "/dev/pts/%u", n);
		peer = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
		if (peer < 0)
			return silo_error(err, errno, "terminal: open %s", path);
	}
	if (fstat(peer, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) < PTY_SLAVE_MAJOR_FIRST ||
	    major(st.st_rdev) > PTY_SLAVE_MAJOR_LAST)
		return silo_error(err, 0, "terminal: the pty peer is not a pty");
	if (o->has_size) {
		struct winsize ws = { .ws_row = (unsigned short)o->height,
				      .ws_col = (unsigned short)o->width };
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return silo_error(err, errno, "terminal: set window size");
	}
	if (o->mount_console && bind_console(peer, err) < 0)
		return -1;
	if (terminal_send_fd(o->console_socket, master, "/dev/ptmx", err) < 0)
		return silo_error_ctx(err, "terminal: console socket");
	if (ioctl(peer, TIOCSCTTY, 0) < 0)
		return silo_error(err, errno, "terminal: set controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(peer, i) < 0)
			return silo_error(err, errno, "terminal: dup2");
	return 0;
}

int terminal_connect(const char *path, struct silo_error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return silo_error(err, ENAMETOOLONG, "socket path %s", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return silo_error(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		close(fd);
		return silo_error(err, e, "connect to %s", path);
	}
	return fd;
}

int terminal_send_fd(int sock, int fd, const char *name, struct silo_error *err)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return silo_error(err, errno, "send fd");
	}
	return 0;
}

int terminal_recv_fd(int sock, struct silo_error *err)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, name[256];
	struct iovec iov = { .iov_base = name, .iov_len = sizeof(name) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t r;
	int fd;

	do
		r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return silo_error(err, errno, "receive the pty master");
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return silo_error(err, EPROTO, "receive the pty master: no fd");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ------------------------------------------------------------ foreground proxy */

struct terminal_proxy {
	int master;
	bool raw;
	bool stdin_open;
	struct termios saved;
};

struct terminal_proxy *terminal_proxy_new(int master, struct silo_error *err)
{
	struct terminal_proxy *tp = xzalloc(sizeof(*tp));

	tp->master = master;
	tp->stdin_open = true;
	if (isatty(0) && tcgetattr(0, &tp->saved) == 0) {
		struct termios raw = tp->saved;
		/* Fully raw: the container's own pty already turns \n into \r\n. */
		cfmakeraw(&raw);
		if (tcsetattr(0, TCSANOW, &raw) == 0)
			tp->raw = true;
	}
	terminal_proxy_resize(tp);
	(void)err;
	return tp;
}

int terminal_proxy_master(struct terminal_proxy *tp)
{
	return tp->master;
}

bool terminal_proxy_stdin_open(struct terminal_proxy *tp)
{
	return tp->stdin_open;
}

void terminal_proxy_resize(struct terminal_proxy *tp)
{
	struct winsize ws;

	if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(tp->master, TIOCSWINSZ, &ws);
}

static ssize_t copy_once(int from, int to)
{
	char buf[8192];
	ssize_t n;

	do
		n = read(from, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n > 0 && write_all(to, buf, (size_t)n) < 0)
		return -1;
	return n;
}

int terminal_proxy_pump(struct terminal_proxy *tp, short revents_master, bool stdin_ready)
{
	if (revents_master & POLLIN) {
		if (copy_once(tp->master, 1) <= 0)
			return 1;
	} else if (revents_master & (POLLHUP | POLLERR)) {
		return 1;
	}
	if (stdin_ready && tp->stdin_open) {
		ssize_t n = copy_once(0, tp->master);
		if (n <= 0) {
			/* EOF on stdin: send the terminal's EOF character. */
			char eof = 4;
			tp->stdin_open = false;
			(void)!write(tp->master, &eof, 1);
		}
	}
	return 0;
}

void terminal_proxy_free(struct terminal_proxy *tp)
{
	if (tp == NULL)
		return;
	if (tp->raw)
		tcsetattr(0, TCSANOW, &tp->saved);
	if (tp->master >= 0)
		close(tp->master);
	free(tp);
}
