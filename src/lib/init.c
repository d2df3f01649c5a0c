/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's init; see init.h for its contract.  Order of work (each step
 * only carries out what the parent already validated):
 *
 *   namespaces (join, cgroup ns, time ns) -> setsid, lo up, session keyring
 *   -> prestart/createRuntime hooks (parent) -> rootfs (createContainer hooks
 *   before pivot_root, sysctl after it) -> hostname, oom_score_adj, terminal, rlimits,
 *   personality, LSM label -> cwd, identity (caps, user, no_new_privs)
 *   -> executable lookup -> fds -> READY -> wait for start -> startContainer
 *   hooks -> seccomp (last; before the identity change without no_new_privs)
 *   -> execve.  A profile with SCMP_ACT_NOTIFY loads before READY instead
 *   (after the fds step with no_new_privs), while the sync socket still
 *   reaches the parent: its notify fd goes to the listenerPath agent first.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>

#include "fs.h"
#include "hooks.h"
#include "cgroup.h"
#include "init.h"
#include "log.h"
#include "process.h"
#include "sync.h"
#include "syscalls.h"
#include "terminal.h"

#define KEYCTL_JOIN_SESSION_KEYRING 1

/* The state JSON the parent sent for the init's own hooks. */
static char *hook_state;

static int init_hooks(const struct launch *l, enum spec_hook_kind kind, const char *status,
		      struct silo_error *err)
{
	const char *state = hook_state;
	cleanup_free char *patched = NULL;
	const char *p;

	if (l->spec->hooks.n_hooks[kind] == 0)
		return 0;
	/* The parent wrote "creating"; startContainer sees "created". */
	if (state && status && (p = strstr(state, "\"status\":\"creating\"")) != NULL) {
		patched = xasprintf("%.*s\"status\":\"%s\"%s", (int)(p - state), state, status,
				    p + strlen("\"status\":\"creating\""));
		state = patched;
	}
	return hooks_run(&l->spec->hooks, kind, state, err);
}

static int before_pivot(void *data, struct silo_error *err)
{
	return init_hooks(data, HOOK_CREATE_CONTAINER, NULL, err);
}

static int write_sysctls(const struct spec *s, struct silo_error *err);

/* After pivot_root, before readonlyPaths makes /proc/sys read-only. */
static int after_pivot(void *data, struct silo_error *err)
{
	const struct launch *l = data;
	return write_sysctls(l->spec, err);
}

/* In a user namespace we created, our ids are still the host's (unmapped)
 * until we take the namespace's root; the maps are written by now. */
static int become_userns_root(struct silo_error *err)
{
	if (setresgid(0, 0, 0) < 0)
		return silo_error(err, errno, "setresgid 0 in the new user namespace (linux.gidMappings maps 0?)");
	if (setresuid(0, 0, 0) < 0)
		return silo_error(err, errno, "setresuid 0 in the new user namespace (linux.uidMappings maps 0?)");
	return 0;
}

/*
 * Rootless: the parent may open /proc/<pid>/uid_map of a child only when it
 * owns the child's /proc files, and a non-dumpable child's files belong to
 * root.  So the child is dumpable for exactly this exchange, as in runc:
 * nothing runs in the container yet, and the only processes that may
 * ptrace it meanwhile already run as the same user.  setresuid() below
 * keeps the same host uid, so the kernel would not reset it by itself.
 */
static int request_id_maps(struct launch *l, struct silo_error *err)
{
	struct sync_msg *m = xmalloc(sizeof(*m));
	int r;

	if (l->maps_on_request)
		prctl(PR_SET_DUMPABLE, 1);
	r = sync_send(l->sync_fd, SYNC_USERMAP_REQ, 0, NULL, 0, err);
	if (r == 0)
		r = sync_expect(l->sync_fd, SYNC_USERMAP_DONE, m, "user namespace maps", err);
	prctl(PR_SET_DUMPABLE, 0);
	free(m);
	return r;
}

/* Stage 1 of the two-stage start (joining a user or pid namespace, or joining
 * namespaces while creating a user namespace): join, create, and fork the
 * real init with CLONE_PARENT so it is the runtime's child.  Returns in the
 * init; stage 1 itself exits. */
