/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.json -> struct spec: parsing and validation of an OCI runtime-spec
 * (1.0 - 1.3, Linux parts), the name tables (namespaces, capabilities,
 * rlimits, hooks) and the default config of `silo-oci spec`.
 *
 * Hand-written over jansson rather than generated (crun uses libocispec):
 * the spec's Linux surface is small enough to read in one file, and every
 * check can then say which field failed and why, e.g.
 *   config.json: process.capabilities.bounding[4]: unknown capability "CAP_FOO"
 *
 * Conventions: JSON null is "absent" (Go engines write null for nil slices),
 * unknown keys are ignored, a known key with the wrong type is an error.  The
 * whole config is checked before anything is created; the first problem
 * found is reported.  Every allocation hangs off struct spec as soon as it is
 * made, so spec_free() can release a half-built spec on any error path.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/mount.h>

#include <jansson.h>

#include "log.h"
#include "mountopts.h"
#include "spec.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* ---------------------------------------------------------------- tables */

const char *const spec_ns_names[NS_COUNT] = {
	[NS_PID] = "pid", [NS_NET] = "network", [NS_MNT] = "mount", [NS_IPC] = "ipc",
	[NS_UTS] = "uts", [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

const int spec_ns_clone_flags[NS_COUNT] = {
	[NS_PID] = CLONE_NEWPID, [NS_NET] = CLONE_NEWNET, [NS_MNT] = CLONE_NEWNS,
	[NS_IPC] = CLONE_NEWIPC, [NS_UTS] = CLONE_NEWUTS, [NS_USER] = CLONE_NEWUSER,
	[NS_CGROUP] = CLONE_NEWCGROUP, [NS_TIME] = CLONE_NEWTIME,
};

const char *const spec_ns_proc_names[NS_COUNT] = {
	[NS_PID] = "pid", [NS_NET] = "net", [NS_MNT] = "mnt", [NS_IPC] = "ipc",
	[NS_UTS] = "uts", [NS_USER] = "user", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

const char *const spec_hook_names[HOOK_KIND_COUNT] = {
	[HOOK_PRESTART] = "prestart",
	[HOOK_CREATE_RUNTIME] = "createRuntime",
	[HOOK_CREATE_CONTAINER] = "createContainer",
	[HOOK_START_CONTAINER] = "startContainer",
	[HOOK_POSTSTART] = "poststart",
	[HOOK_POSTSTOP] = "poststop",
};

/* Index = capability number (linux/capability.h). */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
	"CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
	"CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
	"CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
	{ "RLIMIT_CPU", RLIMIT_CPU },         { "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_DATA", RLIMIT_DATA },       { "RLIMIT_STACK", RLIMIT_STACK },
	{ "RLIMIT_CORE", RLIMIT_CORE },       { "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },     { "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },     { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE }, { "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },   { "RLIMIT_RTTIME", RLIMIT_RTTIME },
};

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

int spec_cap_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (strcmp(cap_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *spec_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int spec_cap_last(void)
{
	return (int)ARRAY_SIZE(cap_names) - 1;
}

int spec_rlimit_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_table); i++)
		if (strcmp(rlimit_table[i].name, name) == 0)
			return rlimit_table[i].resource;
	return -1;
}

/* ---------------------------------------------------------------- paths */

/*
 * Lexical clean of an absolute path, like Go's filepath.Clean: no "//", no
 * ".", ".." removes the previous element and cannot go above "/".
 */
static char *path_clean_abs(const char *p)
{
	size_t n = strlen(p);
	char *out = xmalloc(n + 2);
	size_t o = 0;

	while (*p != '\0') {
		const char *e;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchrnul(p, '/');
		len = (size_t)(e - p);
		if (len == 1 && p[0] == '.') {
			/* nothing */
		} else if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
	return out;
}

/* base + "/" + rel, cleaned; base is absolute. */
static char *path_join_clean(const char *base, const char *rel)
{
	cleanup_free char *joined = xasprintf("%s/%s", base, rel);
	return path_clean_abs(joined);
}

/* An absolute, lexically cleaned form of dir (relative to the cwd). */
static char *path_absolute(const char *dir, struct silo_error *err)
{
	char cwd[PATH_MAX];

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	if (dir[0] == '/')
		return path_clean_abs(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		silo_error(err, errno, "getcwd");
		return NULL;
	}
	return path_join_clean(cwd, dir);
}

/* ---------------------------------------------------------------- context */

/* Field paths ("linux.resources.devices[3].access") are built on the stack. */
#define FP_MAX 512
typedef char fpath_t[FP_MAX];

struct ctx {
	const char *name;      /* file name for messages; NULL = none */
	const char *bundle;    /* absolute bundle directory */
	struct silo_error *err;
	uint64_t *bigs;        /* integer literals above INT64_MAX, see rewrite_big_ints() */
	size_t n_bigs;
};

static int fail(struct ctx *c, const char *path, const char *fmt, ...) SILO_FORMAT(3, 4);
static int fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->name != NULL)
		return silo_error(c->err, 0, "%s: %s: %s", c->name, path, msg);
	return silo_error(c->err, 0, "%s: %s", path, msg);
}

/* User text inside a message: bounded, with control characters and quotes
 * replaced so that a hostile config cannot forge log lines. */
static const char *safe(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s != '\0' && o + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		buf[o++] = (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\') ? '?' : (char)ch;
	}
	if (*s != '\0' && size >= 4) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}
#define SAFE(s) safe((char[96]){ 0 }, 96, (s))

/* buf = path + sep + mid + end, truncated to FP_MAX. */
static const char *fp_build(char *buf, const char *path, const char *sep, const char *mid,
			    const char *end)
{
	const char *parts[] = { path, sep, mid, end };
	size_t o = 0;

	for (size_t k = 0; k < ARRAY_SIZE(parts); k++)
		for (const char *s = parts[k]; *s != '\0' && o + 1 < FP_MAX; s++)
			buf[o++] = *s;
	buf[o] = '\0';
	return buf;
}

static const char *fld(char *buf, const char *path, const char *key)
{
	return fp_build(buf, path, path[0] != '\0' ? "." : "", key, "");
}

static const char *idx(char *buf, const char *path, size_t i)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", i);
	return fp_build(buf, path, "[", num, "]");
}

static const char *keyed(char *buf, const char *path, const char *key)
{
	return fp_build(buf, path, "[\"", SAFE(key), "\"]");
}

static bool is_big(const struct ctx *c, uint64_t v)
{
	for (size_t i = 0; i < c->n_bigs; i++)
		if (c->bigs[i] == v)
			return true;
	return false;
}

/* ---------------------------------------------------------------- getters
 *
 * get_*(c, obj, key, path, out): 0 = absent (or null), 1 = read, -1 = error.
 * `path` is the path of obj; messages name path.key.
 */

static json_t *get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static int missing(struct ctx *c, const char *path, const char *key)
{
	fpath_t p;
	return fail(c, fld(p, path, key), "missing");
}

static int get_typed(struct ctx *c, json_t *o, const char *key, const char *path, json_t **out,
		     json_type type, const char *what)
{
	fpath_t p;
	json_t *v = get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (json_typeof(v) != type)
		return fail(c, fld(p, path, key), "must be %s", what);
	*out = v;
	return 1;
}

static int get_obj(struct ctx *c, json_t *o, const char *key, const char *path, json_t **out)
{
	return get_typed(c, o, key, path, out, JSON_OBJECT, "an object");
}

static int get_arr(struct ctx *c, json_t *o, const char *key, const char *path, json_t **out)
{
	return get_typed(c, o, key, path, out, JSON_ARRAY, "an array");
}

static int get_str(struct ctx *c, json_t *o, const char *key, const char *path, char **out)
{
	json_t *v;
	int r = get_typed(c, o, key, path, &v, JSON_STRING, "a string");

	if (r <= 0)
		return r;
	free(*out);
	*out = xstrdup(json_string_value(v));
	return 1;
}

static int get_bool(struct ctx *c, json_t *o, const char *key, const char *path, bool *out)
{
	fpath_t p;
	json_t *v = get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return fail(c, fld(p, path, key), "must be true or false");
	*out = json_is_true(v);
	return 1;
}

static int as_i64(struct ctx *c, json_t *v, const char *path, int64_t *out)
{
	if (!json_is_integer(v))
		return fail(c, path, "must be an integer");
	*out = json_integer_value(v);
	return 0;
}

static int as_u64(struct ctx *c, json_t *v, const char *path, uint64_t max, uint64_t *out)
{
	int64_t i;
	uint64_t u;

	if (!json_is_integer(v))
		return fail(c, path, "must be a non-negative integer");
	i = json_integer_value(v);
	u = (uint64_t)i;
	if (i < 0 && !is_big(c, u))
		return fail(c, path, "must be a non-negative integer");
	if (u > max)
		return fail(c, path, "must be at most %" PRIu64, max);
	*out = u;
	return 0;
}

