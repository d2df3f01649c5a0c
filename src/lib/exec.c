/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exec: a new process in an existing container (parent side and child).
 *
 * The process is runc's: a process.json (--process), or the container's
 * config.json process with the command and the flag overrides.  A
 * process.json that leaves out capabilities, rlimits, apparmorProfile,
 * selinuxLabel or oomScoreAdj gets the config's, as runc does.  seccomp and
 * personality always come from the config.
 *
 * One fork, no intermediate process: the parent joins the container's pid
 * and time namespaces for its children only (setns on the init's pidfd:
 * pid_for_children / time_for_children), then clones the child straight into
 * them, and into the container's cgroup on v2 (CLONE_INTO_CGROUP); on v1 the
 * parent attaches it before releasing it.  The child, non-dumpable, joins the
 * remaining namespaces with one setns(pidfd, flags) (user namespace first,
 * which the kernel orders itself), then gets exactly the init's treatment
 * (init.c: payload_prepare / payload_exec).  Its sync socket end is
 * close-on-exec: EOF means the payload runs, a SYNC_ERROR carries the reason
 * it could not.  The process is the caller's child: a foreground exec reaps
 * it, a detached one leaves it to the caller (conmon and the containerd shim
 * are subreapers), so no helper process is ever left as a zombie.
 *
 * Nothing is mounted: an exec leaves no mount event on the host.
 *
 * Rootless (a non-root runtime, a container with a user namespace): the
 * runtime may not join the pid or time namespace for its children, so its
 * child joins every namespace itself and forks the process with
 * CLONE_PARENT (still the runtime's child, its pid sent back as
 * SYNC_INIT_PID), then exits: one extra fork, only there.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container.h"
#include "container_internal.h"
#include "init.h"
#include "log.h"
#include "namespaces.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "state.h"
#include "sync.h"
#include "syscalls.h"
#include "terminal.h"

struct exec_ctx {
	struct silo_state st;
	bool have_state;
	int root_fd, dir_fd;
	struct spec *spec;
	struct seccomp_prog *seccomp;
	struct cgroup *cg;
	char **env;
	int preserve_fds;
	int pidfd;                 /* of the container's init */
	unsigned long ns_flags;    /* CLONE_NEW* of the container's namespaces */
	int sync[2];
	int console[2];            /* foreground pty without --console-socket */
	int console_fd;            /* the child's console socket, or -1 */
	/* Paused container (--ignore-paused): a frozen cgroup would freeze the
	 * child during its setup, so it joins the cgroup last, just before
	 * execve, and the payload starts (frozen) there. */
	bool late_cgroup;
	/* Rootless with a user namespace: the runtime, without CAP_SYS_ADMIN
	 * in its own user namespace, cannot join the container's pid or time
	 * namespace for its children.  Its child joins every namespace
	 * (user first) and forks the process with CLONE_PARENT, so that it
	 * is still the runtime's child (SYNC_INIT_PID), then exits. */
	bool two_stage;
	/* v1: the `tasks` files the child joins through by itself (see
	 * cgroup_self_join_fds()), open across the fork; dirs borrowed from cg. */
	int join_fds[SYNC_MAX_FDS];
	const char *join_dirs[SYNC_MAX_FDS];
	size_t n_join;
	pid_t pid;
};

static void exec_ctx_free(struct exec_ctx *e)
{
	if (e->have_state)
		silo_state_free(&e->st);
	if (e->dir_fd >= 0)
		close(e->dir_fd);
	if (e->root_fd >= 0)
		close(e->root_fd);
	spec_free(e->spec);
	seccomp_prog_free(e->seccomp);
	cgroup_free(e->cg);
	strv_free(e->env);
	for (int i = 0; i < 2; i++) {
		if (e->sync[i] >= 0)
			close(e->sync[i]);
		if (e->console[i] >= 0)
			close(e->console[i]);
	}
	if (e->console_fd >= 0)
		close(e->console_fd);
	if (e->pidfd >= 0)
		close(e->pidfd);
}

/* ------------------------------------------------------------------ the process */

static int add_caps(struct spec_caps *c, char **names, struct silo_error *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		cleanup_free char *full = str_has_prefix(names[i], "CAP_") ? xstrdup(names[i])
									   : xasprintf("CAP_%s", names[i]);
		int cap = spec_cap_from_name(full);
		uint64_t bit;

		if (cap < 0)
			return silo_error(err, 0, "--cap: unknown capability \"%s\"", names[i]);
		bit = UINT64_C(1) << cap;
		c->set = true;
		c->bounding |= bit;
		c->effective |= bit;
		c->permitted |= bit;
		/* Ambient needs inheritable, which --cap never adds (CVE-2022-29162):
		 * only where the config already has inheritable capabilities. */
		if (c->inheritable)
			c->ambient |= bit;
	}
	return 0;
}

