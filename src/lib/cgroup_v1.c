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

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <sys/eventfd.h>

#include "cgroup_bpf.h"
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
 * the cgroup was paused before (a SIGKILL always thaws, sub-cgroups too: the
 * dead must run to exit).  Without a freezer, signal what is listed. */
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
	/* A sub-cgroup frozen on its own stays frozen when its parent thaws,
	 * and a frozen task does not die of SIGKILL: thaw them all. */
	if (signo == SIGKILL)
		cg_write_subtree(fz->dir, "freezer.state", "THAWED");
	if (signo == SIGKILL || strcmp(st, "FROZEN") != 0)
		return cg_write(fz->dir, "freezer.state", "THAWED", err);
	return 0;
}

/* ================================================================ resources */

/* Each knob names the hierarchy it needs; a set knob whose hierarchy is not
 * mounted is an error, except where runc ignores it (noted). */
static struct cg_hier *need(struct cgroup *cg, const char *controller, const char *field,
			    struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, controller);

	if (h == NULL)
		silo_error(err, 0, "linux.resources.%s: the %s cgroup controller is not mounted",
			   field, controller);
	return h;
}

static int put_i64(const char *dir, const char *file, int64_t v, struct silo_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cg_write(dir, file, buf, err);
}

static int put_u64(const char *dir, const char *file, uint64_t v, struct silo_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return cg_write(dir, file, buf, err);
}

/* kmem limits: gone from recent kernels (or a no-op there); accepted and
 * ignored when the file does not exist, as runc does. */
static int put_optional(const char *dir, const char *file, int64_t v, struct silo_error *err)
{
	if (!cg_exists(dir, file)) {
		silo_debug("cgroup: %s/%s does not exist, limit ignored", dir, file);
		return 0;
	}
	return put_i64(dir, file, v, err);
}

/* memory.limit_in_bytes and memory.memsw.limit_in_bytes (memory + swap)
 * must keep memsw >= limit at every step: raise memsw first when growing. */
static int v1_memory_limits(const struct cg_hier *h, const struct spec_resources *r,
			    struct silo_error *err)
{
	const char *dir = h->dir;
	bool swap_first = false;
	struct spec_resources unl;

	/* an unlimited memory with no word on swap: unlimited swap too, or the
	 * kernel refuses a limit above the current memsw */
	if (r->memory.limit.set && r->memory.limit.v == -1 && !r->memory.swap.set &&
	    cg_exists(dir, "memory.memsw.limit_in_bytes")) {
		unl = *r;
		unl.memory.swap.set = true;
		unl.memory.swap.v = -1;
		r = &unl;
	}
	if (r->memory.swap.set) {
		if (!cg_exists(dir, "memory.memsw.limit_in_bytes")) {
			if (r->memory.swap.v == -1 || (r->memory.limit.set && r->memory.swap.v == r->memory.limit.v)) {
				silo_debug("cgroup: no swap accounting, memory.swap %" PRId64 " ignored",
					   r->memory.swap.v);
				return r->memory.limit.set ? put_i64(dir, "memory.limit_in_bytes", r->memory.limit.v, err) : 0;
			}
			return silo_error(err, 0, "linux.resources.memory.swap: the kernel has no swap "
					  "accounting (%s/memory.memsw.limit_in_bytes)", dir);
		}
		if (r->memory.swap.v == -1) {
			swap_first = true;
		} else {
			cleanup_free char *cur = NULL;
			int64_t c;

			if (cg_read(dir, "memory.memsw.limit_in_bytes", &cur, err) < 0)
				return -1;
			chomp(cur);
			swap_first = parse_i64(cur, &c) == 0 && r->memory.swap.v > c;
			/* an unlimited memsw with a number: can only go below it */
		}
	}
	if (swap_first && put_i64(dir, "memory.memsw.limit_in_bytes", r->memory.swap.v, err) < 0)
		return -1;
	if (r->memory.limit.set && put_i64(dir, "memory.limit_in_bytes", r->memory.limit.v, err) < 0)
		return -1;
	if (r->memory.swap.set && !swap_first &&
	    put_i64(dir, "memory.memsw.limit_in_bytes", r->memory.swap.v, err) < 0)
		return -1;
	return 0;
}

