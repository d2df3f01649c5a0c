/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container lifecycle, parent side: create, start, run, state, kill,
 * delete, list.  See container.h for the contract and init.c for the child.
 *
 * create: load and validate the whole config -> claim the state dir -> make
 * the cgroup -> clone the init into its namespaces (clone3, into the cgroup
 * on v2) -> id maps, cgroup attach -> hooks on request -> READY -> state.json
 * and the pid file.  Any failure kills the init and removes everything made
 * so far: no state dir, cgroup, mount or process is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include <jansson.h>

#include "cgroup.h"
#include "container.h"
#include "container_internal.h"
#include "hooks.h"
#include "init.h"
#include "seccomp_filter.h"
#include "log.h"
#include "notify.h"
#include "spec.h"
#include "state.h"
#include "sync.h"
#include "syscalls.h"
#include "terminal.h"

enum launch_mode {
	MODE_CREATE,               /* init waits on exec.fifo */
	MODE_RUN_DETACHED,
	MODE_RUN_FOREGROUND,
};

/* What a create made, so that failure can undo exactly that. */
struct created {
	int root_fd;
	int dir_fd;
	struct spec *spec;
	struct cgroup *cg;
	pid_t pid;                 /* the init */
	pid_t stage1;              /* two-stage start: the first child */
	int sync_fd;
	int console_local;         /* foreground terminal: our end */
	struct silo_state st;
	char **env;
	struct seccomp_prog *seccomp;
	const char *pid_file;      /* written by us: removed if the create fails */
	bool start_on_ready;       /* the init needs no SYNC_START (launch.start_on_ready) */
};

/* ------------------------------------------------------------------ helpers */

static void created_init(struct created *c)
{
	memset(c, 0, sizeof(*c));
	c->root_fd = c->dir_fd = c->sync_fd = c->console_local = -1;
}

static void reap(pid_t pid)
{
	int status;
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Undo a create that did not finish. */
static void created_abort(struct created *c, const struct silo_create_opts *o)
{
	struct silo_error e;

	if (c->stage1 > 0) {
		kill(c->stage1, SIGKILL);
		reap(c->stage1);
	}
	if (c->pid > 0 && c->pid != c->stage1) {
		kill(c->pid, SIGKILL);
		reap(c->pid);
	}
	if (c->cg) {
		if (cgroup_destroy(c->cg, &e) < 0)
			silo_warn("cleanup: %s", e.msg);
		cgroup_free(c->cg);
		c->cg = NULL;
	}
	if (c->dir_fd >= 0 && state_dir_remove(c->root_fd, o->id, &e) < 0)
		silo_warn("cleanup: %s", e.msg);
	if (c->pid_file)
		unlink(c->pid_file);
}

static void created_free(struct created *c)
{
	if (c->sync_fd >= 0)
		close(c->sync_fd);
	if (c->console_local >= 0)
		close(c->console_local);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (c->root_fd >= 0)
		close(c->root_fd);
	cgroup_free(c->cg);
	spec_free(c->spec);
	silo_state_free(&c->st);
	strv_free(c->env);
	seccomp_prog_free(c->seccomp);
	memset(c, 0, sizeof(*c));
}

static char *hook_state_json(const struct silo_state *st, pid_t pid, enum silo_status status)
{
	struct silo_state tmp = *st;
	tmp.pid = pid;
	return state_to_oci_json(&tmp, status, false);
}

/* The payload's environment: the config's, plus LISTEN_FDS/LISTEN_PID when
 * the caller passes socket-activation fds (they count as preserved fds). */
char **container_payload_env(const struct spec_process *p, int *preserve)
{
	const char *lf = getenv("LISTEN_FDS");
	size_t n = p->n_env, k = 0;
	char **env = xmalloc((n + 3) * sizeof(char *));
	int64_t nfds = 0;

	if (lf && parse_i64(lf, &nfds) == 0 && nfds > 0 && nfds < 65536)
		*preserve += (int)nfds;
	else
		nfds = 0;
	for (size_t i = 0; i < n; i++) {
		if (nfds && (str_has_prefix(p->env[i], "LISTEN_FDS=") ||
			     str_has_prefix(p->env[i], "LISTEN_PID=")))
			continue;
		env[k++] = xstrdup(p->env[i]);
	}
	if (nfds) {
		env[k++] = xasprintf("LISTEN_FDS=%lld", (long long)nfds);
		env[k++] = xstrdup("LISTEN_PID=1");
	}
	env[k] = NULL;
	return env;
}

int container_write_pid_file(const char *path, pid_t pid, struct silo_error *err)
{
	cleanup_free char *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (write_file_at(AT_FDCWD, tmp, buf, (size_t)n, O_CREAT | O_TRUNC | O_EXCL, err) < 0)
		return silo_error_ctx(err, "pid file");
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return silo_error(err, e, "pid file: rename to %s", path);
	}
	return 0;
}

/* --pidfd-socket: hand the caller a pidfd of the init (runc's protocol: one
 * SCM_RIGHTS fd on a unix stream socket), so it can signal and wait without
 * pid reuse races. */
int container_send_pidfd(const char *path, pid_t pid, struct silo_error *err)
{
	cleanup_close int sock = -1, pidfd = sys_pidfd_open(pid, 0);

	if (pidfd < 0)
		return silo_error(err, errno, "--pidfd-socket: pidfd_open");
	sock = terminal_connect(path, err);
	if (sock < 0)
		return silo_error_ctx(err, "--pidfd-socket");
	if (terminal_send_fd(sock, pidfd, "pidfd", err) < 0)
		return silo_error_ctx(err, "--pidfd-socket %s", path);
	return 0;
}

