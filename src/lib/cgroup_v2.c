/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v2 (unified) driver: controller delegation through the
 * ancestors' cgroup.subtree_control, cgroup.freeze, cgroup.kill, and the v2
 * resource files with the v1 -> v2 conversions that engines rely on.  Device
 * rules become an eBPF program attached to the cgroup (cgroup_bpf.c).
 * cg2_enable() is shared with the v1 driver for the hybrid unified mount.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <fcntl.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroup_bpf.h"
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

int cg2_swap_value(const struct spec_resources *r, int64_t *out, struct silo_error *err)
{
	int64_t mem = r->memory.limit.set ? r->memory.limit.v : 0;
	int64_t swap = r->memory.swap.set ? r->memory.swap.v : 0;

	/* "unlimited memory" with nothing said about swap: unlimited swap too,
	 * which is what the same config means on v1 */
	if (mem == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (mem == 0 || mem == -1)
		return silo_error(err, 0, "linux.resources.memory.swap: a swap limit needs a memory limit");
	if (swap < mem)
		return silo_error(err, 0, "linux.resources.memory.swap %" PRId64 " is below "
				  "memory.limit %" PRId64 " (swap counts memory plus swap)", swap, mem);
	*out = swap - mem;
	return 0;
}

static int put_num(const char *dir, const char *file, int64_t v, struct silo_error *err)
{
	char buf[24];

	cg_limit_str(v, false, buf, sizeof(buf));
	return cg_write(dir, file, buf, err);
}

/* memory.max may not go below what the cgroup uses now when the config asks
 * for that check (checkBeforeUpdate): the kernel would reclaim or OOM-kill. */
static int check_usage(const char *dir, int64_t limit, struct silo_error *err)
{
	cleanup_free char *cur = NULL;
	int64_t used;

	if (limit <= 0 || cg_read(dir, "memory.current", &cur, err) < 0)
		return limit <= 0 ? 0 : -1;
	cur[strcspn(cur, "\n")] = '\0';
	if (parse_i64(cur, &used) == 0 && limit < used)
		return silo_error(err, EBUSY, "linux.resources.memory.limit %" PRId64 " is below the "
				  "current usage %" PRId64 " of %s", limit, used, dir);
	return 0;
}

static int v2_memory(const char *dir, const struct spec_resources *r, struct silo_error *err)
{
	const typeof(r->memory) *m = &r->memory;
	int64_t swap;

	if (m->swappiness.set)
		silo_warn("linux.resources.memory.swappiness is not supported on cgroup v2, ignored");
	if (m->disable_oom_killer.set || m->kernel.set || m->kernel_tcp.set || m->use_hierarchy.set)
		silo_debug("cgroup: disableOOMKiller, kernel, kernelTCP and useHierarchy have no v2 "
			   "equivalent, ignored (as runc does)");
	if (cg2_swap_value(r, &swap, err) < 0)
		return -1;
	if (swap != 0) {
		if (cg_exists(dir, "memory.swap.max")) {
			if (put_num(dir, "memory.swap.max", swap, err) < 0)
				return -1;
		} else if (swap != -1) {
			return silo_error(err, 0, "linux.resources.memory.swap: the kernel has no swap "
					  "accounting (%s/memory.swap.max)", dir);
		}
	}
	if (m->limit.set && m->limit.v != 0) {
		if (m->check_before_update.set && m->check_before_update.v &&
		    check_usage(dir, m->limit.v, err) < 0)
			return -1;
		if (put_num(dir, "memory.max", m->limit.v, err) < 0)
			return -1;
	}
	if (m->reservation.set && m->reservation.v != 0 &&
	    put_num(dir, "memory.low", m->reservation.v, err) < 0)
		return -1;
	return 0;
}

static int v2_cpu(const char *dir, const struct spec_resources *r, struct silo_error *err)
{
	const typeof(r->cpu) *c = &r->cpu;
	char buf[64];

	if ((c->realtime_runtime.set && c->realtime_runtime.v != 0) ||
	    (c->realtime_period.set && c->realtime_period.v != 0))
		return silo_error(err, 0, "linux.resources.cpu.realtimeRuntime/realtimePeriod: "
				  "not supported on cgroup v2");
	if (c->shares.set && c->shares.v != 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64, cg_shares_to_weight(c->shares.v));
		if (cg_write(dir, "cpu.weight", buf, err) < 0)
			return -1;
	}
	if ((c->quota.set && c->quota.v != 0) || (c->period.set && c->period.v != 0)) {
		size_t len;

		cg_limit_str(c->quota.set ? c->quota.v : -1, true, buf, sizeof(buf));
		len = strlen(buf);
		if (c->period.set && c->period.v != 0)
			snprintf(buf + len, sizeof(buf) - len, " %" PRIu64, c->period.v);
		if (cg_write(dir, "cpu.max", buf, err) < 0)
			return -1;
	}
	if (c->burst.set) {
		snprintf(buf, sizeof(buf), "%" PRIu64, c->burst.v);
		if (cg_write(dir, "cpu.max.burst", buf, err) < 0)
			return -1;
	}
	if (c->idle.set && put_num(dir, "cpu.idle", c->idle.v, err) < 0)
		return -1;
	if (c->cpus && *c->cpus && cg_write(dir, "cpuset.cpus", c->cpus, err) < 0)
		return -1;
	if (c->mems && *c->mems && cg_write(dir, "cpuset.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

static int put_io(const char *dir, const char *file, const char *key,
		  const struct spec_throttle_device *t, size_t n, struct silo_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major, t[i].minor,
			 key, t[i].rate);
		if (cg_write(dir, file, buf, err) < 0)
			return -1;
	}
	return 0;
}

/* Weights go to io.bfq.weight (the v1 scale, 1..1000) when BFQ is there,
 * else to io.weight converted to its 1..10000 scale. */
static int v2_io(const char *dir, const struct spec_resources *r, struct silo_error *err)
{
	const typeof(r->block_io) *b = &r->block_io;
	bool bfq = (b->weight.set || b->n_weight_device) && cg_exists(dir, "io.bfq.weight");
	const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
	char buf[96];

	if (b->weight.set && b->weight.v != 0) {
		if (bfq)
			snprintf(buf, sizeof(buf), "%" PRIu64, b->weight.v);
		else
			snprintf(buf, sizeof(buf), "default %" PRIu64, cg_blkio_weight_to_io(b->weight.v));
		if (cg_write(dir, wfile, buf, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct spec_weight_device *w = &b->weight_device[i];

		if (!w->weight.set)
			continue;
		snprintf(buf, sizeof(buf), "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
			 bfq ? w->weight.v : cg_blkio_weight_to_io(w->weight.v));
		if (cg_write(dir, wfile, buf, err) < 0)
			return -1;
	}
	if (b->leaf_weight.set)
		silo_debug("cgroup: blockIO.leafWeight has no v2 equivalent, ignored");
	if (put_io(dir, "io.max", "rbps", b->throttle_read_bps, b->n_throttle_read_bps, err) < 0 ||
	    put_io(dir, "io.max", "wbps", b->throttle_write_bps, b->n_throttle_write_bps, err) < 0 ||
	    put_io(dir, "io.max", "riops", b->throttle_read_iops, b->n_throttle_read_iops, err) < 0 ||
	    put_io(dir, "io.max", "wiops", b->throttle_write_iops, b->n_throttle_write_iops, err) < 0)
		return -1;
	return 0;
}

static int v2_hugetlb(const char *dir, const struct spec_resources *r, struct silo_error *err)
{
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const struct spec_hugepage_limit *l = &r->hugepage_limits[i];
		char file[64], val[24];

		if (!cg_valid_page_size(l->page_size))
			return silo_error(err, 0, "linux.resources.hugepageLimits: bad page size \"%s\"",
					  l->page_size);
		snprintf(val, sizeof(val), "%" PRIu64, l->limit);
		snprintf(file, sizeof(file), "hugetlb.%s.max", l->page_size);
		if (cg_write(dir, file, val, err) < 0)
			return -1;
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.max", l->page_size);
		if (cg_exists(dir, file) && cg_write(dir, file, val, err) < 0)
			return -1;
	}
	return 0;
}

static int v2_rdma(const char *dir, const struct spec_resources *r, struct silo_error *err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct spec_rdma *d = &r->rdma[i];
		char buf[256];
		size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", d->device);

		if (d->hca_handles.set)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, " hca_handle=%" PRIu64, d->hca_handles.v);
		if (d->hca_objects.set)
			snprintf(buf + len, sizeof(buf) - len, " hca_object=%" PRIu64, d->hca_objects.v);
		if (cg_write(dir, "rdma.max", buf, err) < 0)
			return -1;
	}
	return 0;
}

