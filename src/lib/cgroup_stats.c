/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Container statistics and OOM watches, the part both cgroup drivers share:
 * parsers for the kernel's statistics files (flat-keyed, per-cpu lists, v1
 * blkio and v2 io.stat), the JSON shape of runc's `events` stats
 * (types.Stats, with Go's omitempty), and the manager-level entry points
 * that dispatch to the drivers.  The parsers are pure and unit-tested.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "cgroup_internal.h"
#include "util.h"

/* ================================================================ parsers */

int cg_kv_u64(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');

		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			char buf[32];
			size_t n = (size_t)((eol ? eol : p + strlen(p)) - (p + klen + 1));

			if (n == 0 || n >= sizeof(buf))
				return -1;
			memcpy(buf, p + klen + 1, n);
			buf[n] = '\0';
			return parse_u64(buf, out) == 0 ? 0 : -1;
		}
		p = eol ? eol + 1 : NULL;
	}
	return -1;
}

size_t cg_u64_list(const char *text, uint64_t **out)
{
	size_t n = 0;

	*out = NULL;
	for (const char *p = text; p && *p;) {
		char *end;
		unsigned long long v;

		p += strspn(p, " \t\n");
		if (*p < '0' || *p > '9')
			break;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno != 0)
			break;
		*out = xreallocarray(*out, n + 1, sizeof(**out));
		(*out)[n++] = v;
		p = end;
	}
	return n;
}

/* "MAJ:MIN" at the start of s; advances past it. */
static bool parse_dev(const char **s, uint64_t *maj, uint64_t *min)
{
	char *end;

	if (**s < '0' || **s > '9')
		return false;
	*maj = strtoull(*s, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	*min = strtoull(end + 1, &end, 10);
	*s = end;
	return true;
}

static size_t add_entry(struct cg_blkio_entry **v, size_t n, uint64_t maj, uint64_t min,
			const char *op, size_t oplen, uint64_t value)
{
	struct cg_blkio_entry *e;

	*v = xreallocarray(*v, n + 1, sizeof(**v));
	e = &(*v)[n];
	e->major = maj;
	e->minor = min;
	if (oplen >= sizeof(e->op))
		oplen = sizeof(e->op) - 1;
	memcpy(e->op, op, oplen);
	e->op[oplen] = '\0';
	e->value = value;
	return n + 1;
}

size_t cg_parse_blkio_v1(const char *text, struct cg_blkio_entry **v, size_t n)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n'), *q = p, *op;
		uint64_t maj, min, val;
		size_t oplen;
		char *end;

		p = eol ? eol + 1 : NULL;
		if (!parse_dev(&q, &maj, &min) || *q != ' ')
			continue;
		op = q + 1;
		oplen = strcspn(op, " \n");
		if (op[oplen] != ' ')
			continue;
		errno = 0;
		val = strtoull(op + oplen + 1, &end, 10);
		if (errno != 0 || end == op + oplen + 1)
			continue;
		n = add_entry(v, n, maj, min, op, oplen, val);
	}
	return n;
}

size_t cg_parse_io_stat(const char *text, const char *key, const char *op,
			struct cg_blkio_entry **v, size_t n)
{
	size_t klen = strlen(key);

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n'), *q;
		cleanup_free char *line = xstrndup(p, eol ? (size_t)(eol - p) : strlen(p));
		char *save = NULL, *tok;
		uint64_t maj, min;

		p = eol ? eol + 1 : NULL;
		q = line;
		if (!parse_dev(&q, &maj, &min) || (*q != ' ' && *q != '\0'))
			continue;
		for (tok = strtok_r(line + (q - line), " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			uint64_t val;

			if (strncmp(tok, key, klen) == 0 && tok[klen] == '=' &&
			    parse_u64(tok + klen + 1, &val) == 0)
				n = add_entry(v, n, maj, min, op, strlen(op), val);
		}
	}
	return n;
}

bool cg_hugepage_name(const char *d, char *buf, size_t size)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB" };
	uint64_t kb;
	size_t u = 0;
	char num[24];
	const char *p;
	size_t len;

	if (!str_has_prefix(d, "hugepages-"))
		return false;
	p = d + strlen("hugepages-");
	len = strspn(p, "0123456789");
	if (len == 0 || len >= sizeof(num) || strcmp(p + len, "kB") != 0)
		return false;
	memcpy(num, p, len);
	num[len] = '\0';
	if (parse_u64(num, &kb) < 0 || kb == 0)
		return false;
	while (kb % 1024 == 0 && u + 1 < ARRAY_SIZE(units)) {
		kb /= 1024;
		u++;
	}
	snprintf(buf, size, "%" PRIu64 "%s", kb, units[u]);
	return true;
}

char **cg_hugepage_sizes(void)
{
	cleanup_dir DIR *d = opendir("/sys/kernel/mm/hugepages");
	char **v = xzalloc(sizeof(char *));
	size_t n = 0;
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		char name[32];

		if (!cg_hugepage_name(de->d_name, name, sizeof(name)))
			continue;
		v = xreallocarray(v, n + 2, sizeof(char *));
		v[n++] = xstrdup(name);
		v[n] = NULL;
	}
	return v;
}

/* ================================================================ JSON */

/* jansson keeps integers as int64: a larger unsigned value is stored as a
 * marked string, which cg_stats_dumps() turns back into a bare number. */
