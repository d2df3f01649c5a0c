/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup manager's common half: layout detection (once per process),
 * cgroupsPath resolution, creating and removing the directories, joining,
 * listing pids, and the state-file JSON.  What differs between v1 and v2
 * (cpuset/controller preparation, freezing, killing, resources) goes through
 * the driver vtable in cgroup_internal.h.
 *
 * Hand-written rather than through libcgroup: the work is a few mkdir, open
 * and write calls per hierarchy, container start time is measured, and we
 * need exact control of which directories we made so that destroy removes
 * exactly those.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

#include <linux/magic.h>

#include "cgroup_internal.h"
#include "log.h"
#include "util.h"

/* ================================================================ text parsing */

bool cg_list_has(const char *set, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = set; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && memcmp(p, tok, n) == 0)
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

/* Every token of `need` (comma-separated) is in `have`. */
static bool list_covers(const char *have, const char *need)
{
	cleanup_free char *copy = xstrdup(need);
	char *save = NULL;

	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (!cg_list_has(have, t))
			return false;
	return true;
}

size_t cg_count_lines(const char *text)
{
	size_t n = 0;

	for (const char *p = text; p && *p;) {
		const char *e = strchr(p, '\n');

		if (e != p)
			n++;
		p = e ? e + 1 : NULL;
	}
	return n;
}

unsigned cg2_parse_controllers(const char *text)
{
	static const struct { const char *name; unsigned bit; } known[] = {
		{ "cpuset", CG2_CPUSET }, { "cpu", CG2_CPU }, { "io", CG2_IO },
		{ "memory", CG2_MEMORY }, { "hugetlb", CG2_HUGETLB }, { "pids", CG2_PIDS },
		{ "rdma", CG2_RDMA }, { "misc", CG2_MISC },
	};
	unsigned bits = 0;
	const char *p = text;

	while (p && *p) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		for (size_t i = 0; i < ARRAY_SIZE(known); i++)
			if (len == strlen(known[i].name) && memcmp(p, known[i].name, len) == 0)
				bits |= known[i].bit;
		p += len;
	}
	return bits;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

struct mi_entry {
	char *root, *mount, *super;
	bool v2;
};

/* The cgroup and cgroup2 lines of a mountinfo text. */
static size_t parse_mountinfo(const char *text, struct mi_entry **out)
{
	struct mi_entry *v = NULL;
	size_t n = 0;

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t llen = eol ? (size_t)(eol - line) : strlen(line);
		cleanup_free char *l = xstrndup(line, llen);
		char *f[6], *save = NULL, *sep, *fstype, *super;
		size_t nf = 0;

		line = eol ? eol + 1 : NULL;
		sep = strstr(l, " - ");
		if (sep == NULL)
			continue;
		*sep = '\0';
		for (char *t = strtok_r(l, " ", &save); t && nf < 6; t = strtok_r(NULL, " ", &save))
			f[nf++] = t;
		if (nf < 5)
			continue;
		save = NULL;
		fstype = strtok_r(sep + 3, " ", &save);
		(void)strtok_r(NULL, " ", &save);   /* source */
		super = strtok_r(NULL, " ", &save);
		if (fstype == NULL || (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0))
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].root = unescape_octal(f[3], strlen(f[3]));
		v[n].mount = unescape_octal(f[4], strlen(f[4]));
		v[n].super = xstrdup(super ? super : "");
		v[n].v2 = strcmp(fstype, "cgroup2") == 0;
		n++;
	}
	*out = v;
	return n;
}

static void free_mountinfo(struct mi_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].root);
		free(v[i].mount);
		free(v[i].super);
	}
	free(v);
}

static bool under_cgroup_root(const char *mount)
{
	return str_has_prefix(mount, CGROUP_ROOT "/") || strcmp(mount, CGROUP_ROOT) == 0;
}

/* The mount of a hierarchy: prefer one under /sys/fs/cgroup (a host may also
 * bind-mount cgroups elsewhere).  controllers == NULL selects cgroup2. */
static const struct mi_entry *pick_mount(const struct mi_entry *mi, size_t n, const char *controllers)
{
	const struct mi_entry *any = NULL;

	for (size_t i = 0; i < n; i++) {
		if (controllers == NULL ? !mi[i].v2 : (mi[i].v2 || !list_covers(mi[i].super, controllers)))
			continue;
		if (under_cgroup_root(mi[i].mount))
			return &mi[i];
		if (any == NULL)
			any = &mi[i];
	}
	return any;
}