static int v1_memory(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	const typeof(r->memory) *m;
	struct spec_resources z = *r;
	struct cg_hier *h;

	/* 0 means "not set" for these, as in runc */
	z.memory.limit.set &= z.memory.limit.v != 0;
	z.memory.swap.set &= z.memory.swap.v != 0;
	z.memory.reservation.set &= z.memory.reservation.v != 0;
	r = &z;
	m = &r->memory;
	if (!m->limit.set && !m->reservation.set && !m->swap.set && !m->kernel.set &&
	    !m->kernel_tcp.set && !m->swappiness.set && !m->disable_oom_killer.set &&
	    !m->use_hierarchy.set)
		return 0;
	if ((h = need(cg, "memory", "memory", err)) == NULL)
		return -1;
	if (m->limit.set && m->limit.v > 0 && m->check_before_update.set && m->check_before_update.v) {
		uint64_t used;

		/* the kernel would reclaim or OOM-kill to get below the new limit */
		if (cg_read_u64(h->dir, "memory.usage_in_bytes", &used) && (uint64_t)m->limit.v < used)
			return silo_error(err, EBUSY, "linux.resources.memory.limit %" PRId64 " is below the "
					  "current usage %" PRIu64 " of %s", m->limit.v, used, h->dir);
	}
	if (v1_memory_limits(h, r, err) < 0)
		return -1;
	if (m->reservation.set && put_i64(h->dir, "memory.soft_limit_in_bytes", m->reservation.v, err) < 0)
		return -1;
	if (m->kernel.set && put_optional(h->dir, "memory.kmem.limit_in_bytes", m->kernel.v, err) < 0)
		return -1;
	if (m->kernel_tcp.set && put_optional(h->dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp.v, err) < 0)
		return -1;
	if (m->swappiness.set && put_u64(h->dir, "memory.swappiness", m->swappiness.v, err) < 0)
		return -1;
	if (m->disable_oom_killer.set && m->disable_oom_killer.v &&
	    cg_write(h->dir, "memory.oom_control", "1", err) < 0)
		return -1;
	if (m->use_hierarchy.set && cg_write(h->dir, "memory.use_hierarchy", m->use_hierarchy.v ? "1" : "0", err) < 0)
		return -1;
	return 0;
}