#define BIG_MARK "\x01u64:"

void cg_json_u64(json_t *o, const char *key, uint64_t v, bool omit)
{
	if (v == 0 && omit)
		return;
	if (v <= INT64_MAX) {
		json_object_set_new(o, key, json_integer((json_int_t)v));
	} else {
		char buf[40];

		snprintf(buf, sizeof(buf), BIG_MARK "%" PRIu64, v);
		json_object_set_new(o, key, json_string(buf));
	}
}

void cg_json_u64_array(json_t *o, const char *key, const uint64_t *v, size_t n)
{
	json_t *a;

	if (n == 0)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *tmp = json_object();

		cg_json_u64(tmp, "v", v[i], false);
		json_array_append(a, json_object_get(tmp, "v"));
		json_decref(tmp);
	}
	json_object_set_new(o, key, a);
}

json_t *cg_json_memory_entry(uint64_t limit, uint64_t usage, uint64_t max, uint64_t failcnt)
{
	json_t *o = json_object();

	cg_json_u64(o, "limit", limit, false);
	cg_json_u64(o, "usage", usage, true);
	cg_json_u64(o, "max", max, true);
	cg_json_u64(o, "failcnt", failcnt, false);
	return o;
}

void cg_json_blkio(json_t *o, const char *key, const struct cg_blkio_entry *v, size_t n)
{
	json_t *a;

	if (n == 0)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();

		cg_json_u64(e, "major", v[i].major, true);
		cg_json_u64(e, "minor", v[i].minor, true);
		if (v[i].op[0])
			json_object_set_new(e, "op", json_string(v[i].op));
		cg_json_u64(e, "value", v[i].value, true);
		json_array_append_new(a, e);
	}
	json_object_set_new(o, key, a);
}

json_t *cg_json_flat(const char *text)
{
	json_t *o = json_object();

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		cleanup_free char *line = xstrndup(p, eol ? (size_t)(eol - p) : strlen(p));
		char *sp = strchr(line, ' ');
		uint64_t v;

		p = eol ? eol + 1 : NULL;
		if (sp == NULL)
			continue;
		*sp = '\0';
		if (parse_u64(sp + 1, &v) == 0)
			cg_json_u64(o, line, v, false);
	}
	return o;
}

bool cg_read_u64(const char *dir, const char *file, uint64_t *out)
{
	cleanup_free char *s = NULL;
	struct silo_error e;

	if (!cg_exists(dir, file) || cg_read(dir, file, &s, &e) < 0)
		return false;
	s[strcspn(s, "\n")] = '\0';
	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return true;
	}
	return parse_u64(s, out) == 0;
}

json_t *cg_stats_new(void)
{
	json_t *d = json_object(), *cpu = json_object(), *mem = json_object();

	json_object_set_new(cpu, "usage", json_object());
	json_object_set_new(cpu, "throttling", json_object());
	json_object_set_new(d, "cpu", cpu);
	json_object_set_new(mem, "usage", cg_json_memory_entry(0, 0, 0, 0));
	json_object_set_new(mem, "swap", cg_json_memory_entry(0, 0, 0, 0));
	json_object_set_new(mem, "kernel", cg_json_memory_entry(0, 0, 0, 0));
	json_object_set_new(mem, "kernelTCP", cg_json_memory_entry(0, 0, 0, 0));
	json_object_set_new(d, "memory", mem);
	json_object_set_new(d, "pids", json_object());
	json_object_set_new(d, "blkio", json_object());
	json_object_set_new(d, "hugetlb", json_object());
	json_object_set_new(d, "intel_rdt", json_object());
	json_object_set_new(d, "network_interfaces", json_null());
	return d;
}

char *cgroup_stats_dumps(json_t *o)
{
	static const char mark[] = "\"\\u0001u64:";
	char *s = json_dumps(o, JSON_COMPACT), *r, *w;

	if (s == NULL)
		abort();
	/* "\u0001u64:123" -> 123 */
	for (r = w = s; *r;) {
		if (strncmp(r, mark, sizeof(mark) - 1) == 0) {
			r += sizeof(mark) - 1;
			while (*r >= '0' && *r <= '9')
				*w++ = *r++;
			if (*r == '"')
				r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return s;
}

/* ================================================================ manager */

int cgroup_stats(struct cgroup *cg, json_t **data, struct silo_error *err)
{
	json_t *d = cg_stats_new();

	if (cg->ops->stats(cg, d, err) < 0) {
		json_decref(d);
		return -1;
	}
	*data = d;
	return 0;
}

int cgroup_oom_watch(struct cgroup *cg, struct cgroup_oom **out, struct silo_error *err)
{
	struct cgroup_oom *w = xzalloc(sizeof(*w));

	w->cg = cg;
	w->fd = w->aux_fd = -1;
	if (cg->ops->oom_watch(cg, w, err) < 0) {
		cgroup_oom_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int cgroup_oom_fd(const struct cgroup_oom *w)
{
	return w->fd;
}

int cgroup_oom_read(struct cgroup_oom *w, uint64_t *n, struct silo_error *err)
{
	*n = 0;
	return w->cg->ops->oom_read(w->cg, w, n, err);
}

void cgroup_oom_free(struct cgroup_oom *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->aux_fd >= 0)
		close(w->aux_fd);
	free(w->file);
	free(w);
}