static int stage1(struct launch *l, struct silo_error *err)
{
	unsigned long flags = l->ns.new_flags & ~(unsigned long)(CLONE_NEWUSER | CLONE_NEWTIME);
	bool fork_init = (l->ns.new_flags & CLONE_NEWPID) || l->ns.join_fd[NS_PID] >= 0;
	int32_t pid32;
	pid_t pid;

	if (ns_join(&l->ns, ~(1u << NS_TIME), err) < 0)
		goto fail;
	if (l->ns.new_flags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0) {
			silo_error(err, errno, "create user namespace");
			goto fail;
		}
		if (request_id_maps(l, err) < 0 || become_userns_root(err) < 0)
			goto fail;
	}
	if (flags && unshare((int)flags) < 0) {
		silo_error(err, errno, "create namespaces");
		goto fail;
	}
	if (!fork_init)
		return 0;
	pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return silo_error(err, errno, "fork the container init");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return 0;
	}
	pid32 = pid;
	if (sync_send(l->sync_fd, SYNC_INIT_PID, 0, &pid32, sizeof(pid32), err) < 0)
		_exit(1);
	_exit(0);
fail:
	return -1;
}

/* The cgroup directories from SYNC_CGROUP_PATHS ("controller\0dir\0"...),
 * for the rootfs's "cgroup" mount.  The init keeps them until it executes
 * the payload (the strings are never freed). */
static int take_cgroup_paths(struct launch *l, const char *data, size_t len,
			     struct silo_error *err)
{
	struct sync_cgroup_paths p;

	if (sync_decode_cgroup_paths(data, len, &p, err) < 0)
		return -1;
	l->rootfs.cgroup_controllers = p.controllers;
	l->rootfs.cgroup_dirs = p.dirs;
	l->rootfs.n_cgroups = p.n;
	return 0;
}

/* SYNC_CGROUP_JOIN: write "0" to each `tasks` fd (we are one thread). */
static int self_join_cgroup(struct sync_msg *m, struct silo_error *err)
{
	const char *dirs[SYNC_MAX_FDS];
	int r = sync_msg_cgroup_join(m, dirs, err);

	if (r == 0)
		r = cgroup_self_join(m->fds, dirs, m->n_fds, err);
	sync_close_fds(m);
	return r;
}

/* SYNC_CGROUP_PATHS, then SYNC_CGROUP_JOIN: the cgroup dirs (for a "cgroup"
 * mount) and joining them.  Once: with early_rootfs the rootfs asks for it
 * at its first "cgroup" mount (rootfs_opts.want_cgroups), so the init builds
 * the mounts before that one while the parent still makes the cgroup, and
 * init_run asks after rootfs_setup in case there was none. */
static int receive_cgroup(void *data, struct silo_error *err)
{
	struct launch *l = data;
	struct sync_msg *m;
	int r;

	if (l->cgroup_received)
		return 0;
	m = xmalloc(sizeof(*m));
	r = sync_expect(l->sync_fd, SYNC_CGROUP_PATHS, m, "the parent's setup", err);
	if (r == 0)
		r = take_cgroup_paths(l, m->data, m->len, err);
	if (r == 0)
		r = sync_expect(l->sync_fd, SYNC_CGROUP_JOIN, m, "the parent's setup", err);
	if (r == 0)
		r = self_join_cgroup(m, err);
	free(m);
	if (r == 0)
		l->cgroup_received = true;
	return r;
}