int container_check_lsm(const struct spec_process *p, struct silo_error *err)
{
	if (p->apparmor_profile && access("/sys/kernel/security/apparmor", F_OK) < 0)
		return silo_error(err, 0, "process.apparmorProfile \"%s\": apparmor is not enabled on this host",
				  p->apparmor_profile);
	if (p->selinux_label && access("/sys/fs/selinux/enforce", F_OK) < 0)
		return silo_error(err, 0, "process.selinuxLabel \"%s\": selinux is not enabled on this host",
				  p->selinux_label);
	return 0;
}

/* Validation that needs the host: runs before anything is created. */
static int check_host(const struct silo_ctx *ctx, const struct silo_create_opts *o,
		      const struct spec *spec, enum launch_mode mode, struct silo_error *err)
{
	struct stat st;

	if (ctx->systemd_cgroup && access("/run/systemd/system", F_OK) < 0)
		return silo_error(err, 0, "systemd not running on this host, cannot use systemd cgroups manager");
	if (stat(spec->root_path, &st) < 0)
		return silo_error(err, errno, "rootfs %s", spec->root_path);
	if (!S_ISDIR(st.st_mode))
		return silo_error(err, ENOTDIR, "rootfs %s", spec->root_path);
	if (spec->process.terminal && !o->console_socket && mode != MODE_RUN_FOREGROUND)
		return silo_error(err, 0, "process.terminal is true: a detached container needs --console-socket");
	if (!spec->process.terminal && o->console_socket)
		return silo_error(err, 0, "--console-socket given but process.terminal is false");
	if (container_check_lsm(&spec->process, err) < 0)
		return -1;
	if (o->preserve_fds < 0)
		return silo_error(err, 0, "--preserve-fds: must not be negative");
	return 0;
}

/* clone3 (into the cgroup on v2), else classic clone. */
pid_t container_clone(unsigned long flags, int cgroup_fd, bool *into_cgroup)
{
	struct silo_clone_args args = { .flags = flags, .exit_signal = SIGCHLD };
	pid_t pid;

	*into_cgroup = false;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		pid = sys_clone3(&args);
		if (pid >= 0) {
			*into_cgroup = true;
			return pid;
		}
		args.flags &= ~CLONE_INTO_CGROUP;
		args.cgroup = 0;
	}
	pid = sys_clone3(&args);
	if (pid < 0 && (errno == ENOSYS || errno == E2BIG))
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	return pid;
}

bool silo_rootless_detect(void)
{
	return geteuid() != 0 || !ns_in_initial_userns();
}

/* Runnable tasks on the machine (/proc/loadavg's 4th field, before the
 * '/'), the init and ourselves included; a large number when unknown. */
static int runnable_tasks(void)
{
	char buf[128];
	int fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	int running;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return INT_MAX;
	buf[n] = '\0';
	return sscanf(buf, "%*s %*s %*s %d", &running) == 1 ? running : INT_MAX;
}

/*
 * A task that fork or clone makes starts on its parent's CPU unless the
 * scheduler places it elsewhere, and on small VMs (this project's 2-vCPU
 * machines, CI runners) it often does not: measured here, a child forked
 * by a parent that keeps running waited 0.5-2 ms for the parent's CPU in
 * 27 of 40 forks, the other CPU idle.  The init is the critical path of a
 * start (network namespace, rootfs), while the parent, after clone, makes
 * the cgroup in parallel.  So when the init waits on our CPU, we move to
 * another allowed CPU (sched_setaffinity migrates the caller at once) and
 * restore our affinity right away, which does not move us back: nothing
 * stays pinned, the init's affinity is never touched.  Only when some CPU
 * has nothing to run (fewer runnable tasks than CPUs, the two of us
 * counted): moving to a busy CPU would only trade places.  -5 to -9% wall
 * per run on a quiet 2-vCPU machine.
 * Returns the init's start time, read from the same /proc/PID/stat.
 */
static uint64_t leave_cpu_to_init(pid_t init)
{
	cpu_set_t allowed, other;
	int me = sched_getcpu(), cpu;
	uint64_t start = proc_start_time_cpu(init, &cpu);

	if (me < 0 || cpu != me || sched_getaffinity(0, sizeof(allowed), &allowed) < 0 ||
	    CPU_COUNT(&allowed) < 2 || runnable_tasks() > CPU_COUNT(&allowed))
		return start;
	CPU_ZERO(&other);
	for (int k = 1; k < CPU_SETSIZE; k++) {
		int c = (me + k) % CPU_SETSIZE;
		if (CPU_ISSET(c, &allowed)) {
			CPU_SET(c, &other);
			break;
		}
	}
	if (sched_setaffinity(0, sizeof(other), &other) == 0 &&
	    sched_setaffinity(0, sizeof(allowed), &allowed) < 0)
		silo_debug("restore the runtime's CPU affinity: %m");
	return start;
}

/* The cgroup as made may lack hierarchies of the plan (rootless, best
 * effort) or be nothing at all: record what is there. */
static int record_cgroup(struct created *c, struct silo_error *err)
{
	const char **names, **dirs;

	free(c->st.cgroup_json);
	c->st.cgroup_json = NULL;
	if (cgroup_paths(c->cg, &names, &dirs) == 0) {
		silo_debug("rootless: the container has no cgroup of its own");
		cgroup_free(c->cg);
		c->cg = NULL;
	} else {
		c->st.cgroup_json = cgroup_to_json(c->cg);
	}
	return state_write(c->dir_fd, &c->st, err);
}

static int make_cgroup(const struct silo_ctx *ctx, struct created *c,
		       const struct silo_create_opts *o, struct silo_error *err)
{
	struct cgroup *cg;
	bool changed;

	if (cgroup_plan(c->spec->linux.cgroups_path, o->id, &cg, err) < 0)
		return -1;
	cgroup_set_rootless(cg, ctx->rootless);
	/* Record the cgroup before it exists (pid 0, "stopped" until
	 * record_state): a create killed at any point after this leaves a
	 * state.json from which `delete --force` finds and removes it. */
	c->st.cgroup_json = cgroup_to_json(cg);
	/* Made after clone on the fast path, the init's pid is final: record
	 * it now, and record_state() has nothing left to write (one state
	 * file per run instead of two). */
	if (c->pid > 0 && c->stage1 == 0)
		c->st.pid = c->pid;   /* its start time was read after clone */
	if (state_write(c->dir_fd, &c->st, err) < 0 ||
	    cgroup_make(cg, c->spec->linux.resources, &changed, err) < 0) {
		cgroup_free(cg);
		return -1;
	}
	c->cg = cg;
	return changed ? record_cgroup(c, err) : 0;
}

