/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.json -> struct spec: parsing and validation of an OCI runtime-spec
 * (1.0 - 1.3, Linux parts), the name tables (namespaces, capabilities,
 * rlimits, hooks) and the default config of `silo-oci spec`.
 *
 * Hand-written over jansson rather than generated (crun uses libocispec):
 * the spec's Linux surface is small enough to read, and every check can then
 * say which field failed and why, e.g.
 *   config.json: process.capabilities.bounding[4]: unknown capability "CAP_FOO"
 *
 * Conventions: JSON null is "absent" (Go engines write null for nil slices),
 * unknown keys are ignored, a known key with the wrong type is an error.  The
 * whole config is checked before anything is created; the first problem
 * found is reported.  Every allocation hangs off struct spec as soon as it is
 * made, so spec_free() can release a half-built spec on any error path.
 *
 * The "linux" object is parsed in spec_linux.c, the text is read into a
 * jansson tree by spec_text.c; the getters the three files use are declared
 * in spec_internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/mount.h>

#include <jansson.h>

#include "log.h"
#include "mountopts.h"
#include "spec.h"
#include "fs.h"
#include "idmap.h"
#include "spec_internal.h"
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

/* base + "/" + rel, cleaned; base is absolute. */
static char *path_join_clean(const char *base, const char *rel)
{
	cleanup_free char *joined = xasprintf("%s/%s", base, rel);
	return fs_clean_path(joined);
}

/* An absolute, lexically cleaned form of dir (relative to the cwd). */
static char *path_absolute(const char *dir, struct silo_error *err)
{
	char cwd[PATH_MAX];

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	if (dir[0] == '/')
		return fs_clean_path(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		silo_error(err, errno, "getcwd");
		return NULL;
	}
	return path_join_clean(cwd, dir);
}

/* ---------------------------------------------------------------- context */

int sj_fail(struct sj_ctx *c, const char *path, const char *fmt, ...)
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
const char *sj_safe(char *buf, size_t size, const char *s)
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

const char *sj_fld(char *buf, const char *path, const char *key)
{
	return fp_build(buf, path, path[0] != '\0' ? "." : "", key, "");
}

const char *sj_idx(char *buf, const char *path, size_t i)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", i);
	return fp_build(buf, path, "[", num, "]");
}

const char *sj_keyed(char *buf, const char *path, const char *key)
{
	return fp_build(buf, path, "[\"", SAFE(key), "\"]");
}

/* ---------------------------------------------------------------- getters
 *
 * get_*(c, obj, key, path, out): 0 = absent (or null), 1 = read, -1 = error.
 * `path` is the path of obj; messages name path.key.
 */