/* The caller's cgroup relative to a mount whose root is `root`. */
static char *strip_root(const char *own, const char *root)
{
	size_t rl = strlen(root);

	if (strcmp(root, "/") == 0 || rl == 0)
		return xstrdup(own);
	if (strncmp(own, root, rl) == 0 && (own[rl] == '/' || own[rl] == '\0'))
		return xstrdup(own[rl] ? own + rl : "/");
	return xstrdup(own);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void layout_add(struct cg_layout *l, const char *controllers, const struct mi_entry *m,
		       const char *own, unsigned flags)
{
	struct cg_mountpoint *p;

	l->m = xreallocarray(l->m, l->n + 1, sizeof(*l->m));
	p = &l->m[l->n++];
	p->controllers = xstrdup(controllers);
	p->name = xstrdup(l->mode == CGROUP_MODE_V2 ? "" : base_name(m->mount));
	p->mount = xstrdup(m->mount);
	p->own = strip_root(own, m->root);
	p->flags = flags;
}

int cg_layout_parse(int mode, const char *proc_cgroup, const char *mountinfo,
		    struct cg_layout *out, struct silo_error *err)
{
	struct mi_entry *mi = NULL;
	size_t nmi = parse_mountinfo(mountinfo, &mi);

	out->mode = mode;
	out->m = NULL;
	out->n = 0;
	for (const char *line = proc_cgroup; line && *line;) {
		const char *eol = strchr(line, '\n');
		cleanup_free char *l = xstrndup(line, eol ? (size_t)(eol - line) : strlen(line));
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		const struct mi_entry *m;

		line = eol ? eol + 1 : NULL;
		if (c2 == NULL || c2[1] != '/')
			continue;
		*c1 = *c2 = '\0';
		if (strcmp(l, "0") == 0 && c1[1] == '\0') {
			/* the unified hierarchy: all of v2, or the hybrid extra mount */
			/* v2: the mount at /sys/fs/cgroup; hybrid: one below it
			 * (runc joins /sys/fs/cgroup/unified, not a mount elsewhere) */
			m = pick_mount(mi, nmi, NULL);
			if (m && (mode == CGROUP_MODE_V1 ? str_has_prefix(m->mount, CGROUP_ROOT "/")
							 : strcmp(m->mount, CGROUP_ROOT) == 0))
				layout_add(out, "", m, c2 + 1, CG_H_UNIFIED);
		} else if (mode == CGROUP_MODE_V1 && c1[1] != '\0') {
			m = pick_mount(mi, nmi, c1 + 1);
			if (m)
				layout_add(out, c1 + 1, m, c2 + 1, 0);
		}
	}
	free_mountinfo(mi, nmi);
	if (out->n == 0)
		return silo_error(err, 0, "no mounted cgroup hierarchy found for this process");
	return 0;
}

void cg_layout_free(struct cg_layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->m[i].controllers);
		free(l->m[i].name);
		free(l->m[i].mount);
		free(l->m[i].own);
	}
	free(l->m);
	l->m = NULL;
	l->n = 0;
}

bool cg_valid_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	return digits > 0 && strchr("KMGT", s[digits]) && s[digits] != '\0' &&
	       s[digits + 1] == 'B' && s[digits + 2] == '\0';
}

bool cg_valid_unified_key(const char *key)
{
	return key && *key && strchr(key, '/') == NULL && strcmp(key, ".") != 0 &&
	       strcmp(key, "..") != 0;
}

void cg_limit_str(int64_t v, bool zero_is_max, char *buf, size_t size)
{
	if (v == -1 || (zero_is_max && v == 0))
		snprintf(buf, size, "max");
	else
		snprintf(buf, size, "%" PRId64, v);
}

void cg_device_rule_str(const struct spec_device_rule *d, char *buf, size_t size)
{
	char maj[24], min[24];

	if (d->type == 'a' && d->major < 0 && d->minor < 0) {
		snprintf(buf, size, "a");
		return;
	}
	if (d->major < 0)
		snprintf(maj, sizeof(maj), "*");
	else
		snprintf(maj, sizeof(maj), "%" PRId64, d->major);
	if (d->minor < 0)
		snprintf(min, sizeof(min), "*");
	else
		snprintf(min, sizeof(min), "%" PRId64, d->minor);
	snprintf(buf, size, "%c %s:%s %s", d->type, maj, min, d->access[0] ? d->access : "rwm");
}

/* ================================================================ paths */