static int v1_cpu(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	const typeof(r->cpu) *c = &r->cpu;
	struct cg_hier *h;

	if (c->shares.set || c->period.set || c->quota.set || c->burst.set || c->realtime_period.set ||
	    c->realtime_runtime.set || c->idle.set) {
		if ((h = need(cg, "cpu", "cpu", err)) == NULL)
			return -1;
		if (c->shares.set && c->shares.v != 0 && put_u64(h->dir, "cpu.shares", c->shares.v, err) < 0)
			return -1;
		/* the period first: the kernel checks the quota against it */
		if (c->period.set && c->period.v != 0 && put_u64(h->dir, "cpu.cfs_period_us", c->period.v, err) < 0)
			return -1;
		if (c->quota.set && c->quota.v != 0 && put_i64(h->dir, "cpu.cfs_quota_us", c->quota.v, err) < 0)
			return -1;
		if (c->burst.set && put_u64(h->dir, "cpu.cfs_burst_us", c->burst.v, err) < 0)
			return -1;
		if (c->realtime_period.set && c->realtime_period.v != 0 &&
		    put_u64(h->dir, "cpu.rt_period_us", c->realtime_period.v, err) < 0)
			return -1;
		if (c->realtime_runtime.set && c->realtime_runtime.v != 0 &&
		    put_i64(h->dir, "cpu.rt_runtime_us", c->realtime_runtime.v, err) < 0)
			return -1;
		if (c->idle.set && put_i64(h->dir, "cpu.idle", c->idle.v, err) < 0)
			return -1;
	}
	if ((c->cpus && *c->cpus) || (c->mems && *c->mems)) {
		if ((h = need(cg, "cpuset", "cpu.cpus/mems", err)) == NULL)
			return -1;
		if (c->cpus && *c->cpus && cg_write(h->dir, "cpuset.cpus", c->cpus, err) < 0)
			return -1;
		if (c->mems && *c->mems && cg_write(h->dir, "cpuset.mems", c->mems, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_pids(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	struct cg_hier *h;
	char buf[24];

	if (!r->pids.limit.set)
		return 0;
	if ((h = need(cg, "pids", "pids", err)) == NULL)
		return -1;
	cg_limit_str(r->pids.limit.v, true, buf, sizeof(buf));
	return cg_write(h->dir, "pids.max", buf, err);
}

static int put_dev(const char *dir, const char *file, int64_t maj, int64_t min, uint64_t v,
		   struct silo_error *err)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, maj, min, v);
	return cg_write(dir, file, buf, err);
}

static int put_throttle(const char *dir, const char *file, const struct spec_throttle_device *t,
			size_t n, struct silo_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (put_dev(dir, file, t[i].major, t[i].minor, t[i].rate, err) < 0)
			return -1;
	return 0;
}

static int v1_blkio(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	const typeof(r->block_io) *b = &r->block_io;
	struct cg_hier *h;
	const char *wfile, *wdfile;

	if (!b->weight.set && !b->leaf_weight.set && !b->n_weight_device && !b->n_throttle_read_bps &&
	    !b->n_throttle_write_bps && !b->n_throttle_read_iops && !b->n_throttle_write_iops)
		return 0;
	if ((h = need(cg, "blkio", "blockIO", err)) == NULL)
		return -1;
	/* CFQ's files, or BFQ's when only BFQ is there */
	wfile = "blkio.weight";
	wdfile = "blkio.weight_device";
	if (!cg_exists(h->dir, wfile) && cg_exists(h->dir, "blkio.bfq.weight")) {
		wfile = "blkio.bfq.weight";
		wdfile = "blkio.bfq.weight_device";
	}
	if (b->weight.set && b->weight.v != 0 && put_u64(h->dir, wfile, b->weight.v, err) < 0)
		return -1;
	if (b->leaf_weight.set && b->leaf_weight.v != 0 &&
	    put_u64(h->dir, "blkio.leaf_weight", b->leaf_weight.v, err) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *w = &b->weight_device[i];

		if (w->weight.set && put_dev(h->dir, wdfile, w->major, w->minor, w->weight.v, err) < 0)
			return -1;
		if (w->leaf_weight.set &&
		    put_dev(h->dir, "blkio.leaf_weight_device", w->major, w->minor, w->leaf_weight.v, err) < 0)
			return -1;
	}
	if (put_throttle(h->dir, "blkio.throttle.read_bps_device", b->throttle_read_bps,
			 b->n_throttle_read_bps, err) < 0 ||
	    put_throttle(h->dir, "blkio.throttle.write_bps_device", b->throttle_write_bps,
			 b->n_throttle_write_bps, err) < 0 ||
	    put_throttle(h->dir, "blkio.throttle.read_iops_device", b->throttle_read_iops,
			 b->n_throttle_read_iops, err) < 0 ||
	    put_throttle(h->dir, "blkio.throttle.write_iops_device", b->throttle_write_iops,
			 b->n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

/* v1 hugetlb files, or, in the hybrid layout, the cgroup2 ones on the
 * unified mount (where this host keeps hugetlb). */
static int v1_hugetlb(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	struct cg_hier *h;
	bool v2;

	if (r->n_hugepage_limits == 0)
		return 0;
	h = cg_find(cg, "hugetlb");
	v2 = h == NULL;
	if (v2) {
		unsigned got = 0;

		h = cg_find(cg, NULL);
		if (h && cg2_enable(h->mount, h->dir, CG2_HUGETLB, &got, err) < 0)
			return -1;
		if (h == NULL || !(got & CG2_HUGETLB))
			return silo_error(err, 0, "linux.resources.hugepageLimits: the hugetlb "
					  "cgroup controller is not available");
	}
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *l = &r->hugepage_limits[i];
		char file[64], rsvd[64];

		if (!cg_valid_page_size(l->page_size))
			return silo_error(err, 0, "linux.resources.hugepageLimits: bad page size \"%s\"",
					  l->page_size);
		snprintf(file, sizeof(file), v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", l->page_size);
		snprintf(rsvd, sizeof(rsvd), v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes",
			 l->page_size);
		if (put_u64(h->dir, file, l->limit, err) < 0)
			return -1;
		/* the reservation limit too when the kernel has it, like runc */
		if (cg_exists(h->dir, rsvd) && put_u64(h->dir, rsvd, l->limit, err) < 0)
			return -1;
	}
	return 0;
}

/* net_cls / net_prio: written when mounted; runc skips them otherwise. */
static int v1_network(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	struct cg_hier *h;

	if (r->network.class_id.set) {
		if ((h = cg_find(cg, "net_cls")) == NULL)
			silo_warn("linux.resources.network.classID ignored: net_cls is not mounted");
		else if (put_u64(h->dir, "net_cls.classid", r->network.class_id.v, err) < 0)
			return -1;
	}
	if (r->network.n_priorities == 0)
		return 0;
	if ((h = cg_find(cg, "net_prio")) == NULL) {
		silo_warn("linux.resources.network.priorities ignored: net_prio is not mounted");
		return 0;
	}
	for (size_t i = 0; i < r->network.n_priorities; i++) {
		char buf[128];

		snprintf(buf, sizeof(buf), "%s %" PRIu32, r->network.priorities[i].name,
			 r->network.priorities[i].priority);
		if (cg_write(h->dir, "net_prio.ifpriomap", buf, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_rdma(struct cgroup *cg, const struct spec_resources *r, struct silo_error *err)
{
	struct cg_hier *h;

	if (r->n_rdma == 0)
		return 0;
	if ((h = need(cg, "rdma", "rdma", err)) == NULL)
		return -1;
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char buf[256];
		size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", d->device);

		if (d->hca_handles.set)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " hca_handle=%" PRIu64, d->hca_handles.v);
		if (d->hca_objects.set)
			snprintf(buf + len, sizeof(buf) - len, " hca_object=%" PRIu64, d->hca_objects.v);
		if (cg_write(h->dir, "rdma.max", buf, err) < 0)
			return -1;
	}
	return 0;
}

/* The rule files, opened once per apply: a write per rule, not an open. */
struct rule_files {
	const char *dir;
	int fd[2];                 /* [0] devices.deny, [1] devices.allow */
};

static int put_rule(struct rule_files *f, const struct spec_device_rule *d,
		    struct silo_error *err)
{
	static const char *const names[2] = { "devices.deny", "devices.allow" };
	int k = d->allow ? 1 : 0;
	char buf[64];

	cg_device_rule_str(d, buf, sizeof(buf));
	if (f->fd[k] < 0) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", f->dir, names[k]);
		f->fd[k] = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (f->fd[k] < 0)
			return silo_error(err, errno, "write %s: \"%s\"", path, buf);
	}
	if (write_all(f->fd[k], buf, strlen(buf)) < 0)
		return silo_error(err, errno, "write %s/%s: \"%s\"", f->dir, names[k], buf);
	return 0;
}

static int v1_devices(struct cgroup *cg, const struct spec_resources *r, bool creating,
		      struct silo_error *err)
{
	size_t n = r ? r->n_devices : 0;
	struct cg_hier *h;
	bool first_is_deny_all;

	if (n == 0 && !creating)
		return 0;
	if (cg->rootless) {
		silo_debug("rootless: no device rules (the devices cgroup refuses a user namespace)");
		return 0;
	}
	if ((h = cg_find(cg, "devices")) == NULL) {
		if (n > 0)
			silo_warn("linux.resources.devices ignored: the devices cgroup is not mounted");
		return 0;
	}
	first_is_deny_all = n > 0 && !r->devices[0].allow && r->devices[0].type == 'a' &&
			    r->devices[0].major < 0 && r->devices[0].minor < 0;
	{
		static const struct spec_device_rule deny_all = { false, 'a', -1, -1, "rwm" };
		struct rule_files f = { .dir = h->dir, .fd = { -1, -1 } };
		int ret = 0;

		if (!first_is_deny_all)
			ret = put_rule(&f, &deny_all, err);
		for (size_t i = 0; ret == 0 && i < n; i++)
			ret = put_rule(&f, &r->devices[i], err);
		for (size_t i = 0; ret == 0 && i < cg_n_default_devices; i++)
			ret = put_rule(&f, &cg_default_devices[i], err);
		for (int k = 0; k < 2; k++)
			if (f.fd[k] >= 0)
				close(f.fd[k]);
		return ret;
	}
}

static int v1_apply(struct cgroup *cg, const struct spec_resources *r, bool creating,
		    struct silo_error *err)
{
	if (r && r->n_unified > 0)
		return silo_error(err, 0, "linux.resources.unified needs cgroup v2 (this host runs "
				  "cgroup v1)");
	if (v1_devices(cg, r, creating, err) < 0)
		return -1;
	if (r == NULL)
		return 0;
	if (v1_memory(cg, r, err) < 0 || v1_cpu(cg, r, err) < 0 || v1_pids(cg, r, err) < 0 ||
	    v1_blkio(cg, r, err) < 0 || v1_hugetlb(cg, r, err) < 0 || v1_network(cg, r, err) < 0 ||
	    v1_rdma(cg, r, err) < 0)
		return -1;
	return 0;
}

/* ================================================================ stats */

static uint64_t ticks_to_ns(uint64_t ticks)
{
	long hz = sysconf(_SC_CLK_TCK);

	return ticks * (uint64_t)(1000000000L / (hz > 0 ? hz : 100));
}

static void v1_cpu_stats(struct cgroup *cg, json_t *cpu)
{
	json_t *usage = json_object_get(cpu, "usage"), *thr = json_object_get(cpu, "throttling");
	uint64_t v, user = 0, kernel = 0;
	struct cg_hier *h = cg_find(cg, "cpuacct");
	struct silo_error e;

	if (h) {
		static const struct { const char *file, *key; } lists[] = {
			{ "cpuacct.usage_percpu", "percpu" },
			{ "cpuacct.usage_percpu_sys", "percpu_kernel" },
			{ "cpuacct.usage_percpu_user", "percpu_user" },
		};
		cleanup_free char *st = NULL;

		if (cg_read_u64(h->dir, "cpuacct.usage", &v))
			cg_json_u64(usage, "total", v, true);
		for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
			cleanup_free char *t = NULL;
			cleanup_free uint64_t *nums = NULL;
			size_t n;

			if (!cg_exists(h->dir, lists[i].file) || cg_read(h->dir, lists[i].file, &t, &e) < 0)
				continue;
			n = cg_u64_list(t, &nums);
			cg_json_u64_array(usage, lists[i].key, nums, n);
		}
		if (cg_read(h->dir, "cpuacct.stat", &st, &e) == 0) {
			if (cg_kv_u64(st, "user", &v) == 0)
				user = ticks_to_ns(v);
			if (cg_kv_u64(st, "system", &v) == 0)
				kernel = ticks_to_ns(v);
		}
	}
	cg_json_u64(usage, "kernel", kernel, false);
	cg_json_u64(usage, "user", user, false);
	if ((h = cg_find(cg, "cpu")) != NULL) {
		cleanup_free char *st = NULL;

		if (cg_exists(h->dir, "cpu.stat") && cg_read(h->dir, "cpu.stat", &st, &e) == 0) {
			if (cg_kv_u64(st, "nr_periods", &v) == 0)
				cg_json_u64(thr, "periods", v, true);
			if (cg_kv_u64(st, "nr_throttled", &v) == 0)
				cg_json_u64(thr, "throttledPeriods", v, true);
			if (cg_kv_u64(st, "throttled_time", &v) == 0)
				cg_json_u64(thr, "throttledTime", v, true);
		}
	}
}

static json_t *v1_mem_entry(const char *dir, const char *prefix)
{
	uint64_t limit = 0, usage = 0, max = 0, failcnt = 0;
	char f[96];

	snprintf(f, sizeof(f), "%slimit_in_bytes", prefix);
	cg_read_u64(dir, f, &limit);
	snprintf(f, sizeof(f), "%susage_in_bytes", prefix);
	cg_read_u64(dir, f, &usage);
	snprintf(f, sizeof(f), "%smax_usage_in_bytes", prefix);
	cg_read_u64(dir, f, &max);
	snprintf(f, sizeof(f), "%sfailcnt", prefix);
	cg_read_u64(dir, f, &failcnt);
	return cg_json_memory_entry(limit, usage, max, failcnt);
}

static void v1_memory_stats(struct cgroup *cg, json_t *mem)
{
	struct cg_hier *h = cg_find(cg, "memory");
	cleanup_free char *st = NULL;
	struct silo_error e;
	uint64_t v;

	if (h == NULL)
		return;
	json_object_set_new(mem, "usage", v1_mem_entry(h->dir, "memory."));
	json_object_set_new(mem, "swap", v1_mem_entry(h->dir, "memory.memsw."));
	json_object_set_new(mem, "kernel", v1_mem_entry(h->dir, "memory.kmem."));
	json_object_set_new(mem, "kernelTCP", v1_mem_entry(h->dir, "memory.kmem.tcp."));
	if (cg_read(h->dir, "memory.stat", &st, &e) == 0) {
		if (cg_kv_u64(st, "cache", &v) == 0)
			cg_json_u64(mem, "cache", v, true);
		json_object_set_new(mem, "raw", cg_json_flat(st));
	}
}

static void v1_blkio_stats(struct cgroup *cg, json_t *blkio)
{
	static const struct { const char *cfq, *throttle, *key; } files[] = {
		{ "blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive",
		  "ioServiceBytesRecursive" },
		{ "blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive",
		  "ioServicedRecursive" },
		{ "blkio.io_queued_recursive", NULL, "ioQueueRecursive" },
		{ "blkio.io_service_time_recursive", NULL, "ioServiceTimeRecursive" },
		{ "blkio.io_wait_time_recursive", NULL, "ioWaitTimeRecursive" },
		{ "blkio.io_merged_recursive", NULL, "ioMergedRecursive" },
		{ "blkio.time_recursive", NULL, "ioTimeRecursive" },
		{ "blkio.sectors_recursive", NULL, "sectorsRecursive" },
	};
	struct cg_hier *h = cg_find(cg, "blkio");
	struct silo_error e;

	if (h == NULL)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_free struct cg_blkio_entry *v = NULL;
		size_t n = 0;

		/* CFQ's files when it has something, else the throttle layer's (runc) */
		for (int k = 0; k < 2 && n == 0; k++) {
			cleanup_free char *t = NULL;
			const char *f = k == 0 ? files[i].cfq : files[i].throttle;

			if (f && cg_exists(h->dir, f) && cg_read(h->dir, f, &t, &e) == 0)
				n = cg_parse_blkio_v1(t, &v, 0);
		}
		cg_json_blkio(blkio, files[i].key, v, n);
	}
}

static void v1_hugetlb_stats(struct cgroup *cg, json_t *out)
{
	struct cg_hier *h = cg_find(cg, "hugetlb");
	bool v2 = h == NULL;
	cleanup_strv char **sizes = NULL;

	if (v2)
		h = cg_find(cg, NULL);     /* the hybrid unified mount keeps hugetlb here */
	if (h == NULL)
		return;
	sizes = cg_hugepage_sizes();
	for (size_t i = 0; sizes[i]; i++) {
		uint64_t usage = 0, max = 0, failcnt = 0;
		json_t *o;
		char f[96];

		if (v2) {
			cleanup_free char *ev = NULL;
			struct silo_error e;

			snprintf(f, sizeof(f), "hugetlb.%s.current", sizes[i]);
			if (!cg_read_u64(h->dir, f, &usage))
				continue;
			snprintf(f, sizeof(f), "hugetlb.%s.events", sizes[i]);
			if (cg_read(h->dir, f, &ev, &e) == 0)
				cg_kv_u64(ev, "max", &failcnt);
		} else {
			snprintf(f, sizeof(f), "hugetlb.%s.usage_in_bytes", sizes[i]);
			if (!cg_read_u64(h->dir, f, &usage))
				continue;
			snprintf(f, sizeof(f), "hugetlb.%s.max_usage_in_bytes", sizes[i]);
			cg_read_u64(h->dir, f, &max);
			snprintf(f, sizeof(f), "hugetlb.%s.failcnt", sizes[i]);
			cg_read_u64(h->dir, f, &failcnt);
		}
		o = json_object();
		cg_json_u64(o, "usage", usage, true);
		cg_json_u64(o, "max", max, true);
		cg_json_u64(o, "failcnt", failcnt, false);
		json_object_set_new(out, sizes[i], o);
	}
}

static int v1_stats(struct cgroup *cg, json_t *d, struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, "pids");
	json_t *pids = json_object_get(d, "pids");
	uint64_t v;

	(void)err;
	v1_cpu_stats(cg, json_object_get(d, "cpu"));
	v1_memory_stats(cg, json_object_get(d, "memory"));
	if (h && cg_read_u64(h->dir, "pids.current", &v))
		cg_json_u64(pids, "current", v, true);
	if (h && cg_read_u64(h->dir, "pids.max", &v) && v != UINT64_MAX)
		cg_json_u64(pids, "limit", v, true);
	v1_blkio_stats(cg, json_object_get(d, "blkio"));
	v1_hugetlb_stats(cg, json_object_get(d, "hugetlb"));
	return 0;
}

/* ================================================================ OOM */

/* The kernel's count of OOM kills in the cgroup (memory.oom_control's
 * oom_kill, 4.13+); false when it has none. */
static bool oom_kills(const char *dir, uint64_t *n)
{
	cleanup_free char *t = NULL;
	struct silo_error e;

	return cg_exists(dir, "memory.oom_control") && cg_read(dir, "memory.oom_control", &t, &e) == 0 &&
	       cg_kv_u64(t, "oom_kill", n) == 0;
}

static int v1_oom_watch(struct cgroup *cg, struct cgroup_oom *w, struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, "memory");
	char path[PATH_MAX], buf[64];

	if (h == NULL)
		return silo_error(err, ENOTSUP, "OOM events: no memory cgroup hierarchy is mounted");
	snprintf(path, sizeof(path), "%s/memory.oom_control", h->dir);
	w->aux_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (w->aux_fd < 0)
		return silo_error(err, errno, "open %s", path);
	w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->fd < 0)
		return silo_error(err, errno, "eventfd");
	snprintf(buf, sizeof(buf), "%d %d", w->fd, w->aux_fd);
	if (cg_write(h->dir, "cgroup.event_control", buf, err) < 0)
		return -1;
	if (!oom_kills(h->dir, &w->last))
		w->last = UINT64_MAX;          /* no counter: count the notifications */
	return 0;
}

/* The eventfd fires when the cgroup is under OOM (and when it is removed):
 * with the oom_kill counter, report kills; without it, notifications that
 * came while the cgroup still exists. */
static int v1_oom_read(struct cgroup *cg, struct cgroup_oom *w, uint64_t *n, struct silo_error *err)
{
	struct cg_hier *h = cg_find(cg, "memory");
	uint64_t count = 0, kills;

	if (read(w->fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return silo_error(err, errno, "read OOM eventfd");
	if (w->last == UINT64_MAX) {
		*n = h && cg_exists(h->dir, "memory.oom_control") ? count : 0;
		return 0;
	}
	if (h && oom_kills(h->dir, &kills) && kills > w->last) {
		*n = kills - w->last;
		w->last = kills;
	}
	return 0;
}

const struct cgroup_ops cgroup_v1_ops = {
	.prepare = v1_prepare,
	.frozen = v1_frozen,
	.freeze = v1_freeze,
	.kill = v1_kill,
	.apply = v1_apply,
	.stats = v1_stats,
	.oom_watch = v1_oom_watch,
	.oom_read = v1_oom_read,
};
