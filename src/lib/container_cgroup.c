/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The verbs that act on the cgroup of an existing container (parent side):
 * pause, resume, ps, update and events.  Split from container.c, which keeps
 * the lifecycle (create, start, run, kill, delete, state, list); both load a
 * container through container_internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cgroup.h"
#include "container.h"
#include "container_internal.h"
#include "log.h"
#include "spec.h"
#include "state.h"
#include "syscalls.h"
#include "util.h"

/* ------------------------------------------------------------------ pause, resume, ps */

/* Load a container and its cgroup, requiring one of the statuses in `want`
 * (a bit per enum silo_status); `why` is the error otherwise. */
static int load_cgroup(const struct silo_ctx *ctx, const char *id, unsigned want, const char *why,
		       struct cgroup **cg, struct silo_error *err)
{
	struct silo_state st;
	int root_fd, dir_fd, r = -1;
	enum silo_status status;

	*cg = NULL;
	if (container_load(ctx, id, true, &root_fd, &dir_fd, &st, err) < 0)
		return -1;
	status = container_status(dir_fd, &st);
	if (!(want & (1u << status)))
		silo_error(err, 0, "%s", why);
	else if (st.cgroup_json == NULL)
		silo_error(err, 0, "container \"%s\" has no cgroup", id);
	else
		r = cgroup_from_json(st.cgroup_json, cg, err);
	silo_state_free(&st);
	close(dir_fd);
	close(root_fd);
	return r;
}

int silo_container_pause(const struct silo_ctx *ctx, const char *id, struct silo_error *err)
{
	struct cgroup *cg;
	int r;

	if (load_cgroup(ctx, id, 1u << STATUS_RUNNING | 1u << STATUS_CREATED, "container not running",
			&cg, err) < 0)
		return -1;
	r = cgroup_freeze(cg, true, err);
	cgroup_free(cg);
	return r;
}

int silo_container_resume(const struct silo_ctx *ctx, const char *id, struct silo_error *err)
{
	struct cgroup *cg;
	int r;

	if (load_cgroup(ctx, id, 1u << STATUS_PAUSED, "container not paused", &cg, err) < 0)
		return -1;
	r = cgroup_freeze(cg, false, err);
	cgroup_free(cg);
	return r;
}

int silo_container_ps(const struct silo_ctx *ctx, const char *id, pid_t **pids, size_t *n,
		      struct silo_error *err)
{
	struct cgroup *cg;
	int r;

	*pids = NULL;
	*n = 0;
	if (load_cgroup(ctx, id, 1u << STATUS_RUNNING | 1u << STATUS_CREATED | 1u << STATUS_PAUSED,
			"container not running", &cg, err) < 0)
		return -1;
	r = cgroup_pids(cg, pids, n, err);
	cgroup_free(cg);
	return r;
}

/* ------------------------------------------------------------------ update */

/* The fields docker (and runc's flags) send as 0 to mean "leave as is". */
static void drop_unset(json_t *res)
{
	static const char *const zero_unset[][2] = {
		{ "memory", "limit" }, { "memory", "reservation" }, { "memory", "swap" },
		{ "memory", "kernel" }, { "memory", "kernelTCP" }, { "cpu", "shares" },
		{ "cpu", "quota" }, { "cpu", "period" }, { "cpu", "realtimeRuntime" },
		{ "cpu", "realtimePeriod" }, { "blockIO", "weight" }, { "blockIO", "leafWeight" },
		{ "pids", "limit" },
	};
	json_t *cpu = json_object_get(res, "cpu");

	for (size_t i = 0; i < ARRAY_SIZE(zero_unset); i++) {
		json_t *o = json_object_get(res, zero_unset[i][0]);
		json_t *v = json_object_get(o, zero_unset[i][1]);

		if (v && (json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0)))
			json_object_del(o, zero_unset[i][1]);
	}
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "mems" : "cpus";
		json_t *v = json_object_get(cpu, k);

		if (v && (json_is_null(v) || (json_is_string(v) && json_string_value(v)[0] == '\0')))
			json_object_del(cpu, k);
	}
}

/* base += upd, objects merged key by key, anything else replaced. */
static void merge_into(json_t *base, json_t *upd)
{
	const char *k;
	json_t *v;

	json_object_foreach(upd, k, v) {
		json_t *b = json_object_get(base, k);

		if (json_is_object(b) && json_is_object(v))
			merge_into(b, v);
		else
			json_object_set(base, k, v);
	}
}

/* A write the kernel refused stops an update half done: put back what the
 * update had changed before it, best effort.  `old` are the resources in
 * force before; a limit they did not set goes back to unlimited where the
 * kernel has such a value, and is left as written otherwise. */
