/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The container's plan: an OCI runtime-spec config.json (1.0 - 1.3) parsed and
 * validated into plain C structures.
 *
 * spec_load() reads and checks the *whole* config before anything is created:
 * after it succeeds, the only failures left are the kernel's.  Unknown keys are
 * ignored (the spec asks for that); a known key with a wrong type or value is
 * an error naming the file and the field, e.g.
 *   config.json: process.rlimits[1].type: unknown rlimit "RLIMIT_FOO"
 *   config.json:12:5: invalid JSON: '}' expected near ']'
 *
 * Ownership: everything hangs off struct spec and is released by spec_free().
 * Optional scalars use struct opt_* { bool set; value }.  Arrays are a pointer
 * plus a count.  String vectors are also NULL-terminated.
 */
#ifndef SILO_SPEC_H
#define SILO_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* GNU C predefines `linux` as 1; the OCI name of the section wins here. */
#undef linux

struct opt_i64 { bool set; int64_t v; };
struct opt_u64 { bool set; uint64_t v; };
struct opt_bool { bool set; bool v; };

struct spec_kv {
	char *key;
	char *value;
};

/* ---------------------------------------------------------------- process */

struct spec_rlimit {
	int resource;      /* RLIMIT_* */
	char *name;        /* as written: "RLIMIT_NOFILE" */
	uint64_t soft, hard;
};

struct spec_user {
	uid_t uid;
	gid_t gid;
	struct opt_u64 umask;      /* mode_t in v */
	gid_t *additional_gids;
	size_t n_additional_gids;
	char *username;            /* Windows only in the spec; kept, unused */
};

