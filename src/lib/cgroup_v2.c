/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v2 (unified) driver: controller delegation through the
 * ancestors' cgroup.subtree_control, cgroup.freeze, cgroup.kill, and the v2
 * resource files with the v1 -> v2 conversions that engines rely on.
 * cg2_enable() is shared with the v1 driver for the hybrid unified mount.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "cgroup_internal.h"
#include "log.h"
#include "util.h"

/* ================================================================ controllers */

static const char *const cg2_names[] = {
	"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc",
};

static int read_bits(const char *dir, const char *file, unsigned *bits, struct silo_error *err)
{
	cleanup_free char *s = NULL;

	if (cg_read(dir, file, &s, err) < 0)
		return -1;
	*bits = cg2_parse_controllers(s);
	return 0;
}

/* Enable `missing` in dir's subtree_control: all at once, else one by one
 * (the kernel applies a write all or nothing).  Failures are tolerated: EBUSY
 * means dir holds processes ("no internal processes"), and the leaf then
 * simply lacks the controller; writing one of its files says so later. */
static void enable_in(const char *dir, unsigned missing)
{
	char buf[128];
	size_t len = 0;
	struct silo_error e;

	for (size_t i = 0; i < ARRAY_SIZE(cg2_names); i++)
		if (missing & (1u << i))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s+%s", len ? " " : "", cg2_names[i]);
	if (cg_write(dir, "cgroup.subtree_control", buf, &e) == 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(cg2_names); i++) {
		if (!(missing & (1u << i)))
			continue;
		snprintf(buf, sizeof(buf), "+%s", cg2_names[i]);
		if (cg_write(dir, "cgroup.subtree_control", buf, &e) < 0)
			silo_debug("cgroup: %s", e.msg);
	}
}

int cg2_enable(const char *mount, const char *leaf, unsigned want, unsigned *got,
	       struct silo_error *err)
{
	size_t mlen = strlen(mount), plen;
	cleanup_free char *p = NULL;
	unsigned avail, have;

	if (got)
		*got = 0;
	if (strcmp(leaf, mount) == 0)
		return 0;
	p = xstrdup(leaf);
	plen = (size_t)(strrchr(p, '/') - p);     /* the leaf's parent */
	if (read_bits(mount, "cgroup.controllers", &avail, err) < 0)
		return -1;
	want &= avail;
	p[plen] = '\0';
	if (read_bits(p, "cgroup.subtree_control", &have, err) < 0)
		return -1;
	if ((have & want) != want) {
		/* walk down from the mount to the parent */
		size_t len = mlen;

		p[plen] = '/';
		for (;;) {
			char saved = p[len];
			unsigned av, en;

			p[len] = '\0';
			if (read_bits(p, "cgroup.controllers", &av, err) < 0 ||
			    read_bits(p, "cgroup.subtree_control", &en, err) < 0)
				return -1;
			if (want & av & ~en)
				enable_in(p, want & av & ~en);
			p[len] = saved;
			if (len >= plen)
				break;
			len += 1 + strcspn(p + len + 1, "/");
		}
		p[plen] = '\0';
		if (read_bits(p, "cgroup.subtree_control", &have, err) < 0)
			return -1;
	}
	if (got)
		*got = have & want;
	return 0;
}

static int v2_prepare(struct cgroup *cg, struct silo_error *err)
{
	return cg2_enable(cg->h[0].mount, cg->h[0].dir, ~0u, NULL, err);
}

/* ================================================================ freezer */

static int v2_frozen(struct cgroup *cg, struct silo_error *err)
{
	cleanup_free char *ev = NULL;
	const char *p;

	if (!cg_exists(cg->h[0].dir, "cgroup.freeze"))
		return 0;
	if (cg_read(cg->h[0].dir, "cgroup.events", &ev, err) < 0)
		return -1;
	p = strstr(ev, "frozen ");
	return p && (p == ev || p[-1] == '\n') && p[7] == '1';
}

static int v2_freeze(struct cgroup *cg, bool on, struct silo_error *err)
{
	const char *dir = cg->h[0].dir;
	uint64_t deadline;
	long delay = 100;

	if (cg_write(dir, "cgroup.freeze", on ? "1" : "0", err) < 0)
		return -1;
	if (!on)
		return 0;
	deadline = cg_now_ms() + 2000;
	for (;;) {
		int r = v2_frozen(cg, err);

		if (r != 0)
			return r < 0 ? -1 : 0;
		if (cg_now_ms() > deadline) {
			struct silo_error ignored;

			cg_write(dir, "cgroup.freeze", "0", &ignored);
			return silo_error(err, EBUSY, "freeze %s: still freezing after 2 s", dir);
		}
		cg_sleep_us(delay);
		if (delay < 10000)
			delay *= 2;
	}
}

/* SIGKILL through cgroup.kill (5.14+: atomic, recursive, reaches frozen
 * tasks).  Otherwise signal what is listed; for SIGKILL also thaw, so that
 * frozen tasks run to their exit. */
static int v2_kill(struct cgroup *cg, int signo, struct silo_error *err)
{
	const char *dir = cg->h[0].dir;
	cleanup_free pid_t *pids = NULL;
	size_t n;

	if (signo == SIGKILL) {
		if (cg_write(dir, "cgroup.kill", "1", err) == 0)
			return 0;
		if (err->errnum != ENOENT)
			return -1;
		silo_error_clear(err);
	}
	if (cg_read_pids(dir, true, &pids, &n, err) < 0)
		return -1;
	cg_signal_pids(pids, n, signo);
	if (signo == SIGKILL && n > 0 && cg_exists(dir, "cgroup.freeze"))
		return cg_write(dir, "cgroup.freeze", "0", err);
	return 0;
}

/* ================================================================ resources */

uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t cg_blkio_weight_to_io(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + ((weight - 10) * 9999) / 990;
}

static int v2_apply(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	return silo_error(err, ENOTSUP, "linux.resources: not supported yet on cgroup v2");
}

const struct cgroup_ops cgroup_v2_ops = {
	.prepare = v2_prepare,
	.frozen = v2_frozen,
	.freeze = v2_freeze,
	.kill = v2_kill,
	.apply = v2_apply,
};