static void undo_update(struct cgroup *cg, json_t *old, json_t *upd)
{
	static const char *const unlimited[][2] = {
		{ "memory", "limit" }, { "memory", "swap" }, { "memory", "reservation" },
		{ "cpu", "quota" }, { "pids", "limit" },
	};
	json_t *undo = json_object(), *sec;
	struct spec_resources *r = NULL;
	cleanup_free char *text = NULL;
	struct silo_error e;
	const char *name;

	json_object_foreach(upd, name, sec) {
		json_t *o = json_object(), *prev = json_object_get(old, name), *v;
		const char *k;

		if (!json_is_object(sec)) {
			json_decref(o);
			continue;
		}
		json_object_foreach(sec, k, v) {
			json_t *was = json_object_get(prev, k);

			if (was) {
				json_object_set(o, k, was);
				continue;
			}
			for (size_t i = 0; i < ARRAY_SIZE(unlimited); i++)
				if (strcmp(unlimited[i][0], name) == 0 && strcmp(unlimited[i][1], k) == 0)
					json_object_set_new(o, k, json_integer(-1));
		}
		json_object_set_new(undo, name, o);
	}
	text = json_dumps(undo, JSON_COMPACT);
	json_decref(undo);
	if (text && spec_parse_resources(text, strlen(text), "undo", &r, &e) == 0 &&
	    cgroup_apply(cg, r, &e) < 0)
		silo_warn("update: restoring the previous limits: %s", e.msg);
	spec_resources_free(r);
}

/* The resources in force before this update: state.json's, else the
 * bundle's config.json's (read now: create keeps no copy, so that it does
 * no extra work on the start path), else none. */
static json_t *current_resources(const struct silo_state *st)
{
	cleanup_free char *cfg = NULL, *raw = NULL, *path = NULL;
	struct silo_error e;
	size_t len;
	json_t *r;

	if (st->resources_json)
		raw = xstrdup(st->resources_json);
	else if (st->bundle && (path = xasprintf("%s/config.json", st->bundle)) &&
		 read_file_at(AT_FDCWD, path, &cfg, &len, &e) == 0)
		raw = spec_resources_raw(cfg, len);
	r = raw ? json_loads(raw, 0, NULL) : NULL;
	return json_is_object(r) ? r : (json_decref(r), json_object());
}

int silo_container_update(const struct silo_ctx *ctx, const char *id, const char *resources,
			  size_t len, const char *name, struct silo_error *err)
{
	struct spec_resources *u = NULL, *m = NULL;
	cleanup_free char *upd_text = NULL, *merged_text = NULL, *wrapped = NULL, *raw = NULL;
	json_t *upd = NULL, *merged = NULL, *old = NULL;
	struct cgroup *cg = NULL;
	struct silo_state st;
	int root_fd, dir_fd, r = -1;
	enum silo_status status;

	/* The input first, whole: nothing is touched when it is wrong. */
	if (spec_parse_resources(resources, len, name, &u, err) < 0)
		return -1;
	spec_resources_free(u);
	u = NULL;
	if (container_load(ctx, id, true, &root_fd, &dir_fd, &st, err) < 0)
		return -1;
	status = container_status(dir_fd, &st);
	if (status == STATUS_STOPPED) {
		silo_error(err, 0, "container not running");
		goto out;
	}
	if (st.cgroup_json == NULL) {
		silo_error(err, 0, "container \"%s\" has no cgroup", id);
		goto out;
	}
	/* Through the config reader, which copes with numbers above INT64_MAX
	 * (Go engines write an unset swappiness as 2^64-1). */
	wrapped = xasprintf("{\"linux\":{\"resources\":%.*s}}", (int)len, resources);
	raw = spec_resources_raw(wrapped, strlen(wrapped));
	upd = raw ? json_loads(raw, 0, NULL) : NULL;
	if (!json_is_object(upd)) {
		silo_error(err, 0, "%s: cannot be read as a JSON object", name);
		goto out;
	}
	drop_unset(upd);
	if (json_object_get(upd, "devices")) {
		silo_debug("update: linux.resources.devices ignored (as runc does)");
		json_object_del(upd, "devices");
	}
	merged = current_resources(&st);
	old = json_deep_copy(merged);
	merge_into(merged, upd);
	upd_text = json_dumps(upd, JSON_COMPACT);
	merged_text = json_dumps(merged, JSON_COMPACT);
	if (upd_text == NULL || merged_text == NULL)
		abort();
	if (spec_parse_resources(upd_text, strlen(upd_text), name, &u, err) < 0)
		goto out;
	if (spec_parse_resources(merged_text, strlen(merged_text), name, &m, err) < 0) {
		silo_error_ctx(err, "with the resources in force");
		goto out;
	}
	/* Values that go to the kernel together: take the partner from the
	 * merged set (v2's cpu.max holds quota and period, memory.swap.max is
	 * derived from swap and the memory limit). */
	if (u->cpu.period.set && !u->cpu.quota.set && m->cpu.quota.set)
		u->cpu.quota = m->cpu.quota;
	if (u->memory.swap.set && !u->memory.limit.set && m->memory.limit.set)
		u->memory.limit = m->memory.limit;
	if (u->memory.limit.set && !u->memory.swap.set && m->memory.swap.set && m->memory.swap.v != 0)
		u->memory.swap = m->memory.swap;
	if (!u->memory.check_before_update.set)
		u->memory.check_before_update = m->memory.check_before_update;
	if (cgroup_from_json(st.cgroup_json, &cg, err) < 0)
		goto out;
	if (cgroup_apply(cg, u, err) < 0) {
		undo_update(cg, old, upd);
		goto out;
	}
	free(st.resources_json);
	st.resources_json = steal_pointer(&merged_text);
	r = state_write(dir_fd, &st, err);
out:
	json_decref(upd);
	json_decref(merged);
	json_decref(old);
	spec_resources_free(u);
	spec_resources_free(m);
	cgroup_free(cg);
	silo_state_free(&st);
	close(dir_fd);
	close(root_fd);
	return r;
}