/* Capability sets as bit masks (bit N = capability N). */
struct spec_caps {
	bool set;                  /* process.capabilities present */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct spec_process {
	bool terminal;
	bool has_console_size;
	unsigned console_height, console_width;
	struct spec_user user;
	char **args;               /* NULL-terminated, n_args >= 1 */
	size_t n_args;
	char **env;                /* NULL-terminated "K=V" */
	size_t n_env;
	char *cwd;                 /* absolute */
	struct spec_caps caps;
	struct spec_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	char *apparmor_profile;
	char *selinux_label;
	struct opt_i64 oom_score_adj;
	/* later issues: scheduler, ioPriority, execCPUAffinity */
};

/* ---------------------------------------------------------------- mounts */

/* Mount extensions that are not kernel flags (spec_mount.extensions). */
#define SPEC_MOUNT_TMPCOPYUP   (1u << 0)
#define SPEC_MOUNT_IDMAP       (1u << 1)
#define SPEC_MOUNT_RIDMAP      (1u << 2)
#define SPEC_MOUNT_NOSYMFOLLOW (1u << 3)

struct spec_idmap {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

/*
 * A parsed mount option list (see mountopts.h).  `flags` are MS_* to set,
 * `clear` are MS_* the options explicitly turned off ("rw", "suid", "dev",
 * "exec", "atime", ...), `propagation` is MS_SHARED/MS_SLAVE/MS_PRIVATE/
 * MS_UNBINDABLE possibly with MS_REC, `rec_set`/`rec_clr` are MOUNT_ATTR_*
 * from the recursive forms ("rro", "rnosuid", ...), `data` is what the kernel
 * takes as fs data (comma-joined, NULL when empty).
 */
struct mount_opts {
	unsigned long flags;
	unsigned long clear;
	unsigned long propagation;
	uint64_t rec_set;
	uint64_t rec_clr;
	bool bind;                 /* "bind" or "rbind" */
	bool recursive;            /* "rbind" */
	unsigned extensions;       /* SPEC_MOUNT_* */
	char *data;
};

struct spec_mount {
	char *destination;         /* absolute, cleaned (no "..", no "//") */
	char *type;                /* NULL when absent (bind mounts) */
	char *source;              /* for binds: absolute (bundle-relative resolved) */
	char **options;            /* as written, NULL-terminated */
	size_t n_options;
	struct mount_opts opts;
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
};

/* ---------------------------------------------------------------- hooks */

struct spec_hook {
	char *path;                /* absolute */
	char **args;               /* NULL-terminated, may be NULL */
	char **env;                /* NULL-terminated, may be NULL */
	int timeout;               /* seconds, 0 = none */
};

enum spec_hook_kind {
	HOOK_PRESTART = 0,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KIND_COUNT,
};

struct spec_hooks {
	struct spec_hook *hooks[HOOK_KIND_COUNT];
	size_t n_hooks[HOOK_KIND_COUNT];
};

extern const char *const spec_hook_names[HOOK_KIND_COUNT];   /* "prestart", ... */

/* ---------------------------------------------------------------- linux */

enum ns_type {
	NS_PID = 0,
	NS_NET,
	NS_MNT,
	NS_IPC,
	NS_UTS,
	NS_USER,
	NS_CGROUP,
	NS_TIME,
	NS_COUNT,
};

extern const char *const spec_ns_names[NS_COUNT];   /* OCI names: "pid", "network", "mount", ... */
extern const int spec_ns_clone_flags[NS_COUNT];     /* CLONE_NEWPID, ... */
extern const char *const spec_ns_proc_names[NS_COUNT]; /* /proc/PID/ns/ names: "pid", "net", "mnt", ... */

struct spec_namespace {
	bool present;              /* listed in linux.namespaces */
	char *path;                /* join this one; NULL = create a new one */
};

struct spec_device {
	char *path;                /* absolute, inside the container */
	char type;                 /* 'c', 'b', 'u' (= 'c'), 'p' */
	int64_t major, minor;
	struct opt_u64 file_mode;  /* permission bits (type bits in the config are checked, dropped) */
	struct opt_u64 uid, gid;
};

struct spec_device_rule {
	bool allow;
	char type;                 /* 'a', 'c', 'b' */
	int64_t major, minor;      /* -1 = any */
	char access[4];            /* subset of "rwm", NUL-terminated */
};

struct spec_weight_device {
	int64_t major, minor;
	struct opt_u64 weight, leaf_weight;
};

struct spec_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct spec_hugepage_limit {
	char *page_size;           /* "2MB", "1GB" */
	uint64_t limit;
};

struct spec_net_priority {
	char *name;
	uint32_t priority;
};

struct spec_rdma {
	char *device;
	struct opt_u64 hca_handles, hca_objects;
};

struct spec_resources {
	struct spec_device_rule *devices;
	size_t n_devices;
	struct {
		struct opt_i64 limit, reservation, swap, kernel, kernel_tcp;
		struct opt_u64 swappiness;
		struct opt_bool disable_oom_killer, use_hierarchy, check_before_update;
	} memory;
	struct {
		struct opt_u64 shares, period, realtime_period, burst;
		struct opt_i64 quota, realtime_runtime, idle;
		char *cpus, *mems;
	} cpu;
	struct {
		struct opt_i64 limit;
	} pids;
	struct {
		struct opt_u64 weight, leaf_weight;
		struct spec_weight_device *weight_device;
		size_t n_weight_device;
		struct spec_throttle_device *throttle_read_bps, *throttle_write_bps,
			*throttle_read_iops, *throttle_write_iops;
		size_t n_throttle_read_bps, n_throttle_write_bps,
			n_throttle_read_iops, n_throttle_write_iops;
	} block_io;
	struct spec_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct {
		struct opt_u64 class_id;
		struct spec_net_priority *priorities;
		size_t n_priorities;
	} network;
	struct spec_rdma *rdma;
	size_t n_rdma;
	struct spec_kv *unified;
	size_t n_unified;
};

/* Seccomp actions and operators, independent of libseccomp's numbering. */
enum spec_seccomp_action {
	SECCOMP_ACTION_KILL = 0,          /* SCMP_ACT_KILL (= KILL_THREAD) */
	SECCOMP_ACTION_KILL_PROCESS,
	SECCOMP_ACTION_KILL_THREAD,
	SECCOMP_ACTION_TRAP,
	SECCOMP_ACTION_ERRNO,
	SECCOMP_ACTION_TRACE,
	SECCOMP_ACTION_ALLOW,
	SECCOMP_ACTION_LOG,
	SECCOMP_ACTION_NOTIFY,
};

enum spec_seccomp_op {
	SECCOMP_OP_NE = 0,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT,
	SECCOMP_OP_MASKED_EQ,
};

struct spec_seccomp_arg {
	unsigned index;
	uint64_t value, value_two;
	enum spec_seccomp_op op;
};

struct spec_seccomp_syscall {
	char **names;
	size_t n_names;
	enum spec_seccomp_action action;
	struct opt_u64 errno_ret;
	struct spec_seccomp_arg *args;
	size_t n_args;
};

struct seccomp_prog;  /* seccomp_filter.h */

struct spec_seccomp {
	enum spec_seccomp_action default_action;
	struct opt_u64 default_errno_ret;
	char **architectures;      /* as written: "SCMP_ARCH_X86_64" */
	size_t n_architectures;
	char **flags;              /* as written: "SECCOMP_FILTER_FLAG_LOG" */
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct spec_seccomp_syscall *syscalls;
	size_t n_syscalls;
	uint8_t *profile;          /* the section's JSON tree as bytes (seccomp_json_canon): */
	size_t profile_len;        /* its identity in the cache (NULL: no cache) */
	/* The compiled program, when spec_load_cached() found it in the cache
	 * (until seccomp_prepare takes it): then rules_skipped is set and
	 * syscalls is NULL (never built: see parse_seccomp). */
	struct seccomp_prog *cached;
	bool rules_skipped;
};

struct spec_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct spec_linux {
	struct spec_namespace ns[NS_COUNT];
	struct spec_idmap *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct spec_time_offset time_monotonic, time_boottime;
	struct spec_device *devices;
	size_t n_devices;
	char *cgroups_path;        /* as written, NULL when absent or "" */
	struct spec_resources *resources;  /* NULL when absent */
	struct spec_kv *sysctl;
	size_t n_sysctl;
	struct spec_seccomp *seccomp;      /* NULL when absent */
	unsigned long rootfs_propagation;  /* MS_* | MS_REC, 0 when absent */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct opt_u64 personality;        /* PER_LINUX / PER_LINUX32 */
};

struct spec {
	char *oci_version;
	char *root_path;           /* absolute: bundle-relative paths resolved */
	bool root_readonly;
	char *hostname;
	char *domainname;
	bool has_process;
	struct spec_process process;
	struct spec_mount *mounts;
	size_t n_mounts;
	struct spec_hooks hooks;
	char *hooks_json;          /* the "hooks" object re-serialised, NULL when absent */
	struct spec_kv *annotations;
	size_t n_annotations;
	char *annotations_json;    /* the "annotations" object re-serialised, NULL when absent */
	struct spec_linux linux;
	/* The parsed document (a json_t *), kept so that freeing it can wait
	 * for spec_release_json() or spec_free(): nothing points into it. */
	void *json_root;
};

/*
 * Parse and validate bundle_dir/config.json (or config_path when not NULL;
 * relative root.path and mount sources are still resolved against
 * bundle_dir).  `name` is what errors call the file ("config.json").
 */
int spec_load(const char *bundle_dir, const char *config_path, struct spec **out,
	      struct silo_error *err);
/*
 * spec_load, and linux.seccomp is looked up in seccomp_cache (a directory of
 * seccomp_prepare's cache; NULL: none) as soon as its bytes are known: on a
 * hit, linux.seccomp->cached is the program and the section's syscall rules
 * are not built (the hit proves they were valid: see parse_seccomp).
 */
int spec_load_cached(const char *bundle_dir, const char *config_path, const char *seccomp_cache,
		     struct spec **out, struct silo_error *err);
/* Parse from memory; bundle_dir resolves relative paths. */
int spec_parse(const char *json, size_t len, const char *name, const char *bundle_dir,
	       struct spec **out, struct silo_error *err);
void spec_free(struct spec *spec);
/* Free the parsed document now (it is a third of the parse's cost; create
 * does it after clone, off the start's critical path). */
void spec_release_json(struct spec *spec);

/* exec's process.json: one process object, validated like config.json's
 * "process" (errors say "<name>: process.<field>: ..."). */
int spec_parse_process(const char *json, size_t len, const char *name, struct spec_process *out,
		       struct silo_error *err);
/* Append a mount the runtime adds itself (e.g. the NOTIFY_SOCKET directory). */
int spec_add_mount(struct spec *s, const char *type, const char *source, const char *destination,
		   char *const *options, struct silo_error *err);
/* Set KEY=VALUE in the process environment (replacing KEY). */
int spec_setenv(struct spec_process *p, const char *key, const char *value);
/* Free what a process holds and zero it. */
void spec_process_clear(struct spec_process *p);
/* Parse a linux.resources object on its own (`update --resources FILE`):
 * the same checks as in config.json; errors say "<name>: linux.resources.
 * <field>: <reason>".  spec_resources_free() releases it. */
int spec_parse_resources(const char *json, size_t len, const char *name,
			 struct spec_resources **out, struct silo_error *err);
void spec_resources_free(struct spec_resources *r);
/* The linux.resources object of a config text, compact; NULL when it has
 * none or the text is not JSON.  Not validated. */
char *spec_resources_raw(const char *json, size_t len);

/* Parse only the hooks object (state files keep a copy for start/delete). */
int spec_parse_hooks(const char *json, struct spec_hooks *hooks, struct silo_error *err);
void spec_hooks_free(struct spec_hooks *hooks);

/* The default config of `silo-oci spec` (runc's, with a busybox-friendly
 * shell).  rootless: user namespace, mappings for the caller, no cgroups. */
char *spec_default_json(bool rootless);

/* Capability name <-> number ("CAP_SYS_ADMIN" <-> 21); -1 when unknown. */
int spec_cap_from_name(const char *name);
const char *spec_cap_name(int cap);
int spec_cap_last(void);   /* highest capability number we know */

/* rlimit name <-> number; -1 when unknown. */
int spec_rlimit_from_name(const char *name);

#endif