static int v2_unified(const char *dir, const struct spec_resources *r, struct silo_error *err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const struct spec_kv *kv = &r->unified[i];

		if (!cg_valid_unified_key(kv->key))
			return silo_error(err, 0, "linux.resources.unified: bad key \"%s\"", kv->key);
		if (cg_write(dir, kv->key, kv->value ? kv->value : "", err) < 0)
			return -1;
	}
	return 0;
}

static int v2_apply(struct cgroup *cg, const struct spec_resources *r, bool creating,
		    struct silo_error *err)
{
	const char *dir = cg->h[0].dir;

	/* Devices first, as on v1: on creation the filter is installed even
	 * with no rules (the default set only); an update replaces it only when
	 * the config lists rules. */
	if (cg->rootless && (creating || (r && r->n_devices > 0)))
		silo_debug("rootless: no device program (it needs CAP_SYS_ADMIN on the host)");
	else if ((creating || (r && r->n_devices > 0)) &&
		 cg_bpf_devices_install(dir, r ? r->devices : NULL, r ? r->n_devices : 0, err) < 0)
		return -1;
	if (r == NULL)
		return 0;
	if (r->network.class_id.set || r->network.n_priorities > 0)
		silo_warn("linux.resources.network is not supported on cgroup v2, ignored");
	if (v2_memory(dir, r, err) < 0 || v2_cpu(dir, r, err) < 0)
		return -1;
	if (r->pids.limit.set) {
		char buf[24];

		cg_limit_str(r->pids.limit.v, true, buf, sizeof(buf));
		if (cg_write(dir, "pids.max", buf, err) < 0)
			return -1;
	}
	if (v2_io(dir, r, err) < 0 || v2_hugetlb(dir, r, err) < 0 || v2_rdma(dir, r, err) < 0 ||
	    v2_unified(dir, r, err) < 0)
		return -1;
	return 0;
}

