/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI hooks; see hooks.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "hooks.h"
#include "syscalls.h"
#include "util.h"

#define HOOK_OUTPUT_MAX 1024

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static NORETURN void hook_child(const struct spec_hook *h, int in, int out)
{
	char *const empty[] = { NULL };
	char *argv0[] = { h->path, NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	sys_close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	execve(h->path, h->args ? h->args : argv0, h->env ? h->env : empty);
	dprintf(2, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

/* Wait for pid, collecting output, until timeout_ms (<0: none).  Returns the
 * wait status, or -1 with errno ETIMEDOUT after killing it. */
static int hook_wait(pid_t pid, int out, int timeout_ms, char *buf, size_t *blen)
{
	int pidfd = sys_pidfd_open(pid, 0);
	int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	bool out_open = true;
	int status;

	for (;;) {
		struct pollfd pfd[2] = { { .fd = out_open ? out : -1, .events = POLLIN },
					 { .fd = pidfd, .events = POLLIN } };
		int wait_ms = pidfd >= 0 ? -1 : 10;
		int64_t left;

		if (deadline >= 0) {
			left = deadline - now_ms();
			if (left <= 0)
				break;
			if (wait_ms < 0 || left < wait_ms)
				wait_ms = (int)left;
		}
		if (poll(pfd, 2, wait_ms) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			char tmp[512];
			ssize_t n = read(out, tmp, sizeof(tmp));
			if (n <= 0) {
				out_open = false;
			} else if (*blen < HOOK_OUTPUT_MAX) {
				size_t k = (size_t)n < HOOK_OUTPUT_MAX - *blen ? (size_t)n : HOOK_OUTPUT_MAX - *blen;
				memcpy(buf + *blen, tmp, k);
				*blen += k;
			}
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (pidfd >= 0)
				close(pidfd);
			return status;
		}
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	if (pidfd >= 0)
		close(pidfd);
	errno = ETIMEDOUT;
	return -1;
}

static int run_one(const struct spec_hook *h, const char *what, size_t idx, const char *state,
		   struct silo_error *err)
{
	cleanup_close int in_p = -1, in_c = -1, out_p = -1, out_c = -1;
	int sv[2], pp[2], status;
	char buf[HOOK_OUTPUT_MAX + 1];
	size_t blen = 0;
	pid_t pid;

	/* stdin is a socket so that a hook that never reads it cannot SIGPIPE us. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 || pipe2(pp, O_CLOEXEC) < 0)
		return silo_error(err, errno, "%s hook #%zu (%s): pipe", what, idx, h->path);
	in_p = sv[0], in_c = sv[1], out_p = pp[0], out_c = pp[1];
	pid = fork();
	if (pid < 0)
		return silo_error(err, errno, "%s hook #%zu (%s): fork", what, idx, h->path);
	if (pid == 0)
		hook_child(h, in_c, out_c);
	close(take_fd(&in_c));
	close(take_fd(&out_c));
	if (state)
		(void)!send(in_p, state, strlen(state), MSG_NOSIGNAL);
	shutdown(in_p, SHUT_WR);
	status = hook_wait(pid, out_p, h->timeout > 0 ? h->timeout * 1000 : -1, buf, &blen);
	while (blen && (buf[blen - 1] == '\n' || buf[blen - 1] == ' '))
		blen--;
	buf[blen] = '\0';
	if (status < 0)
		return silo_error(err, 0, "%s hook #%zu (%s): timed out after %d s", what, idx,
				  h->path, h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFSIGNALED(status))
		silo_error(err, 0, "%s hook #%zu (%s): killed by signal %d", what, idx, h->path,
			   WTERMSIG(status));
	else
		silo_error(err, 0, "%s hook #%zu (%s): exit status %d", what, idx, h->path,
			   WEXITSTATUS(status));
	if (blen) {
		size_t l = strlen(err->msg);
		snprintf(err->msg + l, sizeof(err->msg) - l, ", output: %s", buf);
	}
	return -1;
}

int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      struct silo_error *err)
{
	for (size_t i = 0; i < hooks->n_hooks[kind]; i++)
		if (run_one(&hooks->hooks[kind][i], spec_hook_names[kind], i, state_json, err) < 0)
			return -1;
	return 0;
}