/* SYNC_CGROUP_JOIN: on v1, the `tasks` files the init writes "0" to, so that
 * it joins by itself without the global lock a cgroup.procs write takes (see
 * cgroup_self_join_fds()); cgroup_attach() then writes only the rest. */
static int send_cgroup_join(struct created *c, bool self_join, struct silo_error *err)
{
	int fds[SYNC_MAX_FDS];
	const char *dirs[SYNC_MAX_FDS];
	size_t n = 0, len = 0;
	cleanup_free char *buf = xmalloc(SYNC_MAX_DATA);
	int r;

	if (c->cg && self_join)
		n = cgroup_self_join_fds(c->cg, fds, dirs, SYNC_MAX_FDS);
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(dirs[i]) + 1;

		/* A subset of what SYNC_CGROUP_PATHS carried, so it fits. */
		if (len + k > SYNC_MAX_DATA) {
			for (size_t j = 0; j < n; j++)
				close(fds[j]);
			return silo_error(err, E2BIG, "cgroup paths");
		}
		memcpy(buf + len, dirs[i], k);
		len += k;
	}
	r = sync_send_fds(c->sync_fd, SYNC_CGROUP_JOIN, buf, len, fds, n, err);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	return r;
}

/* SYNC_CGROUP_PATHS: the container's cgroup directories, which the init
 * bind-mounts for a "cgroup" mount: "controller\0dir\0" pairs. */
static int send_cgroup_paths(struct created *c, bool self_join, struct silo_error *err)
{
	const char **ctrls = NULL, **dirs = NULL;
	size_t n = c->cg ? cgroup_paths(c->cg, &ctrls, &dirs) : 0, len = 0;
	cleanup_free char *buf = xmalloc(SYNC_MAX_DATA);

	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(ctrls[i]) + 1, b = strlen(dirs[i]) + 1;
		if (len + a + b > SYNC_MAX_DATA)
			return silo_error(err, E2BIG, "cgroup paths");
		memcpy(buf + len, ctrls[i], a);
		memcpy(buf + len + a, dirs[i], b);
		len += a + b;
	}
	if (sync_send(c->sync_fd, SYNC_CGROUP_PATHS, 0, buf, len, err) < 0)
		return -1;
	return send_cgroup_join(c, self_join, err);
}

/* Talk to the init until it is READY; runs the parent's hooks on request. */
/* state.json and the pid file: written as soon as the init's pid is final,
 * which on the fast path is while the init still builds its rootfs. */
static int record_state(struct created *c, const struct silo_create_opts *o,
			struct silo_error *err)
{
	/* st.pid is set only together with a write of it (make_cgroup) */
	if (c->st.pid != c->pid) {
		c->st.pid = c->pid;
		/* (read after clone on the fast path, where the pid is final) */
		if (c->st.start_time == 0)
			c->st.start_time = proc_start_time(c->pid);
		if (state_write(c->dir_fd, &c->st, err) < 0)
			return -1;
	}
	if (o->pid_file) {
		if (container_write_pid_file(o->pid_file, c->pid, err) < 0)
			return -1;
		c->pid_file = o->pid_file;
	}
	return 0;
}

static int parent_protocol(struct created *c, const struct silo_create_opts *o, bool slow,
			   bool maps_on_request, struct silo_error *err)
{
	struct sync_msg *m = xmalloc(sizeof(*m));
	int r = -1;

	if (!slow && !maps_on_request &&
	    (c->spec->linux.ns[NS_USER].present && !c->spec->linux.ns[NS_USER].path) &&
	    ns_write_id_maps(c->pid, c->spec, err) < 0)
		goto out;
	/* Without SYNC_START the payload may run as soon as the init has
	 * PARENT_DONE: record first, so that a failure here stops it before. */
	if (!slow && c->start_on_ready && record_state(c, o, err) < 0)
		goto out;
	if (sync_send(c->sync_fd, SYNC_PARENT_DONE, 0, NULL, 0, err) < 0)
		goto out;
	if (!slow && !c->start_on_ready && record_state(c, o, err) < 0)
		goto out;
	for (;;) {
		int got = sync_recv(c->sync_fd, m, err);

		if (got < 0)
			goto out;
		if (got == 0) {
			silo_error(err, 0, "container init exited during setup");
			goto out;
		}
		switch (m->type) {
		case SYNC_ERROR:
			sync_msg_error(m, err);
			goto out;
		case SYNC_USERMAP_REQ:
			if (ns_write_id_maps(c->pid, c->spec, err) < 0 ||
			    sync_send(c->sync_fd, SYNC_USERMAP_DONE, 0, NULL, 0, err) < 0)
				goto out;
			break;
		case SYNC_INIT_PID: {
			pid_t pid;
			if (sync_msg_pid(m, &pid, err) < 0)
				goto out;
			reap(c->stage1);
			c->stage1 = 0;
			c->pid = pid;
			break;
		}
		case SYNC_HOOKS_REQ: {
			cleanup_free char *state = hook_state_json(&c->st, c->pid, STATUS_CREATING);
			if (hooks_run(&c->spec->hooks, HOOK_PRESTART, state, err) < 0 ||
			    hooks_run(&c->spec->hooks, HOOK_CREATE_RUNTIME, state, err) < 0 ||
			    sync_send(c->sync_fd, SYNC_HOOKS_DONE, 0, state, strlen(state), err) < 0)
				goto out;
			break;
		}
		case SYNC_SECCOMP_FD: {
			cleanup_close int nfd = m->fd;
			cleanup_free char *state = hook_state_json(&c->st, c->pid, STATUS_CREATING);
			if (nfd < 0) {
				silo_error(err, EPROTO, "sync: the seccomp notify fd is missing");
				goto out;
			}
			if (seccomp_send_listener(c->spec->linux.seccomp, c->st.oci_version, c->pid, state,
						  nfd, err) < 0 ||
			    sync_send(c->sync_fd, SYNC_SECCOMP_DONE, 0, NULL, 0, err) < 0)
				goto out;
			break;
		}
		case SYNC_READY:
			r = slow ? record_state(c, o, err) : 0;
			goto out;
		default:
			silo_error(err, EPROTO, "sync: unexpected message %u", m->type);
			goto out;
		}
	}
out:
	free(m);
	return r;
}