static int get_i64(struct ctx *c, json_t *o, const char *key, const char *path, int64_t *out)
{
	fpath_t p;
	json_t *v = get(o, key);

	if (v == NULL)
		return 0;
	return as_i64(c, v, fld(p, path, key), out) < 0 ? -1 : 1;
}

static int get_u64(struct ctx *c, json_t *o, const char *key, const char *path, uint64_t max,
		   uint64_t *out)
{
	fpath_t p;
	json_t *v = get(o, key);

	if (v == NULL)
		return 0;
	return as_u64(c, v, fld(p, path, key), max, out) < 0 ? -1 : 1;
}

static int get_u32(struct ctx *c, json_t *o, const char *key, const char *path, uint32_t *out)
{
	uint64_t v;
	int r = get_u64(c, o, key, path, UINT32_MAX, &v);

	if (r > 0)
		*out = (uint32_t)v;
	return r;
}

static int get_opt_u64(struct ctx *c, json_t *o, const char *key, const char *path, uint64_t max,
		       struct opt_u64 *out)
{
	int r = get_u64(c, o, key, path, max, &out->v);
	out->set = r > 0;
	return r;
}

static int get_opt_i64(struct ctx *c, json_t *o, const char *key, const char *path,
		       struct opt_i64 *out)
{
	int r = get_i64(c, o, key, path, &out->v);
	out->set = r > 0;
	return r;
}

/* An array of strings -> NULL-terminated vector (*n without the NULL). */
static int get_strv(struct ctx *c, json_t *o, const char *key, const char *path, char ***out,
		    size_t *n)
{
	fpath_t p, q;
	json_t *arr, *v;
	size_t i;
	int r = get_arr(c, o, key, path, &arr);

	if (r <= 0)
		return r;
	fld(p, path, key);
	strv_free(*out);
	*out = xzalloc((json_array_size(arr) + 1) * sizeof(char *));
	if (n != NULL)
		*n = 0;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return fail(c, idx(q, p, i), "must be a string");
		(*out)[i] = xstrdup(json_string_value(v));
		if (n != NULL)
			*n = i + 1;
	}
	return 1;
}

/* An object of strings -> key/value array. */
static int get_kv(struct ctx *c, json_t *o, const char *key, const char *path,
		  struct spec_kv **out, size_t *n)
{
	fpath_t p, q;
	json_t *obj, *v;
	const char *k;
	int r = get_obj(c, o, key, path, &obj);

	if (r <= 0)
		return r;
	fld(p, path, key);
	*out = xzalloc((json_object_size(obj) + 1) * sizeof(**out));
	*n = 0;
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return fail(c, keyed(q, p, k), "must be a string");
		(*out)[*n].key = xstrdup(k);
		(*out)[*n].value = xstrdup(json_string_value(v));
		(*n)++;
	}
	return 1;
}

/* Each element of an array of objects: fn(c, element, "path[i]", i, data). */
typedef int (*elem_fn)(struct ctx *c, json_t *e, const char *path, size_t i, void *data);

static int each_obj(struct ctx *c, json_t *arr, const char *path, elem_fn fn, void *data)
{
	fpath_t p;
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		idx(p, path, i);
		if (!json_is_object(e))
			return fail(c, p, "must be an object");
		if (fn(c, e, p, i, data) < 0)
			return -1;
	}
	return 0;
}

static int check_abs(struct ctx *c, const char *path, const char *value)
{
	if (value == NULL || value[0] != '/')
		return fail(c, path, "must be an absolute path");
	return 0;
}

/* ---------------------------------------------------------------- root, version */

static int parse_version(struct ctx *c, json_t *root, struct spec *s)
{
	const char *v;
	char *end;
	unsigned long major;

	int r = get_str(c, root, "ociVersion", "", &s->oci_version);

	if (r <= 0)
		return r < 0 ? -1 : missing(c, "", "ociVersion");
	v = s->oci_version;
	/* "1.0.2-dev", "1.2.0", "1.3": any 1.x.  A different major may change
	 * the meaning of fields we would silently misread. */
	errno = 0;
	major = strtoul(v, &end, 10);
	if (end == v || *end != '.' || errno != 0 || v[0] < '0' || v[0] > '9')
		return fail(c, "ociVersion", "invalid version \"%s\"", SAFE(v));
	if (major != 1)
		return fail(c, "ociVersion", "unsupported version \"%s\": silo implements the 1.x runtime-spec",
			    SAFE(v));
	return 0;
}

static int parse_root(struct ctx *c, json_t *root, struct spec *s)
{
	json_t *r;
	cleanup_free char *path = NULL;
	int rc = get_obj(c, root, "root", "", &r);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return missing(c, "", "root");
	rc = get_str(c, r, "path", "root", &path);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return missing(c, "root", "path");
	if (path[0] == '\0')
		return fail(c, "root.path", "must not be empty");
	if (get_bool(c, r, "readonly", "root", &s->root_readonly) < 0)
		return -1;
	s->root_path = path[0] == '/' ? path_clean_abs(path) : path_join_clean(c->bundle, path);
	return 0;
}

/* ---------------------------------------------------------------- process */

static int parse_user(struct ctx *c, json_t *proc, struct spec_user *u)
{
	fpath_t p;
	json_t *o, *arr, *v;
	uint32_t id;
	size_t i;
	int r = get_obj(c, proc, "user", "process", &o);

	if (r < 0)
		return -1;
	if (r == 0)
		return missing(c, "process", "user");
	if ((r = get_u32(c, o, "uid", "process.user", &id)) <= 0)
		return r < 0 ? -1 : missing(c, "process.user", "uid");
	u->uid = id;
	if ((r = get_u32(c, o, "gid", "process.user", &id)) <= 0)
		return r < 0 ? -1 : missing(c, "process.user", "gid");
	u->gid = id;
	if (get_opt_u64(c, o, "umask", "process.user", 0777, &u->umask) < 0)
		return -1;
	if (get_str(c, o, "username", "process.user", &u->username) < 0)
		return -1;
	if ((r = get_arr(c, o, "additionalGids", "process.user", &arr)) < 0)
		return -1;
	if (r == 0)
		return 0;
	u->additional_gids = xzalloc((json_array_size(arr) + 1) * sizeof(gid_t));
	json_array_foreach(arr, i, v) {
		uint64_t g = 0;
		if (as_u64(c, v, idx(p, "process.user.additionalGids", i), UINT32_MAX, &g) < 0)
			return -1;
		u->additional_gids[i] = (gid_t)g;
		u->n_additional_gids = i + 1;
	}
	return 0;
}

static int parse_args(struct ctx *c, json_t *proc, struct spec_process *p)
{
	json_t *arr = get(proc, "args");
	size_t i;
	json_t *v;

	if (arr == NULL || !json_is_array(arr) || json_array_size(arr) == 0)
		return fail(c, "process.args", "must be a non-empty array of strings");
	json_array_foreach(arr, i, v)
		if (!json_is_string(v))
			return fail(c, "process.args", "must be a non-empty array of strings");
	return get_strv(c, proc, "args", "process", &p->args, &p->n_args) < 0 ? -1 : 0;
}

static int parse_env(struct ctx *c, json_t *proc, struct spec_process *p)
{
	fpath_t q;

	if (get_strv(c, proc, "env", "process", &p->env, &p->n_env) < 0)
		return -1;
	for (size_t i = 0; i < p->n_env; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (eq == NULL || eq == p->env[i])
			return fail(c, idx(q, "process.env", i), "\"%s\" is not of the form KEY=VALUE",
				    SAFE(p->env[i]));
	}
	return 0;
}

/*
 * Unknown capability names are refused.  runc only warns and drops them, but
 * a set that silently loses an entry is not the set the engine asked for;
 * the CVE-2022-29162 class (capability sets that differ from what the caller
 * believes, there inheritable ones) is why silo is strict about every set.
 */