/* The config's process with the command and the flags (runc's semantics). */
static int process_from_flags(const struct silo_exec_opts *o, struct spec_process *p,
			      struct silo_error *err)
{
	size_t n_env = strv_len(o->env);

	if (o->args == NULL || o->args[0] == NULL)
		return silo_error(err, 0, "exec: no command given");
	strv_free(p->args);
	p->args = strv_dup(o->args);
	p->n_args = strv_len(p->args);
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return silo_error(err, 0, "--cwd \"%s\": must be an absolute path", o->cwd);
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (n_env) {
		p->env = xreallocarray(p->env, p->n_env + n_env + 1, sizeof(char *));
		for (size_t i = 0; i < n_env; i++) {
			if (strchr(o->env[i], '=') == NULL || o->env[i][0] == '=')
				return silo_error(err, 0, "--env \"%s\": not of the form KEY=VALUE", o->env[i]);
			p->env[p->n_env++] = xstrdup(o->env[i]);
		}
		p->env[p->n_env] = NULL;
	}
	/* A pty only when asked for: the config's terminal is the init's. */
	p->terminal = o->tty;
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->has_user) {
		p->user.uid = o->uid;
		if (o->has_gid)
			p->user.gid = o->gid;
	}
	if (o->n_additional_gids) {
		free(p->user.additional_gids);
		p->user.additional_gids = xmalloc(o->n_additional_gids * sizeof(gid_t));
		memcpy(p->user.additional_gids, o->additional_gids, o->n_additional_gids * sizeof(gid_t));
		p->user.n_additional_gids = o->n_additional_gids;
	}
	if (add_caps(&p->caps, o->caps, err) < 0)
		return -1;
	if (o->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = xstrdup(o->apparmor);
	}
	if (o->process_label) {
		free(p->selinux_label);
		p->selinux_label = xstrdup(o->process_label);
	}
	return 0;
}

#define TAKE(dst, src) do { if (!(dst)) (dst) = steal_pointer(&(src)); } while (0)

/* process.json, with the config's values where it leaves them out. */
static int process_from_file(const struct silo_exec_opts *o, struct spec_process *cfg,
			     struct silo_error *err)
{
	cleanup_free char *buf = NULL;
	struct spec_process p;
	size_t len = 0;

	if (read_file_at(AT_FDCWD, o->process_path, &buf, &len, err) < 0)
		return silo_error_ctx(err, "--process");
	if (spec_parse_process(buf, len, o->process_path, &p, err) < 0)
		return -1;
	if (!p.caps.set)
		p.caps = cfg->caps;
	TAKE(p.apparmor_profile, cfg->apparmor_profile);
	TAKE(p.selinux_label, cfg->selinux_label);
	if (p.n_rlimits == 0) {
		free(p.rlimits);
		p.rlimits = steal_pointer(&cfg->rlimits);
		p.n_rlimits = cfg->n_rlimits;
		cfg->n_rlimits = 0;
	}
	if (!p.oom_score_adj.set)
		p.oom_score_adj = cfg->oom_score_adj;
	p.terminal = p.terminal || o->tty;
	spec_process_clear(cfg);
	*cfg = p;
	return 0;
}

/* ------------------------------------------------------------------ the child */

/* Join the namespaces of `flags` through /proc/PID/ns (kernels without
 * setns on a pidfd, before 5.8). */