static int launch(const struct silo_ctx *ctx, const struct silo_create_opts *o,
		  enum launch_mode mode, struct created *c, struct silo_error *err)
{
	struct launch l = { .sync_fd = -1, .fifo_fd = -1, .proc_fd = -1, .console_fd = -1 };
	cleanup_free char *seccomp_cache = NULL;
	int sv[2] = { -1, -1 }, console_sv[2] = { -1, -1 };
	bool into_cgroup, early_cgroup, attached = false;
	unsigned long flags;
	int r = -1;

	if (silo_id_check(o->id, err) < 0)
		return -1;
	/* A cached seccomp program is found while parsing: spec_load_cached. */
	seccomp_cache = seccomp_cache_dir(ctx->root);
	if (spec_load_cached(o->bundle, o->config_path, seccomp_cache, &c->spec, err) < 0)
		return -1;
	if (check_host(ctx, o, c->spec, mode, err) < 0)
		return -1;
	if (getenv("NOTIFY_SOCKET") != NULL) {
		cleanup_free char *sdir = xasprintf("%s/%s", ctx->root, o->id);
		if (notify_prepare_spec(c->spec, sdir, err) < 0)
			return -1;
	}
	l.preserve_fds = o->preserve_fds;
	c->env = container_payload_env(&c->spec->process, &l.preserve_fds);
	for (int fd = 3; fd < 3 + l.preserve_fds; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			return silo_error(err, 0, "--preserve-fds/LISTEN_FDS: fd %d is not open", fd);
	if (ns_check_id_maps(c->spec, err) < 0 || ns_plan_prepare(c->spec, &l.ns, err) < 0)
		return -1;
	c->root_fd = state_root_open(ctx->root, true, err);
	if (c->root_fd < 0)
		goto out;
	c->dir_fd = state_dir_create(c->root_fd, o->id, err);
	if (c->dir_fd < 0)
		goto out;
	if (notify_make_dir(c->dir_fd, err) < 0)
		goto fail;
	if (c->spec->linux.seccomp) {
		if (seccomp_prepare(c->spec->linux.seccomp, seccomp_cache, &c->seccomp, err) < 0)
			goto fail;
		l.seccomp = c->seccomp;
	}

	c->st.id = xstrdup(o->id);
	c->st.oci_version = xstrdup(c->spec->oci_version);
	c->st.bundle = xstrdup(o->bundle);
	c->st.config = o->config_path ? xstrdup(o->config_path) : NULL;
	c->st.rootfs = xstrdup(c->spec->root_path);
	c->st.created = state_now_rfc3339();
	c->st.owner = xstrdup("");
	c->st.owner_uid = geteuid();
	c->st.annotations_json = c->spec->annotations_json ? xstrdup(c->spec->annotations_json) : NULL;
	c->st.hooks_json = c->spec->hooks_json ? xstrdup(c->spec->hooks_json) : NULL;
	c->st.own_pidns = c->spec->linux.ns[NS_PID].present && !c->spec->linux.ns[NS_PID].path;

	/* With a cgroup2 hierarchy (v2, or hybrid's unified mount) the cgroup
	 * comes first so that clone3 puts the init straight into it: joining
	 * it later by cgroup.procs would wait for an RCU grace period whenever
	 * that lock was idle (see cgroup_self_join_fds()).  On plain v1 it is
	 * made after clone, while the init builds its namespaces on the other
	 * core: the ~10 mkdirs overlap that work, and the init joins the v1
	 * hierarchies by itself. */
	early_cgroup = cgroup_mode(err) == CGROUP_MODE_V2 || cgroup_hybrid(err) == 1;
	if (early_cgroup && !ctx->no_cgroups && make_cgroup(ctx, c, o, err) < 0)
		goto fail;

	if (mode == MODE_CREATE) {
		if (mkfifoat(c->dir_fd, STATE_FIFO, 0622) < 0 ||
		    fchmodat(c->dir_fd, STATE_FIFO, 0622, 0) < 0) {
			silo_error(err, errno, "create exec.fifo");
			goto fail;
		}
		l.fifo_fd = openat(c->dir_fd, STATE_FIFO, O_PATH | O_CLOEXEC);
		l.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (l.fifo_fd < 0 || l.proc_fd < 0) {
			silo_error(err, errno, "open exec.fifo");
			goto fail;
		}
	}
	if (o->console_socket) {
		l.console_fd = terminal_connect(o->console_socket, err);
		if (l.console_fd < 0) {
			silo_error_ctx(err, "--console-socket");
			goto fail;
		}
	} else if (c->spec->process.terminal) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, console_sv) < 0) {
			silo_error(err, errno, "socketpair");
			goto fail;
		}
		l.console_fd = console_sv[1];
		c->console_local = console_sv[0];
	}
	if (sync_socketpair(sv, err) < 0)
		goto fail;
	c->sync_fd = sv[0];

	l.spec = c->spec;
	l.id = o->id;
	l.sync_fd = sv[1];
	l.env = c->env;
	l.no_new_keyring = o->no_new_keyring;
	l.maps_on_request = (l.ns.new_flags & CLONE_NEWUSER) && ns_maps_need_dumpable();
	l.cgroupns = c->spec->linux.ns[NS_CGROUP].present && !c->spec->linux.ns[NS_CGROUP].path;
	l.timens = c->spec->linux.ns[NS_TIME].present && !c->spec->linux.ns[NS_TIME].path;
	l.rootfs.no_pivot = o->no_pivot;
	/* In a user namespace, of the config or our own (rootless inside
	 * `unshare -r`): mknod is refused, devices are bound from /dev. */
	l.rootfs.userns = c->spec->linux.ns[NS_USER].present || !ns_in_initial_userns();
	l.rootfs.console = c->spec->process.terminal;
	l.rootfs.cgroupns = c->spec->linux.ns[NS_CGROUP].present;
	l.early_rootfs = !l.ns.slow_path && !(l.ns.new_flags & CLONE_NEWUSER) && !l.cgroupns &&
			 !c->spec->hooks.n_hooks[HOOK_PRESTART] &&
			 !c->spec->hooks.n_hooks[HOOK_CREATE_RUNTIME] &&
			 !c->spec->hooks.n_hooks[HOOK_CREATE_CONTAINER] &&
			 !c->spec->hooks.n_hooks[HOOK_START_CONTAINER];

	/* Fast path only: the slow one writes state.json at READY, and a
	 * failure there must still stop the payload before it runs (so must a
	 * pidfd that cannot be sent). */
	l.start_on_ready = mode != MODE_CREATE && !l.ns.slow_path && !c->spec->process.terminal &&
			   l.console_fd < 0 && getenv("NOTIFY_SOCKET") == NULL && !o->pidfd_socket;
	c->start_on_ready = l.start_on_ready;
	/* The init makes its own network namespace (init.c): the kernel needs
	 * ~0.7 ms for one, and that overlaps with our cgroup attach below. */
	flags = l.ns.slow_path ? 0 : l.ns.new_flags & ~(unsigned long)(CLONE_NEWCGROUP | CLONE_NEWTIME | CLONE_NEWNET);
	c->pid = container_clone(flags, c->cg ? cgroup_clone_fd(c->cg) : -1, &into_cgroup);
	if (c->pid < 0) {
		silo_error(err, errno, "clone the container init");
		goto fail;
	}
	if (c->pid == 0) {
		/* The init must not hold the state dir: its flock would outlive
		 * this create and block `start`. */
		close(c->dir_fd);
		close(c->root_fd);
		close(sv[0]);
		if (console_sv[0] >= 0)
			close(console_sv[0]);
		init_main(&l);
	}
	if (l.ns.slow_path)
		c->stage1 = c->pid;
	else
		c->st.start_time = leave_cpu_to_init(c->pid);
	close(sv[1]);
	l.sync_fd = -1;
	if (!early_cgroup && !ctx->no_cgroups && make_cgroup(ctx, c, o, err) < 0)
		goto fail;
	if (c->cg && into_cgroup)
		cgroup_joined_by_clone(c->cg);
	if (c->cg && cgroup_best_effort(c->cg)) {
		/* Rootless: a hierarchy we may not join is left out, so join
		 * before the init learns which ones it has. */
		bool changed = false;

		if (cgroup_attach_best_effort(c->cg, c->pid, &changed, err) < 0 ||
		    (changed && record_cgroup(c, err) < 0))
			goto fail;
		attached = true;
	}
	if (send_cgroup_paths(c, !attached, err) < 0)
		goto fail;
	if (c->cg && !attached && cgroup_attach(c->cg, c->pid, err) < 0)
		goto fail;
	spec_release_json(c->spec);
	if (parent_protocol(c, o, l.ns.slow_path, l.maps_on_request, err) < 0)
		goto fail;
	if (o->pidfd_socket && container_send_pidfd(o->pidfd_socket, c->pid, err) < 0)
		goto fail;
	r = 0;
	goto out;