bool cg_is_systemd_path(const char *p)
{
	const char *c1, *c2;

	if (p == NULL || strchr(p, '/'))
		return false;
	c1 = strchr(p, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	return c2 && strchr(c2 + 1, ':') == NULL;
}

/* Append the components of `s` to buf ("/a/b"), dropping "" and ".". */
static int append_components(char **buf, size_t *len, const char *s, const char *what,
			     struct silo_error *err)
{
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return silo_error(err, 0, "%s: \"..\" is not allowed in a cgroup path", what);
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			*buf = xrealloc(*buf, *len + n + 2);
			(*buf)[(*len)++] = '/';
			memcpy(*buf + *len, p, n);
			*len += n;
			(*buf)[*len] = '\0';
		}
		p += n;
		p += strspn(p, "/");
	}
	return 0;
}

char *cg_rel_path(const char *cgroups_path, const char *id, const char *own,
		  struct silo_error *err)
{
	cleanup_free char *buf = xstrdup(""), *what = NULL;
	const char *tail;
	size_t len = 0;

	if (cgroups_path && *cgroups_path) {
		if (cg_is_systemd_path(cgroups_path)) {
			silo_error(err, 0, "cgroupsPath \"%s\": systemd cgroup paths need --systemd-cgroup, "
				   "and systemd is not running", cgroups_path);
			return NULL;
		}
		what = xasprintf("cgroupsPath \"%s\"", cgroups_path);
		tail = cgroups_path;
	} else {
		if (id == NULL || *id == '\0' || strchr(id, '/') || strcmp(id, ".") == 0 ||
		    strcmp(id, "..") == 0) {
			silo_error(err, 0, "container id \"%s\" cannot name a cgroup", id ? id : "");
			return NULL;
		}
		what = xasprintf("container id \"%s\"", id);
		tail = id;
	}
	if (tail[0] != '/') {
		cleanup_free char *w = xasprintf("own cgroup \"%s\"", own);

		if (append_components(&buf, &len, own, w, err) < 0)
			return NULL;
	}
	if (append_components(&buf, &len, tail, what, err) < 0)
		return NULL;
	if (len == 0) {
		free(buf);
		buf = xstrdup("/");
	}
	return steal_pointer(&buf);
}

/* ================================================================ layout */

static int detected_mode;
static struct cg_layout layout;
static bool layout_ready;

int cgroup_mode(struct silo_error *err)
{
	struct statfs st;

	if (detected_mode)
		return detected_mode;
	if (statfs(CGROUP_ROOT, &st) < 0)
		return silo_error(err, errno, "statfs %s", CGROUP_ROOT);
	detected_mode = st.f_type == CGROUP2_SUPER_MAGIC ? CGROUP_MODE_V2 : CGROUP_MODE_V1;
	return detected_mode;
}

static const struct cg_layout *get_layout(struct silo_error *err)
{
	cleanup_free char *pc = NULL, *mi = NULL;
	int mode;

	if (layout_ready)
		return &layout;
	mode = cgroup_mode(err);
	if (mode < 0)
		return NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &pc, NULL, err) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/self/mountinfo", &mi, NULL, err) < 0)
		return NULL;
	if (cg_layout_parse(mode, pc, mi, &layout, err) < 0)
		return NULL;
	layout_ready = true;
	return &layout;
}

/* ================================================================ I/O helpers */

int cg_write(const char *dir, const char *file, const char *value, struct silo_error *err)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || write_all(fd, value, len) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return silo_error(err, e, "write %s: \"%s\"", path, value);
	}
	close(fd);
	return 0;
}

int cg_read(const char *dir, const char *file, char **out, struct silo_error *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return read_file_at(AT_FDCWD, path, out, NULL, err);
}

bool cg_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

static void add_pids(const char *text, pid_t **pids, size_t *n)
{
	for (const char *p = text; *p;) {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v > 0) {
			*pids = xreallocarray(*pids, *n + 1, sizeof(**pids));
			(*pids)[(*n)++] = (pid_t)v;
		}
		p = end + strspn(end, "\n");
	}
}

static int read_pids_rec(const char *dir, bool recursive, pid_t **pids, size_t *n,
			 struct silo_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (cg_read(dir, "cgroup.procs", &text, err) < 0)
		return -1;
	add_pids(text, pids, n);
	if (!recursive)
		return 0;
	d = opendir(dir);
	if (d == NULL)
		return silo_error(err, errno, "open %s", dir);
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (read_pids_rec(sub, true, pids, n, err) < 0 && err->errnum != ENOENT)
			return -1;
	}
	return 0;
}

