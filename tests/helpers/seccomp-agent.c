/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-seccomp-agent: a tiny linux.seccomp.listenerPath agent for the
 * SCMP_ACT_NOTIFY tests (tests/integration/45-seccomp.bats).
 *
 *   seccomp-agent SOCKET OUTDIR [exit-on-fd|exit-on-notify]
 *
 * Listens on the unix socket SOCKET and serves one connection after another:
 * each brings the runtime's ContainerProcessState (JSON) with the notify fd as
 * SCM_RIGHTS.  The JSON of connection N goes to OUTDIR/state.N, written when
 * complete (a rename); a message without exactly one fd is logged as
 * "bad-fds" in OUTDIR/log.  Notifications are answered: mkdir and mkdirat
 * fail with ETXTBSY (an errno no filesystem gives for them), every other
 * notified syscall continues (SECCOMP_USER_NOTIF_FLAG_CONTINUE); each is
 * logged as "<syscall nr> <pid>" in OUTDIR/log.  Runs until killed.
 * The listener-gone tests (plan 19) pass a MODE: exit-on-fd exits as soon
 * as the first fd and state are recorded; exit-on-notify exits when the
 * first notification arrives, logged as "unanswered <nr> <pid>", without
 * answering it, so the notified syscall is in flight when the fd closes.
 * The JSON fields are checked by the test (jq), not here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 64

static const char *outdir;

static void logline(const char *what, long a, long b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/log", outdir);
	if ((f = fopen(path, "a")) != NULL) {
		if (what != NULL)
			fprintf(f, "%s ", what);
		fprintf(f, "%ld %ld\n", a, b);
		fclose(f);
	}
}

/* One connection: the state JSON and the fd.  Returns the fd or -1. */
static int take_state(int conn, int n)
{
	static char buf[1 << 20];
	union {
		char b[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	char tmp[4096], path[4096];
	struct cmsghdr *cm;
	int fd = -1, nfds = 0;
	ssize_t r;
	FILE *f;

	r = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	if (r <= 0)
		return -1;
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			nfds += (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
		}
	/* The rest of the JSON, if the stream split it (until EOF). */
	while ((size_t)r < sizeof(buf) - 1) {
		ssize_t k = read(conn, buf + r, sizeof(buf) - 1 - (size_t)r);
		if (k <= 0)
			break;
		r += k;
	}
	buf[r] = '\0';
	if (nfds != 1) {
		logline("bad-fds", nfds, n);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/.state.%d", outdir, n);
	snprintf(path, sizeof(path), "%s/state.%d", outdir, n);
	if ((f = fopen(tmp, "w")) != NULL) {
		fputs(buf, f);
		fclose(f);
		rename(tmp, path);
	}
	return fd;
}

static int exit_on_notify;

static void answer(int fd)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;

	memset(&req, 0, sizeof(req));
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;
	if (exit_on_notify) {
		logline("unanswered", req.data.nr, req.pid);
		exit(0);
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	if (req.data.nr == SYS_mkdir || req.data.nr == SYS_mkdirat) {
		resp.error = -ETXTBSY;
	} else {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	}
	logline(NULL, req.data.nr, req.pid);
	(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pf[MAX_FDS + 1];
	int lsock, nfds = 0, conns = 0, exit_on_fd = 0;

	if (argc == 4 && strcmp(argv[3], "exit-on-fd") == 0)
		exit_on_fd = 1;
	else if (argc == 4 && strcmp(argv[3], "exit-on-notify") == 0)
		exit_on_notify = 1;
	else if (argc != 3)
		argc = 0;
	if (argc == 0 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: seccomp-agent SOCKET OUTDIR [exit-on-fd|exit-on-notify]\n");
		return 2;
	}
	outdir = argv[2];
	strcpy(sa.sun_path, argv[1]);
	unlink(argv[1]);
	lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lsock < 0 || bind(lsock, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lsock, 16) < 0) {
		perror("seccomp-agent: listen");
		return 1;
	}
	pf[0] = (struct pollfd){ .fd = lsock, .events = POLLIN };
	for (;;) {
		if (poll(pf, (nfds_t)nfds + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("seccomp-agent: poll");
			return 1;
		}
		if (pf[0].revents & POLLIN) {
			int conn = accept4(lsock, NULL, NULL, SOCK_CLOEXEC);
			if (conn >= 0) {
				int fd = take_state(conn, ++conns);
				close(conn);
				if (fd >= 0 && exit_on_fd) {
					logline("exit-on-fd", fd, conns);
					return 0;
				}
				if (fd >= 0 && nfds < MAX_FDS)
					pf[++nfds] = (struct pollfd){ .fd = fd, .events = POLLIN };
				else if (fd >= 0)
					close(fd);
			}
		}
		for (int i = 1; i <= nfds; i++) {
			if (pf[i].revents & POLLIN) {
				answer(pf[i].fd);
			} else if (pf[i].revents & (POLLHUP | POLLERR)) {
				/* Every process of that filter is gone. */
				close(pf[i].fd);
				pf[i--] = pf[nfds--];
			}
		}
	}
}