fail:
	created_abort(c, o);
out:
	ns_plan_close(&l.ns);
	if (l.sync_fd >= 0)
		close(l.sync_fd);
	if (l.fifo_fd >= 0)
		close(l.fifo_fd);
	if (l.proc_fd >= 0)
		close(l.proc_fd);
	if (l.console_fd >= 0)
		close(l.console_fd);
	return r;
}

int silo_container_create(const struct silo_ctx *ctx, const struct silo_create_opts *o,
			  struct silo_error *err)
{
	struct created c;
	int r;

	created_init(&c);
	r = launch(ctx, o, MODE_CREATE, &c, err);
	created_free(&c);
	return r;
}

/* ------------------------------------------------------------------ start */

int container_load(const struct silo_ctx *ctx, const char *id, bool lock, int *root_fd,
		   int *dir_fd, struct silo_state *st, struct silo_error *err)
{
	*root_fd = *dir_fd = -1;
	if (silo_id_check(id, err) < 0)
		return -1;
	*root_fd = state_root_open(ctx->root, false, err);
	if (*root_fd < 0) {
		if (err->errnum == ENOENT)
			silo_error(err, 0, "container \"%s\" does not exist", id);
		return -1;
	}
	*dir_fd = state_dir_open(*root_fd, id, lock, err);
	if (*dir_fd < 0)
		goto fail;
	if (state_read(*dir_fd, id, st, err) < 0)
		goto fail;
	return 0;
fail:
	if (*dir_fd >= 0)
		close(*dir_fd);
	close(*root_fd);
	*root_fd = *dir_fd = -1;
	return -1;
}

static void run_late_hooks(const struct silo_state *st, enum spec_hook_kind kind,
			   enum silo_status status)
{
	struct spec_hooks hooks = { 0 };
	cleanup_free char *state = NULL;
	struct silo_error e;

