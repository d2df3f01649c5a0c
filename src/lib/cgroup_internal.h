/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inside the cgroup manager: the data every driver shares, the driver vtable
 * that cgroup.c dispatches through, and the pure helpers (text parsing, path
 * computation, unit conversions) that the unit tests exercise on canned text.
 *
 * A `struct cgroup` is a list of hierarchies.  On v2 there is one (the
 * unified mount).  On v1 there is one per mounted v1 hierarchy
 * (cpu, cpu,cpuacct, name=systemd, ...) plus, in the hybrid layout, the
 * cgroup2 mount (usually /sys/fs/cgroup/unified), which the container joins
 * too, as runc does.
 */
#ifndef SILO_CGROUP_INTERNAL_H
#define SILO_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "cgroup.h"
#include "error.h"
#include "spec.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* cg_hier.flags */
#define CG_H_UNIFIED 1u    /* a cgroup2 hierarchy (v2, or the hybrid unified mount) */
#define CG_H_JOINED 2u     /* joined other than by cgroup_attach(): cgroup_self_join_fds()
				  or CLONE_INTO_CGROUP (cgroup_joined_by_clone()) */

/* cgroup2 controllers, as bits (cgroup.controllers / cgroup.subtree_control) */
enum {
	CG2_CPUSET = 1u << 0,
	CG2_CPU = 1u << 1,
	CG2_IO = 1u << 2,
	CG2_MEMORY = 1u << 3,
	CG2_HUGETLB = 1u << 4,
	CG2_PIDS = 1u << 5,
	CG2_RDMA = 1u << 6,
	CG2_MISC = 1u << 7,
};

/* One mounted hierarchy as discovered (the process-wide layout). */
struct cg_mountpoint {
	char *controllers;     /* "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
	char *name;            /* basename of the mount point: "cpu,cpuacct", "systemd", "unified"; "" on v2 */
	char *mount;           /* "/sys/fs/cgroup/memory" */
	char *own;             /* the caller's cgroup relative to the mount: "/" or "/a/b" */
	unsigned flags;        /* CG_H_* */
};

struct cg_layout {
	int mode;              /* CGROUP_MODE_* */
	struct cg_mountpoint *m;
	size_t n;
};

/* One hierarchy of a container's cgroup. */
struct cg_hier {
	char *controllers;     /* as in cg_mountpoint */
	char *name;
	char *mount;           /* the hierarchy's mount point */
	char *dir;             /* absolute: "/sys/fs/cgroup/memory/a/b" */
	char *created;         /* top-most directory cgroup_make made (dir or an
				  ancestor), NULL when dir pre-existed */
	unsigned flags;
};

struct cgroup_ops;

struct cgroup {
	int mode;
	const struct cgroup_ops *ops;
	struct cg_hier *h;
	size_t n;
	int clone_fd;          /* v2: O_PATH fd of the leaf, opened on first use; -1 */
	const char **names;    /* cgroup_paths() arrays, pointing into h */
	const char **dirs;
	bool rootless;         /* cgroup_set_rootless(): no device rules */
	bool best_effort;      /* rootless without limits: see cgroup.h */
};

/*
 * The driver vtable.  cgroup.c does what is common (layout, paths, mkdir,
 * attach, pids, rmdir, JSON) and calls these for what differs.
 */
struct cgroup_ops {
	/* After the directories exist, before any process joins: v1 copies
	 * cpuset.cpus/mems into the cpuset dirs it created, v2 enables the
	 * controllers in the ancestors' cgroup.subtree_control. */
	int (*prepare)(struct cgroup *cg, struct silo_error *err);
	/* Is the (pre-existing) cgroup frozen?  Returns 1, 0 or -1. */
	int (*frozen)(struct cgroup *cg, struct silo_error *err);
	/* Freeze (and wait until frozen, bounded) or thaw. */
	int (*freeze)(struct cgroup *cg, bool on, struct silo_error *err);
	int (*kill)(struct cgroup *cg, int signo, struct silo_error *err);
	/* linux.resources; r may be NULL.  `creating`: called by cgroup_make,
	 * where both drivers always install the device rules (deny all, the
	 * config's rules, then the default set; v2 as an eBPF program), as runc
	 * does; an update touches the devices only when the config lists rules. */
	int (*apply)(struct cgroup *cg, const struct spec_resources *r, bool creating,
		     struct silo_error *err);
	/* Fill the runc-format stats object made by cg_stats_new() (cpu,
	 * memory, pids, blkio, hugetlb).  Files a kernel lacks are skipped. */
	int (*stats)(struct cgroup *cg, json_t *data, struct silo_error *err);
	/* Start watching for OOM kills (see struct cgroup_oom). */
	int (*oom_watch)(struct cgroup *cg, struct cgroup_oom *w, struct silo_error *err);
	/* How many OOM events happened since the last call (w->fd drained). */
	int (*oom_read)(struct cgroup *cg, struct cgroup_oom *w, uint64_t *n, struct silo_error *err);
};

