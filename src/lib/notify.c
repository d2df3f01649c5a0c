/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NOTIFY_SOCKET (sd_notify) for create/start/run; see notify.h.
 *
 * runc's design, so that READY=1 reaches the caller only once the container
 * says so, and says it with the container's pid: the container never sees
 * the caller's socket.  At create the runtime makes <state>/<id>/notify and
 * bind-mounts it read-only on /run/notify in the container, with
 * NOTIFY_SOCKET=/run/notify/notify.sock in the process environment.  The
 * runtime that releases the container (start, or run) binds that socket
 * before the payload runs, relays what the container sends to the caller's
 * NOTIFY_SOCKET and returns once READY=1 went through, prefixed with
 * MAINPID=<the container's pid> (what systemd needs with NotifyAccess=main),
 * or once the container exited.  Later messages (WATCHDOG=1, STOPPING=1) find
 * no listener.  Only path sockets are relayed: an abstract one ("@...") is
 * left alone, with a warning.  Costs nothing when NOTIFY_SOCKET is unset.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "log.h"
#include "notify.h"
#include "syscalls.h"
#include "util.h"

#define NOTIFY_DIR "notify"
#define NOTIFY_SOCK "notify.sock"
#define NOTIFY_IN_CONTAINER "/run/notify"

/* The caller's socket path, or NULL when there is nothing to relay. */
static const char *host_socket(void)
{
	const char *p = getenv("NOTIFY_SOCKET");
	static bool warned;

	if (p == NULL || p[0] == '\0')
		return NULL;
	if (p[0] != '/') {
		if (!warned)
			silo_warn("NOTIFY_SOCKET \"%s\": only socket paths are relayed", p);
		warned = true;
		return NULL;
	}
	return p;
}

int notify_prepare_spec(struct spec *spec, const char *state_dir, struct silo_error *err)
{
	static char *const opts[] = { "bind", "nosuid", "noexec", "nodev", "ro", NULL };
	cleanup_free char *src = NULL;

	if (host_socket() == NULL)
		return 0;
	src = xasprintf("%s/%s", state_dir, NOTIFY_DIR);
	if (spec_add_mount(spec, "bind", src, NOTIFY_IN_CONTAINER, opts, err) < 0)
		return silo_error_ctx(err, "NOTIFY_SOCKET");
	spec_setenv(&spec->process, "NOTIFY_SOCKET", NOTIFY_IN_CONTAINER "/" NOTIFY_SOCK);
	return 0;
}

int notify_make_dir(int dir_fd, struct silo_error *err)
{
	if (host_socket() == NULL)
		return 0;
	if (mkdirat(dir_fd, NOTIFY_DIR, 0755) < 0 && errno != EEXIST)
		return silo_error(err, errno, "NOTIFY_SOCKET: mkdir %s", NOTIFY_DIR);
	return 0;
}

void notify_unlink(int dir_fd)
{
	unlinkat(dir_fd, NOTIFY_DIR "/" NOTIFY_SOCK, 0);
}

int notify_bind(int dir_fd, const char *state_dir, struct silo_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char rel[] = NOTIFY_DIR "/" NOTIFY_SOCK;
	int fd;

	if (host_socket() == NULL || faccessat(dir_fd, NOTIFY_DIR, F_OK, 0) < 0)
		return -2;
	if ((size_t)snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", state_dir, rel) >= sizeof(a.sun_path))
		return silo_error(err, ENAMETOOLONG, "NOTIFY_SOCKET: %s/%s", state_dir, rel);
	unlinkat(dir_fd, rel, 0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return silo_error(err, errno, "NOTIFY_SOCKET: socket");
	/* Any user of the container may notify, as with systemd's own socket. */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || fchmodat(dir_fd, rel, 0777, 0) < 0) {
		int e = errno;
		close(fd);
		return silo_error(err, e, "NOTIFY_SOCKET: bind %s", a.sun_path);
	}
	return fd;
}

static int forward(const char *host, const char *msg, size_t len, struct silo_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	cleanup_close int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (strlen(host) >= sizeof(a.sun_path))
		return silo_error(err, ENAMETOOLONG, "NOTIFY_SOCKET %s", host);
	strcpy(a.sun_path, host);
	if (fd < 0 || sendto(fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *)&a, sizeof(a)) < 0)
		return silo_error(err, errno, "NOTIFY_SOCKET: send to %s", host);
	return 0;
}

static bool has_ready(const char *buf)
{
	for (const char *l = buf; l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (strncmp(l, "READY=1", 7) == 0 && (l[7] == '\n' || l[7] == '\0'))
			return true;
	return false;
}

int notify_relay(int sock, pid_t pid, struct silo_error *err)
{
	const char *host = host_socket();
	cleanup_close int pidfd = sys_pidfd_open(pid, 0);

	if (host == NULL)
		return 0;
	for (;;) {
		struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
				       { .fd = pidfd, .events = POLLIN } };
		char buf[4096 + 32];
		ssize_t n;

		if (poll(p, 2, pidfd >= 0 ? -1 : 100) < 0) {
			if (errno == EINTR)
				continue;
			return silo_error(err, errno, "NOTIFY_SOCKET: poll");
		}
		if (p[1].revents & POLLIN)
			return 0;   /* the container exited before READY=1 */
		if (!(p[0].revents & POLLIN))
			continue;
		n = recv(sock, buf, 4096, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		if (!has_ready(buf)) {
			struct silo_error e;
			/* STATUS= and the like: best effort, READY=1 is what counts. */
			if (forward(host, buf, (size_t)n, &e) < 0)
				silo_debug("%s", e.msg);
			continue;
		}
		{
			cleanup_free char *msg = xasprintf("MAINPID=%d\n%s", (int)pid, buf);
			return forward(host, msg, strlen(msg), err);
		}
	}
}
