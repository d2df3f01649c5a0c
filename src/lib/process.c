/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload process's identity, limits and executable; see process.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "caps.h"
#include "fs.h"
#include "process.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int process_set_rlimits(const struct spec_process *p, struct silo_error *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		const struct spec_rlimit *r = &p->rlimits[i];
		struct rlimit rl = { .rlim_cur = r->soft, .rlim_max = r->hard };

		if (setrlimit((__rlimit_resource_t)r->resource, &rl) < 0) {
			struct rlimit cur = { 0 };
			getrlimit((__rlimit_resource_t)r->resource, &cur);
			return silo_error(err, errno,
					  "setrlimit %s (soft %llu, hard %llu; the hard limit here is %llu)",
					  r->name, (unsigned long long)r->soft,
					  (unsigned long long)r->hard, (unsigned long long)cur.rlim_max);
		}
	}
	return 0;
}

int process_set_oom_score_adj(const struct spec_process *p, struct silo_error *err)
{
	char buf[32];
	int n, fd;

	if (!p->oom_score_adj.set)
		return 0;
	n = snprintf(buf, sizeof(buf), "%lld", (long long)p->oom_score_adj.v);
	/* Through a verified procfs: a fake /proc must not take the write. */
	fd = fs_proc_open("self/oom_score_adj", O_WRONLY, err);
	if (fd < 0)
		return silo_error_ctx(err, "process.oomScoreAdj %s", buf);
	if (write_all(fd, buf, (size_t)n) < 0) {
		int e = errno;
		close(fd);
		return silo_error(err, e, "process.oomScoreAdj %s: write /proc/self/oom_score_adj", buf);
	}
	close(fd);
	return 0;
}

static bool setgroups_denied(void)
{
	char buf[16] = { 0 };
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	(void)!read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return strncmp(buf, "deny", 4) == 0;
}

int process_set_identity(const struct spec_process *p, struct silo_error *err)
{
	const struct spec_user *u = &p->user;
	/* No capabilities object means no capabilities: never keep root's full
	 * set by omission. */
	const struct spec_caps none = { 0 };
	const struct spec_caps *c = p->caps.set ? &p->caps : &none;

	if (caps_drop_bounding(c->bounding, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return silo_error(err, errno, "prctl PR_SET_KEEPCAPS");
	if (setgroups(u->n_additional_gids, u->additional_gids) < 0) {
		if (!(errno == EPERM && setgroups_denied() && u->n_additional_gids == 0))
			return silo_error(err, errno, "setgroups (process.user.additionalGids)");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return silo_error(err, errno, "setresgid %u (process.user.gid)", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return silo_error(err, errno, "setresuid %u (process.user.uid)", u->uid);
	if (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid)
		return silo_error(err, EPERM, "switch to user %u:%u", u->uid, u->gid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return silo_error(err, errno, "prctl PR_SET_KEEPCAPS");
	if (caps_set(c->effective, c->permitted, c->inheritable, err) < 0)
		return silo_error_ctx(err, "process.capabilities");
	if (caps_set_ambient(c->ambient, err) < 0)
		return silo_error_ctx(err, "process.capabilities.ambient");
	if (u->umask.set)
		umask((mode_t)u->umask.v);
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return silo_error(err, errno, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

static const char *env_path(const struct spec_process *p)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			return p->env[i] + 5;
	return DEFAULT_PATH;
}

static int check_exec(const char *name, const char *path, bool report_stat,
		      struct silo_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		if (report_stat)
			return silo_error(err, errno, "exec: \"%s\": stat %s", name, path);
		return -1;
	}
	if (S_ISDIR(st.st_mode) || faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) < 0)
		return silo_error(err, S_ISDIR(st.st_mode) ? EACCES : errno, "exec: \"%s\"", name);
	return 0;
}

int process_find_executable(const struct spec_process *p, char **out, struct silo_error *err)
{
	const char *name = p->args[0];
	const char *search = env_path(p);
	bool denied = false;

	if (strchr(name, '/')) {
		if (check_exec(name, name, true, err) < 0)
			return -1;
		*out = xstrdup(name);
		return 0;
	}
	for (const char *dir = search; dir; ) {
		const char *end = strchr(dir, ':');
		size_t dlen = end ? (size_t)(end - dir) : strlen(dir);
		cleanup_free char *cand = xasprintf("%.*s/%s", (int)dlen, dlen ? dir : ".", name);
		struct silo_error e;

		silo_error_clear(&e);
		if (check_exec(name, cand, false, &e) == 0) {
			*out = steal_pointer(&cand);
			return 0;
		}
		if (e.errnum == EACCES && e.msg[0])
			denied = true;
		dir = end ? end + 1 : NULL;
	}
	if (denied)
		return silo_error(err, EACCES, "exec: \"%s\"", name);
	return silo_error(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

/*
 * cwd is resolved inside the container's root with no magic links, then
 * entered with fchdir: a cwd such as /proc/self/fd/N can never reach a
 * directory fd the runtime holds (CVE-2024-21626).
 */
int process_chdir(const struct spec_process *p, struct silo_error *err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int dir = -1;
	struct silo_error e;

	if (root < 0)
		return silo_error(err, errno, "open /");
	silo_error_clear(&e);
	dir = fs_open_in_root(root, p->cwd, O_PATH | O_DIRECTORY, 0, &e);
	if (dir < 0 || fchdir(dir) < 0)
		return silo_error(err, dir < 0 ? e.errnum : errno,
				  "chdir to cwd (\"%s\") set in config.json failed", p->cwd);
	return 0;
}