int cg_read_pids(const char *dir, bool recursive, pid_t **pids, size_t *n, struct silo_error *err)
{
	*pids = NULL;
	*n = 0;
	if (read_pids_rec(dir, recursive, pids, n, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

struct cg_hier *cg_find(struct cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n; i++) {
		if (controller == NULL ? (cg->h[i].flags & CG_H_UNIFIED) != 0
				       : cg_list_has(cg->h[i].controllers, controller))
			return &cg->h[i];
	}
	return NULL;
}

/* ================================================================ create */

/* mkdir -p of dir (the mount point, dir[0..mount_len), exists).  *created is
 * the top-most directory made, NULL when dir already existed.  The common
 * case (parent exists) is one mkdir. */
static int mkdir_p(char *dir, size_t mount_len, char **created, struct silo_error *err)
{
	char *slash;

	*created = NULL;
	if (mkdir(dir, 0755) == 0) {
		*created = xstrdup(dir);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return silo_error(err, errno, "create cgroup %s", dir);
	slash = strrchr(dir, '/');
	if (slash == NULL || (size_t)(slash - dir) < mount_len)
		return silo_error(err, ENOENT, "create cgroup %s", dir);
	*slash = '\0';
	if (mkdir_p(dir, mount_len, created, err) < 0) {
		*slash = '/';
		return -1;
	}
	*slash = '/';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		int e = errno;

		if (*created)
			rmdir(*created);
		free(*created);
		*created = NULL;
		return silo_error(err, e, "create cgroup %s", dir);
	}
	if (*created == NULL)
		*created = xstrdup(dir);
	return 0;
}

static void build_paths(struct cgroup *cg)
{
	if (cg->n == 0) {
		cg->names = NULL;
		cg->dirs = NULL;
		return;
	}
	cg->names = xreallocarray(NULL, cg->n, sizeof(*cg->names));
	cg->dirs = xreallocarray(NULL, cg->n, sizeof(*cg->dirs));
	for (size_t i = 0; i < cg->n; i++) {
		cg->names[i] = cg->h[i].name;
		cg->dirs[i] = cg->h[i].dir;
	}
}

static struct cgroup *cgroup_new(int mode, size_t n)
{
	struct cgroup *cg = xzalloc(sizeof(*cg));

	cg->mode = mode;
	cg->ops = mode == CGROUP_MODE_V2 ? &cgroup_v2_ops : &cgroup_v1_ops;
	cg->h = xreallocarray(NULL, n, sizeof(*cg->h));
	memset(cg->h, 0, n * sizeof(*cg->h));
	cg->n = n;
	cg->clone_fd = -1;
	return cg;
}

/* A leaf that existed before us must be empty and not frozen. */
static int check_existing(struct cgroup *cg, struct silo_error *err)
{
	bool any = false;

	for (size_t i = 0; i < cg->n; i++) {
		cleanup_free char *procs = NULL;
		size_t np;

		if (cg->h[i].created)
			continue;
		any = true;
		if (cg_read(cg->h[i].dir, "cgroup.procs", &procs, err) < 0)
			return -1;
		np = cg_count_lines(procs);
		if (np > 0)
			return silo_error(err, 0, "cgroup %s is not empty: it holds %zu process%s",
					  cg->h[i].dir, np, np == 1 ? "" : "es");
	}
	if (any) {
		int r = cg->ops->frozen(cg, err);

		if (r < 0)
			return -1;
		if (r > 0)
			return silo_error(err, 0, "cgroup %s is frozen", cg->h[0].dir);
	}
	return 0;
}

/* Undo a failed create: remove what we made, deepest first. */
static void remove_created_quiet(struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cg_hier *h = &cg->h[i];
		cleanup_free char *p = NULL;

		if (h->created == NULL)
			continue;
		p = xstrdup(h->dir);
		for (;;) {
			char *slash;

			rmdir(p);
			if (strcmp(p, h->created) == 0)
				break;
			slash = strrchr(p, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
		}
	}
}

/* The top-most directory mkdir_p(dir) would make, or NULL when dir exists. */
static char *plan_created(const char *dir, size_t mount_len)
{
	char *p, *top;

	if (access(dir, F_OK) == 0)
		return NULL;
	p = xstrdup(dir);
	top = xstrdup(dir);
	for (;;) {
		char *slash = strrchr(p, '/');

		if (slash == NULL || (size_t)(slash - p) <= mount_len)
			break;
		*slash = '\0';
		if (access(p, F_OK) == 0)
			break;
		free(top);
		top = xstrdup(p);
	}
	free(p);
	return top;
}

int cgroup_plan(const char *cgroups_path, const char *id, struct cgroup **out,
		struct silo_error *err)
{
	const struct cg_layout *l = get_layout(err);
	struct cgroup *cg;

	if (l == NULL)
		return -1;
	cg = cgroup_new(l->mode, l->n);
	for (size_t i = 0; i < l->n; i++) {
		const struct cg_mountpoint *m = &l->m[i];
		struct cg_hier *h = &cg->h[i];
		cleanup_free char *rel = cg_rel_path(cgroups_path, id, m->own, err);

		h->controllers = xstrdup(m->controllers);
		h->name = xstrdup(m->name);
		h->mount = xstrdup(m->mount);
		h->flags = m->flags;
		if (rel == NULL) {
			cgroup_free(cg);
			return -1;
		}
		h->dir = strcmp(rel, "/") == 0 ? xstrdup(m->mount) : xasprintf("%s%s", m->mount, rel);
		h->created = plan_created(h->dir, strlen(m->mount));
	}
	build_paths(cg);
	*out = cg;
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* ================================================================ rootless */

static bool perm_errno(int e)
{
	return e == EACCES || e == EPERM || e == EROFS;
}

/* Does linux.resources set anything but device rules (which rootless
 * leaves alone)?  memory.checkBeforeUpdate is no limit either. */
static bool has_limits(const struct spec_resources *r)
{
	if (r == NULL)
		return false;
	const struct opt_i64 *i64[] = {
		&r->memory.limit, &r->memory.reservation, &r->memory.swap, &r->memory.kernel,
		&r->memory.kernel_tcp, &r->cpu.quota, &r->cpu.realtime_runtime, &r->cpu.idle,
		&r->pids.limit,
	};
	const struct opt_u64 *u64[] = {
		&r->memory.swappiness, &r->cpu.shares, &r->cpu.period, &r->cpu.realtime_period,
		&r->cpu.burst, &r->block_io.weight, &r->block_io.leaf_weight, &r->network.class_id,
	};

	for (size_t i = 0; i < ARRAY_SIZE(i64); i++)
		if (i64[i]->set)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(u64); i++)
		if (u64[i]->set)
			return true;
	return r->memory.disable_oom_killer.set || r->memory.use_hierarchy.set || r->cpu.cpus ||
	       r->cpu.mems || r->block_io.n_weight_device || r->block_io.n_throttle_read_bps ||
	       r->block_io.n_throttle_write_bps || r->block_io.n_throttle_read_iops ||
	       r->block_io.n_throttle_write_iops || r->n_hugepage_limits ||
	       r->network.n_priorities || r->n_rdma || r->n_unified;
}

void cgroup_set_rootless(struct cgroup *cg, bool rootless)
{
	cg->rootless = rootless;
}

bool cgroup_best_effort(const struct cgroup *cg)
{
	return cg->best_effort;
}

/* Leave hierarchy i out of the cgroup (its directory is not ours). */
static void drop_hier(struct cgroup *cg, size_t i)
{
	struct cg_hier *h = &cg->h[i];

	free(h->controllers);
	free(h->name);
	free(h->mount);
	free(h->dir);
	free(h->created);
	memmove(h, h + 1, (cg->n - i - 1) * sizeof(*h));
	cg->n--;
	free(cg->names);
	free(cg->dirs);
	build_paths(cg);
}

int cgroup_make(struct cgroup *cg, const struct spec_resources *resources, bool *changed,
		struct silo_error *err)
{
	*changed = false;
	cg->best_effort = cg->rootless && !has_limits(resources);
	for (size_t i = 0; i < cg->n;) {
		struct cg_hier *h = &cg->h[i];
		cleanup_free char *planned = h->created;

		h->created = NULL;
		if (mkdir_p(h->dir, strlen(h->mount), &h->created, err) < 0) {
			if (!cg->best_effort || !perm_errno(err->errnum))
				goto fail;
			silo_debug("rootless: %s: going on without this cgroup", err->msg);
			drop_hier(cg, i);
			*changed = true;
			continue;
		}
		if (!same_str(planned, h->created))
			*changed = true;
		i++;
	}
	if (cg->n == 0)
		return 0;
	if (check_existing(cg, err) < 0)
		goto fail;
	if (cg->ops->prepare(cg, err) < 0) {
		if (!cg->best_effort || !perm_errno(err->errnum))
			goto fail;
		silo_debug("rootless: %s: going on", err->msg);
	}
	if (cg->ops->apply(cg, resources, true, err) < 0)
		goto fail;
	return 0;
fail:
	if (cg->rootless && !cg->best_effort && perm_errno(err->errnum))
		silo_error_ctx(err, "rootless container with linux.resources");
	remove_created_quiet(cg);
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].created);
		cg->h[i].created = NULL;
	}
	return -1;
}