json_t *sj_get(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

int sj_missing(struct sj_ctx *c, const char *path, const char *key)
{
	fpath_t p;
	return sj_fail(c, sj_fld(p, path, key), "missing");
}

static int get_typed(struct sj_ctx *c, json_t *o, const char *key, const char *path, json_t **out,
		     json_type type, const char *what)
{
	fpath_t p;
	json_t *v = sj_get(o, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (json_typeof(v) != type)
		return sj_fail(c, sj_fld(p, path, key), "must be %s", what);
	*out = v;
	return 1;
}

int sj_get_obj(struct sj_ctx *c, json_t *o, const char *key, const char *path, json_t **out)
{
	return get_typed(c, o, key, path, out, JSON_OBJECT, "an object");
}

int sj_get_arr(struct sj_ctx *c, json_t *o, const char *key, const char *path, json_t **out)
{
	return get_typed(c, o, key, path, out, JSON_ARRAY, "an array");
}

int sj_get_str(struct sj_ctx *c, json_t *o, const char *key, const char *path, char **out)
{
	json_t *v;
	int r = get_typed(c, o, key, path, &v, JSON_STRING, "a string");

	if (r <= 0)
		return r;
	free(*out);
	*out = xstrdup(json_string_value(v));
	return 1;
}

int sj_get_bool(struct sj_ctx *c, json_t *o, const char *key, const char *path, bool *out)
{
	fpath_t p;
	json_t *v = sj_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return sj_fail(c, sj_fld(p, path, key), "must be true or false");
	*out = json_is_true(v);
	return 1;
}

/* A wrong value as it appeared, for the message: "\"abc\"", "1.5", "true". */
static const char *show(char *buf, size_t size, json_t *v)
{
	cleanup_free char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	return sj_safe(buf, size, t ? t : "?");
}
#define SHOW(v) show((char[64]){ 0 }, 64, (v))

static int as_i64(struct sj_ctx *c, json_t *v, const char *path, int64_t *out)
{
	if (!json_is_integer(v))
		return sj_fail(c, path, "must be an integer, not %s", SHOW(v));
	*out = json_integer_value(v);
	return 0;
}

static int as_u64(struct sj_ctx *c, json_t *v, const char *path, uint64_t max, uint64_t *out)
{
	int64_t i;
	uint64_t u;

	if (!json_is_integer(v))
		return sj_fail(c, path, "must be a non-negative integer, not %s", SHOW(v));
	i = json_integer_value(v);
	u = (uint64_t)i;
	if (i < 0 && !sj_is_big(c, u))
		return sj_fail(c, path, "must be a non-negative integer, not %" PRId64, i);
	if (u > max)
		return sj_fail(c, path, "must be at most %" PRIu64 ", not %" PRIu64, max, u);
	*out = u;
	return 0;
}

int sj_get_i64(struct sj_ctx *c, json_t *o, const char *key, const char *path, int64_t *out)
{
	fpath_t p;
	json_t *v = sj_get(o, key);

	if (v == NULL)
		return 0;
	return as_i64(c, v, sj_fld(p, path, key), out) < 0 ? -1 : 1;
}

int sj_get_u64(struct sj_ctx *c, json_t *o, const char *key, const char *path, uint64_t max,
		   uint64_t *out)
{
	fpath_t p;
	json_t *v = sj_get(o, key);

	if (v == NULL)
		return 0;
	return as_u64(c, v, sj_fld(p, path, key), max, out) < 0 ? -1 : 1;
}

int sj_get_u32(struct sj_ctx *c, json_t *o, const char *key, const char *path, uint32_t *out)
{
	uint64_t v;
	int r = sj_get_u64(c, o, key, path, UINT32_MAX, &v);

	if (r > 0)
		*out = (uint32_t)v;
	return r;
}

int sj_get_opt_u64(struct sj_ctx *c, json_t *o, const char *key, const char *path, uint64_t max,
		       struct opt_u64 *out)
{
	int r = sj_get_u64(c, o, key, path, max, &out->v);
	out->set = r > 0;
	return r;
}

int sj_get_opt_i64(struct sj_ctx *c, json_t *o, const char *key, const char *path,
		       struct opt_i64 *out)
{
	int r = sj_get_i64(c, o, key, path, &out->v);
	out->set = r > 0;
	return r;
}

/* An array of strings -> NULL-terminated vector (*n without the NULL). */
int sj_get_strv(struct sj_ctx *c, json_t *o, const char *key, const char *path, char ***out,
		    size_t *n)
{
	fpath_t p, q;
	json_t *arr, *v;
	size_t i;
	int r = sj_get_arr(c, o, key, path, &arr);

	if (r <= 0)
		return r;
	sj_fld(p, path, key);
	strv_free(*out);
	*out = xzalloc((json_array_size(arr) + 1) * sizeof(char *));
	if (n != NULL)
		*n = 0;
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v))
			return sj_fail(c, sj_idx(q, p, i), "must be a string");
		(*out)[i] = xstrdup(json_string_value(v));
		if (n != NULL)
			*n = i + 1;
	}
	return 1;
}

/* An object of strings -> key/value array. */
int sj_get_kv(struct sj_ctx *c, json_t *o, const char *key, const char *path,
		  struct spec_kv **out, size_t *n)
{
	fpath_t p, q;
	json_t *obj, *v;
	const char *k;
	int r = sj_get_obj(c, o, key, path, &obj);

	if (r <= 0)
		return r;
	sj_fld(p, path, key);
	*out = xzalloc((json_object_size(obj) + 1) * sizeof(**out));
	*n = 0;
	json_object_foreach(obj, k, v) {
		if (!json_is_string(v))
			return sj_fail(c, sj_keyed(q, p, k), "must be a string");
		(*out)[*n].key = xstrdup(k);
		(*out)[*n].value = xstrdup(json_string_value(v));
		(*n)++;
	}
	return 1;
}

