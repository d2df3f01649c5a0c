/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent <-> init protocol; see sync.h.  The decoding of what arrives
 * (framing, the pid, the cgroup paths, the error payload) is in pure
 * functions, fuzzed by fuzz/fuzz_sync.c. */
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

int sync_send_fds(int fd, enum sync_type type, const void *data, size_t len, const int *fds,
		  size_t n, struct silo_error *err)
{
	struct sync_hdr h = { .type = type };
	union {
		char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov[2];
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	struct cmsghdr *cm;
	ssize_t r;

	if (n > SYNC_MAX_FDS || len > SYNC_MAX_DATA)
		return silo_error(err, E2BIG, "sync: send");
	h.len = (uint32_t)len;
	iov[0] = (struct iovec){ .iov_base = &h, .iov_len = sizeof(h) };
	iov[1] = (struct iovec){ .iov_base = (void *)data, .iov_len = len };
	if (n > 0) {
		mh.msg_control = u.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	}
	do
		r = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return silo_error(err, errno, "sync: send");
	return 0;
}

int sync_send_fd(int fd, enum sync_type type, int pass_fd, struct silo_error *err)
{
	return sync_send_fds(fd, type, NULL, 0, &pass_fd, 1, err);
}

void sync_close_fds(struct sync_msg *m)
{
	for (size_t i = 0; i < m->n_fds; i++)
		close(m->fds[i]);
	m->n_fds = 0;
}

void sync_send_error(int fd, const struct silo_error *e)
{
	sync_send(fd, SYNC_ERROR, e->errnum, e->msg, strlen(e->msg), NULL);
}

/* The header of a message whose data is already in m->data; `got` is the
 * size of the packet. */
static int take_header(const struct sync_hdr *h, size_t got, struct sync_msg *m,
		       struct silo_error *err)
{
	if (got < sizeof(*h) || h->len > SYNC_MAX_DATA || got != sizeof(*h) + h->len)
		return silo_error(err, EPROTO, "sync: malformed message");
	m->type = h->type;
	m->errnum = h->errnum;
	m->len = h->len;
	m->data[h->len] = '\0';
	return 0;
}

int sync_decode(const void *buf, size_t n, struct sync_msg *m, struct silo_error *err)
{
	struct sync_hdr h;

	m->fd = -1;
	m->n_fds = 0;
	if (n < sizeof(h) || n - sizeof(h) > SYNC_MAX_DATA)
		return silo_error(err, EPROTO, "sync: malformed message");
	memcpy(&h, buf, sizeof(h));
	memcpy(m->data, (const char *)buf + sizeof(h), n - sizeof(h));
	return take_header(&h, n, m, err);
}

int sync_recv(int fd, struct sync_msg *m, struct silo_error *err)
{
	struct sync_hdr h;
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = m->data, .iov_len = SYNC_MAX_DATA },
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * SYNC_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *cm;
	ssize_t r;

	m->fd = -1;
	m->n_fds = 0;
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
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0))
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int pfd;

			memcpy(&pfd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (m->n_fds < SYNC_MAX_FDS)
				m->fds[m->n_fds++] = pfd;
			else
				close(pfd);
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		sync_close_fds(m);
		return silo_error(err, EPROTO, "sync: malformed message");
	}
	if (take_header(&h, (size_t)r, m, err) < 0) {
		sync_close_fds(m);
		return -1;
	}
	/* Only SYNC_SECCOMP_FD (one) and SYNC_CGROUP_JOIN (any) carry fds. */
	if (h.type == SYNC_SECCOMP_FD && m->n_fds == 1) {
		m->fd = m->fds[0];
		m->n_fds = 0;
	} else if (h.type != SYNC_CGROUP_JOIN) {
		sync_close_fds(m);
	}
	return 1;
}

int sync_msg_pid(const struct sync_msg *m, pid_t *pid, struct silo_error *err)
{
	int32_t v;

	if (m->len != sizeof(v))
		return silo_error(err, EPROTO, "sync: the init's pid is %u bytes, not %zu", m->len,
				  sizeof(v));
	memcpy(&v, m->data, sizeof(v));
	if (v <= 0)
		return silo_error(err, EPROTO, "sync: bad pid %d for the init", (int)v);
	*pid = v;
	return 0;
}

int sync_msg_error(const struct sync_msg *m, struct silo_error *err)
{
	size_t len = strnlen(m->data, m->len);
	int errnum = m->errnum >= 0 && m->errnum < 4096 ? m->errnum : 0;

	if (len == 0)
		return silo_error_errnum(err, errnum, "container init failed without a message");
	return silo_error_set_raw(err, errnum, m->data, len);
}

/* A controller name becomes a directory name in the container's cgroup
 * tree: a name may be empty (cgroup2), never a path. */
static bool ctrl_ok(const char *c)
{
	return strchr(c, '/') == NULL && strcmp(c, ".") != 0 && strcmp(c, "..") != 0;
}

int sync_decode_cgroup_paths(const char *data, size_t len, struct sync_cgroup_paths *out,
			     struct silo_error *err)
{
	struct sync_cgroup_paths p = { 0 };
	size_t cap = 0;
	char *cur, *end;

	memset(out, 0, sizeof(*out));
	if (len > 0 && data[len - 1] != '\0')
		return silo_error(err, EPROTO, "sync: cgroup paths: the last string is not terminated");
	p.buf = xmalloc(len + 1);
	memcpy(p.buf, data, len);
	p.buf[len] = '\0';
	for (cur = p.buf, end = p.buf + len; cur < end;) {
		char *dir = cur + strlen(cur) + 1;

		if (dir >= end) {
			sync_cgroup_paths_free(&p);
			return silo_error(err, EPROTO, "sync: cgroup paths: a controller without a directory");
		}
		if (!ctrl_ok(cur) || dir[0] != '/') {
			sync_cgroup_paths_free(&p);
			return silo_error(err, EPROTO, "sync: cgroup paths: bad entry %zu", p.n + 1);
		}
		if (p.n == cap) {
			cap = cap ? cap * 2 : 16;
			p.controllers = xreallocarray(p.controllers, cap, sizeof(*p.controllers));
			p.dirs = xreallocarray(p.dirs, cap, sizeof(*p.dirs));
		}
		p.controllers[p.n] = cur;
		p.dirs[p.n] = dir;
		p.n++;
		cur = dir + strlen(dir) + 1;
	}
	*out = p;
	return 0;
}

void sync_cgroup_paths_free(struct sync_cgroup_paths *p)
{
	free(p->buf);
	free(p->controllers);
	free(p->dirs);
	memset(p, 0, sizeof(*p));
}

int sync_msg_cgroup_join(const struct sync_msg *m, const char *dirs[SYNC_MAX_FDS],
			 struct silo_error *err)
{
	const char *p = m->data, *end = m->data + m->len;
	size_t n = 0;

	if (m->n_fds > SYNC_MAX_FDS || (m->len > 0 && m->data[m->len - 1] != '\0'))
		return silo_error(err, EPROTO, "sync: cgroup join message");
	for (; p < end; p += strlen(p) + 1) {
		if (n == m->n_fds || p[0] != '/')
			return silo_error(err, EPROTO, "sync: cgroup join message");
		dirs[n++] = p;
	}
	if (n != m->n_fds)
		return silo_error(err, EPROTO, "sync: cgroup join message");
	return 0;
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
		return sync_msg_error(m, err);
	if (m->type != (uint32_t)type)
		return silo_error(err, EPROTO, "sync: unexpected message %u waiting for %s",
				  m->type, what);
	return 0;
}