/* An OOM watch: poll `fd` for POLLIN.  v1: an eventfd registered through
 * cgroup.event_control on memory.oom_control (it counts OOM situations);
 * v2: an inotify watch of memory.events, whose oom_kill counter is compared
 * with `last`. */
struct cgroup_oom {
	struct cgroup *cg;         /* borrowed */
	int fd;
	int aux_fd;                /* v1: the memory.oom_control fd; -1 */
	uint64_t last;             /* v2: oom_kill seen so far */
	char *file;                /* v2: the memory.events path */
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

/* ------------------------------------------------- pure helpers (unit-tested) */

/* Build the layout from the texts of /proc/self/cgroup and
 * /proc/self/mountinfo.  mode is what statfs(/sys/fs/cgroup) said. */
int cg_layout_parse(int mode, const char *proc_cgroup, const char *mountinfo,
		    struct cg_layout *out, struct silo_error *err);
void cg_layout_free(struct cg_layout *l);

/* The container's cgroup relative to a hierarchy's mount ("/a/b"), from
 * cgroupsPath, the container id and the caller's own cgroup in that
 * hierarchy (see cgroup.h).  Normalises "//" and "."; refuses "..", and a
 * systemd-style "slice:prefix:name". */
char *cg_rel_path(const char *cgroups_path, const char *id, const char *own,
		  struct silo_error *err);

/* Is cgroupsPath systemd-style ("slice:prefix:name": three ':'-separated
 * fields and no '/')? */
bool cg_is_systemd_path(const char *cgroups_path);

/* Parse a cgroup2 controller list ("cpu io memory") into CG2_* bits. */
unsigned cg2_parse_controllers(const char *text);

/* Does the comma-separated list `set` contain the token `tok`? */
bool cg_list_has(const char *set, const char *tok);

/* Conversions of v1 values to v2 (crun's documented formulas). */
uint64_t cg_shares_to_weight(uint64_t shares);
uint64_t cg_blkio_weight_to_io(uint64_t weight);

/* v2 memory.swap.max from the OCI (v1) swap = memory+swap total and the
 * memory limit; 0 = leave unset, -1 = "max". */
int cg2_swap_value(const struct spec_resources *r, int64_t *out, struct silo_error *err);

/* A v1 device rule as devices.allow/deny take it ("c 1:3 rwm", "a"). */
void cg_device_rule_str(const struct spec_device_rule *d, char *buf, size_t size);

/* A hugepage size ("2MB", "1GB") that can safely name a file. */
bool cg_valid_page_size(const char *s);

/* A linux.resources.unified key that names a file of the cgroup dir. */
bool cg_valid_unified_key(const char *key);

/* "max" for -1 (and for 0 when zero_is_max), else the number (other
 * negative values go to the kernel, which refuses them by name). */
void cg_limit_str(int64_t v, bool zero_is_max, char *buf, size_t size);

/* Count the pids in a cgroup.procs text. */
size_t cg_count_lines(const char *text);

/* ---- stats (cgroup_stats.c) ---- */

/* The value of `key` in a flat-keyed text ("key value" lines: memory.stat,
 * cpu.stat, memory.events, pids.events).  0 when found, -1 when not. */
int cg_kv_u64(const char *text, const char *key, uint64_t *out);

/* Whitespace-separated numbers (cpuacct.usage_percpu).  *out is heap. */
size_t cg_u64_list(const char *text, uint64_t **out);

struct cg_blkio_entry {
	uint64_t major, minor;
	char op[16];               /* "Read", "Write", "Sync", "Async", "Discard", "Total" */
	uint64_t value;
};

/* A v1 blkio statistics file ("8:0 Read 4096" lines; the device-less
 * "Total N" line is skipped).  Appends to *v (heap), returns the new count. */
size_t cg_parse_blkio_v1(const char *text, struct cg_blkio_entry **v, size_t n);

/* io.stat ("8:0 rbytes=1 wbytes=2 rios=3 ..."): for each device, the value
 * of `key` as an entry with operation `op`.  Appends like cg_parse_blkio_v1. */
size_t cg_parse_io_stat(const char *text, const char *key, const char *op,
			struct cg_blkio_entry **v, size_t n);

/* "hugepages-2048kB" (a /sys/kernel/mm/hugepages entry) -> "2MB", the name
 * the hugetlb controller's files use.  False when not such a name. */
bool cg_hugepage_name(const char *dirent, char *buf, size_t size);
/* The page sizes of this host, as names ("2MB", "1GB"); heap vector. */
char **cg_hugepage_sizes(void);

/* JSON building for the stats object, shaped like runc's types.Stats: Go's
 * omitempty is honoured (`omit`: a zero is left out).  Values above
 * INT64_MAX (v2's "max") are kept exactly: see cg_stats_dumps(). */
json_t *cg_stats_new(void);
void cg_json_u64(json_t *o, const char *key, uint64_t v, bool omit);
void cg_json_u64_array(json_t *o, const char *key, const uint64_t *v, size_t n);
/* runc's MemoryEntry {limit, usage, max, failcnt}. */
json_t *cg_json_memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt);
/* An array of BlkioEntry under key, left out when n == 0. */
void cg_json_blkio(json_t *o, const char *key, const struct cg_blkio_entry *v, size_t n);
/* Every line of a flat-keyed file as "raw" numbers (memory.stat). */
json_t *cg_json_flat(const char *text);
/* A limit file's value: "max" (v2) -> UINT64_MAX; false when unreadable. */
bool cg_read_u64(const char *dir, const char *file, uint64_t *out);