int sj_each_obj(struct sj_ctx *c, json_t *arr, const char *path, sj_elem_fn fn, void *data)
{
	fpath_t p;
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		sj_idx(p, path, i);
		if (!json_is_object(e))
			return sj_fail(c, p, "must be an object");
		if (fn(c, e, p, i, data) < 0)
			return -1;
	}
	return 0;
}

int sj_check_abs(struct sj_ctx *c, const char *path, const char *value)
{
	if (value == NULL || value[0] != '/')
		return sj_fail(c, path, "must be an absolute path");
	return 0;
}

/* ---------------------------------------------------------------- root, version */

static int parse_version(struct sj_ctx *c, json_t *root, struct spec *s)
{
	const char *v;
	char *end;
	unsigned long major;

	int r = sj_get_str(c, root, "ociVersion", "", &s->oci_version);

	if (r <= 0)
		return r < 0 ? -1 : sj_missing(c, "", "ociVersion");
	v = s->oci_version;
	/* "1.0.2-dev", "1.2.0", "1.3": any 1.x.  A different major may change
	 * the meaning of fields we would silently misread. */
	errno = 0;
	major = strtoul(v, &end, 10);
	if (end == v || *end != '.' || errno != 0 || v[0] < '0' || v[0] > '9')
		return sj_fail(c, "ociVersion", "invalid version \"%s\"", SAFE(v));
	if (major != 1)
		return sj_fail(c, "ociVersion", "unsupported version \"%s\": silo implements the 1.x runtime-spec",
			    SAFE(v));
	return 0;
}

static int parse_root(struct sj_ctx *c, json_t *root, struct spec *s)
{
	json_t *r;
	cleanup_free char *path = NULL;
	int rc = sj_get_obj(c, root, "root", "", &r);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sj_missing(c, "", "root");
	rc = sj_get_str(c, r, "path", "root", &path);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return sj_missing(c, "root", "path");
	if (path[0] == '\0')
		return sj_fail(c, "root.path", "must not be empty");
	if (sj_get_bool(c, r, "readonly", "root", &s->root_readonly) < 0)
		return -1;
	s->root_path = path[0] == '/' ? fs_clean_path(path) : path_join_clean(c->bundle, path);
	return 0;
}

/* ---------------------------------------------------------------- process */

static int parse_user(struct sj_ctx *c, json_t *proc, struct spec_user *u)
{
	fpath_t p;
	json_t *o, *arr, *v;
	uint32_t id;
	size_t i;
	int r = sj_get_obj(c, proc, "user", "process", &o);

	if (r < 0)
		return -1;
	if (r == 0)
		return sj_missing(c, "process", "user");
	if ((r = sj_get_u32(c, o, "uid", "process.user", &id)) <= 0)
		return r < 0 ? -1 : sj_missing(c, "process.user", "uid");
	u->uid = id;
	if ((r = sj_get_u32(c, o, "gid", "process.user", &id)) <= 0)
		return r < 0 ? -1 : sj_missing(c, "process.user", "gid");
	u->gid = id;
	if (sj_get_opt_u64(c, o, "umask", "process.user", 0777, &u->umask) < 0)
		return -1;
	if (sj_get_str(c, o, "username", "process.user", &u->username) < 0)
		return -1;
	if ((r = sj_get_arr(c, o, "additionalGids", "process.user", &arr)) < 0)
		return -1;
	if (r == 0)
		return 0;
	u->additional_gids = xzalloc((json_array_size(arr) + 1) * sizeof(gid_t));
	json_array_foreach(arr, i, v) {
		uint64_t g = 0;
		if (as_u64(c, v, sj_idx(p, "process.user.additionalGids", i), UINT32_MAX, &g) < 0)
			return -1;
		u->additional_gids[i] = (gid_t)g;
		u->n_additional_gids = i + 1;
	}
	return 0;
}