static int join_by_proc(pid_t pid, unsigned long flags, struct silo_error *err)
{
	struct ns_plan plan = { .slow_path = false };
	int r;

	for (int t = 0; t < NS_COUNT; t++)
		plan.join_fd[t] = -1;
	for (int t = 0; t < NS_COUNT; t++) {
		char path[64];

		if (!(flags & (unsigned long)spec_ns_clone_flags[t]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, spec_ns_proc_names[t]);
		plan.join_fd[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (plan.join_fd[t] < 0) {
			r = silo_error(err, errno, "open %s", path);
			ns_plan_close(&plan);
			return r;
		}
	}
	r = ns_join(&plan, ~0u, err);
	ns_plan_close(&plan);
	return r;
}

static void close_join_fds(struct exec_ctx *e)
{
	for (size_t i = 0; i < e->n_join; i++)
		close(e->join_fds[i]);
	e->n_join = 0;
}

/* Join the namespaces of `flags` of the init: one setns on its pidfd. */
static int join_init(const struct exec_ctx *e, unsigned long flags, struct silo_error *err)
{
	if (flags == 0)
		return 0;
	if (e->pidfd < 0)
		return join_by_proc(e->st.pid, flags, err);
	if (setns(e->pidfd, (int)flags) == 0)
		return 0;
	if (errno != EINVAL)
		return silo_error(err, errno, "join the container's namespaces");
	return join_by_proc(e->st.pid, flags, err);
}

NORETURN static void exec_child(struct exec_ctx *e, const struct silo_exec_opts *o)
{
	struct spec_process *p = &e->spec->process;
	struct payload pl = { .spec = e->spec, .proc = p, .console_fd = e->console_fd,
			      .preserve_fds = e->preserve_fds, .seccomp = e->seccomp,
			      .sync_fd = e->sync[1] };
	struct sync_msg *m = xmalloc(sizeof(*m));
	cleanup_free char *exe = NULL;
	struct silo_error err;
	int fd = e->sync[1];

	silo_error_clear(&err);
	payload_child_begin();
	e->console_fd = -1;
	/* The parent attached us to the cgroups we do not join ourselves
	 * before this arrives. */
	if (sync_expect(fd, SYNC_PARENT_DONE, m, "the parent's setup", &err) < 0)
		_exit(1);
	if (cgroup_self_join(e->join_fds, e->join_dirs, e->n_join, &err) < 0) {
		silo_error_ctx(&err, "join the container's cgroup");
		goto fail;
	}
	close_join_fds(e);
	if (e->two_stage) {
		int32_t pid32;
		pid_t pid;

		if (join_init(e, e->ns_flags, &err) < 0)
			goto fail;
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid < 0) {
			silo_error(&err, errno, "fork the exec process");
			goto fail;
		}
		if (pid > 0) {
			pid32 = pid;
			_exit(sync_send(fd, SYNC_INIT_PID, 0, &pid32, sizeof(pid32), &err) < 0);
		}
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	} else if (join_init(e, e->ns_flags & ~(unsigned long)(CLONE_NEWPID | CLONE_NEWTIME),
			     &err) < 0) {
		goto fail;
	}
	if (setsid() < 0) {
		silo_error(&err, errno, "setsid");
		goto fail;
	}
	if (payload_join_keyring(o->id, &err) < 0 || payload_prepare(&pl, &exe, &err) < 0)
		goto fail;
	/* From here the process outlives a detached runtime.  In the late
	 * cgroup case it is frozen on attach and thawed after we are gone: a
	 * runtime that dies before SYNC_START shows up as EOF instead. */
	prctl(PR_SET_PDEATHSIG, 0);
	if (e->late_cgroup && (sync_send(fd, SYNC_READY, 0, NULL, 0, &err) < 0 ||
			       sync_expect(fd, SYNC_START, m, "start", &err) < 0))
		goto fail;
	payload_exec(&pl, exe, e->env, &err);
fail:
	sync_send_error(fd, &err);
	_exit(1);
}

/* ------------------------------------------------------------------ the parent */

static int check_request(const struct silo_exec_opts *o, const struct spec_process *p,
			 struct silo_error *err)
{
	if (p->terminal && !o->console_socket && o->detach)
		return silo_error(err, 0, "cannot allocate a tty for a detached exec without --console-socket");
	if (!p->terminal && o->console_socket)
		return silo_error(err, 0, "--console-socket given but the process has no terminal "
				  "(process.terminal or --tty)");
	if (o->preserve_fds < 0)
		return silo_error(err, 0, "--preserve-fds: must not be negative");
	return container_check_lsm(p, err);
}

/* Everything before the fork: state, config, process, seccomp, cgroup. */
static int exec_prepare(const struct silo_ctx *ctx, const struct silo_exec_opts *o,
			struct exec_ctx *e, struct silo_error *err)
{
	const struct spec_linux *lx;
	cleanup_free char *seccomp_cache = NULL;

	/* Locked like create and delete until the process executes: never
	 * into a container still being built or being torn down. */
	if (container_load(ctx, o->id, true, &e->root_fd, &e->dir_fd, &e->st, err) < 0)
		return -1;
	e->have_state = true;
	switch (container_status(e->dir_fd, &e->st)) {
	case STATUS_STOPPED:
		return silo_error(err, 0, "cannot exec in a stopped container");
	case STATUS_PAUSED:
		if (!o->ignore_paused)
			return silo_error(err, 0, "cannot exec in a paused container (use --ignore-paused to override)");
		e->late_cgroup = true;
		break;
	case STATUS_CREATING:
		return silo_error(err, 0, "cannot exec in a container that is being created");
	default:
		break;
	}
	seccomp_cache = seccomp_cache_dir(ctx->root);
	if (spec_load_cached(e->st.bundle, e->st.config, seccomp_cache, &e->spec, err) < 0)
		return silo_error_ctx(err, "container \"%s\"", o->id);
	if (o->process_path ? process_from_file(o, &e->spec->process, err) < 0
			    : process_from_flags(o, &e->spec->process, err) < 0)
		return -1;
	if (check_request(o, &e->spec->process, err) < 0)
		return -1;
	/* As runc: LISTEN_FDS is for the container's own process, not exec. */
	e->preserve_fds = o->preserve_fds;
	e->env = strv_dup(e->spec->process.env);
	for (int fd = 3; fd < 3 + e->preserve_fds; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return silo_error(err, 0, "--preserve-fds: fd %d is not open", fd);
	lx = &e->spec->linux;
	for (int t = 0; t < NS_COUNT; t++)
		if (lx->ns[t].present)
			e->ns_flags |= (unsigned long)spec_ns_clone_flags[t];
	if (lx->seccomp) {
		if (seccomp_prepare(lx->seccomp, seccomp_cache, &e->seccomp, err) < 0)
			return -1;
	}
	if (e->st.cgroup_json && cgroup_from_json(e->st.cgroup_json, &e->cg, err) < 0)
		return -1;
	/* The pidfd pins the init; then check it is still the container's. */
	e->pidfd = sys_pidfd_open(e->st.pid, 0);
	if (e->pidfd < 0 && errno != ENOSYS)
		return silo_error(err, 0, "cannot exec in a stopped container");
	if (!state_init_alive(&e->st))
		return silo_error(err, 0, "cannot exec in a stopped container");
	if (o->console_socket) {
		e->console_fd = terminal_connect(o->console_socket, err);
		if (e->console_fd < 0)
			return silo_error_ctx(err, "--console-socket");
	} else if (e->spec->process.terminal) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, e->console) < 0)
			return silo_error(err, errno, "socketpair");
		e->console_fd = take_fd(&e->console[1]);
	}
	return sync_socketpair(e->sync, err);
}