/* ================================================================ stats */

static void v2_cpu_stats(const char *dir, json_t *cpu)
{
	json_t *usage = json_object_get(cpu, "usage"), *thr = json_object_get(cpu, "throttling");
	cleanup_free char *st = NULL;
	uint64_t v, user = 0, kernel = 0;
	struct silo_error e;

	if (cg_read(dir, "cpu.stat", &st, &e) == 0) {
		if (cg_kv_u64(st, "usage_usec", &v) == 0)
			cg_json_u64(usage, "total", v * 1000, true);
		if (cg_kv_u64(st, "user_usec", &v) == 0)
			user = v * 1000;
		if (cg_kv_u64(st, "system_usec", &v) == 0)
			kernel = v * 1000;
	}
	cg_json_u64(usage, "kernel", kernel, false);
	cg_json_u64(usage, "user", user, false);
	if (st == NULL)
		return;
	if (cg_kv_u64(st, "nr_periods", &v) == 0)
		cg_json_u64(thr, "periods", v, true);
	if (cg_kv_u64(st, "nr_throttled", &v) == 0)
		cg_json_u64(thr, "throttledPeriods", v, true);
	if (cg_kv_u64(st, "throttled_usec", &v) == 0)
		cg_json_u64(thr, "throttledTime", v * 1000, true);
}

/* v1's names from v2's files: usage = memory.current, limit = memory.max,
 * max = memory.peak, failcnt = the "max" events; swap counts memory plus
 * swap, as v1's memsw did (runc does the same). */
static void v2_memory_stats(const char *dir, json_t *mem)
{
	cleanup_free char *st = NULL, *ev = NULL;
	uint64_t limit = 0, usage = 0, peak = 0, failcnt = 0, swap, swap_max, v;
	struct silo_error e;

	if (!cg_read_u64(dir, "memory.current", &usage))
		return;
	cg_read_u64(dir, "memory.max", &limit);
	cg_read_u64(dir, "memory.peak", &peak);
	if (cg_read(dir, "memory.events", &ev, &e) == 0)
		cg_kv_u64(ev, "max", &failcnt);
	json_object_set_new(mem, "usage", cg_json_memory_entry(limit, usage, peak, failcnt));
	if (cg_read_u64(dir, "memory.swap.current", &swap) && cg_read_u64(dir, "memory.swap.max", &swap_max)) {
		uint64_t l = limit == UINT64_MAX || swap_max == UINT64_MAX || swap_max > UINT64_MAX - limit
			     ? UINT64_MAX : limit + swap_max;

		json_object_set_new(mem, "swap", cg_json_memory_entry(l, usage + swap, 0, 0));
	}
	if (cg_read(dir, "memory.stat", &st, &e) == 0) {
		if (cg_kv_u64(st, "file", &v) == 0)
			cg_json_u64(mem, "cache", v, true);
		json_object_set_new(mem, "raw", cg_json_flat(st));
	}
}

