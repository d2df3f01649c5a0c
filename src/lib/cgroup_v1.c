/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v1 driver, hybrid layout included: one directory per mounted
 * hierarchy (cpu, cpu,cpuacct, memory, name=systemd, ...) plus the cgroup2
 * "unified" mount when present.  It owns what only v1 has: the cpuset copy a
 * new cpuset cgroup needs before a process may join, the freezer used to
 * kill without races, and the v1 resource files.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "cgroup_internal.h"
#include "log.h"
#include "util.h"

/* ================================================================ cpuset */

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* The nearest ancestor of `created` with cpus and mems set. */
static int cpuset_source(const struct cg_hier *h, char **cpus, char **mems, struct silo_error *err)
{
	cleanup_free char *p = xstrdup(h->created);
	size_t mlen = strlen(h->mount);

	*cpus = *mems = NULL;
	while (strlen(p) > mlen) {
		*strrchr(p, '/') = '\0';
		if (cg_read(p, "cpuset.cpus", cpus, err) < 0 || cg_read(p, "cpuset.mems", mems, err) < 0) {
			free(*cpus);
			*cpus = NULL;
			return -1;
		}
		chomp(*cpus);
		chomp(*mems);
		if (**cpus && **mems)
			return 0;
		free(*cpus);
		free(*mems);
		*cpus = *mems = NULL;
	}
	return silo_error(err, 0, "no cpuset ancestor of %s has cpus and mems", h->created);
}

/* A new v1 cpuset cgroup starts with empty cpus and mems, and no process can
 * join it until they are set: copy them into every directory we made, top
 * down.  Pre-existing directories are left alone. */
static int v1_prepare(struct cgroup *cg, struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, "cpuset");
	cleanup_free char *cpus = NULL, *mems = NULL, *p = NULL;
	size_t len;

	if (h == NULL || h->created == NULL)
		return 0;
	if (cpuset_source(h, &cpus, &mems, err) < 0)
		return -1;
	p = xstrdup(h->dir);
	len = strlen(h->created);
	for (;;) {
		char saved = p[len];

		p[len] = '\0';
		if (cg_write(p, "cpuset.cpus", cpus, err) < 0 || cg_write(p, "cpuset.mems", mems, err) < 0)
			return -1;
		p[len] = saved;
		if (saved == '\0')
			return 0;
		len += 1 + strcspn(p + len + 1, "/");
	}
}

/* ================================================================ freezer */

static int freezer_state(const struct cg_hier *h, char *buf, size_t size, struct silo_error *err)
{
	cleanup_free char *s = NULL;

	if (cg_read(h->dir, "freezer.state", &s, err) < 0)
		return -1;
	chomp(s);
	snprintf(buf, size, "%s", s);
	return 0;
}

static int v1_frozen(struct cgroup *cg, struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, "freezer");
	char st[32];

	if (h == NULL)
		return 0;
	if (freezer_state(h, st, sizeof(st), err) < 0)
		return -1;
	return strcmp(st, "THAWED") != 0;
}

/* Write FROZEN and wait up to timeout_ms for the kernel to finish.  Returns
 * 1 when frozen, 0 when still FREEZING at the deadline. */
static int freeze_wait(const struct cg_hier *h, uint64_t timeout_ms, struct silo_error *err)
{
	uint64_t deadline = cg_now_ms() + timeout_ms;
	long delay = 100;

	if (cg_write(h->dir, "freezer.state", "FROZEN", err) < 0)
		return -1;
	for (;;) {
		char st[32];

		if (freezer_state(h, st, sizeof(st), err) < 0)
			return -1;
		if (strcmp(st, "FROZEN") == 0)
			return 1;
		if (cg_now_ms() > deadline)
			return 0;
		/* A FREEZING cgroup can need a new write to make progress. */
		cg_sleep_us(delay);
		if (delay < 10000)
			delay *= 2;
		if (cg_write(h->dir, "freezer.state", "FROZEN", err) < 0)
			return -1;
	}
}

static int v1_freeze(struct cgroup *cg, bool on, struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, "freezer");
	int r;

	if (h == NULL)
		return on ? silo_error(err, ENOTSUP, "freeze: no freezer cgroup hierarchy is mounted") : 0;
	if (!on)
		return cg_write(h->dir, "freezer.state", "THAWED", err);
	r = freeze_wait(h, 2000, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		struct silo_error ignored;

		cg_write(h->dir, "freezer.state", "THAWED", &ignored);
		return silo_error(err, EBUSY, "freeze %s: still freezing after 2 s", h->dir);
	}
	return 0;
}

/* Freeze so nothing forks while we signal, signal everyone, and thaw unless
 * the cgroup was paused before (a SIGKILL always thaws: the dead must run to
 * exit).  Without a freezer, signal what is listed. */
static int v1_kill(struct cgroup *cg, int signo, struct silo_error *err)
{
	struct cg_hier *fz = cg_find(cg, "freezer");
	cleanup_free pid_t *pids = NULL;
	size_t n;
	char st[32] = "THAWED";

	if (cg_read_pids(cg_pids_hier(cg)->dir, true, &pids, &n, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (fz == NULL) {
		cg_signal_pids(pids, n, signo);
		return 0;
	}
	if (freezer_state(fz, st, sizeof(st), err) < 0)
		return -1;
	if (strcmp(st, "FROZEN") != 0) {
		if (freeze_wait(fz, 1000, err) < 0)
			return -1;
		free(pids);
		pids = NULL;
		if (cg_read_pids(fz->dir, true, &pids, &n, err) < 0)
			return -1;
	}
	cg_signal_pids(pids, n, signo);
	if (signo == SIGKILL || strcmp(st, "FROZEN") != 0)
		return cg_write(fz->dir, "freezer.state", "THAWED", err);
	return 0;
}

/* ================================================================ resources */

static int v1_apply(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	return silo_error(err, ENOTSUP, "linux.resources: not supported yet on cgroup v1");
}

const struct cgroup_ops cgroup_v1_ops = {
	.prepare = v1_prepare,
	.frozen = v1_frozen,
	.freeze = v1_freeze,
	.kill = v1_kill,
	.apply = v1_apply,
};