int cgroup_attach_best_effort(struct cgroup *cg, pid_t pid, bool *changed,
			      struct silo_error *err)
{
	char buf[24];

	*changed = false;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n;) {
		struct cg_hier *h = &cg->h[i];

		if ((h->flags & CG_H_JOINED) || cg_write(h->dir, "cgroup.procs", buf, err) == 0) {
			i++;
			continue;
		}
		if (!perm_errno(err->errnum))
			return silo_error_ctx(err, "join cgroup");
		silo_debug("rootless: %s: going on without this cgroup", err->msg);
		if (h->created) {
			cleanup_free char *p = xstrdup(h->dir);

			/* Ours and empty: remove it up to what we made. */
			while (rmdir(p) == 0 && strcmp(p, h->created) != 0) {
				char *slash = strrchr(p, '/');

				if (slash == NULL || slash == p)
					break;
				*slash = '\0';
			}
		}
		drop_hier(cg, i);
		*changed = true;
	}
	return 0;
}

int cgroup_clone_fd(struct cgroup *cg)
{
	if (cg->clone_fd >= 0)
		return cg->clone_fd;
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].flags & CG_H_UNIFIED) {
			cg->clone_fd = open(cg->h[i].dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
			break;
		}
	return cg->clone_fd;
}

void cgroup_joined_by_clone(struct cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->h[i].flags & CG_H_UNIFIED)
			cg->h[i].flags |= CG_H_JOINED;
}