	if (st->hooks_json == NULL)
		return;
	if (spec_parse_hooks(st->hooks_json, &hooks, &e) < 0) {
		silo_warn("%s hooks: %s", spec_hook_names[kind], e.msg);
		return;
	}
	state = state_to_oci_json(st, status, false);
	/* runtime-spec: a failing poststart/poststop hook is a warning. */
	if (hooks_run(&hooks, kind, state, &e) < 0)
		silo_warn("%s", e.msg);
	spec_hooks_free(&hooks);
}

/*
 * Open exec.fifo: the init, blocked opening its write end, goes on and writes
 * "0".  Then read to EOF: the init holds the write end close-on-exec, so EOF
 * means the payload is executing, and bytes after the "0" are the init's
 * error (startContainer hook, seccomp, execve).  A pidfd watches for an init
 * that died before it ever opened the fifo.
 */
static int release_init(int dir_fd, const struct silo_state *st, struct silo_error *err)
{
	cleanup_close int fifo = openat(dir_fd, STATE_FIFO, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	cleanup_close int pidfd = sys_pidfd_open(st->pid, 0);
	char msg[SILO_ERROR_MAX];
	size_t len = 0;
	bool released = false;

	if (fifo < 0)
		return silo_error(err, errno, "open exec.fifo");
	if (unlinkat(dir_fd, STATE_FIFO, 0) < 0)
		return silo_error(err, errno, "remove exec.fifo");
	for (;;) {
		struct pollfd p[2] = { { .fd = fifo, .events = POLLIN },
				       { .fd = released ? -1 : pidfd, .events = POLLIN } };
		char buf[512];
		ssize_t n;

		if (poll(p, 2, pidfd >= 0 || released ? -1 : 100) < 0 && errno != EINTR)
			return silo_error(err, errno, "poll exec.fifo");
		n = read(fifo, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return silo_error(err, errno, "read exec.fifo");
		if (n > 0) {
			size_t from = released ? 0 : 1, k = (size_t)n - from;
			released = true;
			if (k > sizeof(msg) - 1 - len)
				k = sizeof(msg) - 1 - len;
			memcpy(msg + len, buf + from, k);
			len += k;
			continue;
		}
		if (n == 0 && released)
			break;   /* EOF: execve closed the init's end */
		if (!released && ((p[1].revents & POLLIN) || !state_init_alive(st)))
			return silo_error(err, 0, "cannot start a container that has stopped");
	}
	if (len > 0)
		return silo_error_set_raw(err, 0, msg, len);
	return 0;
}

int silo_container_start(const struct silo_ctx *ctx, const char *id, struct silo_error *err)
{
	struct silo_state st;
	int root_fd, dir_fd, r = -1, notify_fd = -2;

	if (container_load(ctx, id, true, &root_fd, &dir_fd, &st, err) < 0)
		return -1;
	switch (state_status(dir_fd, &st)) {
	case STATUS_CREATED:
		break;
	case STATUS_STOPPED:
		silo_error(err, 0, "cannot start a container that has stopped");
		goto out;
	case STATUS_CREATING:
	case STATUS_RUNNING:
	case STATUS_PAUSED:
		silo_error(err, 0, "cannot start an already running container");
		goto out;
	}
	if (getenv("NOTIFY_SOCKET") != NULL) {
		cleanup_free char *sdir = xasprintf("%s/%s", ctx->root, id);
		notify_fd = notify_bind(dir_fd, sdir, err);
		if (notify_fd == -1)
			goto out;
	}
	if (release_init(dir_fd, &st, err) < 0)
		goto out;
	if (notify_fd >= 0 && notify_relay(notify_fd, st.pid, err) < 0)
		goto out;
	run_late_hooks(&st, HOOK_POSTSTART, STATUS_RUNNING);
	r = 0;
out:
	if (notify_fd >= 0) {
		close(notify_fd);
		notify_unlink(dir_fd);
	}
	silo_state_free(&st);
	close(dir_fd);
	close(root_fd);
	return r;
}

/* ------------------------------------------------------------------ kill, delete */

static int signal_init(const struct silo_state *st, int signo, struct silo_error *err)
{
	int pidfd = sys_pidfd_open(st->pid, 0);

	if (pidfd >= 0) {
		/* The pidfd pins the process: check it is still our init. */
		if (!state_init_alive(st)) {
			close(pidfd);
			return silo_error(err, 0, "container not running");
		}
		if (sys_pidfd_send_signal(pidfd, signo, NULL, 0) < 0) {
			int e = errno;
			close(pidfd);
			if (e == ESRCH)
				return silo_error(err, 0, "container not running");
			return silo_error(err, e, "kill");
		}
		close(pidfd);
		return 0;
	}
	if (errno != ENOSYS)
		return silo_error(err, 0, "container not running");
	if (!state_init_alive(st))
		return silo_error(err, 0, "container not running");
	if (kill(st->pid, signo) < 0)
		return silo_error(err, errno == ESRCH ? 0 : errno,
				  errno == ESRCH ? "container not running" : "kill");
	return 0;
}

static int kill_all(const struct silo_state *st, int signo, struct silo_error *err)
{
	struct cgroup *cg = NULL;
	int r;

	if (st->cgroup_json == NULL)
		return signal_init(st, signo, err);
	if (cgroup_from_json(st->cgroup_json, &cg, err) < 0)
		return -1;
	r = cgroup_kill(cg, signo, err);
	cgroup_free(cg);
	return r;
}

int silo_container_kill(const struct silo_ctx *ctx, const char *id, int signo, bool all,
			struct silo_error *err)
{
	struct silo_state st;
	int root_fd, dir_fd, r;

	if (container_load(ctx, id, false, &root_fd, &dir_fd, &st, err) < 0)
		return -1;
	if (state_status(dir_fd, &st) == STATUS_STOPPED && !all)
		r = silo_error(err, 0, "container not running");
	else
		r = all ? kill_all(&st, signo, err) : signal_init(&st, signo, err);
	silo_state_free(&st);
	close(dir_fd);
	close(root_fd);
	return r;
}

/* Wait (bounded) for the init to be gone once SIGKILLed. */
static void wait_gone(const struct silo_state *st)
{
	int pidfd = sys_pidfd_open(st->pid, 0);

	if (pidfd >= 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };
		if (state_init_alive(st))
			poll(&p, 1, 10000);
		close(pidfd);
		return;
	}
	for (int i = 0; i < 1000 && state_init_alive(st); i++)
		usleep(10000);
}

/* Kill everything, run poststop, remove the cgroup and the state dir.
 * `loaded` is the container's cgroup when the caller holds it already
 * (borrowed), else it is rebuilt from the state. */
static int destroy(int root_fd, const char *id, const struct silo_state *st,
		   struct cgroup *loaded, struct silo_error *err)
{
	struct cgroup *cg = loaded;
	struct silo_error e;

	if (cg == NULL && st->cgroup_json && cgroup_from_json(st->cgroup_json, &cg, err) < 0)
		return -1;
	if (state_init_alive(st)) {
		/* Through the cgroup when there is one: it thaws a paused
		 * container and reaches processes outside our pid namespace. */
		if (cg == NULL || cgroup_kill(cg, SIGKILL, &e) < 0)
			signal_init(st, SIGKILL, &e);
		wait_gone(st);
	}
	if (cg) {
		int r = cgroup_destroy(cg, err);
		if (cg != loaded)
			cgroup_free(cg);
		if (r < 0)
			return -1;
	}
	run_late_hooks(st, HOOK_POSTSTOP, STATUS_STOPPED);
	return state_dir_remove(root_fd, id, err);
}

int silo_container_delete(const struct silo_ctx *ctx, const char *id, bool force,
			  struct silo_error *err)
{
	struct silo_state st;
	int root_fd, dir_fd, r;
	enum silo_status status;

	if (container_load(ctx, id, true, &root_fd, &dir_fd, &st, err) < 0) {
		if (force && strstr(err->msg, "does not exist"))
			return 0;
		/* A state dir without state.json: a create that died. */
		if (err->errnum == ENOENT && (root_fd = state_root_open(ctx->root, false, err)) >= 0) {
			r = state_dir_remove(root_fd, id, err);
			close(root_fd);
			return r;
		}
		return -1;
	}
	status = state_status(dir_fd, &st);
	if (status != STATUS_STOPPED && status != STATUS_CREATED && !force)
		r = silo_error(err, 0, "cannot delete container %s that is not stopped: %s", id,
			       silo_status_names[status]);
	else
		r = destroy(root_fd, id, &st, NULL, err);
	silo_state_free(&st);
	close(dir_fd);
	close(root_fd);
	return r;
}

/* The status, with "paused" when the container's cgroup is frozen. */
enum silo_status container_status(int dir_fd, const struct silo_state *st)
{
	enum silo_status status = state_status(dir_fd, st);
	struct cgroup *cg = NULL;
	struct silo_error e;

	if (status != STATUS_RUNNING || st->cgroup_json == NULL)
		return status;
	if (cgroup_from_json(st->cgroup_json, &cg, &e) == 0 && cgroup_is_frozen(cg, &e) == 1)
		status = STATUS_PAUSED;
	cgroup_free(cg);
	return status;
}

/* ------------------------------------------------------------------ state, list */


int silo_container_state(const struct silo_ctx *ctx, const char *id, char **json,
			 struct silo_error *err)
{
	struct silo_state st;
	int root_fd, dir_fd;

	if (container_load(ctx, id, false, &root_fd, &dir_fd, &st, err) < 0)
		return -1;
	*json = state_to_oci_json(&st, container_status(dir_fd, &st), true);
	silo_state_free(&st);
	close(dir_fd);
	close(root_fd);
	return 0;
}

static char *user_name(uid_t uid)
{
	cleanup_file FILE *f = fopen("/etc/passwd", "re");
	char line[1024];

	while (f && fgets(line, sizeof(line), f)) {
		char *name = line, *c1 = strchr(line, ':'), *c2;
		int64_t v;

		if (!c1 || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c1 = '\0';
		*strchrnul(c2 + 1, ':') = '\0';
		if (parse_i64(c2 + 1, &v) == 0 && (uid_t)v == uid)
			return xstrdup(name);
	}
	return xasprintf("#%u", uid);
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const struct silo_container_info *)a)->id,
		      ((const struct silo_container_info *)b)->id);
}

