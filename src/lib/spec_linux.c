/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.json's "linux" object -> struct spec_linux: namespaces, id maps,
 * time offsets, devices, cgroup resources, sysctl, seccomp, propagation,
 * masked and read-only paths, personality.  The second half of the parser in
 * spec.c (same conventions, shared getters in spec_internal.h); split off to
 * keep both files readable.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cpulist.h"
#include "mountopts.h"
#include "seccomp_filter.h"
#include "spec.h"
#include "fs.h"
#include "spec_internal.h"
#include "util.h"

/* ---------------------------------------------------------------- tables */

/* Index = enum spec_seccomp_action / enum spec_seccomp_op. */
static const char *const seccomp_actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",
	"SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", NULL,
};
static const char *const seccomp_ops[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE",
	"SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};
/* libseccomp's architecture names; anything else cannot be loaded later. */
static const char *const seccomp_archs[] = {
	"SCMP_ARCH_NATIVE", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
	"SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
	NULL,
};
static const char *const seccomp_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	NULL,
};

static int table_index(const char *const *table, const char *name)
{
	for (int i = 0; table[i] != NULL; i++)
		if (strcmp(table[i], name) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------- linux: namespaces */

static int parse_namespace(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_linux *l = data;
	cleanup_free char *type = NULL;
	cleanup_free char *nspath = NULL;
	fpath_t q;
	int t, r;

	if ((r = sj_get_str(c, e, "type", path, &type)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "type");
	for (t = 0; t < NS_COUNT; t++)
		if (strcmp(type, spec_ns_names[t]) == 0)
			break;
	if (t == NS_COUNT)
		return sj_fail(c, sj_fld(q, path, "type"), "unknown namespace \"%s\"", SAFE(type));
	if (l->ns[t].present)
		return sj_fail(c, sj_fld(q, path, "type"), "duplicate namespace \"%s\"", type);
	l->ns[t].present = true;
	if (sj_get_str(c, e, "path", path, &nspath) < 0)
		return -1;
	if (nspath != NULL && nspath[0] != '\0') {
		if (sj_check_abs(c, sj_fld(q, path, "path"), nspath) < 0)
			return -1;
		l->ns[t].path = steal_pointer(&nspath);
	}
	return 0;
}

static int parse_time_offset(struct sj_ctx *c, json_t *o, const char *path, struct spec_time_offset *t)
{
	uint64_t ns = 0;

	if (!json_is_object(o))
		return sj_fail(c, path, "must be an object");
	t->set = true;
	if (sj_get_i64(c, o, "secs", path, &t->secs) < 0 ||
	    sj_get_u64(c, o, "nanosecs", path, 999999999, &ns) < 0)
		return -1;
	t->nanosecs = (uint32_t)ns;
	return 0;
}

static int parse_time_offsets(struct sj_ctx *c, json_t *linux, struct spec_linux *l)
{
	json_t *o, *v;
	const char *k;
	fpath_t p;
	int r = sj_get_obj(c, linux, "timeOffsets", "linux", &o);

	if (r <= 0)
		return r;
	json_object_foreach(o, k, v) {
		sj_fld(p, "linux.timeOffsets", k);
		if (strcmp(k, "monotonic") == 0)
			r = parse_time_offset(c, v, p, &l->time_monotonic);
		else if (strcmp(k, "boottime") == 0)
			r = parse_time_offset(c, v, p, &l->time_boottime);
		else
			r = sj_fail(c, sj_keyed(p, "linux.timeOffsets", k),
				 "unknown clock (only \"monotonic\" and \"boottime\" can be offset)");
		if (r < 0)
			return -1;
	}
	if (!l->ns[NS_TIME].present)
		return sj_fail(c, "linux.timeOffsets", "requires a time namespace (linux.namespaces has no \"time\")");
	if (l->ns[NS_TIME].path != NULL)
		return sj_fail(c, "linux.timeOffsets", "cannot be set when joining an existing time namespace");
	return 0;
}

static int check_user_ns(struct sj_ctx *c, struct spec_linux *l)
{
	bool maps = l->n_uid_mappings > 0 || l->n_gid_mappings > 0;

	if (maps && !l->ns[NS_USER].present)
		return sj_fail(c, l->n_uid_mappings > 0 ? "linux.uidMappings" : "linux.gidMappings",
			    "requires a user namespace (linux.namespaces has no \"user\")");
	if (!l->ns[NS_USER].present || l->ns[NS_USER].path != NULL)
		return 0;
	if (l->n_uid_mappings == 0)
		return sj_fail(c, "linux.uidMappings", "missing (a new user namespace needs uid and gid mappings)");
	if (l->n_gid_mappings == 0)
		return sj_fail(c, "linux.gidMappings", "missing (a new user namespace needs uid and gid mappings)");
	return 0;
}

/* ---------------------------------------------------------------- linux: devices */

static int parse_device(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_device *d = (struct spec_device *)data + i;
	cleanup_free char *type = NULL;
	fpath_t q;
	int r;

	if ((r = sj_get_str(c, e, "path", path, &d->path)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "path");
	if (sj_check_abs(c, sj_fld(q, path, "path"), d->path) < 0)
		return -1;
	if ((r = sj_get_str(c, e, "type", path, &type)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "type");
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return sj_fail(c, sj_fld(q, path, "type"), "unknown device type \"%s\" (c, b, u or p)", SAFE(type));
	d->type = type[0];
	if (d->type != 'p') {
		if ((r = sj_get_i64(c, e, "major", path, &d->major)) <= 0)
			return r < 0 ? -1 : sj_missing(c, path, "major");
		if ((r = sj_get_i64(c, e, "minor", path, &d->minor)) <= 0)
			return r < 0 ? -1 : sj_missing(c, path, "minor");
		if (d->major < 0 || d->major > 0xfff)
			return sj_fail(c, sj_fld(q, path, "major"), "must be between 0 and 4095");
		if (d->minor < 0 || d->minor > 0xfffff)
			return sj_fail(c, sj_fld(q, path, "minor"), "must be between 0 and 1048575");
	}
	/* podman (--device, --privileged) sends the host node's whole st_mode,
	 * file type included (020666 for a char device), as runc and crun
	 * accept: type bits are allowed when they match "type", then dropped. */
	if (sj_get_opt_u64(c, e, "fileMode", path, S_IFMT | 07777, &d->file_mode) < 0 ||
	    sj_get_opt_u64(c, e, "uid", path, UINT32_MAX, &d->uid) < 0 ||
	    sj_get_opt_u64(c, e, "gid", path, UINT32_MAX, &d->gid) < 0)
		return -1;
	if (d->file_mode.set && (d->file_mode.v & S_IFMT) != 0) {
		uint64_t want = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;

		if ((d->file_mode.v & S_IFMT) != want)
			return sj_fail(c, sj_fld(q, path, "fileMode"),
				       "file type bits 0%llo do not match type \"%c\"",
				       (unsigned long long)(d->file_mode.v & S_IFMT), d->type);
		d->file_mode.v &= 07777;
	}
	return 0;
}

/* ---------------------------------------------------------------- linux: resources */

static int parse_device_rule(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_device_rule *d = (struct spec_device_rule *)data + i;
	cleanup_free char *type = NULL, *access = NULL;
	fpath_t q;
	int r;

	if ((r = sj_get_bool(c, e, "allow", path, &d->allow)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "allow");
	if (sj_get_str(c, e, "type", path, &type) < 0)
		return -1;
	d->type = 'a';
	if (type != NULL && type[0] != '\0') {
		if (strlen(type) != 1 || strchr("abc", type[0]) == NULL)
			return sj_fail(c, sj_fld(q, path, "type"), "unknown device type \"%s\" (a, b or c)",
				    SAFE(type));
		d->type = type[0];
	}
	d->major = d->minor = -1;
	if (sj_get_i64(c, e, "major", path, &d->major) < 0 || sj_get_i64(c, e, "minor", path, &d->minor) < 0)
		return -1;
	if (d->major < -1)
		return sj_fail(c, sj_fld(q, path, "major"), "must be -1 (any) or a device number");
	if (d->minor < -1)
		return sj_fail(c, sj_fld(q, path, "minor"), "must be -1 (any) or a device number");
	if (sj_get_str(c, e, "access", path, &access) < 0)
		return -1;
	/* No access means all of them, as in crun. */
	if (access == NULL || access[0] == '\0') {
		memcpy(d->access, "rwm", 4);
		return 0;
	}
	if (access[strspn(access, "rwm")] != '\0')
		return sj_fail(c, sj_fld(q, path, "access"), "\"%s\" is not a subset of \"rwm\"", SAFE(access));
	r = 0;
	for (const char *a = "rwm"; *a != '\0'; a++)
		if (strchr(access, *a) != NULL)
			d->access[r++] = *a;
	d->access[r] = '\0';
	return 0;
}

enum fkind { F_I64, F_U64, F_BOOL };

struct fdef {
	const char *key;
	enum fkind kind;
	size_t off;
	int64_t min, max;   /* I64: inclusive range; U64: max only */
};

#define RES(member) offsetof(struct spec_resources, member)

static const struct fdef memory_fields[] = {
	{ "limit", F_I64, RES(memory.limit), -1, INT64_MAX },
	{ "reservation", F_I64, RES(memory.reservation), -1, INT64_MAX },
	{ "swap", F_I64, RES(memory.swap), -1, INT64_MAX },
	{ "kernel", F_I64, RES(memory.kernel), -1, INT64_MAX },
	{ "kernelTCP", F_I64, RES(memory.kernel_tcp), -1, INT64_MAX },
	{ "swappiness", F_U64, RES(memory.swappiness), 0, 100 },
	{ "disableOOMKiller", F_BOOL, RES(memory.disable_oom_killer), 0, 0 },
	{ "useHierarchy", F_BOOL, RES(memory.use_hierarchy), 0, 0 },
	{ "checkBeforeUpdate", F_BOOL, RES(memory.check_before_update), 0, 0 },
	{ NULL, F_BOOL, 0, 0, 0 },
};

static const struct fdef cpu_fields[] = {
	{ "shares", F_U64, RES(cpu.shares), 0, INT64_MAX },
	{ "quota", F_I64, RES(cpu.quota), -1, INT64_MAX },
	{ "burst", F_U64, RES(cpu.burst), 0, INT64_MAX },
	{ "period", F_U64, RES(cpu.period), 0, INT64_MAX },
	{ "realtimeRuntime", F_I64, RES(cpu.realtime_runtime), -1, INT64_MAX },
	{ "realtimePeriod", F_U64, RES(cpu.realtime_period), 0, INT64_MAX },
	{ "idle", F_I64, RES(cpu.idle), 0, 1 },
	{ NULL, F_BOOL, 0, 0, 0 },
};

static int parse_fields(struct sj_ctx *c, json_t *o, const char *path, const struct fdef *defs,
			struct spec_resources *res)
{
	fpath_t p;

	for (const struct fdef *d = defs; d->key != NULL; d++) {
		char *at = (char *)res + d->off;
		int r;

		sj_fld(p, path, d->key);
		if (d->kind == F_BOOL) {
			struct opt_bool *b = (struct opt_bool *)(void *)at;
			if ((r = sj_get_bool(c, o, d->key, path, &b->v)) < 0)
				return -1;
			b->set = r > 0;
		} else if (d->kind == F_U64) {
			struct opt_u64 *u = (struct opt_u64 *)(void *)at;
			json_t *v = sj_get(o, d->key);
			/* 2^64-1 is how Go engines write "unset" swappiness (-1). */
			if (strcmp(d->key, "swappiness") == 0 && v != NULL && json_is_integer(v) &&
			    json_integer_value(v) == -1 && sj_is_big(c, UINT64_MAX))
				continue;
			if (sj_get_opt_u64(c, o, d->key, path, (uint64_t)d->max, u) < 0)
				return -1;
		} else {
			struct opt_i64 *i = (struct opt_i64 *)(void *)at;
			if (sj_get_opt_i64(c, o, d->key, path, i) < 0)
				return -1;
			if (i->set && (i->v < d->min || i->v > d->max)) {
				if (d->min == -1 && d->max == INT64_MAX)
					return sj_fail(c, p, "must be -1 (unlimited) or a non-negative integer, not %" PRId64,
						       i->v);
				return sj_fail(c, p, "must be between %" PRId64 " and %" PRId64 ", not %" PRId64,
					       d->min, d->max, i->v);
			}
		}
	}
	return 0;
}

static int parse_cpuset(struct sj_ctx *c, json_t *o, const char *key, char **out)
{
	struct silo_error e;
	fpath_t p;

	if (sj_get_str(c, o, key, "linux.resources.cpu", out) < 0)
		return -1;
	if (*out != NULL && (*out)[0] == '\0') {
		free(*out);
		*out = NULL;
	}
	/* the kernel's list format, checked here so that a bad list fails
	 * before anything exists (cpulist.h) */
	if (*out != NULL && silo_cpulist_parse(*out, NULL, &e) < 0)
		return sj_fail(c, sj_fld(p, "linux.resources.cpu", key), "\"%s\": %s", SAFE(*out), e.msg);
	return 0;
}

/* blkio weights: 10..1000; 0 means "not set" as in runc. */
static int get_weight(struct sj_ctx *c, json_t *o, const char *key, const char *path, struct opt_u64 *w)
{
	fpath_t p;

	if (sj_get_opt_u64(c, o, key, path, UINT16_MAX, w) < 0)
		return -1;
	if (w->set && w->v == 0)
		w->set = false;
	if (w->set && (w->v < 10 || w->v > 1000))
		return sj_fail(c, sj_fld(p, path, key), "must be between 10 and 1000");
	return 0;
}

static int get_devnum(struct sj_ctx *c, json_t *e, const char *path, int64_t *major, int64_t *minor)
{
	fpath_t q;
	int r;

	if ((r = sj_get_i64(c, e, "major", path, major)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "major");
	if ((r = sj_get_i64(c, e, "minor", path, minor)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "minor");
	if (*major < 0)
		return sj_fail(c, sj_fld(q, path, "major"), "must be a non-negative integer");
	if (*minor < 0)
		return sj_fail(c, sj_fld(q, path, "minor"), "must be a non-negative integer");
	return 0;
}

static int parse_weight_device(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_weight_device *d = (struct spec_weight_device *)data + i;

	if (get_devnum(c, e, path, &d->major, &d->minor) < 0 ||
	    get_weight(c, e, "weight", path, &d->weight) < 0 ||
	    get_weight(c, e, "leafWeight", path, &d->leaf_weight) < 0)
		return -1;
	return 0;
}

static int parse_throttle_device(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_throttle_device *d = (struct spec_throttle_device *)data + i;
	int r;

	if (get_devnum(c, e, path, &d->major, &d->minor) < 0)
		return -1;
	if ((r = sj_get_u64(c, e, "rate", path, UINT64_MAX, &d->rate)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "rate");
	return 0;
}

/* Read an optional array of objects into *out / *n with fn per element. */
static int get_obj_array(struct sj_ctx *c, json_t *o, const char *key, const char *path, size_t size,
			 void **out, size_t *n, sj_elem_fn fn)
{
	fpath_t p;
	json_t *arr;
	int r = sj_get_arr(c, o, key, path, &arr);

	if (r <= 0)
		return r;
	*out = xzalloc((json_array_size(arr) + 1) * size);
	*n = json_array_size(arr);
	return sj_each_obj(c, arr, sj_fld(p, path, key), fn, *out);
}

#define OBJ_ARRAY(c, o, key, path, arr, n, fn)                                          \
	({                                                                              \
		void *oa_tmp_ = NULL;                                                   \
		int oa_r_ = get_obj_array(c, o, key, path, sizeof(*(arr)), &oa_tmp_, &(n), fn); \
		(arr) = oa_tmp_;                                                        \
		oa_r_;                                                                  \
	})

static int parse_block_io(struct sj_ctx *c, json_t *res, struct spec_resources *r)
{
	static const char *const P = "linux.resources.blockIO";
	json_t *o;
	int rc = sj_get_obj(c, res, "blockIO", "linux.resources", &o);

	if (rc <= 0)
		return rc;
	if (get_weight(c, o, "weight", P, &r->block_io.weight) < 0 ||
	    get_weight(c, o, "leafWeight", P, &r->block_io.leaf_weight) < 0 ||
	    OBJ_ARRAY(c, o, "weightDevice", P, r->block_io.weight_device, r->block_io.n_weight_device,
		      parse_weight_device) < 0 ||
	    OBJ_ARRAY(c, o, "throttleReadBpsDevice", P, r->block_io.throttle_read_bps,
		      r->block_io.n_throttle_read_bps, parse_throttle_device) < 0 ||
	    OBJ_ARRAY(c, o, "throttleWriteBpsDevice", P, r->block_io.throttle_write_bps,
		      r->block_io.n_throttle_write_bps, parse_throttle_device) < 0 ||
	    OBJ_ARRAY(c, o, "throttleReadIOPSDevice", P, r->block_io.throttle_read_iops,
		      r->block_io.n_throttle_read_iops, parse_throttle_device) < 0 ||
	    OBJ_ARRAY(c, o, "throttleWriteIOPSDevice", P, r->block_io.throttle_write_iops,
		      r->block_io.n_throttle_write_iops, parse_throttle_device) < 0)
		return -1;
	return 0;
}

/* "2MB", "1GB", "64KB": the hugetlb.<size> file names. */
static bool is_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && s[0] != '0' && s[digits] != '\0' && strchr("KMGT", s[digits]) != NULL &&
	       s[digits + 1] == 'B' && s[digits + 2] == '\0';
}

static int parse_hugepage(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_hugepage_limit *h = (struct spec_hugepage_limit *)data + i;
	fpath_t q;
	int r;

	if ((r = sj_get_str(c, e, "pageSize", path, &h->page_size)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "pageSize");
	if (!is_page_size(h->page_size))
		return sj_fail(c, sj_fld(q, path, "pageSize"), "\"%s\" is not a page size such as \"2MB\"",
			    SAFE(h->page_size));
	if ((r = sj_get_u64(c, e, "limit", path, UINT64_MAX, &h->limit)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "limit");
	return 0;
}

static int parse_net_priority(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_net_priority *p = (struct spec_net_priority *)data + i;
	int r;

	if ((r = sj_get_str(c, e, "name", path, &p->name)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "name");
	if ((r = sj_get_u32(c, e, "priority", path, &p->priority)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "priority");
	return 0;
}

static int parse_network_res(struct sj_ctx *c, json_t *res, struct spec_resources *r)
{
	static const char *const P = "linux.resources.network";
	json_t *o;
	int rc = sj_get_obj(c, res, "network", "linux.resources", &o);

	if (rc <= 0)
		return rc;
	if (sj_get_opt_u64(c, o, "classID", P, UINT32_MAX, &r->network.class_id) < 0 ||
	    OBJ_ARRAY(c, o, "priorities", P, r->network.priorities, r->network.n_priorities,
		      parse_net_priority) < 0)
		return -1;
	return 0;
}

static int parse_rdma(struct sj_ctx *c, json_t *res, struct spec_resources *r)
{
	fpath_t p;
	json_t *o, *v;
	const char *k;
	int rc = sj_get_obj(c, res, "rdma", "linux.resources", &o);

	if (rc <= 0)
		return rc;
	r->rdma = xzalloc((json_object_size(o) + 1) * sizeof(*r->rdma));
	json_object_foreach(o, k, v) {
		struct spec_rdma *d = &r->rdma[r->n_rdma];

		sj_keyed(p, "linux.resources.rdma", k);
		if (!json_is_object(v))
			return sj_fail(c, p, "must be an object");
		d->device = xstrdup(k);
		r->n_rdma++;
		if (sj_get_opt_u64(c, v, "hcaHandles", p, UINT32_MAX, &d->hca_handles) < 0 ||
		    sj_get_opt_u64(c, v, "hcaObjects", p, UINT32_MAX, &d->hca_objects) < 0)
			return -1;
	}
	return 0;
}

/* A cgroup v2 file name: it is opened inside the container's cgroup, so it
 * must not walk out of it. */
static int check_unified(struct sj_ctx *c, const struct spec_resources *r)
{
	fpath_t p;

	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		if (k[0] == '\0' || k[0] == '.' || strchr(k, '/') != NULL || strchr(k, '.') == NULL)
			return sj_fail(c, sj_keyed(p, "linux.resources.unified", k),
				    "not a cgroup file name such as \"memory.max\"");
	}
	return 0;
}

static int parse_resources(struct sj_ctx *c, json_t *linux, struct spec_linux *l)
{
	static const char *const P = "linux.resources";
	struct spec_resources *r;
	json_t *res, *o;
	int rc = sj_get_obj(c, linux, "resources", "linux", &res);

	if (rc <= 0)
		return rc;
	r = l->resources = xzalloc(sizeof(*r));
	if (OBJ_ARRAY(c, res, "devices", P, r->devices, r->n_devices, parse_device_rule) < 0)
		return -1;
	if ((rc = sj_get_obj(c, res, "memory", P, &o)) < 0)
		return -1;
	if (rc > 0 && parse_fields(c, o, "linux.resources.memory", memory_fields, r) < 0)
		return -1;
	if ((rc = sj_get_obj(c, res, "cpu", P, &o)) < 0)
		return -1;
	if (rc > 0 && (parse_fields(c, o, "linux.resources.cpu", cpu_fields, r) < 0 ||
		       parse_cpuset(c, o, "cpus", &r->cpu.cpus) < 0 ||
		       parse_cpuset(c, o, "mems", &r->cpu.mems) < 0))
		return -1;
	if ((rc = sj_get_obj(c, res, "pids", P, &o)) < 0)
		return -1;
	if (rc > 0 && sj_get_opt_i64(c, o, "limit", "linux.resources.pids", &r->pids.limit) < 0)
		return -1;
	if (parse_block_io(c, res, r) < 0 ||
	    OBJ_ARRAY(c, res, "hugepageLimits", P, r->hugepage_limits, r->n_hugepage_limits,
		      parse_hugepage) < 0 ||
	    parse_network_res(c, res, r) < 0 || parse_rdma(c, res, r) < 0 ||
	    sj_get_kv(c, res, "unified", P, &r->unified, &r->n_unified) < 0 || check_unified(c, r) < 0)
		return -1;
	return 0;
}

int sj_parse_resources(struct sj_ctx *c, json_t *linux, struct spec_resources **out)
{
	struct spec_linux l = { 0 };

	*out = NULL;
	if (parse_resources(c, linux, &l) < 0) {
		spec_resources_free(l.resources);
		return -1;
	}
	*out = l.resources ? l.resources : xzalloc(sizeof(**out));
	return 0;
}

/* ---------------------------------------------------------------- linux: seccomp */

static int get_name(struct sj_ctx *c, json_t *o, const char *key, const char *path,
		    const char *const *table, const char *what, int *out)
{
	cleanup_free char *s = NULL;
	fpath_t p;
	int r = sj_get_str(c, o, key, path, &s);

	if (r <= 0)
		return r;
	*out = table_index(table, s);
	if (*out < 0)
		return sj_fail(c, sj_fld(p, path, key), "unknown %s \"%s\"", what, SAFE(s));
	return 1;
}

static int check_names(struct sj_ctx *c, char **v, const char *path, const char *const *table,
		       const char *what)
{
	fpath_t p;

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		if (table_index(table, v[i]) < 0)
			return sj_fail(c, sj_idx(p, path, i), "unknown %s \"%s\"", what, SAFE(v[i]));
	return 0;
}

static bool action_takes_errno(int action)
{
	return action == SECCOMP_ACTION_ERRNO || action == SECCOMP_ACTION_TRACE;
}

static int parse_seccomp_arg(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_seccomp_arg *a = (struct spec_seccomp_arg *)data + i;
	uint64_t index;
	int op, r;

	if ((r = sj_get_u64(c, e, "index", path, 5, &index)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "index");
	a->index = (unsigned)index;
	if ((r = sj_get_u64(c, e, "value", path, UINT64_MAX, &a->value)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "value");
	if (sj_get_u64(c, e, "valueTwo", path, UINT64_MAX, &a->value_two) < 0)
		return -1;
	if ((r = get_name(c, e, "op", path, seccomp_ops, "operator", &op)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "op");
	a->op = (enum spec_seccomp_op)op;
	return 0;
}

static int parse_syscall(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_seccomp_syscall *sc = (struct spec_seccomp_syscall *)data + i;
	fpath_t q;
	int action, r;

	if (sj_get_strv(c, e, "names", path, &sc->names, &sc->n_names) < 0)
		return -1;
	if (sc->n_names == 0)
		return sj_fail(c, sj_fld(q, path, "names"), "must be a non-empty array of strings");
	if ((r = get_name(c, e, "action", path, seccomp_actions, "action", &action)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "action");
	sc->action = (enum spec_seccomp_action)action;
	if (sj_get_opt_u64(c, e, "errnoRet", path, UINT32_MAX, &sc->errno_ret) < 0)
		return -1;
	if (sc->errno_ret.set && !action_takes_errno(action))
		return sj_fail(c, sj_fld(q, path, "errnoRet"), "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	return OBJ_ARRAY(c, e, "args", path, sc->args, sc->n_args, parse_seccomp_arg) < 0 ? -1 : 0;
}

static bool canon_is_big(const void *c, uint64_t v)
{
	return sj_is_big(c, v);
}

/*
 * On a warm start the compiled program is in the cache and the rule arrays
 * (hundreds of names for Docker's profile) would be built, checked and freed
 * for nothing.  So the section is encoded first (seccomp_json_canon), its
 * cheap top-level fields are checked, then the cache is looked up
 * (c->seccomp_cache, from spec_load_cached; the parent, before any clone) and
 * the syscalls are parsed only on a miss.  A hit still means the whole
 * section is valid:
 *  - everything checked here and in seccomp_prepare (check_profile, compile)
 *    depends on the section's parsed tree alone, and on which integers were
 *    literals above INT64_MAX, which the encoding tells apart too
 *    (canon_is_big); nothing else of the config enters (listenerPath is
 *    inside the section);
 *  - the encoding holds every key and value of that tree, unambiguously, and
 *    a cache file is used only when the profile bytes stored in it equal
 *    ours, whole, and its header repeats the key, which covers the cache
 *    format (bumped when the checks change), libseccomp's version, the arch
 *    and the kernel release (the flags probed at compile time);
 *  - seccomp_prepare writes a file only after this parser accepted the whole
 *    config and the section compiled; the directory must be ours and not
 *    writable by others, and the file's length and checksum must verify
 *    (cache_load).  A corrupt, truncated or foreign file is a miss: the full
 *    parse and compile follow.
 * So an identical section was accepted before, by this same parser.
 */
static int parse_seccomp(struct sj_ctx *c, json_t *linux, struct spec_linux *l)
{
	static const char *const P = "linux.seccomp";
	struct spec_seccomp *s;
	json_t *o;
	int action, r = sj_get_obj(c, linux, "seccomp", "linux", &o);

	if (r <= 0)
		return r;
	s = l->seccomp = xzalloc(sizeof(*s));
	s->profile = seccomp_json_canon(o, canon_is_big, c, &s->profile_len);
	if ((r = get_name(c, o, "defaultAction", P, seccomp_actions, "action", &action)) <= 0)
		return r < 0 ? -1 : sj_missing(c, P, "defaultAction");
	if (action == SECCOMP_ACTION_NOTIFY)
		return sj_fail(c, "linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
	s->default_action = (enum spec_seccomp_action)action;
	if (sj_get_opt_u64(c, o, "defaultErrnoRet", P, UINT32_MAX, &s->default_errno_ret) < 0)
		return -1;
	if (s->default_errno_ret.set && !action_takes_errno(action))
		return sj_fail(c, "linux.seccomp.defaultErrnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	if (sj_get_strv(c, o, "architectures", P, &s->architectures, &s->n_architectures) < 0 ||
	    check_names(c, s->architectures, "linux.seccomp.architectures", seccomp_archs,
			"architecture") < 0 ||
	    sj_get_strv(c, o, "flags", P, &s->flags, &s->n_flags) < 0 ||
	    check_names(c, s->flags, "linux.seccomp.flags", seccomp_flags, "flag") < 0 ||
	    sj_get_str(c, o, "listenerPath", P, &s->listener_path) < 0 ||
	    sj_get_str(c, o, "listenerMetadata", P, &s->listener_metadata) < 0)
		return -1;
	if (s->listener_path != NULL && s->listener_path[0] == '\0') {
		free(s->listener_path);
		s->listener_path = NULL;
	}
	if (s->listener_path != NULL && sj_check_abs(c, "linux.seccomp.listenerPath", s->listener_path) < 0)
		return -1;
	if (c->seccomp_cache != NULL &&
	    (s->cached = seccomp_cache_lookup(s->profile, s->profile_len, c->seccomp_cache)) != NULL) {
		s->rules_skipped = true;
		return 0;
	}
	if (OBJ_ARRAY(c, o, "syscalls", P, s->syscalls, s->n_syscalls, parse_syscall) < 0)
		return -1;
	/* The notify fd goes to the agent at listenerPath; without one the
	 * notified syscalls would wait forever (runc refuses it too).  The
	 * runtime hands the fd over with sendmsg and waits for the parent's
	 * ack with recvmsg under the filter, before any agent has it: those
	 * cannot be notified (runc has the same rule for its write). */
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_syscall *sc = &s->syscalls[i];
		char f[64];

		if (sc->action != SECCOMP_ACTION_NOTIFY)
			continue;
		snprintf(f, sizeof(f), "linux.seccomp.syscalls[%zu]", i);
		if (s->listener_path == NULL)
			return sj_fail(c, f, "SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath (the agent's socket)");
		for (size_t j = 0; j < sc->n_names; j++)
			if (strcmp(sc->names[j], "sendmsg") == 0 || strcmp(sc->names[j], "recvmsg") == 0)
				return sj_fail(c, f, "SCMP_ACT_NOTIFY cannot be used for %s (the runtime "
					       "hands the notify fd to the agent with it)", sc->names[j]);
	}
	return 0;
}

/* ---------------------------------------------------------------- linux: the rest */

/*
 * Sysctls are written under /proc/sys; only the ones that belong to a
 * namespace the container owns may be set, otherwise a config changes the
 * host (runc has the same rule).  Names are dotted or slashed; ".." would
 * walk out of /proc/sys.
 */
static int check_sysctl(struct sj_ctx *c, const struct spec_linux *l, const char *key, const char *value)
{
	static const char *const ipc_names[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
	};
	char name[256];
	fpath_t p;
	enum ns_type need;
	size_t n = strlen(key);

	sj_keyed(p, "linux.sysctl", key);
	if (n == 0 || n >= sizeof(name) || key[0] == '/' || key[0] == '.' || strstr(key, "..") != NULL ||
	    key[strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@/")] != '\0')
		return sj_fail(c, p, "not a sysctl name");
	/* One plain value: no line breaks or other control characters, and no
	 * "=" or "+" (CRI-O CVE-2022-0811 smuggled "1+kernel.core_pattern=|..."
	 * into a namespaced key's value). */
	for (const char *v = value; *v; v++)
		if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f || *v == '=' || *v == '+')
			return sj_fail(c, p, "the value is not a plain sysctl value (%s at offset %zu)",
				       *v == '=' ? "\"=\"" : *v == '+' ? "\"+\"" : "a control character",
				       (size_t)(v - value));
	for (size_t i = 0; i <= n; i++)
		name[i] = key[i] == '/' ? '.' : key[i];
	if (table_index(ipc_names, name) >= 0 || str_has_prefix(name, "fs.mqueue."))
		need = NS_IPC;
	else if (str_has_prefix(name, "net."))
		need = NS_NET;
	else if (strcmp(name, "kernel.hostname") == 0 || strcmp(name, "kernel.domainname") == 0)
		need = NS_UTS;
	else
		return sj_fail(c, p, "not in a separate kernel namespace (the host's value would change)");
	if (!l->ns[need].present)
		return sj_fail(c, p, "requires a %s namespace (linux.namespaces has no \"%s\")",
			    spec_ns_names[need], spec_ns_names[need]);
	return 0;
}

static int parse_path_list(struct sj_ctx *c, json_t *linux, const char *key, char ***out, size_t *n)
{
	fpath_t p, q;

	if (sj_get_strv(c, linux, key, "linux", out, n) < 0)
		return -1;
	sj_fld(p, "linux", key);
	for (size_t i = 0; i < *n; i++) {
		char *clean;
		if (sj_check_abs(c, sj_idx(q, p, i), (*out)[i]) < 0)
			return -1;
		clean = fs_clean_path((*out)[i]);
		free((*out)[i]);
		(*out)[i] = clean;
	}
	return 0;
}

static int parse_personality(struct sj_ctx *c, json_t *linux, struct spec_linux *l)
{
	cleanup_free char *domain = NULL;
	json_t *o;
	int r = sj_get_obj(c, linux, "personality", "linux", &o);

	if (r <= 0)
		return r;
	if ((r = sj_get_str(c, o, "domain", "linux.personality", &domain)) <= 0)
		return r < 0 ? -1 : sj_missing(c, "linux.personality", "domain");
	l->personality.set = true;
	if (strcmp(domain, "LINUX") == 0)
		l->personality.v = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		l->personality.v = PER_LINUX32;
	else
		return sj_fail(c, "linux.personality.domain", "unknown domain \"%s\" (LINUX or LINUX32)",
			    SAFE(domain));
	return 0;
}

int sj_parse_linux(struct sj_ctx *c, json_t *root, struct spec *s)
{
	struct spec_linux *l = &s->linux;
	cleanup_free char *prop = NULL;
	json_t *linux, *arr;
	int r = sj_get_obj(c, root, "linux", "", &linux);

	if (r <= 0)
		return r;
	if ((r = sj_get_arr(c, linux, "namespaces", "linux", &arr)) < 0)
		return -1;
	if (r > 0 && sj_each_obj(c, arr, "linux.namespaces", parse_namespace, l) < 0)
		return -1;
	if (sj_parse_idmaps(c, linux, "uidMappings", "linux", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    sj_parse_idmaps(c, linux, "gidMappings", "linux", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
	    check_user_ns(c, l) < 0 || parse_time_offsets(c, linux, l) < 0 ||
	    OBJ_ARRAY(c, linux, "devices", "linux", l->devices, l->n_devices, parse_device) < 0 ||
	    sj_get_str(c, linux, "cgroupsPath", "linux", &l->cgroups_path) < 0 ||
	    parse_resources(c, linux, l) < 0 ||
	    sj_get_kv(c, linux, "sysctl", "linux", &l->sysctl, &l->n_sysctl) < 0)
		return -1;
	if (l->cgroups_path != NULL && l->cgroups_path[0] == '\0') {
		free(l->cgroups_path);
		l->cgroups_path = NULL;
	}
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (check_sysctl(c, l, l->sysctl[i].key, l->sysctl[i].value) < 0)
			return -1;
	if (parse_seccomp(c, linux, l) < 0 || sj_get_str(c, linux, "rootfsPropagation", "linux", &prop) < 0)
		return -1;
	if (prop != NULL && prop[0] != '\0' && mount_propagation_from_name(prop, &l->rootfs_propagation) < 0)
		return sj_fail(c, "linux.rootfsPropagation", "unknown propagation \"%s\"", SAFE(prop));
	if (parse_path_list(c, linux, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    parse_path_list(c, linux, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths) < 0 ||
	    sj_get_str(c, linux, "mountLabel", "linux", &l->mount_label) < 0 ||
	    parse_personality(c, linux, l) < 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- free */

void spec_resources_free(struct spec_resources *r)
{
	if (r == NULL)
		return;
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	free(r->block_io.throttle_read_bps);
	free(r->block_io.throttle_write_bps);
	free(r->block_io.throttle_read_iops);
	free(r->block_io.throttle_write_iops);
	for (size_t i = 0; r->hugepage_limits != NULL && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->network.priorities != NULL && i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	for (size_t i = 0; i < r->n_unified; i++) {
		free(r->unified[i].key);
		free(r->unified[i].value);
	}
	free(r->unified);
	free(r);
}

static void seccomp_free(struct spec_seccomp *s)
{
	if (s == NULL)
		return;
	strv_free(s->architectures);
	strv_free(s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->syscalls != NULL && i < s->n_syscalls; i++) {
		strv_free(s->syscalls[i].names);
		free(s->syscalls[i].args);
	}
	free(s->syscalls);
	seccomp_prog_free(s->cached);
	free(s->profile);
	free(s);
}

void sj_linux_free(struct spec_linux *l)
{
	for (int t = 0; t < NS_COUNT; t++)
		free(l->ns[t].path);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices != NULL && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	sj_kv_free(l->sysctl, l->n_sysctl);
	seccomp_free(l->seccomp);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
}
