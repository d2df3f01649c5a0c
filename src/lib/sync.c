/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent <-> init protocol; see sync.h. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sync.h"
#include "util.h"

struct sync_hdr {
	uint32_t type;
	int32_t errnum;
	uint32_t len;
};

int sync_socketpair(int fds[2], struct silo_error *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return silo_error(err, errno, "socketpair");
	return 0;
}

int sync_send(int fd, enum sync_type type, int errnum, const void *data, size_t len,
	      struct silo_error *err)
{
	struct sync_hdr h = { .type = type, .errnum = errnum };
	struct iovec iov[2];
	ssize_t r;

	if (len > SYNC_MAX_DATA)
		len = SYNC_MAX_DATA;
	h.len = (uint32_t)len;
	iov[0] = (struct iovec){ .iov_base = &h, .iov_len = sizeof(h) };
	iov[1] = (struct iovec){ .iov_base = (void *)data, .iov_len = len };
	do
		r = writev(fd, iov, len ? 2 : 1);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return silo_error(err, errno, "sync: send");
	return 0;
}

int sync_send_fd(int fd, enum sync_type type, int pass_fd, struct silo_error *err)
{
	struct sync_hdr h = { .type = type };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = &h, .iov_len = sizeof(h) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	ssize_t r;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return silo_error(err, errno, "sync: send");
	return 0;
}

void sync_send_error(int fd, const struct silo_error *e)
{
	sync_send(fd, SYNC_ERROR, e->errnum, e->msg, strlen(e->msg), NULL);
}

int sync_recv(int fd, struct sync_msg *m, struct silo_error *err)
{
	struct sync_hdr h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = m->data, .iov_len = SYNC_MAX_DATA },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t r;

	m->fd = -1;
	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == ECONNRESET)
			return 0;
		return silo_error(err, errno, "sync: receive");
	}
	if (r == 0)
		return 0;
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&m->fd, CMSG_DATA(cm), sizeof(int));
	if (m->fd >= 0 && h.type != SYNC_SECCOMP_FD) {
		close(m->fd);   /* only SYNC_SECCOMP_FD carries one */
		m->fd = -1;
	}
	if ((size_t)r < sizeof(h) || h.len > SYNC_MAX_DATA || (size_t)r != sizeof(h) + h.len)
		return silo_error(err, EPROTO, "sync: malformed message");
	m->type = h.type;
	m->errnum = h.errnum;
	m->len = h.len;
	m->data[h.len] = '\0';
	return 1;
}

int sync_expect(int fd, enum sync_type type, struct sync_msg *m, const char *what,
		struct silo_error *err)
{
	int r = sync_recv(fd, m, err);

	if (r < 0)
		return -1;
	if (r == 0)
		return silo_error(err, 0, "container init exited before %s", what);
	if (m->type == SYNC_ERROR)
		return silo_error_set_raw(err, m->errnum, m->data, m->len);
	if (m->type != (uint32_t)type)
		return silo_error(err, EPROTO, "sync: unexpected message %u waiting for %s",
				  m->type, what);
	return 0;
}