int silo_container_list(const struct silo_ctx *ctx, struct silo_container_info **out, size_t *n,
			struct silo_error *err)
{
	cleanup_dir DIR *d = NULL;
	struct silo_container_info *v = NULL;
	struct dirent *de;
	size_t cnt = 0;
	int root_fd;

	*out = NULL;
	*n = 0;
	root_fd = state_root_open(ctx->root, false, err);
	if (root_fd < 0)
		return err->errnum == ENOENT ? 0 : -1;
	d = fdopendir(root_fd);
	if (d == NULL) {
		close(root_fd);
		return silo_error(err, errno, "read %s", ctx->root);
	}
	while ((de = readdir(d)) != NULL) {
		struct silo_state st;
		struct silo_error e;
		enum silo_status status;
		int dir_fd;

		if (de->d_name[0] == '.' || silo_id_check(de->d_name, &e) < 0)
			continue;
		dir_fd = state_dir_open(dirfd(d), de->d_name, false, &e);
		if (dir_fd < 0)
			continue;
		if (state_read(dir_fd, de->d_name, &st, &e) < 0) {
			close(dir_fd);
			continue;
		}
		status = container_status(dir_fd, &st);
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt] = (struct silo_container_info){
			.id = xstrdup(st.id),
			.pid = status == STATUS_STOPPED ? 0 : st.pid,
			.status = silo_status_names[status],
			.bundle = xstrdup(st.bundle),
			.created = xstrdup(st.created),
			.owner = user_name(st.owner_uid),
			.state_json = state_to_oci_json(&st, status, false),
		};
		cnt++;
		silo_state_free(&st);
		close(dir_fd);
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_info);
	*out = v;
	*n = cnt;
	return 0;
}