static void v2_io_stats(const char *dir, json_t *blkio)
{
	cleanup_free char *st = NULL;
	cleanup_free struct cg_blkio_entry *bytes = NULL, *ios = NULL;
	struct silo_error e;
	size_t nb, ni;

	if (!cg_exists(dir, "io.stat") || cg_read(dir, "io.stat", &st, &e) < 0)
		return;
	nb = cg_parse_io_stat(st, "rbytes", "Read", &bytes, 0);
	nb = cg_parse_io_stat(st, "wbytes", "Write", &bytes, nb);
	ni = cg_parse_io_stat(st, "rios", "Read", &ios, 0);
	ni = cg_parse_io_stat(st, "wios", "Write", &ios, ni);
	cg_json_blkio(blkio, "ioServiceBytesRecursive", bytes, nb);
	cg_json_blkio(blkio, "ioServicedRecursive", ios, ni);
}

static void v2_hugetlb_stats(const char *dir, json_t *out)
{
	cleanup_strv char **sizes = cg_hugepage_sizes();

	for (size_t i = 0; sizes[i]; i++) {
		cleanup_free char *ev = NULL;
		uint64_t usage = 0, failcnt = 0;
		struct silo_error e;
		json_t *o;
		char f[96];

		snprintf(f, sizeof(f), "hugetlb.%s.current", sizes[i]);
		if (!cg_read_u64(dir, f, &usage))
			continue;
		snprintf(f, sizeof(f), "hugetlb.%s.events", sizes[i]);
		if (cg_read(dir, f, &ev, &e) == 0)
			cg_kv_u64(ev, "max", &failcnt);
		o = json_object();
		cg_json_u64(o, "usage", usage, true);
		cg_json_u64(o, "failcnt", failcnt, false);
		json_object_set_new(out, sizes[i], o);
	}
}

static int v2_stats(struct cgroup *cg, json_t *d, struct silo_error *err)
{
	const char *dir = cg->h[0].dir;
	json_t *pids = json_object_get(d, "pids");
	uint64_t v;

	if (!cg_exists(dir, "cgroup.procs"))
		return silo_error(err, ENOENT, "cgroup %s is gone", dir);
	v2_cpu_stats(dir, json_object_get(d, "cpu"));
	v2_memory_stats(dir, json_object_get(d, "memory"));
	if (cg_read_u64(dir, "pids.current", &v))
		cg_json_u64(pids, "current", v, true);
	if (cg_read_u64(dir, "pids.max", &v) && v != UINT64_MAX)
		cg_json_u64(pids, "limit", v, true);
	v2_io_stats(dir, json_object_get(d, "blkio"));
	v2_hugetlb_stats(dir, json_object_get(d, "hugetlb"));
	return 0;
}

/* ================================================================ OOM */

static bool oom_kill_count(const char *file, uint64_t *n)
{
	cleanup_free char *t = NULL;
	struct silo_error e;

	return read_file_at(AT_FDCWD, file, &t, NULL, &e) == 0 && cg_kv_u64(t, "oom_kill", n) == 0;
}

/* memory.events changes (the kernel notifies its modification) whenever a
 * counter moves; oom_kill is the one that says a process was killed. */
static int v2_oom_watch(struct cgroup *cg, struct cgroup_oom *w, struct silo_error *err)
{
	w->file = xasprintf("%s/memory.events", cg->h[0].dir);
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0)
		return silo_error(err, errno, "inotify_init1");
	if (inotify_add_watch(w->fd, w->file, IN_MODIFY) < 0)
		return silo_error(err, errno, "watch %s", w->file);
	if (!oom_kill_count(w->file, &w->last))
		return silo_error(err, 0, "%s has no oom_kill counter", w->file);
	return 0;
}

static int v2_oom_read(struct cgroup *cg, struct cgroup_oom *w, uint64_t *n, struct silo_error *err)
{
	char buf[4096];
	uint64_t kills;

	(void)cg;
	while (read(w->fd, buf, sizeof(buf)) > 0)
		;
	if (errno != EAGAIN)
		return silo_error(err, errno, "read inotify");
	if (oom_kill_count(w->file, &kills) && kills > w->last) {
		*n = kills - w->last;
		w->last = kills;
	}
	return 0;
}

const struct cgroup_ops cgroup_v2_ops = {
	.prepare = v2_prepare,
	.frozen = v2_frozen,
	.freeze = v2_freeze,
	.kill = v2_kill,
	.apply = v2_apply,
	.stats = v2_stats,
	.oom_watch = v2_oom_watch,
	.oom_read = v2_oom_read,
};