/* ------------------------------------------------- I/O helpers for drivers */

/* Write `value` to dir/file.  The error names the file and the value:
 * `write /sys/fs/cgroup/x/memory.max: "-5": invalid argument`. */
int cg_write(const char *dir, const char *file, const char *value, struct silo_error *err);
/* Read dir/file (NUL-terminated, heap). */
int cg_read(const char *dir, const char *file, char **out, struct silo_error *err);
/* Does dir/file exist? */
bool cg_exists(const char *dir, const char *file);
/* Pids of dir's cgroup.procs, and of its sub-cgroups when recursive. */
int cg_read_pids(const char *dir, bool recursive, pid_t **pids, size_t *n,
		 struct silo_error *err);
/* The v1 hierarchy holding `controller` ("memory", "name=systemd"), or the
 * unified one when controller is NULL; NULL when not mounted. */
struct cg_hier *cg_find(struct cgroup *cg, const char *controller);
/* The hierarchy whose cgroup.procs lists the container's processes (v1: the
 * freezer when mounted). */
struct cg_hier *cg_pids_hier(struct cgroup *cg);
/* Sleep `us` microseconds; the clock for bounded waits, in milliseconds. */
void cg_sleep_us(long us);
uint64_t cg_now_ms(void);
/* Send signo to each pid (ESRCH ignored). */
void cg_signal_pids(const pid_t *pids, size_t n, int signo);
/* Write value to file in every cgroup below dir (not dir itself), e.g. to
 * thaw sub-cgroups the container froze on its own; failures are logged. */
void cg_write_subtree(const char *dir, const char *file, const char *value);

/* Enable the controllers `want` (CG2_*) on the path from the mount `mount`
 * down to the parent of `leaf` (cgroup2).  Bits the hierarchy does not offer
 * are dropped silently; EBUSY on a directory is tolerated.  Returns the bits
 * the leaf finally has in *got (may be NULL). */
int cg2_enable(const char *mount, const char *leaf, unsigned want, unsigned *got,
	       struct silo_error *err);

#endif