static int join_namespaces(struct launch *l, struct silo_error *err)
{
	struct sync_msg *m;
	int r = 0;

	/* Fast path: clone left the network namespace to us, so that creating
	 * it overlaps with the parent attaching us to the cgroup.  It belongs
	 * to the user namespace clone made, as it would have from clone. */
	if (!l->ns.slow_path && (l->ns.new_flags & CLONE_NEWNET)) {
		if (unshare(CLONE_NEWNET) < 0)
			return silo_error(err, errno, "create network namespace");
		if (ns_loopback_up(err) < 0)
			return -1;
	}
	if (!l->early_rootfs) {
		m = xmalloc(sizeof(*m));
		r = receive_cgroup(l, err);
		if (r == 0)
			r = sync_expect(l->sync_fd, SYNC_PARENT_DONE, m, "the parent's setup", err);
		free(m);
	}
	if (r < 0)
		return -1;
	if (l->ns.slow_path) {
		if (stage1(l, err) < 0)
			return -1;
	} else {
		if ((l->ns.new_flags & CLONE_NEWUSER) &&
		    ((l->maps_on_request && request_id_maps(l, err) < 0) || become_userns_root(err) < 0))
			return -1;
		if (ns_join(&l->ns, ~(1u << NS_TIME), err) < 0)
			return -1;
	}
	/* After the parent put us in our cgroup: the cgroup ns root is ours. */
	if (l->cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		return silo_error(err, errno, "create cgroup namespace");
	if (l->ns.join_fd[NS_TIME] >= 0 && ns_join(&l->ns, 1u << NS_TIME, err) < 0)
		return -1;
	if (l->timens && ns_setup_time(l->spec, err) < 0)
		return -1;
	return 0;
}

static bool has_hook(const struct spec *s, enum spec_hook_kind k)
{
	return s->hooks.n_hooks[k] > 0;
}

static int parent_hooks(struct launch *l, struct silo_error *err)
{
	const struct spec *s = l->spec;
	struct sync_msg *m;

	if (!has_hook(s, HOOK_PRESTART) && !has_hook(s, HOOK_CREATE_RUNTIME) &&
	    !has_hook(s, HOOK_CREATE_CONTAINER) && !has_hook(s, HOOK_START_CONTAINER))
		return 0;
	m = xmalloc(sizeof(*m));
	if (sync_send(l->sync_fd, SYNC_HOOKS_REQ, 0, NULL, 0, err) < 0 ||
	    sync_expect(l->sync_fd, SYNC_HOOKS_DONE, m, "the createRuntime hooks", err) < 0) {
		free(m);
		return -1;
	}
	hook_state = xstrndup(m->data, m->len);
	free(m);
	return 0;
}

/* Write linux.sysctl through the container's own procfs, verified (root of
 * a procfs, no mount or symlink on the way: fs_proc_open).  Keys and values
 * were validated with the spec (spec_linux.c: only namespaced keys, plain
 * values). */
static int write_sysctls(const struct spec *s, struct silo_error *err)
{
	for (size_t i = 0; i < s->linux.n_sysctl; i++) {
		const struct spec_kv *kv = &s->linux.sysctl[i];
		cleanup_free char *rel = xasprintf("sys/%s", kv->key);
		int fd;

		for (char *c = rel + 4; *c; c++)
			if (*c == '.')
				*c = '/';
		fd = fs_proc_open(rel, O_WRONLY, err);
		if (fd < 0)
			return silo_error_ctx(err, "linux.sysctl: %s", kv->key);
		if (write_all(fd, kv->value, strlen(kv->value)) < 0) {
			int e = errno;
			close(fd);
			return silo_error(err, e, "linux.sysctl: write %s=%s", kv->key, kv->value);
		}
		close(fd);
	}
	return 0;
}

/* process.apparmorProfile / selinuxLabel for the execve, through the
 * verified procfs (CVE-2019-16884: a fake /proc would swallow the label). */
static int write_lsm_label(const char *attr, const char *value, struct silo_error *err)
{
	cleanup_free char *rel = xasprintf("thread-self/attr/%s", attr);
	int fd = fs_proc_open(rel, O_WRONLY, err);

	if (fd < 0)
		return silo_error_ctx(err, "set LSM label");
	if (write_all(fd, value, strlen(value)) < 0) {
		int e = errno;
		close(fd);
		return silo_error(err, e, "set LSM label: write /proc/%s", rel);
	}
	close(fd);
	return 0;
}

static int set_identity_and_cwd(const struct spec_process *p, struct silo_error *err)
{
	bool retry_cwd = false;
	struct silo_error e;

	/* As root first (the user may lack search permission on the way), and
	 * again as the user when that failed for lack of permission. */
	silo_error_clear(&e);
	if (process_chdir(p, &e) < 0) {
		if (e.errnum != EACCES) {
			*err = e;
			return -1;
		}
		retry_cwd = true;
	}
	if (process_set_identity(p, err) < 0)
		return -1;
	if (retry_cwd && process_chdir(p, err) < 0)
		return -1;
	return 0;
}

/*
 * CVE-2019-5736 without a re-exec.  silo-oci forks its init (no copy of the
 * binary, no re-exec per start), so until execve the init's /proc/self/exe is
 * the host's silo-oci.  What keeps that binary out of the container's reach:
 *   - the init, and the process `exec` starts, are non-dumpable from their
 *     first line (payload_child_begin) until the execve, like every runtime
 *     process (src/oci/main.c): no container process can open their
 *     /proc/<pid>/exe, fd/ or mem (the ptrace check);
 *   - it holds no fd of the binary (and every fd >= 3 is close-on-exec);
 *   - it refuses to execve the binary itself: the payload "/proc/self/exe",
 *     a copy bind-mounted in, or a script whose "#!" interpreter is (up to
 *     the kernel's 4 levels of nesting) "/proc/self/exe": the kernel resolves
 *     an interpreter while the init's exe is still ours, and the new process
 *     would run the host binary, dumpable again, in the container.
 * After the execve the exe is the payload's.  Known limits: a script the
 * init may execute but not read (mode --x) is not inspected, and an ELF
 * PT_INTERP naming /proc/self/exe is not looked for (the binary is then
 * only mapped privately; reaching the file needs map_files, that is
 * CAP_SYS_ADMIN in the host's user namespace).
 */
static struct stat runtime_exe;
static bool have_runtime_exe;

static void note_runtime_exe(void)
{
	have_runtime_exe = stat("/proc/self/exe", &runtime_exe) == 0;
}

static int refuse_runtime_exe(const char *exe, struct silo_error *err)
{
	char path[PATH_MAX], buf[256];

	if (!have_runtime_exe)
		return 0;
	snprintf(path, sizeof(path), "%s", exe);
	for (int depth = 0; depth <= 5; depth++) {
		struct stat st, st2;
		ssize_t n = -1;
		size_t len;
		char *p;
		int fd = open(path, O_PATH | O_CLOEXEC);

		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			return 0;       /* execve will report it */
		}
		close(fd);
		if (st.st_dev == runtime_exe.st_dev && st.st_ino == runtime_exe.st_ino)
			return silo_error(err, 0, "exec: \"%s\"%s is the runtime's own binary (refused: CVE-2019-5736)",
					  exe, depth ? " (through its #! interpreter)" : "");
		if (!S_ISREG(st.st_mode))
			return 0;
		/* The first line, from the same file (unreadable: not inspected). */
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		if (fstat(fd, &st2) == 0 && st2.st_dev == st.st_dev && st2.st_ino == st.st_ino)
			n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n < 3 || buf[0] != '#' || buf[1] != '!')
			return 0;
		buf[n] = '\0';
		p = buf + 2 + strspn(buf + 2, " \t");
		len = strcspn(p, " \t\n");
		if (len == 0 || len >= sizeof(path))
			return 0;
		memcpy(path, p, len);
		path[len] = '\0';
	}
	return 0;
}