/* The parent's own pid_for_children / time_for_children: the child is
 * cloned straight into the container's pid and time namespaces. */
static int join_for_children(struct exec_ctx *e, struct silo_error *err)
{
	return join_init(e, e->ns_flags & (unsigned long)(CLONE_NEWPID | CLONE_NEWTIME), err);
}

/* A NOTIFY profile: the process loaded its filter and sends the notify fd;
 * give it to the listenerPath agent with the container's state, as runc does
 * for exec'd processes too, then let the process go on. */
static int seccomp_listener(struct exec_ctx *e, struct sync_msg *m, struct silo_error *err)
{
	cleanup_free char *state = NULL;
	cleanup_close int nfd = -1;

	if (sync_expect(e->sync[0], SYNC_SECCOMP_FD, m, "the seccomp notify fd", err) < 0)
		return -1;
	nfd = m->fd;
	if (nfd < 0)
		return silo_error(err, EPROTO, "sync: the seccomp notify fd is missing");
	state = state_to_oci_json(&e->st, STATUS_RUNNING, false);
	if (seccomp_send_listener(e->spec->linux.seccomp, e->st.oci_version, e->pid, state, nfd, err) < 0)
		return -1;
	return sync_send(e->sync[0], SYNC_SECCOMP_DONE, 0, NULL, 0, err);
}