int cgroup_hybrid(struct silo_error *err)
{
	const struct cg_layout *l;
	struct statfs st;
	int mode;

	/* Before the layout is read (create asks before clone and reads the
	 * layout after it, in parallel with the init): a statfs of the usual
	 * place instead of parsing /proc/self/mountinfo.  A cgroup2 mount
	 * elsewhere is taken for plain v1 here, which only costs speed: the
	 * cgroup is then made after clone and that hierarchy joined through
	 * cgroup.procs (cgroup_attach). */
	if (!layout_ready) {
		if ((mode = cgroup_mode(err)) < 0)
			return -1;
		return mode == CGROUP_MODE_V1 && statfs(CGROUP_ROOT "/unified", &st) == 0 &&
		       st.f_type == CGROUP2_SUPER_MAGIC;
	}
	l = get_layout(err);
	if (l == NULL)
		return -1;
	if (l->mode == CGROUP_MODE_V2)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->m[i].flags & CG_H_UNIFIED)
			return 1;
	return 0;
}

int cgroup_attach(struct cgroup *cg, pid_t pid, struct silo_error *err)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n; i++) {
		if (cg->h[i].flags & CG_H_JOINED)
			continue;
		if (cg_write(cg->h[i].dir, "cgroup.procs", buf, err) < 0)
			return silo_error_ctx(err, "join cgroup");
	}
	return 0;
}

size_t cgroup_self_join_fds(struct cgroup *cg, int *fds, const char **dirs, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < cg->n && n < max; i++) {
		struct cg_hier *h = &cg->h[i];
		char path[PATH_MAX];
		int fd;

		if (h->flags & CG_H_UNIFIED)
			continue;
		snprintf(path, sizeof(path), "%s/tasks", h->dir);
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			continue;       /* cgroup_attach() writes it, and reports */
		h->flags |= CG_H_JOINED;
		fds[n] = fd;
		dirs[n] = h->dir;
		n++;
	}
	return n;
}

int cgroup_self_join(const int *fds, const char *const *dirs, size_t n, struct silo_error *err)
{
	for (size_t i = 0; i < n; i++) {
		ssize_t r;

		do
			r = write(fds[i], "0", 1);
		while (r < 0 && errno == EINTR);
		if (r != 1)
			return silo_error(err, r < 0 ? errno : EIO, "join cgroup: write %s/tasks: \"0\"",
					  dirs[i]);
	}
	return 0;
}

int cgroup_apply(struct cgroup *cg, const struct spec_resources *resources,
		 struct silo_error *err)
{
	if (resources == NULL)
		return 0;
	return cg->ops->apply(cg, resources, false, err);
}

size_t cgroup_paths(const struct cgroup *cg, const char ***controllers, const char ***dirs)
{
	*controllers = cg->names;
	*dirs = cg->dirs;
	return cg->n;
}

/* The hierarchy whose cgroup.procs we list: v1 prefers the freezer (kill
 * freezes it), then any v1 controller; v2 has one. */
struct cg_hier *cg_pids_hier(struct cgroup *cg)
{
	struct cg_hier *h = cg->mode == CGROUP_MODE_V1 ? cg_find(cg, "freezer") : NULL;