static int parse_args(struct sj_ctx *c, json_t *proc, struct spec_process *p)
{
	json_t *arr = sj_get(proc, "args");
	size_t i;
	json_t *v;

	if (arr == NULL || !json_is_array(arr) || json_array_size(arr) == 0)
		return sj_fail(c, "process.args", "must be a non-empty array of strings");
	json_array_foreach(arr, i, v)
		if (!json_is_string(v))
			return sj_fail(c, "process.args", "must be a non-empty array of strings");
	return sj_get_strv(c, proc, "args", "process", &p->args, &p->n_args) < 0 ? -1 : 0;
}

static int parse_env(struct sj_ctx *c, json_t *proc, struct spec_process *p)
{
	fpath_t q;

	if (sj_get_strv(c, proc, "env", "process", &p->env, &p->n_env) < 0)
		return -1;
	for (size_t i = 0; i < p->n_env; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (eq == NULL || eq == p->env[i])
			return sj_fail(c, sj_idx(q, "process.env", i), "\"%s\" is not of the form KEY=VALUE",
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
static int parse_cap_set(struct sj_ctx *c, json_t *caps, const char *key, uint64_t *mask)
{
	fpath_t p, q;
	json_t *arr, *v;
	size_t i;
	int r = sj_get_arr(c, caps, key, "process.capabilities", &arr);

	if (r <= 0)
		return r;
	sj_fld(p, "process.capabilities", key);
	json_array_foreach(arr, i, v) {
		int cap;
		if (!json_is_string(v))
			return sj_fail(c, sj_idx(q, p, i), "must be a string");
		cap = spec_cap_from_name(json_string_value(v));
		if (cap < 0)
			return sj_fail(c, sj_idx(q, p, i), "unknown capability \"%s\"",
				    SAFE(json_string_value(v)));
		*mask |= UINT64_C(1) << cap;
	}
	return 0;
}

static int parse_caps(struct sj_ctx *c, json_t *proc, struct spec_caps *caps)
{
	json_t *o;
	int r = sj_get_obj(c, proc, "capabilities", "process", &o);

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

static int parse_rlimit(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_process *p = data;
	struct spec_rlimit *rl = &p->rlimits[i];
	fpath_t q;
	int r;

	if ((r = sj_get_str(c, e, "type", path, &rl->name)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "type");
	rl->resource = spec_rlimit_from_name(rl->name);
	if (rl->resource < 0)
		return sj_fail(c, sj_fld(q, path, "type"), "unknown rlimit \"%s\"", SAFE(rl->name));
	for (size_t j = 0; j < i; j++)
		if (p->rlimits[j].resource == rl->resource)
			return sj_fail(c, sj_fld(q, path, "type"), "duplicate rlimit \"%s\"", SAFE(rl->name));
	if ((r = sj_get_u64(c, e, "soft", path, UINT64_MAX, &rl->soft)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "soft");
	if ((r = sj_get_u64(c, e, "hard", path, UINT64_MAX, &rl->hard)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "hard");
	if (rl->soft > rl->hard)
		return sj_fail(c, path, "soft limit %" PRIu64 " is above the hard limit %" PRIu64,
			    rl->soft, rl->hard);
	return 0;
}

/* The process object (config.json's "process", or a whole process.json of
 * exec); field paths say "process.<field>" in both. */
static int parse_process_obj(struct sj_ctx *c, json_t *proc, struct spec_process *p)
{
	json_t *o, *arr;
	uint32_t v;
	int r;

	if (sj_get_bool(c, proc, "terminal", "process", &p->terminal) < 0)
		return -1;
	if ((r = sj_get_obj(c, proc, "consoleSize", "process", &o)) < 0)
		return -1;
	if (r > 0) {
		p->has_console_size = true;
		if ((r = sj_get_u32(c, o, "height", "process.consoleSize", &v)) <= 0)
			return r < 0 ? -1 : sj_missing(c, "process.consoleSize", "height");
		p->console_height = v;
		if ((r = sj_get_u32(c, o, "width", "process.consoleSize", &v)) <= 0)
			return r < 0 ? -1 : sj_missing(c, "process.consoleSize", "width");
		p->console_width = v;
	}
	if (parse_user(c, proc, &p->user) < 0 || parse_args(c, proc, p) < 0 ||
	    parse_env(c, proc, p) < 0)
		return -1;
	if ((r = sj_get_str(c, proc, "cwd", "process", &p->cwd)) <= 0)
		return r < 0 ? -1 : sj_missing(c, "process", "cwd");
	if (sj_check_abs(c, "process.cwd", p->cwd) < 0 || parse_caps(c, proc, &p->caps) < 0)
		return -1;
	if ((r = sj_get_arr(c, proc, "rlimits", "process", &arr)) < 0)
		return -1;
	if (r > 0) {
		p->rlimits = xzalloc((json_array_size(arr) + 1) * sizeof(*p->rlimits));
		p->n_rlimits = json_array_size(arr);
		if (sj_each_obj(c, arr, "process.rlimits", parse_rlimit, p) < 0)
			return -1;
	}
	if (sj_get_bool(c, proc, "noNewPrivileges", "process", &p->no_new_privileges) < 0 ||
	    sj_get_str(c, proc, "apparmorProfile", "process", &p->apparmor_profile) < 0 ||
	    sj_get_str(c, proc, "selinuxLabel", "process", &p->selinux_label) < 0 ||
	    sj_get_opt_i64(c, proc, "oomScoreAdj", "process", &p->oom_score_adj) < 0)
		return -1;
	if (p->oom_score_adj.set && (p->oom_score_adj.v < -1000 || p->oom_score_adj.v > 1000))
		return sj_fail(c, "process.oomScoreAdj", "must be between -1000 and 1000");
	return 0;
}

static int parse_process(struct sj_ctx *c, json_t *root, struct spec *s)
{
	json_t *proc;
	int r = sj_get_obj(c, root, "process", "", &proc);

	if (r < 0)
		return -1;
	if (r == 0)
		return sj_missing(c, "", "process");
	s->has_process = true;
	return parse_process_obj(c, proc, &s->process);
}

/* ---------------------------------------------------------------- id maps */

static int parse_idmap(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_idmap *m = (struct spec_idmap *)data + i;
	int r;

	if ((r = sj_get_u32(c, e, "containerID", path, &m->container_id)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "containerID");
	if ((r = sj_get_u32(c, e, "hostID", path, &m->host_id)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "hostID");
	if ((r = sj_get_u32(c, e, "size", path, &m->size)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "size");
	if (m->size == 0)
		return sj_fail(c, path, "size must be at least 1");
	/* the kernel's map_write refuses first + size wrapping to 0 */
	if ((uint64_t)m->container_id + m->size >= UINT64_C(1) << 32 ||
	    (uint64_t)m->host_id + m->size >= UINT64_C(1) << 32)
		return sj_fail(c, path, "range goes past id 4294967294");
	return 0;
}

int sj_parse_idmaps(struct sj_ctx *c, json_t *o, const char *key, const char *path,
			struct spec_idmap **out, size_t *n)
{
	struct silo_error e;
	fpath_t p;
	json_t *arr;
	int r = sj_get_arr(c, o, key, path, &arr);

	if (r <= 0)
		return r;
	sj_fld(p, path, key);
	if (json_array_size(arr) > IDMAP_MAX)
		return sj_fail(c, p, "at most %d mappings are allowed", IDMAP_MAX);
	*out = xzalloc((json_array_size(arr) + 1) * sizeof(**out));
	*n = json_array_size(arr);
	if (sj_each_obj(c, arr, p, parse_idmap, *out) < 0)
		return -1;
	/* what the kernel would refuse at the uid_map write, refused now */
	if (idmap_check(*out, *n, &e) < 0)
		return sj_fail(c, p, "%s", e.msg);
	return 1;
}

/* ---------------------------------------------------------------- mounts */

static int parse_mount(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec *s = data;
	struct spec_mount *m = &s->mounts[i];
	cleanup_free char *dest = NULL;
	fpath_t q;
	int r;

	if ((r = sj_get_str(c, e, "destination", path, &dest)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "destination");
	if (dest[0] == '\0')
		return sj_fail(c, sj_fld(q, path, "destination"), "must be an absolute path");
	if (dest[0] != '/')
		/* Old configs wrote "proc" for "/proc"; runc accepts them too. */
		silo_warn("%s: %s.destination: \"%s\" is not absolute, using \"/%s\"",
			  c->name ? c->name : "config", path, SAFE(dest), SAFE(dest));
	m->destination = dest[0] == '/' ? fs_clean_path(dest) : path_join_clean("/", dest);
	if (sj_get_str(c, e, "type", path, &m->type) < 0 || sj_get_str(c, e, "source", path, &m->source) < 0 ||
	    sj_get_strv(c, e, "options", path, &m->options, &m->n_options) < 0)
		return -1;
	if (mount_opts_parse(m->options, m->n_options, &m->opts, c->err) < 0)
		return silo_error_ctx(c->err, "%s%s%s.options", c->name ? c->name : "",
				      c->name ? ": " : "", path);
	/* type "bind" is a bind mount even without the option, as in runc;
	 * both views of it (opts.bind and MS_BIND) say so. */
	if (m->type != NULL && strcmp(m->type, "bind") == 0) {
		m->opts.bind = true;
		m->opts.flags |= MS_BIND;
	}
	if (m->opts.bind) {
		if (m->source == NULL || m->source[0] == '\0')
			return sj_fail(c, sj_fld(q, path, "source"), "missing (a bind mount needs a source)");
		if (m->source[0] != '/') {
			char *abs = path_join_clean(c->bundle, m->source);
			free(m->source);
			m->source = abs;
		}
	}
	if (sj_parse_idmaps(c, e, "uidMappings", path, &m->uid_mappings, &m->n_uid_mappings) < 0 ||
	    sj_parse_idmaps(c, e, "gidMappings", path, &m->gid_mappings, &m->n_gid_mappings) < 0)
		return -1;
	if (m->n_uid_mappings > 0 || m->n_gid_mappings > 0) {
		if (m->n_uid_mappings == 0 || m->n_gid_mappings == 0)
			return sj_fail(c, path, "an id-mapped mount needs both uidMappings and gidMappings");
		if (!m->opts.bind)
			return sj_fail(c, path, "id mappings are only supported for bind mounts");
		/* Mappings imply an id-mapped mount, as in runc. */
		if (!(m->opts.extensions & (SPEC_MOUNT_IDMAP | SPEC_MOUNT_RIDMAP)))
			m->opts.extensions |= SPEC_MOUNT_IDMAP;
	}
	return 0;
}

static int parse_mounts(struct sj_ctx *c, json_t *root, struct spec *s)
{
	json_t *arr;
	int r = sj_get_arr(c, root, "mounts", "", &arr);

	if (r <= 0)
		return r;
	s->mounts = xzalloc((json_array_size(arr) + 1) * sizeof(*s->mounts));
	s->n_mounts = json_array_size(arr);
	return sj_each_obj(c, arr, "mounts", parse_mount, s);
}

/* ---------------------------------------------------------------- hooks */

static int parse_hook(struct sj_ctx *c, json_t *e, const char *path, size_t i, void *data)
{
	struct spec_hook *h = (struct spec_hook *)data + i;
	fpath_t q;
	int64_t timeout = 0;
	int r;

	if ((r = sj_get_str(c, e, "path", path, &h->path)) <= 0)
		return r < 0 ? -1 : sj_missing(c, path, "path");
	if (sj_check_abs(c, sj_fld(q, path, "path"), h->path) < 0 ||
	    sj_get_strv(c, e, "args", path, &h->args, NULL) < 0 ||
	    sj_get_strv(c, e, "env", path, &h->env, NULL) < 0)
		return -1;
	if ((r = sj_get_i64(c, e, "timeout", path, &timeout)) < 0)
		return -1;
	if (r > 0 && (timeout <= 0 || timeout > INT_MAX))
		return sj_fail(c, sj_fld(q, path, "timeout"), "must be a positive number of seconds");
	h->timeout = r > 0 ? (int)timeout : 0;
	return 0;
}

static int parse_hooks_obj(struct sj_ctx *c, json_t *hooks, struct spec_hooks *out)
{
	for (int k = 0; k < HOOK_KIND_COUNT; k++) {
		fpath_t p;
		json_t *arr;
		int r = sj_get_arr(c, hooks, spec_hook_names[k], "hooks", &arr);

		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		out->hooks[k] = xzalloc((json_array_size(arr) + 1) * sizeof(struct spec_hook));
		out->n_hooks[k] = json_array_size(arr);
		if (sj_each_obj(c, arr, sj_fld(p, "hooks", spec_hook_names[k]), parse_hook, out->hooks[k]) < 0)
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

static int parse_hooks(struct sj_ctx *c, json_t *root, struct spec *s)
{
	json_t *hooks;
	int r = sj_get_obj(c, root, "hooks", "", &hooks);

	if (r <= 0)
		return r;
	s->hooks_json = json_dumps(hooks, JSON_COMPACT);
	if (s->hooks_json == NULL)
		return silo_error(c->err, ENOMEM, "hooks: serialise");
	return parse_hooks_obj(c, hooks, &s->hooks);
}

static int parse_annotations(struct sj_ctx *c, json_t *root, struct spec *s)
{
	int r = sj_get_kv(c, root, "annotations", "", &s->annotations, &s->n_annotations);

	if (r <= 0)
		return r;
	s->annotations_json = json_dumps(sj_get(root, "annotations"), JSON_COMPACT);
	if (s->annotations_json == NULL)
		return silo_error(c->err, ENOMEM, "annotations: serialise");
	return 0;
}

/* runc refuses a hostname it would have to set in the host's UTS namespace. */
static int parse_names(struct sj_ctx *c, json_t *root, struct spec *s)
{
	if (sj_get_str(c, root, "hostname", "", &s->hostname) < 0 ||
	    sj_get_str(c, root, "domainname", "", &s->domainname) < 0)
		return -1;
	if (s->linux.ns[NS_UTS].present)
		return 0;
	if (s->hostname != NULL && s->hostname[0] != '\0')
		return sj_fail(c, "hostname", "setting the hostname requires a UTS namespace (linux.namespaces has no \"uts\")");
	if (s->domainname != NULL && s->domainname[0] != '\0')
		return sj_fail(c, "domainname", "setting the domainname requires a UTS namespace (linux.namespaces has no \"uts\")");
	return 0;
}

/* ---------------------------------------------------------------- entry points */

static void idmaps_free(struct spec_idmap *m)
{
	free(m);
}

void sj_kv_free(struct spec_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void spec_process_clear(struct spec_process *p)
{
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
	memset(p, 0, sizeof(*p));
}

void spec_release_json(struct spec *s)
{
	json_decref(s->json_root);
	s->json_root = NULL;
}

void spec_free(struct spec *s)
{
	if (s == NULL)
		return;
	spec_release_json(s);
	free(s->oci_version);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	spec_process_clear(&s->process);
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
	sj_kv_free(s->annotations, s->n_annotations);
	free(s->annotations_json);
	sj_linux_free(&s->linux);
	free(s);
}

static int parse_config(const char *json, size_t len, const char *name, const char *bundle_dir,
			const char *seccomp_cache, struct spec **out, struct silo_error *err)
{
	struct silo_error dummy;
	cleanup_free char *bundle = path_absolute(bundle_dir, err ? err : &dummy);
	struct sj_ctx c = { .name = name, .err = err ? err : &dummy, .seccomp_cache = seccomp_cache };
	struct spec *s;
	json_t *root;
	int r;

	*out = NULL;
	if (bundle == NULL)
		return -1;
	c.bundle = bundle;
	silo_error_clear(c.err);
	root = sj_load_json(&c, json, len);
	if (root == NULL) {
		free(c.bigs);
		return -1;
	}
	s = xzalloc(sizeof(*s));
	r = parse_version(&c, root, s);
	if (r == 0)
		r = parse_root(&c, root, s);
	if (r == 0)
		r = sj_parse_linux(&c, root, s);
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
	s->json_root = root;
	free(c.bigs);
	if (r < 0) {
		spec_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int spec_parse(const char *json, size_t len, const char *name, const char *bundle_dir,
	       struct spec **out, struct silo_error *err)
{
	return parse_config(json, len, name, bundle_dir, NULL, out, err);
}

int spec_parse_process(const char *json, size_t len, const char *name, struct spec_process *out,
		       struct silo_error *err)
{
	struct sj_ctx c = { .name = name, .bundle = "/", .err = err };
	json_t *root;
	int r;

	memset(out, 0, sizeof(*out));
	silo_error_clear(err);
	root = sj_load_json(&c, json, len);
	if (root == NULL) {
		free(c.bigs);
		return -1;
	}
	r = parse_process_obj(&c, root, out);
	json_decref(root);
	free(c.bigs);
	if (r < 0)
		spec_process_clear(out);
	return r;
}

int spec_add_mount(struct spec *s, const char *type, const char *source, const char *destination,
		   char *const *options, struct silo_error *err)
{
	struct spec_mount *m;

	s->mounts = xreallocarray(s->mounts, s->n_mounts + 1, sizeof(*s->mounts));
	m = &s->mounts[s->n_mounts];
	memset(m, 0, sizeof(*m));
	m->destination = fs_clean_path(destination);
	m->type = type ? xstrdup(type) : NULL;
	m->source = xstrdup(source);
	m->options = strv_dup(options);
	m->n_options = strv_len(m->options);
	s->n_mounts++;
	if (mount_opts_parse(m->options, m->n_options, &m->opts, err) < 0)
		return silo_error_ctx(err, "mount %s", destination);
	if (m->type != NULL && strcmp(m->type, "bind") == 0) {
		m->opts.bind = true;
		m->opts.flags |= MS_BIND;
	}
	return 0;
}

int spec_setenv(struct spec_process *p, const char *key, const char *value)
{
	size_t klen = strlen(key);
	char *kv = xasprintf("%s=%s", key, value);

	for (size_t i = 0; i < p->n_env; i++) {
		if (strncmp(p->env[i], key, klen) == 0 && p->env[i][klen] == '=') {
			free(p->env[i]);
			p->env[i] = kv;
			return 0;
		}
	}
	p->env = xreallocarray(p->env, p->n_env + 2, sizeof(char *));
	p->env[p->n_env++] = kv;
	p->env[p->n_env] = NULL;
	return 0;
}

int spec_load(const char *bundle_dir, const char *config_path, struct spec **out,
	      struct silo_error *err)
{
	return spec_load_cached(bundle_dir, config_path, NULL, out, err);
}

int spec_load_cached(const char *bundle_dir, const char *config_path, const char *seccomp_cache,
		     struct spec **out, struct silo_error *err)
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
	return parse_config(buf, len, config_path != NULL ? config_path : "config.json", bundle, seccomp_cache,
			    out, err);
}

int spec_parse_resources(const char *json, size_t len, const char *name,
			 struct spec_resources **out, struct silo_error *err)
{
	struct silo_error dummy;
	struct sj_ctx c = { .name = name, .bundle = "/", .err = err ? err : &dummy };
	json_t *root, *linux;
	int r;

	*out = NULL;
	silo_error_clear(c.err);
	root = sj_load_json(&c, json, len);
	if (root == NULL) {
		free(c.bigs);
		return -1;
	}
	linux = json_object();
	json_object_set_new(linux, "resources", root);
	r = sj_parse_resources(&c, linux, out);
	json_decref(linux);
	free(c.bigs);
	return r;
}

char *spec_resources_raw(const char *json, size_t len)
{
	struct silo_error e;
	struct sj_ctx c = { .name = NULL, .bundle = "/", .err = &e };
	json_t *root = sj_load_json(&c, json, len), *res, *mem;
	char *out = NULL;

	free(c.bigs);
	if (root == NULL)
		return NULL;
	res = json_object_get(json_object_get(root, "linux"), "resources");
	if (json_is_object(res)) {
		/* 2^64-1 ("unset" swappiness from Go engines) was rewritten as -1:
		 * as the plain -1 it would not parse again */
		mem = json_object_get(res, "memory");
		if (json_integer_value(json_object_get(mem, "swappiness")) < 0)
			json_object_del(mem, "swappiness");
		out = json_dumps(res, JSON_COMPACT);
	}
	json_decref(root);
	return out;
}

int spec_parse_hooks(const char *json, struct spec_hooks *hooks, struct silo_error *err)
{
	struct silo_error dummy;
	struct sj_ctx c = { .name = NULL, .bundle = "/", .err = err ? err : &dummy };
	json_t *root;
	int r;

	memset(hooks, 0, sizeof(*hooks));
	if (json == NULL)
		return silo_error(c.err, 0, "hooks: missing");
	silo_error_clear(c.err);
	root = sj_load_json(&c, json, strlen(json));
	if (root == NULL) {
		free(c.bigs);
		return silo_error_ctx(c.err, "hooks");
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