static int parse_cap_set(struct ctx *c, json_t *caps, const char *key, uint64_t *mask)
{
	fpath_t p, q;
	json_t *arr, *v;
	size_t i;
	int r = get_arr(c, caps, key, "process.capabilities", &arr);

	if (r <= 0)
		return r;
	fld(p, "process.capabilities", key);
	json_array_foreach(arr, i, v) {
		int cap;
		if (!json_is_string(v))
			return fail(c, idx(q, p, i), "must be a string");
		cap = spec_cap_from_name(json_string_value(v));
		if (cap < 0)
			return fail(c, idx(q, p, i), "unknown capability \"%s\"",
				    SAFE(json_string_value(v)));
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_caps(struct ctx *c, json_t *proc, struct spec_caps *caps)
{
	json_t *o;
	int r = get_obj(c, proc, "capabilities", "process", &o);

	if (r <= 0)
		return r;
	caps->set = true;
	if (parse_cap_set(c, o, "bounding", &caps->bounding) < 0 ||
	    parse_cap_set(c, o, "effective", &caps->effective) < 0 ||
	    parse_cap_set(c, o, "inheritable", &caps->inheritable) < 0 ||
	    parse_cap_set(c, o, "permitted", &caps->permitted) < 0 ||
	    parse_cap_set(c, o, "ambient", &caps->ambient) < 0)
		return -1;
	return 0;
}

static int parse_rlimit(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_process *p = data;
	struct spec_rlimit *rl = &p->rlimits[i];
	fpath_t q;
	int r;

	if ((r = get_str(c, e, "type", path, &rl->name)) <= 0)
		return r < 0 ? -1 : missing(c, path, "type");
	rl->resource = spec_rlimit_from_name(rl->name);
	if (rl->resource < 0)
		return fail(c, fld(q, path, "type"), "unknown rlimit \"%s\"", SAFE(rl->name));
	for (size_t j = 0; j < i; j++)
		if (p->rlimits[j].resource == rl->resource)
			return fail(c, fld(q, path, "type"), "duplicate rlimit \"%s\"", SAFE(rl->name));
	if ((r = get_u64(c, e, "soft", path, UINT64_MAX, &rl->soft)) <= 0)
		return r < 0 ? -1 : missing(c, path, "soft");
	if ((r = get_u64(c, e, "hard", path, UINT64_MAX, &rl->hard)) <= 0)
		return r < 0 ? -1 : missing(c, path, "hard");
	if (rl->soft > rl->hard)
		return fail(c, path, "soft limit %" PRIu64 " is above the hard limit %" PRIu64,
			    rl->soft, rl->hard);
	return 0;
}

static int parse_process(struct ctx *c, json_t *root, struct spec *s)
{
	struct spec_process *p = &s->process;
	json_t *proc, *o, *arr;
	uint32_t v;
	int r = get_obj(c, root, "process", "", &proc);

	if (r < 0)
		return -1;
	if (r == 0)
		return missing(c, "", "process");
	s->has_process = true;
	if (get_bool(c, proc, "terminal", "process", &p->terminal) < 0)
		return -1;
	if ((r = get_obj(c, proc, "consoleSize", "process", &o)) < 0)
		return -1;
	if (r > 0) {
		p->has_console_size = true;
		if ((r = get_u32(c, o, "height", "process.consoleSize", &v)) <= 0)
			return r < 0 ? -1 : missing(c, "process.consoleSize", "height");
		p->console_height = v;
		if ((r = get_u32(c, o, "width", "process.consoleSize", &v)) <= 0)
			return r < 0 ? -1 : missing(c, "process.consoleSize", "width");
		p->console_width = v;
	}
	if (parse_user(c, proc, &p->user) < 0 || parse_args(c, proc, p) < 0 ||
	    parse_env(c, proc, p) < 0)
		return -1;
	if ((r = get_str(c, proc, "cwd", "process", &p->cwd)) <= 0)
		return r < 0 ? -1 : missing(c, "process", "cwd");
	if (check_abs(c, "process.cwd", p->cwd) < 0 || parse_caps(c, proc, &p->caps) < 0)
		return -1;
	if ((r = get_arr(c, proc, "rlimits", "process", &arr)) < 0)
		return -1;
	if (r > 0) {
		p->rlimits = xzalloc((json_array_size(arr) + 1) * sizeof(*p->rlimits));
		p->n_rlimits = json_array_size(arr);
		if (each_obj(c, arr, "process.rlimits", parse_rlimit, p) < 0)
			return -1;
	}
	if (get_bool(c, proc, "noNewPrivileges", "process", &p->no_new_privileges) < 0 ||
	    get_str(c, proc, "apparmorProfile", "process", &p->apparmor_profile) < 0 ||
	    get_str(c, proc, "selinuxLabel", "process", &p->selinux_label) < 0 ||
	    get_opt_i64(c, proc, "oomScoreAdj", "process", &p->oom_score_adj) < 0)
		return -1;
	if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
		return fail(c, "process.oomScoreAdj", "must be between -1000 and 1000");
	return 0;
}

/* ---------------------------------------------------------------- id maps */

static int parse_idmap(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_idmap *m = (struct spec_idmap *)data + i;
	int r;

	if ((r = get_u32(c, e, "containerID", path, &m->container_id)) <= 0)
		return r < 0 ? -1 : missing(c, path, "containerID");
	if ((r = get_u32(c, e, "hostID", path, &m->host_id)) <= 0)
		return r < 0 ? -1 : missing(c, path, "hostID");
	if ((r = get_u32(c, e, "size", path, &m->size)) <= 0)
		return r < 0 ? -1 : missing(c, path, "size");
	if (m->size == 0)
		return fail(c, path, "size must be at least 1");
	if ((uint64_t)m->container_id + m->size > UINT64_C(1) << 32 ||
	    (uint64_t)m->host_id + m->size > UINT64_C(1) << 32)
		return fail(c, path, "range goes past id 4294967295");
	return 0;
}

/* The kernel takes at most 340 lines in uid_map/gid_map. */
#define IDMAP_MAX 340

static int parse_idmaps(struct ctx *c, json_t *o, const char *key, const char *path,
			struct spec_idmap **out, size_t *n)
{
	fpath_t p;
	json_t *arr;
	int r = get_arr(c, o, key, path, &arr);

	if (r <= 0)
		return r;
	fld(p, path, key);
	if (json_array_size(arr) > IDMAP_MAX)
		return fail(c, p, "at most %d mappings are allowed", IDMAP_MAX);
	*out = xzalloc((json_array_size(arr) + 1) * sizeof(**out));
	*n = json_array_size(arr);
	return each_obj(c, arr, p, parse_idmap, *out) < 0 ? -1 : 1;
}

/* ---------------------------------------------------------------- mounts */

static int parse_mount(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec *s = data;
	struct spec_mount *m = &s->mounts[i];
	cleanup_free char *dest = NULL;
	fpath_t q;
	int r;

	if ((r = get_str(c, e, "destination", path, &dest)) <= 0)
		return r < 0 ? -1 : missing(c, path, "destination");
	if (dest[0] == '\0')
		return fail(c, fld(q, path, "destination"), "must be an absolute path");
	if (dest[0] != '/')
		/* Old configs wrote "proc" for "/proc"; runc accepts them too. */
		silo_warn("%s: %s.destination: \"%s\" is not absolute, using \"/%s\"",
			  c->name ? c->name : "config", path, SAFE(dest), SAFE(dest));
	m->destination = dest[0] == '/' ? path_clean_abs(dest) : path_join_clean("/", dest);
	if (get_str(c, e, "type", path, &m->type) < 0 || get_str(c, e, "source", path, &m->source) < 0 ||
	    get_strv(c, e, "options", path, &m->options, &m->n_options) < 0)
		return -1;
	if (mount_opts_parse(m->options, m->n_options, &m->opts, c->err) < 0)
		return silo_error_ctx(c->err, "%s%s%s.options", c->name ? c->name : "",
				      c->name ? ": " : "", path);
	if (m->type != NULL && strcmp(m->type, "bind") == 0)
		m->opts.bind = true;
	if (m->opts.bind) {
		if (m->source == NULL || m->source[0] == '\0')
			return fail(c, fld(q, path, "source"), "missing (a bind mount needs a source)");
		if (m->source[0] != '/') {
			char *abs = path_join_clean(c->bundle, m->source);
			free(m->source);
			m->source = abs;
		}
	}
	if (parse_idmaps(c, e, "uidMappings", path, &m->uid_mappings, &m->n_uid_mappings) < 0 ||
	    parse_idmaps(c, e, "gidMappings", path, &m->gid_mappings, &m->n_gid_mappings) < 0)
		return -1;
	if (m->n_uid_mappings > 0 || m->n_gid_mappings > 0) {
		if (m->n_uid_mappings == 0 || m->n_gid_mappings == 0)
			return fail(c, path, "an id-mapped mount needs both uidMappings and gidMappings");
		if (!m->opts.bind)
			return fail(c, path, "id mappings are only supported for bind mounts");
		/* Mappings imply an id-mapped mount, as in runc. */
		if (!(m->opts.extensions & (SPEC_MOUNT_IDMAP | SPEC_MOUNT_RIDMAP)))
			m->opts.extensions |= SPEC_MOUNT_IDMAP;
	}
	return 0;
}

static int parse_mounts(struct ctx *c, json_t *root, struct spec *s)
{
	json_t *arr;
	int r = get_arr(c, root, "mounts", "", &arr);

	if (r <= 0)
		return r;
	s->mounts = xzalloc((json_array_size(arr) + 1) * sizeof(*s->mounts));
	s->n_mounts = json_array_size(arr);
	return each_obj(c, arr, "mounts", parse_mount, s);
}

/* ---------------------------------------------------------------- hooks */

static int parse_hook(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_hook *h = (struct spec_hook *)data + i;
	fpath_t q;
	int64_t timeout = 0;
	int r;

	if ((r = get_str(c, e, "path", path, &h->path)) <= 0)
		return r < 0 ? -1 : missing(c, path, "path");
	if (check_abs(c, fld(q, path, "path"), h->path) < 0 ||
	    get_strv(c, e, "args", path, &h->args, NULL) < 0 ||
	    get_strv(c, e, "env", path, &h->env, NULL) < 0)
		return -1;
	if ((r = get_i64(c, e, "timeout", path, &timeout)) < 0)
		return -1;
	if (r > 0 && (timeout <= 0 || timeout > INT_MAX))
		return fail(c, fld(q, path, "timeout"), "must be a positive number of seconds");
	h->timeout = r > 0 ? (int)timeout : 0;
	return 0;
}

static int parse_hooks_obj(struct ctx *c, json_t *hooks, struct spec_hooks *out)
{
	for (int k = 0; k < HOOK_KIND_COUNT; k++) {
		fpath_t p;
		json_t *arr;
		int r = get_arr(c, hooks, spec_hook_names[k], "hooks", &arr);

		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		out->hooks[k] = xzalloc((json_array_size(arr) + 1) * sizeof(struct spec_hook));
		out->n_hooks[k] = json_array_size(arr);
		if (each_obj(c, arr, fld(p, "hooks", spec_hook_names[k]), parse_hook, out->hooks[k]) < 0)
			return -1;
	}
	return 0;
}

void spec_hooks_free(struct spec_hooks *hooks)
{
	if (hooks == NULL)
		return;
	for (int k = 0; k < HOOK_KIND_COUNT; k++) {
		for (size_t i = 0; hooks->hooks[k] != NULL && i < hooks->n_hooks[k]; i++) {
			free(hooks->hooks[k][i].path);
			strv_free(hooks->hooks[k][i].args);
			strv_free(hooks->hooks[k][i].env);
		}
		free(hooks->hooks[k]);
		hooks->hooks[k] = NULL;
		hooks->n_hooks[k] = 0;
	}
}

static int parse_hooks(struct ctx *c, json_t *root, struct spec *s)
{
	json_t *hooks;
	int r = get_obj(c, root, "hooks", "", &hooks);

	if (r <= 0)
		return r;
	s->hooks_json = json_dumps(hooks, JSON_COMPACT);
	if (s->hooks_json == NULL)
		return silo_error(c->err, ENOMEM, "hooks: serialise");
	return parse_hooks_obj(c, hooks, &s->hooks);
}

static int parse_annotations(struct ctx *c, json_t *root, struct spec *s)
{
	int r = get_kv(c, root, "annotations", "", &s->annotations, &s->n_annotations);

	if (r <= 0)
		return r;
	s->annotations_json = json_dumps(get(root, "annotations"), JSON_COMPACT);
	if (s->annotations_json == NULL)
		return silo_error(c->err, ENOMEM, "annotations: serialise");
	return 0;
}

/* ---------------------------------------------------------------- linux: namespaces */

static int parse_namespace(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_linux *l = data;
	cleanup_free char *type = NULL;
	cleanup_free char *nspath = NULL;
	fpath_t q;
	int t, r;

	if ((r = get_str(c, e, "type", path, &type)) <= 0)
		return r < 0 ? -1 : missing(c, path, "type");
	for (t = 0; t < NS_COUNT; t++)
		if (strcmp(type, spec_ns_names[t]) == 0)
			break;
	if (t == NS_COUNT)
		return fail(c, fld(q, path, "type"), "unknown namespace \"%s\"", SAFE(type));
	if (l->ns[t].present)
		return fail(c, fld(q, path, "type"), "duplicate namespace \"%s\"", type);
	l->ns[t].present = true;
	if (get_str(c, e, "path", path, &nspath) < 0)
		return -1;
	if (nspath != NULL && nspath[0] != '\0') {
		if (check_abs(c, fld(q, path, "path"), nspath) < 0)
			return -1;
		l->ns[t].path = steal_pointer(&nspath);
	}
	return 0;
}

static int parse_time_offset(struct ctx *c, json_t *o, const char *path, struct spec_time_offset *t)
{
	uint64_t ns = 0;

	if (!json_is_object(o))
		return fail(c, path, "must be an object");
	t->set = true;
	if (get_i64(c, o, "secs", path, &t->secs) < 0 ||
	    get_u64(c, o, "nanosecs", path, 999999999, &ns) < 0)
		return -1;
	t->nanosecs = (uint32_t)ns;
	return 0;
}

static int parse_time_offsets(struct ctx *c, json_t *linux, struct spec_linux *l)
{
	json_t *o, *v;
	const char *k;
	fpath_t p;
	int r = get_obj(c, linux, "timeOffsets", "linux", &o);

	if (r <= 0)
		return r;
	json_object_foreach(o, k, v) {
		fld(p, "linux.timeOffsets", k);
		if (strcmp(k, "monotonic") == 0)
			r = parse_time_offset(c, v, p, &l->time_monotonic);
		else if (strcmp(k, "boottime") == 0)
			r = parse_time_offset(c, v, p, &l->time_boottime);
		else
			r = fail(c, keyed(p, "linux.timeOffsets", k),
				 "unknown clock (only \"monotonic\" and \"boottime\" can be offset)");
		if (r < 0)
			return -1;
	}
	if (!l->ns[NS_TIME].present)
		return fail(c, "linux.timeOffsets", "requires a time namespace (linux.namespaces has no \"time\")");
	if (l->ns[NS_TIME].path != NULL)
		return fail(c, "linux.timeOffsets", "cannot be set when joining an existing time namespace");
	return 0;
}

static int check_user_ns(struct ctx *c, struct spec_linux *l)
{
	bool maps = l->n_uid_mappings > 0 || l->n_gid_mappings > 0;

	if (maps && !l->ns[NS_USER].present)
		return fail(c, l->n_uid_mappings > 0 ? "linux.uidMappings" : "linux.gidMappings",
			    "requires a user namespace (linux.namespaces has no \"user\")");
	if (!l->ns[NS_USER].present || l->ns[NS_USER].path != NULL)
		return 0;
	if (l->n_uid_mappings == 0)
		return fail(c, "linux.uidMappings", "missing (a new user namespace needs uid and gid mappings)");
	if (l->n_gid_mappings == 0)
		return fail(c, "linux.gidMappings", "missing (a new user namespace needs uid and gid mappings)");
	return 0;
}

/* ---------------------------------------------------------------- linux: devices */

static int parse_device(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_device *d = (struct spec_device *)data + i;
	cleanup_free char *type = NULL;
	fpath_t q;
	int r;

	if ((r = get_str(c, e, "path", path, &d->path)) <= 0)
		return r < 0 ? -1 : missing(c, path, "path");
	if (check_abs(c, fld(q, path, "path"), d->path) < 0)
		return -1;
	if ((r = get_str(c, e, "type", path, &type)) <= 0)
		return r < 0 ? -1 : missing(c, path, "type");
	if (strlen(type) != 1 || strchr("cbup", type[0]) == NULL)
		return fail(c, fld(q, path, "type"), "unknown device type \"%s\" (c, b, u or p)", SAFE(type));
	d->type = type[0];
	if (d->type != 'p') {
		if ((r = get_i64(c, e, "major", path, &d->major)) <= 0)
			return r < 0 ? -1 : missing(c, path, "major");
		if ((r = get_i64(c, e, "minor", path, &d->minor)) <= 0)
			return r < 0 ? -1 : missing(c, path, "minor");
		if (d->major < 0 || d->major > 0xfff)
			return fail(c, fld(q, path, "major"), "must be between 0 and 4095");
		if (d->minor < 0 || d->minor > 0xfffff)
			return fail(c, fld(q, path, "minor"), "must be between 0 and 1048575");
	}
	if (get_opt_u64(c, e, "fileMode", path, 07777, &d->file_mode) < 0 ||
	    get_opt_u64(c, e, "uid", path, UINT32_MAX, &d->uid) < 0 ||
	    get_opt_u64(c, e, "gid", path, UINT32_MAX, &d->gid) < 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- linux: resources */

static int parse_device_rule(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_device_rule *d = (struct spec_device_rule *)data + i;
	cleanup_free char *type = NULL, *access = NULL;
	fpath_t q;
	int r;

	if ((r = get_bool(c, e, "allow", path, &d->allow)) <= 0)
		return r < 0 ? -1 : missing(c, path, "allow");
	if (get_str(c, e, "type", path, &type) < 0)
		return -1;
	d->type = 'a';
	if (type != NULL && type[0] != '\0') {
		if (strlen(type) != 1 || strchr("abc", type[0]) == NULL)
			return fail(c, fld(q, path, "type"), "unknown device type \"%s\" (a, b or c)",
				    SAFE(type));
		d->type = type[0];
	}
	d->major = d->minor = -1;
	if (get_i64(c, e, "major", path, &d->major) < 0 || get_i64(c, e, "minor", path, &d->minor) < 0)
		return -1;
	if (d->major < -1)
		return fail(c, fld(q, path, "major"), "must be -1 (any) or a device number");
	if (d->minor < -1)
		return fail(c, fld(q, path, "minor"), "must be -1 (any) or a device number");
	if (get_str(c, e, "access", path, &access) < 0)
		return -1;
	/* No access means all of them, as in crun. */
	if (access == NULL || access[0] == '\0') {
		memcpy(d->access, "rwm", 4);
		return 0;
	}
	if (access[strspn(access, "rwm")] != '\0')
		return fail(c, fld(q, path, "access"), "\"%s\" is not a subset of \"rwm\"", SAFE(access));
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

static int parse_fields(struct ctx *c, json_t *o, const char *path, const struct fdef *defs,
			struct spec_resources *res)
{
	fpath_t p;

	for (const struct fdef *d = defs; d->key != NULL; d++) {
		char *at = (char *)res + d->off;
		int r;

		fld(p, path, d->key);
		if (d->kind == F_BOOL) {
			struct opt_bool *b = (struct opt_bool *)(void *)at;
			if ((r = get_bool(c, o, d->key, path, &b->v)) < 0)
				return -1;
			b->set = r > 0;
		} else if (d->kind == F_U64) {
			struct opt_u64 *u = (struct opt_u64 *)(void *)at;
			json_t *v = get(o, d->key);
			/* 2^64-1 is how Go engines write "unset" swappiness (-1). */
			if (strcmp(d->key, "swappiness") == 0 && v != NULL && json_is_integer(v) &&
			    json_integer_value(v) == -1 && is_big(c, UINT64_MAX))
				continue;
			if (get_opt_u64(c, o, d->key, path, (uint64_t)d->max, u) < 0)
				return -1;
		} else {
			struct opt_i64 *i = (struct opt_i64 *)(void *)at;
			if (get_opt_i64(c, o, d->key, path, i) < 0)
				return -1;
			if (i->set && (i->v < d->min || i->v > d->max)) {
				if (d->min == -1 && d->max == INT64_MAX)
					return fail(c, p, "must be -1 (unlimited) or a non-negative integer");
				return fail(c, p, "must be between %" PRId64 " and %" PRId64, d->min, d->max);
			}
		}
	}
	return 0;
}

/* "0-3,5,7-8": what cpuset.cpus / cpuset.mems accept. */
static bool is_cpu_list(const char *s)
{
	while (*s != '\0') {
		unsigned long a, b;
		char *end;

		if (*s < '0' || *s > '9')
			return false;
		a = strtoul(s, &end, 10);
		s = end;
		if (*s == '-') {
			s++;
			if (*s < '0' || *s > '9')
				return false;
			b = strtoul(s, &end, 10);
			if (b < a)
				return false;
			s = end;
		}
		if (*s == ',' && s[1] != '\0')
			s++;
		else if (*s != '\0')
			return false;
	}
	return true;
}

static int parse_cpuset(struct ctx *c, json_t *o, const char *key, char **out)
{
	fpath_t p;

	if (get_str(c, o, key, "linux.resources.cpu", out) < 0)
		return -1;
	if (*out != NULL && (*out)[0] == '\0') {
		free(*out);
		*out = NULL;
	}
	if (*out != NULL && !is_cpu_list(*out))
		return fail(c, fld(p, "linux.resources.cpu", key), "\"%s\" is not a list such as \"0-3,5\"",
			    SAFE(*out));
	return 0;
}

/* blkio weights: 10..1000; 0 means "not set" as in runc. */
static int get_weight(struct ctx *c, json_t *o, const char *key, const char *path, struct opt_u64 *w)
{
	fpath_t p;

	if (get_opt_u64(c, o, key, path, UINT16_MAX, w) < 0)
		return -1;
	if (w->set && w->v == 0)
		w->set = false;
	if (w->set && (w->v < 10 || w->v > 1000))
		return fail(c, fld(p, path, key), "must be between 10 and 1000");
	return 0;
}

static int get_devnum(struct ctx *c, json_t *e, const char *path, int64_t *major, int64_t *minor)
{
	fpath_t q;
	int r;

	if ((r = get_i64(c, e, "major", path, major)) <= 0)
		return r < 0 ? -1 : missing(c, path, "major");
	if ((r = get_i64(c, e, "minor", path, minor)) <= 0)
		return r < 0 ? -1 : missing(c, path, "minor");
	if (*major < 0)
		return fail(c, fld(q, path, "major"), "must be a non-negative integer");
	if (*minor < 0)
		return fail(c, fld(q, path, "minor"), "must be a non-negative integer");
	return 0;
}

static int parse_weight_device(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_weight_device *d = (struct spec_weight_device *)data + i;

	if (get_devnum(c, e, path, &d->major, &d->minor) < 0 ||
	    get_weight(c, e, "weight", path, &d->weight) < 0 ||
	    get_weight(c, e, "leafWeight", path, &d->leaf_weight) < 0)
		return -1;
	return 0;
}

static int parse_throttle_device(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_throttle_device *d = (struct spec_throttle_device *)data + i;
	int r;

	if (get_devnum(c, e, path, &d->major, &d->minor) < 0)
		return -1;
	if ((r = get_u64(c, e, "rate", path, UINT64_MAX, &d->rate)) <= 0)
		return r < 0 ? -1 : missing(c, path, "rate");
	return 0;
}

/* Read an optional array of objects into *out / *n with fn per element. */
static int get_obj_array(struct ctx *c, json_t *o, const char *key, const char *path, size_t size,
			 void **out, size_t *n, elem_fn fn)
{
	fpath_t p;
	json_t *arr;
	int r = get_arr(c, o, key, path, &arr);

	if (r <= 0)
		return r;
	*out = xzalloc((json_array_size(arr) + 1) * size);
	*n = json_array_size(arr);
	return each_obj(c, arr, fld(p, path, key), fn, *out);
}

#define OBJ_ARRAY(c, o, key, path, arr, n, fn)                                          \
	({                                                                              \
		void *oa_tmp_ = NULL;                                                   \
		int oa_r_ = get_obj_array(c, o, key, path, sizeof(*(arr)), &oa_tmp_, &(n), fn); \
		(arr) = oa_tmp_;                                                        \
		oa_r_;                                                                  \
	})

static int parse_block_io(struct ctx *c, json_t *res, struct spec_resources *r)
{
	static const char *const P = "linux.resources.blockIO";
	json_t *o;
	int rc = get_obj(c, res, "blockIO", "linux.resources", &o);

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

static int parse_hugepage(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_hugepage_limit *h = (struct spec_hugepage_limit *)data + i;
	fpath_t q;
	int r;

	if ((r = get_str(c, e, "pageSize", path, &h->page_size)) <= 0)
		return r < 0 ? -1 : missing(c, path, "pageSize");
	if (!is_page_size(h->page_size))
		return fail(c, fld(q, path, "pageSize"), "\"%s\" is not a page size such as \"2MB\"",
			    SAFE(h->page_size));
	if ((r = get_u64(c, e, "limit", path, UINT64_MAX, &h->limit)) <= 0)
		return r < 0 ? -1 : missing(c, path, "limit");
	return 0;
}

static int parse_net_priority(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_net_priority *p = (struct spec_net_priority *)data + i;
	int r;

	if ((r = get_str(c, e, "name", path, &p->name)) <= 0)
		return r < 0 ? -1 : missing(c, path, "name");
	if ((r = get_u32(c, e, "priority", path, &p->priority)) <= 0)
		return r < 0 ? -1 : missing(c, path, "priority");
	return 0;
}

static int parse_network_res(struct ctx *c, json_t *res, struct spec_resources *r)
{
	static const char *const P = "linux.resources.network";
	json_t *o;
	int rc = get_obj(c, res, "network", "linux.resources", &o);

	if (rc <= 0)
		return rc;
	if (get_opt_u64(c, o, "classID", P, UINT32_MAX, &r->network.class_id) < 0 ||
	    OBJ_ARRAY(c, o, "priorities", P, r->network.priorities, r->network.n_priorities,
		      parse_net_priority) < 0)
		return -1;
	return 0;
}

static int parse_rdma(struct ctx *c, json_t *res, struct spec_resources *r)
{
	fpath_t p;
	json_t *o, *v;
	const char *k;
	int rc = get_obj(c, res, "rdma", "linux.resources", &o);

	if (rc <= 0)
		return rc;
	r->rdma = xzalloc((json_object_size(o) + 1) * sizeof(*r->rdma));
	json_object_foreach(o, k, v) {
		struct spec_rdma *d = &r->rdma[r->n_rdma];

		keyed(p, "linux.resources.rdma", k);
		if (!json_is_object(v))
			return fail(c, p, "must be an object");
		d->device = xstrdup(k);
		r->n_rdma++;
		if (get_opt_u64(c, v, "hcaHandles", p, UINT32_MAX, &d->hca_handles) < 0 ||
		    get_opt_u64(c, v, "hcaObjects", p, UINT32_MAX, &d->hca_objects) < 0)
			return -1;
	}
	return 0;
}

/* A cgroup v2 file name: it is opened inside the container's cgroup, so it
 * must not walk out of it. */
static int check_unified(struct ctx *c, const struct spec_resources *r)
{
	fpath_t p;

	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		if (k[0] == '\0' || k[0] == '.' || strchr(k, '/') != NULL || strchr(k, '.') == NULL)
			return fail(c, keyed(p, "linux.resources.unified", k),
				    "not a cgroup file name such as \"memory.max\"");
	}
	return 0;
}

static int parse_resources(struct ctx *c, json_t *linux, struct spec_linux *l)
{
	static const char *const P = "linux.resources";
	struct spec_resources *r;
	json_t *res, *o;
	int rc = get_obj(c, linux, "resources", "linux", &res);

	if (rc <= 0)
		return rc;
	r = l->resources = xzalloc(sizeof(*r));
	if (OBJ_ARRAY(c, res, "devices", P, r->devices, r->n_devices, parse_device_rule) < 0)
		return -1;
	if ((rc = get_obj(c, res, "memory", P, &o)) < 0)
		return -1;
	if (rc > 0 && parse_fields(c, o, "linux.resources.memory", memory_fields, r) < 0)
		return -1;
	if ((rc = get_obj(c, res, "cpu", P, &o)) < 0)
		return -1;
	if (rc > 0 && (parse_fields(c, o, "linux.resources.cpu", cpu_fields, r) < 0 ||
		       parse_cpuset(c, o, "cpus", &r->cpu.cpus) < 0 ||
		       parse_cpuset(c, o, "mems", &r->cpu.mems) < 0))
		return -1;
	if ((rc = get_obj(c, res, "pids", P, &o)) < 0)
		return -1;
	if (rc > 0 && get_opt_i64(c, o, "limit", "linux.resources.pids", &r->pids.limit) < 0)
		return -1;
	if (parse_block_io(c, res, r) < 0 ||
	    OBJ_ARRAY(c, res, "hugepageLimits", P, r->hugepage_limits, r->n_hugepage_limits,
		      parse_hugepage) < 0 ||
	    parse_network_res(c, res, r) < 0 || parse_rdma(c, res, r) < 0 ||
	    get_kv(c, res, "unified", P, &r->unified, &r->n_unified) < 0 || check_unified(c, r) < 0)
		return -1;
	return 0;
}

/* ---------------------------------------------------------------- linux: seccomp */

static int get_name(struct ctx *c, json_t *o, const char *key, const char *path,
		    const char *const *table, const char *what, int *out)
{
	cleanup_free char *s = NULL;
	fpath_t p;
	int r = get_str(c, o, key, path, &s);

	if (r <= 0)
		return r;
	*out = table_index(table, s);
	if (*out < 0)
		return fail(c, fld(p, path, key), "unknown %s \"%s\"", what, SAFE(s));
	return 1;
}

static int check_names(struct ctx *c, char **v, const char *path, const char *const *table,
		       const char *what)
{
	fpath_t p;

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		if (table_index(table, v[i]) < 0)
			return fail(c, idx(p, path, i), "unknown %s \"%s\"", what, SAFE(v[i]));
	return 0;
}

static bool action_takes_errno(int action)
{
	return action == SECCOMP_ACTION_ERRNO || action == SECCOMP_ACTION_TRACE;
}

static int parse_seccomp_arg(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_seccomp_arg *a = (struct spec_seccomp_arg *)data + i;
	uint64_t index;
	int op, r;

	if ((r = get_u64(c, e, "index", path, 5, &index)) <= 0)
		return r < 0 ? -1 : missing(c, path, "index");
	a->index = (unsigned)index;
	if ((r = get_u64(c, e, "value", path, UINT64_MAX, &a->value)) <= 0)
		return r < 0 ? -1 : missing(c, path, "value");
	if (get_u64(c, e, "valueTwo", path, UINT64_MAX, &a->value_two) < 0)
		return -1;
	if ((r = get_name(c, e, "op", path, seccomp_ops, "operator", &op)) <= 0)
		return r < 0 ? -1 : missing(c, path, "op");
	a->op = (enum spec_seccomp_op)op;
	return 0;
}

static int parse_syscall(struct ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_seccomp_syscall *sc = (struct spec_seccomp_syscall *)data + i;
	fpath_t q;
	int action, r;

	if (get_strv(c, e, "names", path, &sc->names, &sc->n_names) < 0)
		return -1;
	if (sc->n_names == 0)
		return fail(c, fld(q, path, "names"), "must be a non-empty array of strings");
	if ((r = get_name(c, e, "action", path, seccomp_actions, "action", &action)) <= 0)
		return r < 0 ? -1 : missing(c, path, "action");
	sc->action = (enum spec_seccomp_action)action;
	if (get_opt_u64(c, e, "errnoRet", path, UINT32_MAX, &sc->errno_ret) < 0)
		return -1;
	if (sc->errno_ret.set && !action_takes_errno(action))
		return fail(c, fld(q, path, "errnoRet"), "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	return OBJ_ARRAY(c, e, "args", path, sc->args, sc->n_args, parse_seccomp_arg) < 0 ? -1 : 0;
}

static int parse_seccomp(struct ctx *c, json_t *linux, struct spec_linux *l)
{
	static const char *const P = "linux.seccomp";
	struct spec_seccomp *s;
	json_t *o;
	int action, r = get_obj(c, linux, "seccomp", "linux", &o);

	if (r <= 0)
		return r;
	s = l->seccomp = xzalloc(sizeof(*s));
	s->raw = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (s->raw == NULL)
		return silo_error(c->err, ENOMEM, "linux.seccomp: serialise");
	if ((r = get_name(c, o, "defaultAction", P, seccomp_actions, "action", &action)) <= 0)
		return r < 0 ? -1 : missing(c, P, "defaultAction");
	if (action == SECCOMP_ACTION_NOTIFY)
		return fail(c, "linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY cannot be the default action");
	s->default_action = (enum spec_seccomp_action)action;
	if (get_opt_u64(c, o, "defaultErrnoRet", P, UINT32_MAX, &s->default_errno_ret) < 0)
		return -1;
	if (s->default_errno_ret.set && !action_takes_errno(action))
		return fail(c, "linux.seccomp.defaultErrnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
	if (get_strv(c, o, "architectures", P, &s->architectures, &s->n_architectures) < 0 ||
	    check_names(c, s->architectures, "linux.seccomp.architectures", seccomp_archs,
			"architecture") < 0 ||
	    get_strv(c, o, "flags", P, &s->flags, &s->n_flags) < 0 ||
	    check_names(c, s->flags, "linux.seccomp.flags", seccomp_flags, "flag") < 0 ||
	    get_str(c, o, "listenerPath", P, &s->listener_path) < 0 ||
	    get_str(c, o, "listenerMetadata", P, &s->listener_metadata) < 0)
		return -1;
	if (s->listener_path != NULL && s->listener_path[0] == '\0') {
		free(s->listener_path);
		s->listener_path = NULL;
	}
	if (s->listener_path != NULL && check_abs(c, "linux.seccomp.listenerPath", s->listener_path) < 0)
		return -1;
	return OBJ_ARRAY(c, o, "syscalls", P, s->syscalls, s->n_syscalls, parse_syscall) < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- linux: the rest */

/*
 * Sysctls are written under /proc/sys; only the ones that belong to a
 * namespace the container owns may be set, otherwise a config changes the
 * host (runc has the same rule).  Names are dotted or slashed; ".." would
 * walk out of /proc/sys.
 */
static int check_sysctl(struct ctx *c, const struct spec_linux *l, const char *key)
{
	static const char *const ipc_names[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
	};
	char name[256];
	fpath_t p;
	enum ns_type need;
	size_t n = strlen(key);

	keyed(p, "linux.sysctl", key);
	if (n == 0 || n >= sizeof(name) || key[0] == '/' || key[0] == '.' || strstr(key, "..") != NULL)
		return fail(c, p, "not a sysctl name");
	for (size_t i = 0; i <= n; i++)
		name[i] = key[i] == '/' ? '.' : key[i];
	if (table_index(ipc_names, name) >= 0 || str_has_prefix(name, "fs.mqueue."))
		need = NS_IPC;
	else if (str_has_prefix(name, "net."))
		need = NS_NET;
	else if (strcmp(name, "kernel.hostname") == 0 || strcmp(name, "kernel.domainname") == 0)
		need = NS_UTS;
	else
		return fail(c, p, "not in a separate kernel namespace (the host's value would change)");
	if (!l->ns[need].present)
		return fail(c, p, "requires a %s namespace (linux.namespaces has no \"%s\")",
			    spec_ns_names[need], spec_ns_names[need]);
	return 0;
}

static int parse_path_list(struct ctx *c, json_t *linux, const char *key, char ***out, size_t *n)
{
	fpath_t p, q;

	if (get_strv(c, linux, key, "linux", out, n) < 0)
		return -1;
	fld(p, "linux", key);
	for (size_t i = 0; i < *n; i++) {
		char *clean;
		if (check_abs(c, idx(q, p, i), (*out)[i]) < 0)
			return -1;
		clean = path_clean_abs((*out)[i]);
		free((*out)[i]);
		(*out)[i] = clean;
	}
	return 0;
}

static int parse_personality(struct ctx *c, json_t *linux, struct spec_linux *l)
{
	cleanup_free char *domain = NULL;
	json_t *o;
	int r = get_obj(c, linux, "personality", "linux", &o);

	if (r <= 0)
		return r;
	if ((r = get_str(c, o, "domain", "linux.personality", &domain)) <= 0)
		return r < 0 ? -1 : missing(c, "linux.personality", "domain");
	l->personality.set = true;
	if (strcmp(domain, "LINUX") == 0)
		l->personality.v = PER_LINUX;
	else if (strcmp(domain, "LINUX32") == 0)
		l->personality.v = PER_LINUX32;
	else
		return fail(c, "linux.personality.domain", "unknown domain \"%s\" (LINUX or LINUX32)",
			    SAFE(domain));
	return 0;
}

static int parse_linux(struct ctx *c, json_t *root, struct spec *s)
{
	struct spec_linux *l = &s->linux;
	cleanup_free char *prop = NULL;
	json_t *linux, *arr;
	int r = get_obj(c, root, "linux", "", &linux);

	if (r <= 0)
		return r;
	if ((r = get_arr(c, linux, "namespaces", "linux", &arr)) < 0)
		return -1;
	if (r > 0 && each_obj(c, arr, "linux.namespaces", parse_namespace, l) < 0)
		return -1;
	if (parse_idmaps(c, linux, "uidMappings", "linux", &l->uid_mappings, &l->n_uid_mappings) < 0 ||
	    parse_idmaps(c, linux, "gidMappings", "linux", &l->gid_mappings, &l->n_gid_mappings) < 0 ||
	    check_user_ns(c, l) < 0 || parse_time_offsets(c, linux, l) < 0 ||
	    OBJ_ARRAY(c, linux, "devices", "linux", l->devices, l->n_devices, parse_device) < 0 ||
	    get_str(c, linux, "cgroupsPath", "linux", &l->cgroups_path) < 0 ||
	    parse_resources(c, linux, l) < 0 ||
	    get_kv(c, linux, "sysctl", "linux", &l->sysctl, &l->n_sysctl) < 0)
		return -1;
	if (l->cgroups_path != NULL && l->cgroups_path[0] == '\0') {
		free(l->cgroups_path);
		l->cgroups_path = NULL;
	}
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (check_sysctl(c, l, l->sysctl[i].key) < 0)
			return -1;
	if (parse_seccomp(c, linux, l) < 0 || get_str(c, linux, "rootfsPropagation", "linux", &prop) < 0)
		return -1;
	if (prop != NULL && prop[0] != '\0' && mount_propagation_from_name(prop, &l->rootfs_propagation) < 0)
		return fail(c, "linux.rootfsPropagation", "unknown propagation \"%s\"", SAFE(prop));
	if (parse_path_list(c, linux, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    parse_path_list(c, linux, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths) < 0 ||
	    get_str(c, linux, "mountLabel", "linux", &l->mount_label) < 0 ||
	    parse_personality(c, linux, l) < 0)
		return -1;
	return 0;
}

/* runc refuses a hostname it would have to set in the host's UTS namespace. */
static int parse_names(struct ctx *c, json_t *root, struct spec *s)
{
	if (get_str(c, root, "hostname", "", &s->hostname) < 0 ||
	    get_str(c, root, "domainname", "", &s->domainname) < 0)
		return -1;
	if (s->linux.ns[NS_UTS].present)
		return 0;
	if (s->hostname != NULL && s->hostname[0] != '\0')
		return fail(c, "hostname", "setting the hostname requires a UTS namespace (linux.namespaces has no \"uts\")");
	if (s->domainname != NULL && s->domainname[0] != '\0')
		return fail(c, "domainname", "setting the domainname requires a UTS namespace (linux.namespaces has no \"uts\")");
	return 0;
}

/* ---------------------------------------------------------------- big integers */

/*
 * jansson keeps integers in an int64 and rejects larger literals, but the
 * spec's uint64 fields carry them: podman writes RLIM_INFINITY as
 * 18446744073709551615, seccomp argument masks use all 64 bits.  Before
 * parsing, each literal in (INT64_MAX, UINT64_MAX] is rewritten as the int64
 * with the same 64 bits and remembered in c->bigs; a uint64 field accepts a
 * negative value only when it is one of those.  Shorter rewrites are padded
 * with spaces so error columns stay right; a 19-digit literal grows by one
 * character, shifting later columns on its line by one.
 */
static bool num_boundary(char ch)
{
	return ch == '\0' || strchr(" \t\r\n,:[]{}", ch) != NULL;
}

static char *rewrite_big_ints(struct ctx *c, const char *json, size_t len, size_t *out_len)
{
	char *out = NULL;
	size_t o = 0, last = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char ch = json[i];
		size_t j = i;
		uint64_t v = 0;
		bool over = false;
		char num[24];
		int n;

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"') {
			in_str = true;
			continue;
		}
		if (ch < '1' || ch > '9' || (i > 0 && !num_boundary(json[i - 1])))
			continue;
		for (; j < len && json[j] >= '0' && json[j] <= '9'; j++) {
			unsigned d = (unsigned)(json[j] - '0');
			if (v > (UINT64_MAX - d) / 10)
				over = true;
			v = v * 10 + d;
		}
		if (over || v <= INT64_MAX || (j < len && !num_boundary(json[j]))) {
			i = j - 1;
			continue;
		}
		if (out == NULL)
			out = xmalloc(len + len / 19 + 2);
		memcpy(out + o, json + last, i - last);
		o += i - last;
		n = snprintf(num, sizeof(num), "%" PRId64, (int64_t)v);
		memcpy(out + o, num, (size_t)n);
		o += (size_t)n;
		for (size_t k = (size_t)n; k < j - i; k++)
			out[o++] = ' ';
		c->bigs = xreallocarray(c->bigs, c->n_bigs + 1, sizeof(*c->bigs));
		c->bigs[c->n_bigs++] = v;
		last = j;
		i = j - 1;
	}
	if (out == NULL)
		return NULL;
	memcpy(out + o, json + last, len - last);
	o += len - last;
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* ---------------------------------------------------------------- entry points */

static void idmaps_free(struct spec_idmap *m)
{
	free(m);
}

static void resources_free(struct spec_resources *r)
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
	free(s->raw);
	free(s);
}

static void kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void linux_free(struct spec_linux *l)
{
	for (int t = 0; t < NS_COUNT; t++)
		free(l->ns[t].path);
	idmaps_free(l->uid_mappings);
	idmaps_free(l->gid_mappings);
	for (size_t i = 0; l->devices != NULL && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	resources_free(l->resources);
	kv_free(l->sysctl, l->n_sysctl);
	seccomp_free(l->seccomp);
	strv_free(l->masked_paths);
	strv_free(l->readonly_paths);
	free(l->mount_label);
}

void spec_free(struct spec *s)
{
	struct spec_process *p;

	if (s == NULL)
		return;
	p = &s->process;
	free(s->oci_version);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	free(p->user.additional_gids);
	free(p->user.username);
	strv_free(p->args);
	strv_free(p->env);
	free(p->cwd);
	for (size_t i = 0; p->rlimits != NULL && i < p->n_rlimits; i++)
		free(p->rlimits[i].name);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	for (size_t i = 0; s->mounts != NULL && i < s->n_mounts; i++) {
		struct spec_mount *m = &s->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		strv_free(m->options);
		mount_opts_free(&m->opts);
		idmaps_free(m->uid_mappings);
		idmaps_free(m->gid_mappings);
	}
	free(s->mounts);
	spec_hooks_free(&s->hooks);
	free(s->hooks_json);
	kv_free(s->annotations, s->n_annotations);
	free(s->annotations_json);
	linux_free(&s->linux);
	free(s);
}

/* Parse JSON text into an object, reporting jansson's position. */
static json_t *load_json(struct ctx *c, const char *json, size_t len)
{
	cleanup_free char *rewritten = NULL;
	json_error_t jerr;
	json_t *root;
	size_t rlen = 0;

	rewritten = rewrite_big_ints(c, json, len, &rlen);
	root = json_loadb(rewritten ? rewritten : json, rewritten ? rlen : len, 0, &jerr);
	if (root == NULL) {
		if (c->name != NULL)
			silo_error(c->err, 0, "%s:%d:%d: invalid JSON: %s", c->name, jerr.line, jerr.column,
				   jerr.text);
		else
			silo_error(c->err, 0, "%d:%d: invalid JSON: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		if (c->name != NULL)
			silo_error(c->err, 0, "%s: must be a JSON object", c->name);
		else
			silo_error(c->err, 0, "must be a JSON object");
		return NULL;
	}
	return root;
}

int spec_parse(const char *json, size_t len, const char *name, const char *bundle_dir,
	       struct spec **out, struct silo_error *err)
{
	cleanup_free char *bundle = path_absolute(bundle_dir, err);
	struct ctx c = { .name = name, .err = err };
	struct spec *s;
	json_t *root;
	int r;

	*out = NULL;
	if (bundle == NULL)
		return -1;
	c.bundle = bundle;
	silo_error_clear(err);
	root = load_json(&c, json, len);
	if (root == NULL) {
		free(c.bigs);
		return -1;
	}
	s = xzalloc(sizeof(*s));
	r = parse_version(&c, root, s);
	if (r == 0)
		r = parse_root(&c, root, s);
	if (r == 0)
		r = parse_linux(&c, root, s);
	if (r == 0)
		r = parse_process(&c, root, s);
	if (r == 0)
		r = parse_names(&c, root, s);
	if (r == 0)
		r = parse_mounts(&c, root, s);
	if (r == 0)
		r = parse_hooks(&c, root, s);
	if (r == 0)
		r = parse_annotations(&c, root, s);
	json_decref(root);
	free(c.bigs);
	if (r < 0) {
		spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int spec_load(const char *bundle_dir, const char *config_path, struct spec **out,
	      struct silo_error *err)
{
	cleanup_free char *bundle = NULL;
	cleanup_free char *file = NULL;
	cleanup_free char *buf = NULL;
	cleanup_close int fd = -1;
	struct stat st;
	size_t len = 0;

	*out = NULL;
	/* The physical directory, as runc's chdir(bundle) + getcwd() gives. */
	bundle = realpath(bundle_dir != NULL && bundle_dir[0] != '\0' ? bundle_dir : ".", NULL);
	if (bundle == NULL && (bundle = path_absolute(bundle_dir, err)) == NULL)
		return -1;
	if (config_path != NULL) {
		file = config_path[0] == '/' ? xstrdup(config_path) : path_absolute(config_path, err);
		if (file == NULL)
			return -1;
	} else {
		file = path_join_clean(bundle, "config.json");
	}
	fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return silo_error(err, errno, "open %s", file);
	if (fstat(fd, &st) < 0)
		return silo_error(err, errno, "stat %s", file);
	if (!S_ISREG(st.st_mode))
		return silo_error(err, 0, "open %s: not a regular file", file);
	if (read_fd_all(fd, &buf, &len, err) < 0)
		return silo_error_ctx(err, "%s", file);
	return spec_parse(buf, len, config_path != NULL ? config_path : "config.json", bundle, out, err);
}

int spec_parse_hooks(const char *json, struct spec_hooks *hooks, struct silo_error *err)
{
	struct ctx c = { .name = NULL, .bundle = "/", .err = err };
	json_t *root;
	int r;

	memset(hooks, 0, sizeof(*hooks));
	if (json == NULL)
		return silo_error(err, 0, "hooks: missing");
	silo_error_clear(err);
	root = load_json(&c, json, strlen(json));
	if (root == NULL) {
		free(c.bigs);
		return silo_error_ctx(err, "hooks");
	}
	r = parse_hooks_obj(&c, root, hooks);
	json_decref(root);
	free(c.bigs);
	if (r < 0)
		spec_hooks_free(hooks);
	return r;
}

/* ---------------------------------------------------------------- default config */

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();

	for (; *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mount_json(const char *dest, const char *type, const char *source,
			  const char *const *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", source);

	if (options != NULL && options[0] != NULL)
		json_object_set_new(m, "options", strv_json(options));
	return m;
}

static json_t *default_mounts(bool rootless)
{
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
					   "gid=5", NULL };
	/* runc --rootless drops uid=/gid= options: the ids may not be mapped. */
	static const char *const pts_rootless[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
						    "mode=0620", NULL };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	/* sysfs cannot be mounted without owning the network namespace. */
	static const char *const sys_rootless[] = { "rbind", "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	json_t *a = json_array();

	json_array_append_new(a, mount_json("/proc", "proc", "proc", NULL));
	json_array_append_new(a, mount_json("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(a, mount_json("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_array_append_new(a, mount_json("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(a, mount_json("/dev/mqueue", "mqueue", "mqueue", mq));
	if (rootless)
		json_array_append_new(a, mount_json("/sys", "none", "/sys", sys_rootless));
	else
		json_array_append_new(a, mount_json("/sys", "sysfs", "sysfs", sys));
	json_array_append_new(a, mount_json("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	return a;
}

/* runc adds a cgroup namespace only where /sys/fs/cgroup is cgroup v2. */
static bool host_cgroup2_unified(void)
{
	struct statfs sfs;

	return statfs("/sys/fs/cgroup", &sfs) == 0 && (unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static json_t *default_linux(bool rootless)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi", NULL,
	};
	static const char *const ro[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
	};
	json_t *l = json_object();
	json_t *ns = json_array();

	if (rootless) {
		json_object_set_new(l, "uidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)geteuid(), "size", 1));
		json_object_set_new(l, "gidMappings",
				    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
					      (json_int_t)getegid(), "size", 1));
	} else {
		json_object_set_new(l, "resources",
				    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	}
	json_array_append_new(ns, json_pack("{s:s}", "type", "pid"));
	if (!rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "network"));
	json_array_append_new(ns, json_pack("{s:s}", "type", "ipc"));
	json_array_append_new(ns, json_pack("{s:s}", "type", "uts"));
	json_array_append_new(ns, json_pack("{s:s}", "type", "mount"));
	if (host_cgroup2_unified())
		json_array_append_new(ns, json_pack("{s:s}", "type", "cgroup"));
	if (rootless)
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_object_set_new(l, "namespaces", ns);
	json_object_set_new(l, "maskedPaths", strv_json(masked));
	json_object_set_new(l, "readonlyPaths", strv_json(ro));
	return l;
}

/* jansson indents with spaces; runc's encoder (Go MarshalIndent) with tabs.
 * Strings hold no raw newline, so every line's leading blanks are indent. */
static char *indent_with_tabs(const char *s)
{
	char *out = xmalloc(strlen(s) + 2);
	size_t o = 0;
	bool bol = true;

	for (; *s != '\0'; s++) {
		if (bol && *s == ' ') {
			out[o++] = '\t';
			continue;
		}
		bol = *s == '\n';
		out[o++] = *s;
	}
	out[o++] = '\n';
	out[o] = '\0';
	return out;
}

char *spec_default_json(bool rootless)
{
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL,
	};
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };
	static const char *const args[] = { "sh", NULL };
	json_t *root, *process;
	cleanup_free char *text = NULL;

	process = json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
			    "terminal", 1, "user", "uid", 0, "gid", 0, "args", strv_json(args), "env",
			    strv_json(env), "cwd", "/", "capabilities", "bounding", strv_json(caps),
			    "effective", strv_json(caps), "permitted", strv_json(caps), "rlimits", "type",
			    "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
	root = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", "1.2.0", "process", process,
			 "root", "path", "rootfs", "readonly", 1, "hostname", "silo", "mounts",
			 default_mounts(rootless), "linux", default_linux(rootless));
	if (root == NULL)
		return NULL;
	text = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (text == NULL)
		return NULL;
	return indent_with_tabs(text);
}