/* Everything >= 3 + preserve_fds is close-on-exec; preserved fds are not. */
static int prepare_fds(int preserve_fds, struct silo_error *err)
{
	unsigned first = 3u + (unsigned)preserve_fds;

	for (int fd = 3; fd < (int)first; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && (fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	if (sys_close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return silo_error(err, errno, "close_range");
	for (int fd = (int)first; fd < 65536; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	return 0;
}

int payload_join_keyring(const char *id, struct silo_error *err)
{
	char name[1100];

	snprintf(name, sizeof(name), "_ses.%s", id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS &&
	    errno != EPERM && errno != EACCES)
		return silo_error(err, errno, "join session keyring");
	return 0;
}

/*
 * Load the filter.  With SCMP_ACT_NOTIFY rules, hand the notify fd to the
 * parent (which gives it to the listenerPath agent) and wait for its ack, so
 * the agent holds the fd before the payload can make a notified syscall.
 * Only then: a profile without NOTIFY costs no extra round trip.
 */
static int load_seccomp(const struct payload *pl, struct silo_error *err)
{
	struct sync_msg *m = NULL;
	int lfd, r;

	/* Until the agent has the fd, only sendmsg and recvmsg (which a
	 * profile may not notify) run under the filter: allocate first. */
	if (seccomp_prog_has_listener(pl->seccomp))
		m = xmalloc(sizeof(*m));
	if (seccomp_install(pl->seccomp, &lfd, err) < 0) {
		free(m);
		return silo_error_ctx(err, "linux.seccomp");
	}
	if (lfd < 0)
		return 0;
	r = sync_send_fd(pl->sync_fd, SYNC_SECCOMP_FD, lfd, err);
	if (r == 0)
		r = sync_expect(pl->sync_fd, SYNC_SECCOMP_DONE, m, "the seccomp listener", err);
	close(lfd);
	free(m);
	return r;
}

int payload_prepare(struct payload *pl, char **exe, struct silo_error *err)
{
	const struct spec *s = pl->spec;
	const struct spec_process *p = pl->proc;

	if (process_set_oom_score_adj(p, err) < 0)
		return -1;
	if (p->terminal) {
		struct terminal_opts t = {
			.console_socket = pl->console_fd,
			.mount_console = pl->mount_console,
			.has_size = p->has_console_size,
			.height = p->console_height,
			.width = p->console_width,
		};
		if (terminal_setup(&t, err) < 0)
			return -1;
	}
	if (pl->console_fd >= 0) {
		close(pl->console_fd);
		pl->console_fd = -1;
	}
	if (process_set_rlimits(p, err) < 0)
		return -1;
	if (s->linux.personality.set && personality((unsigned long)s->linux.personality.v) < 0)
		return silo_error(err, errno, "linux.personality");
	if (p->apparmor_profile) {
		cleanup_free char *v = xasprintf("exec %s", p->apparmor_profile);
		if (write_lsm_label("apparmor/exec", v, err) < 0)
			return -1;
	}
	if (p->selinux_label && write_lsm_label("exec", p->selinux_label, err) < 0)
		return -1;
	/* Without no_new_privs the filter needs CAP_SYS_ADMIN: load it before
	 * the capabilities go; with it, load it last (payload_exec), or, with a
	 * notify listener, at the end of this function while the sync socket
	 * still reaches the parent (runc's order too). */
	if (pl->seccomp && !p->no_new_privileges && load_seccomp(pl, err) < 0)
		return -1;
	if (set_identity_and_cwd(p, err) < 0)
		return -1;
	if (process_find_executable(p, exe, err) < 0 || refuse_runtime_exe(*exe, err) < 0)
		return -1;
	if (prepare_fds(pl->preserve_fds, err) < 0)
		return -1;
	if (pl->seccomp && p->no_new_privileges && seccomp_prog_has_listener(pl->seccomp) &&
	    load_seccomp(pl, err) < 0)
		return -1;
	return 0;
}

int payload_exec(const struct payload *pl, const char *exe, char **env, struct silo_error *err)
{
	if (pl->seccomp && pl->proc->no_new_privileges && !seccomp_prog_has_listener(pl->seccomp) &&
	    load_seccomp(pl, err) < 0)
		return -1;
	execve(exe, pl->proc->args, env);
	return silo_error(err, errno, "exec: \"%s\"", pl->proc->args[0]);
}

/* Block until `start` opens exec.fifo, through the host /proc we kept.
 * The write end stays open, close-on-exec, in l->fifo_fd: `start` reads to
 * EOF, so it returns (and runs poststart) only once the payload runs, and a
 * failure before that is written into the fifo for `start` to report. */
static int wait_for_start(struct launch *l, struct silo_error *err)
{
	char path[64];
	int fd;

	close(l->sync_fd);
	l->sync_fd = -1;
	snprintf(path, sizeof(path), "self/fd/%d", l->fifo_fd);
	do
		fd = openat(l->proc_fd, path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return silo_error(err, errno, "open exec.fifo");
	close(l->fifo_fd);
	close(l->proc_fd);
	l->fifo_fd = fd;
	if (write_all(fd, "0", 1) < 0)
		return silo_error(err, errno, "write exec.fifo");
	return 0;
}

static int init_run(struct launch *l, char **exe, struct silo_error *err)
{
	const struct spec *s = l->spec;
	const struct spec_process *p = &s->process;
	struct payload pl;
	struct sync_msg *m;

	if (join_namespaces(l, err) < 0)
		return -1;
	if (setsid() < 0)
		return silo_error(err, errno, "setsid");
	if (l->ns.slow_path && (l->ns.new_flags & CLONE_NEWNET) && ns_loopback_up(err) < 0)
		return -1;
	if (!l->no_new_keyring && payload_join_keyring(l->id, err) < 0)
		return -1;
	if (parent_hooks(l, err) < 0)
		return -1;
	l->rootfs.before_pivot = has_hook(s, HOOK_CREATE_CONTAINER) ? before_pivot : NULL;
	l->rootfs.before_pivot_data = l;
	l->rootfs.after_pivot = s->linux.n_sysctl ? after_pivot : NULL;
	l->rootfs.after_pivot_data = l;
	l->rootfs.want_cgroups = l->early_rootfs ? receive_cgroup : NULL;
	l->rootfs.want_cgroups_data = l;
	if (rootfs_setup(s, &l->rootfs, err) < 0 || receive_cgroup(l, err) < 0)
		return -1;
	if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0)
		return silo_error(err, errno, "sethostname %s", s->hostname);
	if (s->domainname && setdomainname(s->domainname, strlen(s->domainname)) < 0)
		return silo_error(err, errno, "setdomainname %s", s->domainname);
	if (l->early_rootfs) {
		/* Nothing below may run (or fork) outside the container's cgroup. */
		m = xmalloc(sizeof(*m));
		if (sync_expect(l->sync_fd, SYNC_PARENT_DONE, m, "the parent's setup", err) < 0) {
			free(m);
			return -1;
		}
		free(m);
	}
	pl = (struct payload){ .spec = s, .proc = p, .console_fd = l->console_fd, .mount_console = true,
			       .preserve_fds = l->preserve_fds, .seccomp = l->seccomp,
			       .sync_fd = l->sync_fd };
	l->console_fd = -1;
	if (payload_prepare(&pl, exe, err) < 0)
		return -1;
	prctl(PR_SET_PDEATHSIG, 0);
	if (sync_send(l->sync_fd, SYNC_READY, 0, NULL, 0, err) < 0)
		return -1;
	if (l->fifo_fd >= 0) {
		if (wait_for_start(l, err) < 0)
			return -1;
	} else if (!l->start_on_ready) {
		m = xmalloc(sizeof(*m));
		if (sync_expect(l->sync_fd, SYNC_START, m, "start", err) < 0) {
			free(m);
			return -1;
		}
		free(m);
	}
	return init_hooks(l, HOOK_START_CONTAINER, "created", err);
}

/* execve resets handled signals but keeps ignored ones: put back the
 * default for those the caller ignored (SigIgn in /proc/self/status), one
 * read instead of a sigaction per signal. */
static void reset_ignored_signals(void)
{
	char buf[2048], *p;
	unsigned long long ign;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0 || (buf[n] = '\0', p = strstr(buf, "\nSigIgn:")) == NULL) {
		for (int sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				signal(sig, SIG_DFL);
		return;
	}
	ign = strtoull(p + 9, NULL, 16);
	for (int sig = 1; sig <= 64 && ign; sig++, ign >>= 1)
		if ((ign & 1) && sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

void payload_child_begin(void)
{
	sigset_t all;

	/* Until execve (see refuse_runtime_exe); the runtime already is. */
	prctl(PR_SET_DUMPABLE, 0);
	note_runtime_exe();
	/* Dies with the runtime during setup.  Had the runtime died before
	 * this line, the first sync read sees EOF and we exit there (getppid()
	 * cannot tell: it is 0 in a new pid namespace). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The payload starts with no blocked signals and default handlers. */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	reset_ignored_signals();
	silo_log_set(NULL, NULL, 0);
}

void init_main(struct launch *l)
{
	struct silo_error err;
	cleanup_free char *exe = NULL;
	struct payload pl;

	silo_error_clear(&err);
	payload_child_begin();
	if (init_run(l, &exe, &err) < 0)
		goto fail;
	pl = (struct payload){ .spec = l->spec, .proc = &l->spec->process, .console_fd = -1,
			       .seccomp = l->seccomp, .sync_fd = -1 };
	payload_exec(&pl, exe, l->env, &err);
fail:
	if (l->sync_fd >= 0)
		sync_send_error(l->sync_fd, &err);
	else if (l->fifo_fd >= 0)
		(void)!write_all(l->fifo_fd, err.msg, strlen(err.msg));   /* for `start` */
	_exit(l->sync_fd >= 0 ? 1 : 127);
}