	for (size_t i = 0; h == NULL && i < cg->n; i++)
		if (cg->mode == CGROUP_MODE_V2 || !(cg->h[i].flags & CG_H_UNIFIED))
			h = &cg->h[i];
	return h ? h : &cg->h[0];
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct silo_error *err)
{
	return cg_read_pids(cg_pids_hier(cg)->dir, true, pids, n, err);
}

int cgroup_kill(struct cgroup *cg, int signo, struct silo_error *err)
{
	return cg->ops->kill(cg, signo, err);
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct silo_error *err)
{
	return cg->ops->freeze(cg, frozen, err);
}

int cgroup_is_frozen(struct cgroup *cg, struct silo_error *err)
{
	return cg->ops->frozen(cg, err);
}

/* ================================================================ destroy */

/* Remove dir and its sub-cgroups (made by the container), deepest first.
 * The directory is tried first: the common case (no sub-cgroups) is one
 * rmdir.  Returns 1 when something is still busy. */
static int remove_tree(const char *dir, struct silo_error *err)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	int busy = 0;

	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno != EBUSY && errno != ENOTEMPTY)
		return silo_error(err, errno, "remove cgroup %s", dir);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOENT ? 0 : silo_error(err, errno, "open %s", dir);
	while ((de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;
		int r;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		r = remove_tree(sub, err);
		if (r < 0)
			return -1;
		busy |= r;
	}
	if (busy)
		return 1;
	if (rmdir(dir) == 0 || errno == ENOENT)
		return 0;
	if (errno == EBUSY || errno == ENOTEMPTY)
		return 1;
	return silo_error(err, errno, "remove cgroup %s", dir);
}

/* Remove the directories of one hierarchy that create made.  1 = busy. */
static int remove_hier(struct cg_hier *h, const char **busy_dir, struct silo_error *err)
{
	cleanup_free char *p = NULL;
	int r;

	if (h->created == NULL)
		return 0;
	r = remove_tree(h->dir, err);
	if (r != 0) {
		*busy_dir = h->dir;
		return r;
	}
	p = xstrdup(h->dir);
	while (strcmp(p, h->created) != 0) {
		char *slash = strrchr(p, '/');

		if (slash == NULL || slash == p)
			break;
		*slash = '\0';
		if (rmdir(p) == 0 || errno == ENOENT)
			continue;
		if (errno == EBUSY || errno == ENOTEMPTY) {
			/* someone else put a cgroup beside ours: leave the parent */
			silo_debug("cgroup %s is in use, left in place", p);
			break;
		}
		return silo_error(err, errno, "remove cgroup %s", p);
	}
	return 0;
}

/* SIGKILL what is left.  The driver's kill (freezer, cgroup.kill) first;
 * when it cannot (its directory is already gone because a half-done attach
 * left processes in some hierarchies only), signal what each busy
 * hierarchy lists. */
static void kill_leftovers(struct cgroup *cg)
{
	struct silo_error e;

	silo_error_clear(&e);
	if (cg->ops->kill(cg, SIGKILL, &e) == 0)
		return;
	silo_debug("destroy: %s", e.msg);
	for (size_t i = 0; i < cg->n; i++) {
		cleanup_free pid_t *pids = NULL;
		size_t n;

		if (cg_read_pids(cg->h[i].dir, true, &pids, &n, &e) == 0)
			cg_signal_pids(pids, n, SIGKILL);
	}
	if (cg->ops->freeze(cg, false, &e) < 0)
		silo_debug("destroy: %s", e.msg);
}

void cg_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void cg_signal_pids(const pid_t *pids, size_t n, int signo)
{
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], signo) < 0 && errno != ESRCH)
			silo_debug("kill %d: %m", (int)pids[i]);
}

void cg_write_subtree(const char *dir, const char *file, const char *value)
{
	cleanup_dir DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;
		struct silo_error e;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = xasprintf("%s/%s", dir, de->d_name);
		if (cg_write(sub, file, value, &e) < 0 && e.errnum != ENOENT)
			silo_debug("%s", e.msg);
		cg_write_subtree(sub, file, value);
	}
}

uint64_t cg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int cgroup_destroy(struct cgroup *cg, struct silo_error *err)
{
	uint64_t deadline = 0;
	long delay_us = 1000;

	for (;;) {
		const char *busy_dir = NULL;
		int busy = 0;

		for (size_t i = 0; i < cg->n; i++) {
			int r = remove_hier(&cg->h[i], &busy_dir, err);

			if (r < 0)
				return -1;
			busy |= r;
		}
		if (!busy)
			return 0;
		/* Still populated: kill, then retry (exiting tasks leave the
		 * cgroup a little after the signal), bounded. */
		if (deadline == 0)
			deadline = cg_now_ms() + 5000;
		else if (cg_now_ms() > deadline)
			return silo_error(err, EBUSY, "remove cgroup %s", busy_dir);
		else
			cg_sleep_us(delay_us);
		if (delay_us < 100000)
			delay_us *= 2;
		kill_leftovers(cg);
	}
}