void silo_container_info_free(struct silo_container_info *info, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(info[i].id);
		free(info[i].bundle);
		free(info[i].created);
		free(info[i].owner);
		free(info[i].state_json);
	}
	free(info);
}

/* ------------------------------------------------------------------ run */

int container_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Release the init and learn whether its execve worked (EOF) or not. */
static int run_start(struct created *c, struct silo_error *err)
{
	struct sync_msg *m = xmalloc(sizeof(*m));
	int r;

	if (!c->start_on_ready && sync_send(c->sync_fd, SYNC_START, 0, NULL, 0, err) < 0) {
		free(m);
		return -1;
	}
	r = sync_recv(c->sync_fd, m, err);
	if (r > 0 && m->type == SYNC_ERROR)
		r = sync_msg_error(m, err);
	else if (r > 0)
		r = silo_error(err, EPROTO, "sync: unexpected message %u after start", m->type);
	free(m);
	return r < 0 ? -1 : 0;
}

static const int container_forwarded_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
				 SIGALRM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGCHLD };

void container_block_forwarded(sigset_t *mask, sigset_t *old)
{
	sigemptyset(mask);
	for (size_t i = 0; i < ARRAY_SIZE(container_forwarded_signals); i++)
		sigaddset(mask, container_forwarded_signals[i]);
	sigprocmask(SIG_BLOCK, mask, old);
}

int container_wait(pid_t pid, struct terminal_proxy *tp, const sigset_t *mask)
{
	int sfd = signalfd(-1, mask, SFD_CLOEXEC);
	bool exited = false, master_open = tp != NULL;
	int status = 0;

	if (sfd < 0) {
		/* Cannot watch signals: plain wait. */
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return container_exit_code(status);
	}
	while (!exited || master_open) {
		struct pollfd p[3] = {
			{ .fd = sfd, .events = POLLIN },
			{ .fd = master_open ? terminal_proxy_master(tp) : -1, .events = POLLIN },
			{ .fd = tp && terminal_proxy_stdin_open(tp) ? 0 : -1, .events = POLLIN },
		};
		int timeout = exited ? 100 : -1;
		int n = poll(p, 3, timeout);

		if (n < 0 && errno != EINTR)
			break;
		if (n == 0 && exited)
			break;   /* the init is gone and the pty went quiet */
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGCHLD) {
					pid_t w;
					int st;
					while ((w = waitpid(-1, &st, WNOHANG)) > 0)
						if (w == pid) {
							exited = true;
							status = st;
						}
				} else if (si.ssi_signo == SIGWINCH && tp) {
					terminal_proxy_resize(tp);
				} else if (!exited) {
					kill(pid, (int)si.ssi_signo);
				}
			}
		}
		if (master_open && terminal_proxy_pump(tp, p[1].revents, p[2].revents & (POLLIN | POLLHUP)))
			master_open = false;
	}
	close(sfd);
	if (!exited)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	return container_exit_code(status);
}

int silo_container_run(const struct silo_ctx *ctx, const struct silo_create_opts *o,
		       int *exit_status, struct silo_error *err)
{
	enum launch_mode mode = o->detach ? MODE_RUN_DETACHED : MODE_RUN_FOREGROUND;
	struct terminal_proxy *tp = NULL;
	int notify_fd = -2;
	sigset_t mask, old;
	struct created c;
	int r = -1;

	*exit_status = 0;
	created_init(&c);
	if (mode == MODE_RUN_FOREGROUND) {
		/* Block what we forward before the init exists, so no signal is
		 * lost; the init unblocks everything before its payload runs. */
		container_block_forwarded(&mask, &old);
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	}
	if (launch(ctx, o, mode, &c, err) < 0)
		goto out;
	if (c.console_local >= 0) {
		int master = terminal_recv_fd(c.console_local, err);
		if (master < 0) {
			created_abort(&c, o);
			goto out;
		}
		tp = terminal_proxy_new(master, err);
	}
	if (getenv("NOTIFY_SOCKET") != NULL) {
		cleanup_free char *sdir = xasprintf("%s/%s", ctx->root, o->id);
		notify_fd = notify_bind(c.dir_fd, sdir, err);
		if (notify_fd == -1) {
			created_abort(&c, o);
			goto out;
		}
	}
	if (run_start(&c, err) < 0) {
		created_abort(&c, o);
		goto out;
	}
	if (notify_fd >= 0) {
		int nr = notify_relay(notify_fd, c.pid, err);
		close(notify_fd);
		notify_fd = -2;
		notify_unlink(c.dir_fd);
		if (nr < 0) {
			created_abort(&c, o);
			goto out;
		}
	}
	run_late_hooks(&c.st, HOOK_POSTSTART, STATUS_RUNNING);
	/* The lock on the state dir is for create; kill/delete may come now. */
	close(c.dir_fd);
	c.dir_fd = -1;
	if (mode == MODE_RUN_DETACHED) {
		r = 0;
		goto out;
	}
	*exit_status = container_wait(c.pid, tp, &mask);
	terminal_proxy_free(tp);
	tp = NULL;
	r = 0;
	if (!o->keep) {
		/* Under the lock, and only if nobody deleted it meanwhile. */
		struct silo_error e;
		int dir_fd = state_dir_open(c.root_fd, o->id, true, &e);

		if (dir_fd >= 0 && faccessat(dir_fd, "state.json", F_OK, 0) == 0 &&
		    destroy(c.root_fd, o->id, &c.st, c.cg, &e) < 0)
			silo_warn("delete %s: %s", o->id, e.msg);
		if (dir_fd >= 0)
			close(dir_fd);
	}
out:
	terminal_proxy_free(tp);
	if (mode == MODE_RUN_FOREGROUND)
		sigprocmask(SIG_SETMASK, &old, NULL);
	created_free(&c);
	return r;
}