/* ------------------------------------------------------------------ events */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int emit(silo_event_fn fn, void *arg, const char *type, const char *id, json_t *data,
		struct silo_error *err)
{
	json_t *o = json_object();
	cleanup_free char *line = NULL;

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "id", json_string(id));
	if (data)
		json_object_set(o, "data", data);
	line = cgroup_stats_dumps(o);
	json_decref(o);
	return fn(line, arg, err);
}

static int emit_stats(struct cgroup *cg, const char *id, silo_event_fn fn, void *arg,
		      struct silo_error *err)
{
	json_t *data;
	int r;

	if (cgroup_stats(cg, &data, err) < 0)
		return -1;
	r = emit(fn, arg, "stats", id, data, err);
	json_decref(data);
	return r;
}

static int emit_ooms(struct cgroup_oom *w, const char *id, silo_event_fn fn, void *arg,
		     uint64_t *got, struct silo_error *err)
{
	uint64_t n;

	*got = 0;
	if (w == NULL)
		return 0;
	if (cgroup_oom_read(w, &n, err) < 0)
		return -1;
	*got = n;
	for (; n > 0; n--)
		if (emit(fn, arg, "oom", id, NULL, err) < 0)
			return -1;
	return 0;
}

int silo_container_events(const struct silo_ctx *ctx, const char *id, bool stats_only,
			  int64_t interval_ms, silo_event_fn fn, void *arg, struct silo_error *err)
{
	struct cgroup_oom *w = NULL;
	struct cgroup *cg = NULL;
	struct silo_state st;
	int root_fd, dir_fd, pidfd = -1, r = -1, retries = 0;
	uint64_t next, got;

	if (interval_ms <= 0)
		return silo_error(err, 0, "the interval must be greater than 0");
	/* No lock: events runs as long as the container does. */
	if (container_load(ctx, id, false, &root_fd, &dir_fd, &st, err) < 0)
		return -1;
	close(dir_fd);
	close(root_fd);
	if (!state_init_alive(&st)) {
		silo_error(err, 0, "container not running");
		goto out;
	}
	if (st.cgroup_json == NULL) {
		silo_error(err, 0, "container \"%s\" has no cgroup", id);
		goto out;
	}
	if (cgroup_from_json(st.cgroup_json, &cg, err) < 0)
		goto out;
	if (stats_only) {
		r = emit_stats(cg, id, fn, arg, err);
		goto out;
	}
	pidfd = sys_pidfd_open(st.pid, 0);
	if (pidfd < 0 || !state_init_alive(&st)) {
		r = 0;      /* it stopped meanwhile */
		goto out;
	}
	if (cgroup_oom_watch(cg, &w, err) < 0) {
		if (err->errnum != ENOTSUP)
			goto out;
		silo_debug("events: %s", err->msg);
		w = NULL;
	}
	next = now_ms() + (uint64_t)interval_ms;
	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
				       { .fd = w ? cgroup_oom_fd(w) : -1, .events = POLLIN } };
		uint64_t now = now_ms();
		int64_t timeout = next > now ? (int64_t)(next - now) : 0;

		/* An OOM notification can come before the kernel counts the
		 * kill: look again shortly after one that counted nothing. */
		if (retries > 0 && timeout > 50)
			timeout = 50;
		if (poll(p, 2, (int)(timeout > INT32_MAX ? INT32_MAX : timeout)) < 0 && errno != EINTR) {
			silo_error(err, errno, "poll");
			goto out;
		}
		if ((p[1].revents & POLLIN) || retries > 0) {
			if (emit_ooms(w, id, fn, arg, &got, err) < 0)
				goto out;
			if (p[1].revents & POLLIN)
				retries = got ? 0 : 40;
			else
				retries = got ? 0 : retries - 1;
		}
		if (p[0].revents & POLLIN) {
			/* The init is gone: report what OOM killed it, then stop. */
			r = emit_ooms(w, id, fn, arg, &got, err);
			goto out;
		}
		if (now_ms() >= next) {
			struct silo_error e;

			if (emit_stats(cg, id, fn, arg, &e) < 0) {
				if (!state_init_alive(&st)) {
					r = 0;
					goto out;
				}
				*err = e;
				goto out;
			}
			next += (uint64_t)interval_ms;
			if (next < now_ms())
				next = now_ms() + (uint64_t)interval_ms;
		}
	}
out:
	if (pidfd >= 0)
		close(pidfd);
	cgroup_oom_free(w);
	cgroup_free(cg);
	silo_state_free(&st);
	return r;
}