/* ================================================================ JSON */

char *cgroup_to_json(const struct cgroup *cg)
{
	json_t *root = json_object(), *arr = json_array();
	char *s;

	json_object_set_new(root, "mode", json_string(cg->mode == CGROUP_MODE_V2 ? "v2" : "v1"));
	for (size_t i = 0; i < cg->n; i++) {
		const struct cg_hier *h = &cg->h[i];
		json_t *o = json_object();

		json_object_set_new(o, "controllers", json_string(h->controllers));
		json_object_set_new(o, "name", json_string(h->name));
		json_object_set_new(o, "mount", json_string(h->mount));
		json_object_set_new(o, "dir", json_string(h->dir));
		json_object_set_new(o, "created", h->created ? json_string(h->created) : json_null());
		if (h->flags & CG_H_UNIFIED)
			json_object_set_new(o, "unified", json_true());
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "hierarchies", arr);
	if (cg->rootless)
		json_object_set_new(root, "rootless", json_true());
	s = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (s == NULL)
		abort();
	return s;
}

/* A path from the state file: absolute, no "..", under `under` (a component
 * boundary), or equal to it when `may_equal`. */
static bool path_ok(const char *p, const char *under, bool may_equal)
{
	size_t n;

	if (p == NULL || p[0] != '/' || strstr(p, "/../") || strstr(p, "/./"))
		return false;
	n = strlen(p);
	if (n >= 3 && strcmp(p + n - 3, "/..") == 0)
		return false;
	if (under == NULL)
		return true;
	n = strlen(under);
	if (strncmp(p, under, n) != 0)
		return false;
	return p[n] == '/' || (may_equal && p[n] == '\0');
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int cgroup_from_json(const char *json, struct cgroup **out, struct silo_error *err)
{
	json_error_t je;
	json_t *root = json_loads(json, 0, &je), *arr;
	const char *mode;
	struct cgroup *cg = NULL;

	if (root == NULL)
		return silo_error(err, 0, "cgroup state: %s at line %d", je.text, je.line);
	mode = jstr(root, "mode");
	arr = json_object_get(root, "hierarchies");
	if (mode == NULL || (strcmp(mode, "v1") != 0 && strcmp(mode, "v2") != 0) ||
	    !json_is_array(arr) || json_array_size(arr) == 0) {
		silo_error(err, 0, "cgroup state: missing or invalid \"mode\" or \"hierarchies\"");
		goto fail;
	}
	cg = cgroup_new(strcmp(mode, "v2") == 0 ? CGROUP_MODE_V2 : CGROUP_MODE_V1, json_array_size(arr));
	for (size_t i = 0; i < cg->n; i++) {
		json_t *o = json_array_get(arr, i);
		struct cg_hier *h = &cg->h[i];
		const char *c = jstr(o, "controllers"), *name = jstr(o, "name"), *mnt = jstr(o, "mount"),
			   *dir = jstr(o, "dir"), *created = jstr(o, "created");

		if (c == NULL || name == NULL || !path_ok(mnt, NULL, false) ||
		    !path_ok(dir, mnt, true) || (created && !path_ok(dir, created, true)) ||
		    (created && !path_ok(created, mnt, false))) {
			silo_error(err, 0, "cgroup state: invalid hierarchy %zu", i);
			goto fail;
		}
		h->controllers = xstrdup(c);
		h->name = xstrdup(name);
		h->mount = xstrdup(mnt);
		h->dir = xstrdup(dir);
		h->created = created ? xstrdup(created) : NULL;
		h->flags = json_is_true(json_object_get(o, "unified")) ? CG_H_UNIFIED : 0;
	}
	cg->rootless = json_is_true(json_object_get(root, "rootless"));
	build_paths(cg);
	json_decref(root);
	*out = cg;
	return 0;
fail:
	json_decref(root);
	if (cg)
		cgroup_free(cg);
	return -1;
}

void cgroup_free(struct cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->h[i].controllers);
		free(cg->h[i].name);
		free(cg->h[i].mount);
		free(cg->h[i].dir);
		free(cg->h[i].created);
	}
	if (cg->clone_fd >= 0)
		close(cg->clone_fd);
	free(cg->h);
	free(cg->names);
	free(cg->dirs);
	free(cg);
}