/* Fork the child, put it in the cgroup, learn whether it executes. */
static int exec_start(struct exec_ctx *e, const struct silo_exec_opts *o, struct silo_error *err)
{
	struct sync_msg *m;
	bool into_cgroup = false;
	int r;

	e->two_stage = (e->ns_flags & CLONE_NEWUSER) &&
		       (e->ns_flags & (unsigned long)(CLONE_NEWPID | CLONE_NEWTIME)) && geteuid() != 0;
	if (!e->two_stage && join_for_children(e, err) < 0)
		return -1;
	if (e->cg && !e->late_cgroup)
		e->n_join = cgroup_self_join_fds(e->cg, e->join_fds, e->join_dirs, SYNC_MAX_FDS);
	e->pid = container_clone(0, e->cg && !e->late_cgroup ? cgroup_clone_fd(e->cg) : -1,
				 &into_cgroup);
	if (e->pid != 0)
		close_join_fds(e);      /* the child's copies are its own */
	if (e->pid < 0)
		return silo_error(err, errno, "fork the exec process");
	if (e->pid == 0) {
		/* The state dir's lock must not live on in the process. */
		close(e->dir_fd);
		close(e->root_fd);
		close(e->sync[0]);
		if (e->console[0] >= 0)
			close(e->console[0]);
		exec_child(e, o);
	}
	close(e->sync[1]);
	e->sync[1] = -1;
	if (e->console_fd >= 0) {
		close(e->console_fd);
		e->console_fd = -1;
	}
	if (e->cg && into_cgroup)
		cgroup_joined_by_clone(e->cg);
	if (e->cg && !e->late_cgroup && cgroup_attach(e->cg, e->pid, err) < 0)
		return silo_error_ctx(err, "join the container's cgroup");
	if (sync_send(e->sync[0], SYNC_PARENT_DONE, 0, NULL, 0, err) < 0)
		return -1;
	m = xmalloc(sizeof(*m));
	if (e->two_stage) {
		int32_t pid32;
		int status;

		r = sync_expect(e->sync[0], SYNC_INIT_PID, m, "the exec process", err);
		while (waitpid(e->pid, &status, 0) < 0 && errno == EINTR)
			;
		e->pid = 0;
		if (r == 0 && m->len != sizeof(pid32))
			r = silo_error(err, EPROTO, "sync: bad pid message from the exec process");
		if (r < 0) {
			free(m);
			return -1;
		}
		memcpy(&pid32, m->data, sizeof(pid32));
		e->pid = pid32;
	}
	if (e->seccomp && seccomp_prog_has_listener(e->seccomp) && seccomp_listener(e, m, err) < 0) {
		free(m);
		return -1;
	}
	if (e->late_cgroup) {
		/* Ready to execve: attach (it freezes there) and let it go; its
		 * execve happens on resume, so there is no EOF to wait for. */
		r = sync_expect(e->sync[0], SYNC_READY, m, "exec", err);
		if (r == 0 && e->cg && cgroup_attach(e->cg, e->pid, err) < 0)
			r = silo_error_ctx(err, "join the container's cgroup");
		if (r == 0)
			r = sync_send(e->sync[0], SYNC_START, 0, NULL, 0, err);
		free(m);
		return r;
	}
	r = sync_recv(e->sync[0], m, err);
	if (r > 0 && m->type == SYNC_ERROR)
		r = sync_msg_error(m, err);
	else if (r > 0)
		r = silo_error(err, EPROTO, "sync: unexpected message %u from the exec process", m->type);
	free(m);
	return r < 0 ? -1 : 0;
}

static void reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

int silo_container_exec(const struct silo_ctx *ctx, const struct silo_exec_opts *o,
			int *exit_status, struct silo_error *err)
{
	struct exec_ctx e = { .root_fd = -1, .dir_fd = -1, .pidfd = -1, .console_fd = -1,
			      .sync = { -1, -1 }, .console = { -1, -1 } };
	struct terminal_proxy *tp = NULL;
	sigset_t mask, old;
	int r = -1;

	*exit_status = 0;
	if (silo_id_check(o->id, err) < 0)
		return -1;
	if (!o->detach) {
		/* As run: nothing we forward is lost before the process exists. */
		container_block_forwarded(&mask, &old);
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	}
	if (exec_prepare(ctx, o, &e, err) < 0)
		goto out;
	if (exec_start(&e, o, err) < 0) {
		if (e.pid > 0)
			reap(e.pid);
		goto out;
	}
	close(e.dir_fd);
	e.dir_fd = -1;
	if (o->pid_file && container_write_pid_file(o->pid_file, e.pid, err) < 0)
		goto fail;
	if (o->pidfd_socket && container_send_pidfd(o->pidfd_socket, e.pid, err) < 0)
		goto fail;
	if (o->detach) {
		r = 0;
		goto out;
	}
	if (e.console[0] >= 0) {
		int master = terminal_recv_fd(e.console[0], err);
		if (master < 0)
			goto fail;
		tp = terminal_proxy_new(master, err);
	}
	*exit_status = container_wait(e.pid, tp, &mask);
	r = 0;
	goto out;
fail:
	reap(e.pid);
	if (o->pid_file)
		unlink(o->pid_file);
out:
	terminal_proxy_free(tp);
	if (!o->detach)
		sigprocmask(SIG_SETMASK, &old, NULL);
	exec_ctx_free(&e);
	return r;
}
