/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests for spec.c: whole configs as runc, podman and docker write them
 * (the fuzz seed corpus doubles as fixtures), the default config, and one
 * test per class of error, asserting the exact message: file, field, reason.
 *
 * Error configs are made by editing a valid base config with edit(): a
 * '/'-separated path ("linux/namespaces/2/type") and a JSON value to put
 * there (NULL removes the key).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sched.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "mountopts.h"
#include "spec.h"
#include "util.h"

#ifndef SPEC_CORPUS
#define SPEC_CORPUS "fuzz/corpus/spec"
#endif

/* ---------------------------------------------------------------- helpers */

static char *read_fixture(const char *name)
{
	struct silo_error err = { 0 };
	char path[4096];
	char *buf = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", SPEC_CORPUS, name);
	if (read_file_at(AT_FDCWD, path, &buf, &len, &err) < 0)
		fail_msg("%s", err.msg);
	return buf;
}

static json_t *walk(json_t *cur, const char *seg)
{
	if (json_is_array(cur))
		return json_array_get(cur, (size_t)atoi(seg));
	return json_object_get(cur, seg);
}

static void put(json_t *parent, const char *seg, const char *value)
{
	json_error_t je;
	json_t *v = NULL;

	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, &je);
		if (v == NULL)
			fail_msg("bad test value %s: %s", value, je.text);
	}
	if (json_is_array(parent)) {
		size_t i = (size_t)atoi(seg);
		if (v == NULL)
			json_array_remove(parent, i);
		else if (i == json_array_size(parent))
			json_array_append_new(parent, v);
		else
			json_array_set_new(parent, i, v);
	} else if (v == NULL) {
		json_object_del(parent, seg);
	} else {
		json_object_set_new(parent, seg, v);
	}
}

/* jansson (used here to edit) cannot hold integers above INT64_MAX: tests
 * write them as the string "@BIG:<digits>@", replaced after serialising. */
static char *unbig(char *s)
{
	char *p;

	while ((p = strstr(s, "\"@BIG:")) != NULL) {
		char *end = strstr(p, "@\"");
		size_t digits = (size_t)(end - (p + 6));

		memmove(p, p + 6, digits);
		memmove(p + digits, end + 2, strlen(end + 2) + 1);
	}
	return s;
}

/* base with (path, value) pairs applied; NULL-terminated; caller frees. */
static char *edit(const char *base, ...)
{
	json_error_t je;
	json_t *root = json_loads(base, 0, &je);
	const char *path;
	va_list ap;
	char *out;

	if (root == NULL)
		fail_msg("bad base: %s", je.text);
	va_start(ap, base);
	while ((path = va_arg(ap, const char *)) != NULL) {
		const char *value = va_arg(ap, const char *);
		char *copy = strdup(path), *save = NULL;
		char *seg = strtok_r(copy, "/", &save), *next;
		json_t *cur = root;

		while ((next = strtok_r(NULL, "/", &save)) != NULL) {
			cur = walk(cur, seg);
			if (cur == NULL)
				fail_msg("no %s in base", path);
			seg = next;
		}
		put(cur, seg, value);
		free(copy);
	}
	va_end(ap);
	out = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	return unbig(out);
}

static struct spec *parse_ok(const char *json)
{
	struct silo_error err = { 0 };
	struct spec *s = NULL;

	if (spec_parse(json, strlen(json), "config.json", "/bundle", &s, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(s);
	return s;
}

static void parse_fails(const char *json, const char *expected)
{
	struct silo_error err = { 0 };
	struct spec *s = (struct spec *)1;

	assert_int_equal(spec_parse(json, strlen(json), "config.json", "/bundle", &s, &err), -1);
	assert_null(s);
	assert_string_equal(err.msg, expected);
}

/* A small valid config with every section the edits below touch. */
static const char base_json[] =
	"{\"ociVersion\": \"1.0.2-dev\","
	" \"root\": {\"path\": \"rootfs\"},"
	" \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\","
	"   \"capabilities\": {\"bounding\": [\"CAP_KILL\"]},"
	"   \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1024, \"hard\": 1024}]},"
	" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}],"
	" \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}],"
	"   \"resources\": {}}"
	"}";

#define EDIT(...) edit(base_json, __VA_ARGS__, NULL)

/* One error case: edit the base, expect the message. */
#define EXPECT_ERROR(msg, ...)               \
	do {                                     \
		char *j_ = EDIT(__VA_ARGS__);        \
		parse_fails(j_, msg);                \
		free(j_);                            \
	} while (0)

#define EXPECT_OK(...)                       \
	do {                                     \
		char *j_ = EDIT(__VA_ARGS__);        \
		spec_free(parse_ok(j_));             \
		free(j_);                            \
	} while (0)

static uint64_t capmask(int n, ...)
{
	uint64_t m = 0;
	va_list ap;

	va_start(ap, n);
	while (n-- > 0)
		m |= UINT64_C(1) << spec_cap_from_name(va_arg(ap, const char *));
	va_end(ap);
	return m;
}

/* ---------------------------------------------------------------- tables */

static void test_tables(void **state)
{
	(void)state;
	assert_int_equal(spec_cap_last(), 40);
	assert_int_equal(spec_cap_from_name("CAP_CHOWN"), 0);
	assert_int_equal(spec_cap_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(spec_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(spec_cap_from_name("CAP_FOO"), -1);
	assert_int_equal(spec_cap_from_name("SYS_ADMIN"), -1);
	assert_int_equal(spec_cap_from_name("cap_sys_admin"), -1);
	assert_int_equal(spec_cap_from_name(NULL), -1);
	for (int i = 0; i <= spec_cap_last(); i++)
		assert_int_equal(spec_cap_from_name(spec_cap_name(i)), i);
	assert_null(spec_cap_name(41));
	assert_null(spec_cap_name(-1));

	assert_int_equal(spec_rlimit_from_name("RLIMIT_NOFILE"), RLIMIT_NOFILE);
	assert_int_equal(spec_rlimit_from_name("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_int_equal(spec_rlimit_from_name("RLIMIT_CPU"), RLIMIT_CPU);
	assert_int_equal(spec_rlimit_from_name("RLIMIT_X"), -1);
	assert_int_equal(spec_rlimit_from_name("NOFILE"), -1);

	assert_string_equal(spec_ns_names[NS_NET], "network");
	assert_string_equal(spec_ns_proc_names[NS_NET], "net");
	assert_string_equal(spec_ns_names[NS_MNT], "mount");
	assert_string_equal(spec_ns_proc_names[NS_MNT], "mnt");
	assert_int_equal(spec_ns_clone_flags[NS_MNT], CLONE_NEWNS);
	assert_int_equal(spec_ns_clone_flags[NS_USER], CLONE_NEWUSER);
	assert_int_equal(spec_ns_clone_flags[NS_TIME], 0x80);
	for (int t = 0; t < NS_COUNT; t++) {
		assert_non_null(spec_ns_names[t]);
		assert_non_null(spec_ns_proc_names[t]);
		assert_int_not_equal(spec_ns_clone_flags[t], 0);
	}
	assert_string_equal(spec_hook_names[HOOK_PRESTART], "prestart");
	assert_string_equal(spec_hook_names[HOOK_CREATE_RUNTIME], "createRuntime");
	assert_string_equal(spec_hook_names[HOOK_POSTSTOP], "poststop");
}

/* ---------------------------------------------------------------- valid configs */

static void check_default(struct spec *s, bool rootless)
{
	const uint64_t caps = capmask(3, "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE");
	const struct spec_mount *m;

	assert_string_equal(s->oci_version, "1.2.0");
	assert_string_equal(s->root_path, "/bundle/rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "silo");
	assert_true(s->has_process);
	assert_true(s->process.terminal);
	assert_int_equal(s->process.n_args, 1);
	assert_string_equal(s->process.args[0], "sh");
	assert_null(s->process.args[1]);
	assert_int_equal(s->process.n_env, 2);
	assert_string_equal(s->process.env[1], "TERM=xterm");
	assert_string_equal(s->process.cwd, "/");
	assert_true(s->process.caps.set);
	assert_int_equal(s->process.caps.bounding, caps);
	assert_int_equal(s->process.caps.effective, caps);
	assert_int_equal(s->process.caps.permitted, caps);
	assert_int_equal(s->process.caps.inheritable, 0);
	assert_int_equal(s->process.caps.ambient, 0);
	assert_int_equal(s->process.n_rlimits, 1);
	assert_int_equal(s->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(s->process.rlimits[0].soft, 1024);
	assert_int_equal(s->process.rlimits[0].hard, 1024);
	assert_true(s->process.no_new_privileges);

	assert_int_equal(s->n_mounts, 7);
	m = &s->mounts[1];
	assert_string_equal(m->destination, "/dev");
	assert_int_equal(m->opts.flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(m->opts.data, "mode=755,size=65536k");
	m = &s->mounts[2];
	assert_string_equal(m->destination, "/dev/pts");
	assert_string_equal(m->opts.data, rootless ? "newinstance,ptmxmode=0666,mode=0620"
						   : "newinstance,ptmxmode=0666,mode=0620,gid=5");
	m = &s->mounts[5];
	assert_string_equal(m->destination, "/sys");
	if (rootless) {
		assert_true(m->opts.bind);
		assert_true(m->opts.recursive);
		assert_string_equal(m->source, "/sys");
	} else {
		assert_string_equal(m->type, "sysfs");
		assert_int_equal(m->opts.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	}
	assert_string_equal(s->mounts[6].destination, "/sys/fs/cgroup");
	assert_int_equal(s->mounts[6].opts.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);

	assert_true(s->linux.ns[NS_PID].present);
	assert_true(s->linux.ns[NS_IPC].present);
	assert_true(s->linux.ns[NS_UTS].present);
	assert_true(s->linux.ns[NS_MNT].present);
	assert_int_equal(s->linux.ns[NS_NET].present, !rootless);
	assert_int_equal(s->linux.ns[NS_USER].present, rootless);
	assert_false(s->linux.ns[NS_TIME].present);
	assert_int_equal(s->linux.n_masked_paths, 10);
	assert_string_equal(s->linux.masked_paths[0], "/proc/acpi");
	assert_int_equal(s->linux.n_readonly_paths, 5);
	assert_string_equal(s->linux.readonly_paths[4], "/proc/sysrq-trigger");
	if (rootless) {
		assert_null(s->linux.resources);
		assert_int_equal(s->linux.n_uid_mappings, 1);
		assert_int_equal(s->linux.uid_mappings[0].host_id, geteuid());
		assert_int_equal(s->linux.uid_mappings[0].container_id, 0);
		assert_int_equal(s->linux.uid_mappings[0].size, 1);
		assert_int_equal(s->linux.gid_mappings[0].host_id, getegid());
	} else {
		assert_non_null(s->linux.resources);
		assert_int_equal(s->linux.resources->n_devices, 1);
		assert_false(s->linux.resources->devices[0].allow);
		assert_int_equal(s->linux.resources->devices[0].type, 'a');
		assert_int_equal(s->linux.resources->devices[0].major, -1);
		assert_string_equal(s->linux.resources->devices[0].access, "rwm");
	}
	assert_null(s->hooks_json);
	assert_null(s->annotations_json);
	assert_null(s->linux.seccomp);
}

static void test_default(void **state)
{
	char *j = spec_default_json(false);
	char *f = read_fixture("runc-default.json");
	struct spec *s;
	size_t n = strlen(j);

	(void)state;
	/* runc's layout: tab indent, "key": value; plus a final newline. */
	assert_true(strncmp(j, "{\n\t\"ociVersion\": \"1.2.0\",\n\t\"process\": {\n\t\t\"terminal\": true,", 56) == 0);
	assert_string_equal(j + n - 3, "\n}\n");
	assert_null(strstr(j, "  "));
	s = parse_ok(j);
	check_default(s, false);
	spec_free(s);
	s = parse_ok(f);
	check_default(s, false);
	spec_free(s);
	free(j);
	free(f);
}

static void test_default_rootless(void **state)
{
	char *j = spec_default_json(true);
	struct spec *s;

	(void)state;
	s = parse_ok(j);
	check_default(s, true);
	spec_free(s);
	free(j);
}

static void test_podman(void **state)
{
	char *j = read_fixture("podman.json");
	struct spec *s = parse_ok(j);
	const struct spec_seccomp *sc;
	const struct spec_mount *m;

	(void)state;
	assert_string_equal(s->oci_version, "1.0.2-dev");
	assert_string_equal(s->root_path, "/var/lib/containers/storage/overlay/0123abcd/merged");
	assert_false(s->root_readonly);
	assert_true(s->process.user.umask.set);
	assert_int_equal(s->process.user.umask.v, 18);
	assert_int_equal(s->process.user.n_additional_gids, 11);
	assert_int_equal(s->process.user.additional_gids[10], 27);
	assert_int_equal(s->process.n_rlimits, 3);
	assert_int_equal(s->process.rlimits[1].resource, RLIMIT_NPROC);
	assert_int_equal(s->process.rlimits[1].hard, 4194304);
	/* RLIM_INFINITY written as a uint64 above INT64_MAX. */
	assert_int_equal(s->process.rlimits[2].resource, RLIMIT_CORE);
	assert_true(s->process.rlimits[2].soft == UINT64_MAX);
	assert_true(s->process.rlimits[2].hard == UINT64_MAX);
	assert_true(s->process.oom_score_adj.set);
	assert_int_equal(s->process.oom_score_adj.v, 0);
	assert_int_equal(s->process.caps.bounding,
			 capmask(11, "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
				 "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
				 "CAP_SYS_CHROOT"));
	assert_int_equal(s->process.caps.ambient, 0);

	assert_int_equal(s->n_mounts, 11);
	m = &s->mounts[5];
	assert_string_equal(m->destination, "/etc/hostname");
	assert_string_equal(m->type, "bind");
	assert_true(m->opts.bind);
	assert_false(m->opts.recursive);
	assert_int_equal(m->opts.propagation, MS_PRIVATE | MS_REC);
	m = &s->mounts[8];
	assert_string_equal(m->destination, "/dev/shm");
	assert_int_equal(m->opts.flags, MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_null(m->opts.data);

	assert_int_equal(s->n_annotations, 8);
	assert_string_equal(s->annotations[0].key, "io.container.manager");
	assert_string_equal(s->annotations[0].value, "libpod");
	assert_non_null(s->annotations_json);
	assert_true(strncmp(s->annotations_json, "{\"io.container.manager\":\"libpod\",", 33) == 0);

	assert_string_equal(s->linux.ns[NS_NET].path, "/run/netns/netns-0f1e2d3c");
	assert_true(s->linux.ns[NS_CGROUP].present);
	assert_null(s->linux.ns[NS_PID].path);
	assert_string_equal(s->linux.cgroups_path, "/libpod_parent/libpod-c0ffee");
	assert_true(s->linux.resources->pids.limit.set);
	assert_int_equal(s->linux.resources->pids.limit.v, 2048);
	assert_false(s->linux.resources->memory.limit.set);
	assert_int_equal(s->linux.n_sysctl, 1);
	assert_string_equal(s->linux.sysctl[0].key, "net.ipv4.ping_group_range");
	assert_string_equal(s->linux.sysctl[0].value, "0 0");
	assert_int_equal(s->linux.n_masked_paths, 11);

	sc = s->linux.seccomp;
	assert_non_null(sc);
	assert_int_equal(sc->default_action, SECCOMP_ACTION_ERRNO);
	assert_true(sc->default_errno_ret.set);
	assert_int_equal(sc->default_errno_ret.v, 38);
	assert_int_equal(sc->n_architectures, 3);
	assert_string_equal(sc->architectures[2], "SCMP_ARCH_X32");
	assert_int_equal(sc->n_syscalls, 7);
	assert_int_equal(sc->syscalls[0].n_names, 28);
	assert_int_equal(sc->syscalls[0].errno_ret.v, 1);
	assert_int_equal(sc->syscalls[1].action, SECCOMP_ACTION_ALLOW);
	assert_false(sc->syscalls[1].errno_ret.set);
	assert_int_equal(sc->syscalls[4].args[0].value, 4294967295u);
	assert_int_equal(sc->syscalls[5].n_args, 2);
	assert_int_equal(sc->syscalls[5].args[1].index, 2);
	assert_int_equal(sc->syscalls[5].args[1].op, SECCOMP_OP_EQ);
	assert_int_equal(sc->syscalls[6].args[0].op, SECCOMP_OP_NE);
	/* The profile's identity in the cache: the section as parsed, as bytes;
	 * one changed value changes them. */
	assert_non_null(sc->profile);
	{
		char *k = strstr(j, "\"defaultErrnoRet\": 38");
		struct spec *s2 = parse_ok(j);

		assert_int_equal(s2->linux.seccomp->profile_len, sc->profile_len);
		assert_memory_equal(s2->linux.seccomp->profile, sc->profile, sc->profile_len);
		spec_free(s2);
		assert_non_null(k);
		k[strlen("\"defaultErrnoRet\": 3")] = '9';
		s2 = parse_ok(j);
		assert_int_equal(s2->linux.seccomp->profile_len, sc->profile_len);
		assert_memory_not_equal(s2->linux.seccomp->profile, sc->profile, sc->profile_len);
		spec_free(s2);
	}
	spec_free(s);
	free(j);
}

/* The spec corpus's seed with id maps (linux and two id-mapped mounts) and
 * cpu lists parses: fuzz-spec starts from a valid one. */
static void test_userns_idmap_seed(void **state)
{
	char *j = read_fixture("userns-idmap.json");
	struct spec *s = parse_ok(j);

	(void)state;
	assert_int_equal(s->linux.n_uid_mappings, 2);
	assert_int_equal(s->linux.n_gid_mappings, 2);
	assert_int_equal(s->linux.gid_mappings[1].host_id, 4294901759u);
	assert_int_equal(s->n_mounts, 3);
	assert_int_equal(s->mounts[2].n_uid_mappings, 2);
	assert_true(s->mounts[1].opts.extensions & SPEC_MOUNT_IDMAP);
	assert_true(s->mounts[2].opts.extensions & SPEC_MOUNT_RIDMAP);
	assert_string_equal(s->linux.resources->cpu.cpus, "0-3,7,9-11");
	spec_free(s);
	free(j);
}

static void test_docker(void **state)
{
	char *j = read_fixture("docker.json");
	struct spec *s = parse_ok(j);
	const struct spec_resources *r;
	const struct spec_hook *h;
	struct spec_hooks hooks;
	struct silo_error err = { 0 };

	(void)state;
	assert_int_equal(s->process.user.n_additional_gids, 1);
	assert_string_equal(s->process.apparmor_profile, "docker-default");
	assert_int_equal(s->process.caps.bounding & capmask(1, "CAP_MKNOD"), capmask(1, "CAP_MKNOD"));
	assert_int_equal(s->n_mounts, 10);
	assert_true(s->mounts[7].opts.recursive);
	assert_string_equal(s->mounts[6].opts.data, "mode=1777,size=67108864");

	assert_int_equal(s->hooks.n_hooks[HOOK_PRESTART], 1);
	h = &s->hooks.hooks[HOOK_PRESTART][0];
	assert_string_equal(h->path, "/proc/1234/exe");
	assert_string_equal(h->args[0], "libnetwork-setkey");
	assert_null(h->args[4]);
	assert_null(h->env);
	assert_int_equal(h->timeout, 0);
	assert_int_equal(s->hooks.n_hooks[HOOK_POSTSTOP], 0);
	/* hooks_json is what the state file keeps; it parses back. */
	assert_string_equal(s->hooks_json,
			    "{\"prestart\":[{\"path\":\"/proc/1234/exe\",\"args\":[\"libnetwork-setkey\","
			    "\"-exec-root=/var/run/docker\",\"4f2a1c\",\"5e6f7a\"]}]}");
	assert_int_equal(spec_parse_hooks(s->hooks_json, &hooks, &err), 0);
	assert_int_equal(hooks.n_hooks[HOOK_PRESTART], 1);
	assert_string_equal(hooks.hooks[HOOK_PRESTART][0].args[3], "5e6f7a");
	spec_hooks_free(&hooks);

	r = s->linux.resources;
	assert_int_equal(r->n_devices, 8);
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].type, 'c');
	assert_int_equal(r->devices[1].major, 1);
	assert_int_equal(r->devices[1].minor, 5);
	assert_false(r->devices[7].allow);
	assert_int_equal(r->devices[7].minor, 229);
	assert_int_equal(r->memory.limit.v, 67108864);
	assert_true(r->memory.reservation.set);
	assert_int_equal(r->memory.reservation.v, 0);
	assert_int_equal(r->memory.swap.v, 134217728);
	assert_true(r->memory.disable_oom_killer.set);
	assert_false(r->memory.disable_oom_killer.v);
	assert_false(r->memory.swappiness.set);
	assert_int_equal(r->cpu.quota.v, 50000);
	assert_int_equal(r->cpu.period.v, 100000);
	assert_true(r->cpu.shares.set);
	assert_int_equal(r->cpu.shares.v, 0);
	assert_int_equal(r->pids.limit.v, 20);
	/* docker's explicit zero weight means "not set" */
	assert_false(r->block_io.weight.set);
	assert_int_equal(s->linux.n_sysctl, 2);
	assert_int_equal(s->linux.seccomp->syscalls[1].args[0].op, SECCOMP_OP_MASKED_EQ);
	assert_int_equal(s->linux.seccomp->syscalls[1].args[0].value, 2114060288);
	assert_false(s->linux.seccomp->default_errno_ret.set);
	spec_free(s);
	free(j);
}

static void test_everything(void **state)
{
	/* Every remaining field the parser knows, with values at their limits. */
	char *j = EDIT("process/terminal", "true", "process/consoleSize", "{\"height\": 24, \"width\": 80}",
		       "process/capabilities",
		       "{\"bounding\": [\"CAP_SYS_ADMIN\", \"CAP_CHECKPOINT_RESTORE\"], \"effective\": [\"CAP_BPF\"],"
		       " \"inheritable\": [], \"permitted\": [\"CAP_CHOWN\"], \"ambient\": [\"CAP_CHOWN\"]}",
		       "process/selinuxLabel", "\"system_u:system_r:container_t:s0\"",
		       "process/oomScoreAdj", "-1000", "process/user/username", "\"root\"",
		       "domainname", "\"example.org\"", "hostname", "\"h\"",
		       "linux/namespaces/2", "{\"type\": \"uts\"}",
		       "linux/namespaces/3", "{\"type\": \"user\"}",
		       "linux/namespaces/4", "{\"type\": \"time\"}",
		       "linux/namespaces/5", "{\"type\": \"ipc\", \"path\": \"/proc/1/ns/ipc\"}",
		       "linux/namespaces/6", "{\"type\": \"network\", \"path\": \"\"}",
		       "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}]",
		       "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536},"
		       " {\"containerID\": 65536, \"hostID\": 4294901759, \"size\": 65536}]",
		       "linux/timeOffsets", "{\"monotonic\": {\"secs\": -86400, \"nanosecs\": 999999999},"
		       " \"boottime\": {\"secs\": 3600}}",
		       "linux/devices", "[{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229,"
		       " \"fileMode\": 438, \"uid\": 0, \"gid\": 0}, {\"path\": \"/dev/fifo\", \"type\": \"p\"},"
		       " {\"path\": \"/dev/sda\", \"type\": \"b\", \"major\": 8, \"minor\": 0, \"fileMode\": 25008}]",
		       "linux/resources",
		       "{\"devices\": [{\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": \"mwr\"},"
		       "               {\"allow\": true, \"type\": \"c\", \"minor\": 3}],"
		       " \"memory\": {\"limit\": -1, \"reservation\": 1, \"swap\": -1, \"kernel\": 0, \"kernelTCP\": 5,"
		       "   \"swappiness\": 100, \"disableOOMKiller\": true, \"useHierarchy\": true, \"checkBeforeUpdate\": true},"
		       " \"cpu\": {\"shares\": 1024, \"quota\": -1, \"burst\": 10, \"period\": 100000, \"realtimeRuntime\": 950000,"
		       "   \"realtimePeriod\": 1000000, \"cpus\": \"0-1,3\", \"mems\": \"0\", \"idle\": 1},"
		       " \"pids\": {\"limit\": -1},"
		       " \"blockIO\": {\"weight\": 10, \"leafWeight\": 1000,"
		       "   \"weightDevice\": [{\"major\": 8, \"minor\": 0, \"weight\": 500}],"
		       "   \"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 1048576}],"
		       "   \"throttleWriteBpsDevice\": [{\"major\": 8, \"minor\": 16, \"rate\": 2}],"
		       "   \"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 3}],"
		       "   \"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0, \"rate\": 4},"
		       "                               {\"major\": 8, \"minor\": 1, \"rate\": 5}]},"
		       " \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 209715200}, {\"pageSize\": \"1GB\", \"limit\": 0}],"
		       " \"network\": {\"classID\": 1048577, \"priorities\": [{\"name\": \"eth0\", \"priority\": 5}]},"
		       " \"rdma\": {\"mlx5_1\": {\"hcaHandles\": 3, \"hcaObjects\": 10000}, \"mlx4_0\": {}},"
		       " \"unified\": {\"memory.high\": \"max\", \"io.weight\": \"default 100\"}}",
		       "linux/sysctl", "{\"kernel.shmmax\": \"1024\", \"fs.mqueue.queues_max\": \"10\","
		       " \"kernel/domainname\": \"x\"}",
		       "linux/cgroupsPath", "\"\"",
		       "linux/rootfsPropagation", "\"rslave\"",
		       "linux/maskedPaths", "[\"/proc//kcore\", \"/a/../b\"]",
		       "linux/readonlyPaths", "[\"/proc/sys\"]",
		       "linux/mountLabel", "\"system_u:object_r:container_file_t:s0\"",
		       "linux/personality", "{\"domain\": \"LINUX32\", \"flags\": []}",
		       "linux/seccomp",
		       "{\"defaultAction\": \"SCMP_ACT_KILL_PROCESS\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\","
		       " \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"listenerPath\": \"/run/notify.sock\","
		       " \"listenerMetadata\": \"meta\", \"architectures\": null,"
		       " \"syscalls\": [{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"},"
		       " {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 4095},"
		       " {\"names\": [\"kill\"], \"action\": \"SCMP_ACT_LOG\", \"args\": [{\"index\": 5,"
		       " \"value\": \"@BIG:18446744073709551615@\", \"valueTwo\": \"@BIG:9223372036854775808@\", \"op\": \"SCMP_CMP_GE\"}]}]}",
		       "hooks", "{\"createRuntime\": [{\"path\": \"/bin/true\", \"env\": [\"A=1\"], \"timeout\": 5}],"
		       " \"poststop\": [{\"path\": \"/bin/false\"}, {\"path\": \"/bin/x\", \"args\": null}],"
		       " \"unknownKind\": 3}",
		       "annotations", "{}",
		       "unknownTopLevel", "{\"x\": [1, 2]}");
	struct spec *s = parse_ok(j);
	const struct spec_linux *l = &s->linux;
	const struct spec_resources *r = l->resources;
	const struct spec_seccomp *sc = l->seccomp;

	(void)state;
	assert_true(s->process.has_console_size);
	assert_int_equal(s->process.console_height, 24);
	assert_int_equal(s->process.console_width, 80);
	assert_int_equal(s->process.caps.bounding, capmask(2, "CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE"));
	assert_true(s->process.caps.bounding >> 40 == 1);
	assert_int_equal(s->process.caps.inheritable, 0);
	assert_int_equal(s->process.caps.ambient, 1);
	assert_int_equal(s->process.oom_score_adj.v, -1000);
	assert_string_equal(s->process.user.username, "root");
	assert_string_equal(s->domainname, "example.org");
	assert_string_equal(l->ns[NS_IPC].path, "/proc/1/ns/ipc");
	assert_true(l->ns[NS_NET].present);
	assert_null(l->ns[NS_NET].path);
	assert_true(l->ns[NS_TIME].present);
	assert_int_equal(l->n_gid_mappings, 2);
	assert_int_equal(l->gid_mappings[1].host_id, 4294901759u);
	assert_true(l->time_monotonic.set);
	assert_int_equal(l->time_monotonic.secs, -86400);
	assert_int_equal(l->time_monotonic.nanosecs, 999999999);
	assert_int_equal(l->time_boottime.secs, 3600);
	assert_int_equal(l->n_devices, 3);
	assert_int_equal(l->devices[0].file_mode.v, 0666);
	assert_int_equal(l->devices[1].type, 'p');
	assert_false(l->devices[1].file_mode.set);
	assert_int_equal(l->devices[2].type, 'b');
	assert_int_equal(l->devices[2].file_mode.v, 0660); /* podman's st_mode: S_IFBLK dropped */

	assert_string_equal(r->devices[0].access, "rwm");
	assert_int_equal(r->devices[0].minor, -1);
	assert_int_equal(r->devices[1].major, -1);
	assert_string_equal(r->devices[1].access, "rwm");
	assert_int_equal(r->memory.limit.v, -1);
	assert_int_equal(r->memory.kernel_tcp.v, 5);
	assert_int_equal(r->memory.swappiness.v, 100);
	assert_true(r->memory.use_hierarchy.v && r->memory.check_before_update.v);
	assert_int_equal(r->cpu.burst.v, 10);
	assert_int_equal(r->cpu.realtime_runtime.v, 950000);
	assert_int_equal(r->cpu.idle.v, 1);
	assert_string_equal(r->cpu.cpus, "0-1,3");
	assert_string_equal(r->cpu.mems, "0");
	assert_int_equal(r->pids.limit.v, -1);
	assert_int_equal(r->block_io.weight.v, 10);
	assert_int_equal(r->block_io.leaf_weight.v, 1000);
	assert_int_equal(r->block_io.weight_device[0].weight.v, 500);
	assert_false(r->block_io.weight_device[0].leaf_weight.set);
	assert_int_equal(r->block_io.throttle_read_bps[0].rate, 1048576);
	assert_int_equal(r->block_io.throttle_write_bps[0].minor, 16);
	assert_int_equal(r->block_io.n_throttle_write_iops, 2);
	assert_int_equal(r->block_io.throttle_write_iops[1].rate, 5);
	assert_int_equal(r->n_hugepage_limits, 2);
	assert_string_equal(r->hugepage_limits[1].page_size, "1GB");
	assert_int_equal(r->network.class_id.v, 1048577);
	assert_string_equal(r->network.priorities[0].name, "eth0");
	assert_int_equal(r->n_rdma, 2);
	assert_string_equal(r->rdma[0].device, "mlx5_1");
	assert_int_equal(r->rdma[0].hca_objects.v, 10000);
	assert_false(r->rdma[1].hca_handles.set);
	assert_int_equal(r->n_unified, 2);
	assert_string_equal(r->unified[1].value, "default 100");
	assert_int_equal(l->n_sysctl, 3);
	assert_null(l->cgroups_path);
	assert_int_equal(l->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_string_equal(l->masked_paths[0], "/proc/kcore");
	assert_string_equal(l->masked_paths[1], "/b");
	assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
	assert_true(l->personality.set);
	assert_int_equal(l->personality.v, PER_LINUX32);

	assert_int_equal(sc->default_action, SECCOMP_ACTION_KILL_PROCESS);
	assert_int_equal(sc->n_flags, 2);
	assert_int_equal(sc->n_architectures, 0);
	assert_null(sc->architectures);
	assert_string_equal(sc->listener_path, "/run/notify.sock");
	assert_string_equal(sc->listener_metadata, "meta");
	assert_int_equal(sc->syscalls[0].action, SECCOMP_ACTION_NOTIFY);
	assert_int_equal(sc->syscalls[1].errno_ret.v, 4095);
	assert_int_equal(sc->syscalls[2].args[0].index, 5);
	assert_true(sc->syscalls[2].args[0].value == UINT64_MAX);
	assert_true(sc->syscalls[2].args[0].value_two == UINT64_C(9223372036854775808));
	assert_int_equal(sc->syscalls[2].args[0].op, SECCOMP_OP_GE);

	assert_int_equal(s->hooks.n_hooks[HOOK_CREATE_RUNTIME], 1);
	assert_int_equal(s->hooks.hooks[HOOK_CREATE_RUNTIME][0].timeout, 5);
	assert_string_equal(s->hooks.hooks[HOOK_CREATE_RUNTIME][0].env[0], "A=1");
	assert_int_equal(s->hooks.n_hooks[HOOK_POSTSTOP], 2);
	assert_null(s->hooks.hooks[HOOK_POSTSTOP][1].args);
	assert_int_equal(s->n_annotations, 0);
	assert_string_equal(s->annotations_json, "{}");
	spec_free(s);
	free(j);
}

static void test_mount_paths(void **state)
{
	char *j = EDIT("mounts/1", "{\"destination\": \"/../a/./b//c/..\", \"type\": \"tmpfs\"}",
		       "mounts/2", "{\"destination\": \"run\", \"source\": \"data/x\", \"options\": [\"rbind\", \"ro\"]}",
		       "mounts/3", "{\"destination\": \"/abs\", \"type\": \"bind\", \"source\": \"/host/../x\"}",
		       "mounts/4", "{\"destination\": \"/idm\", \"type\": \"bind\", \"source\": \"/h\","
		       " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
		       " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}",
		       "mounts/5", "{\"destination\": \"/r\", \"source\": \"/h\", \"options\": [\"rbind\", \"ridmap\"],"
		       " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}],"
		       " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}",
		       "mounts/6", "{\"destination\": \"/\", \"type\": \"tmpfs\", \"source\": \"rel\", \"options\": null}");
	struct spec *s = parse_ok(j);

	(void)state;
	assert_string_equal(s->mounts[1].destination, "/a/b");
	assert_null(s->mounts[1].source);
	assert_string_equal(s->mounts[2].destination, "/run");
	assert_null(s->mounts[2].type);
	assert_string_equal(s->mounts[2].source, "/bundle/data/x");
	assert_int_equal(s->mounts[2].n_options, 2);
	assert_string_equal(s->mounts[2].options[1], "ro");
	assert_null(s->mounts[2].options[2]);
	assert_true(s->mounts[3].opts.bind);
	assert_int_equal(s->mounts[3].opts.flags, MS_BIND);
	assert_string_equal(s->mounts[3].source, "/host/../x");
	assert_int_equal(s->mounts[4].opts.extensions, SPEC_MOUNT_IDMAP);
	assert_int_equal(s->mounts[4].n_uid_mappings, 1);
	assert_int_equal(s->mounts[4].gid_mappings[0].host_id, 1000);
	assert_int_equal(s->mounts[5].opts.extensions, SPEC_MOUNT_RIDMAP);
	assert_string_equal(s->mounts[6].destination, "/");
	assert_string_equal(s->mounts[6].source, "rel");
	assert_null(s->mounts[6].options);
	spec_free(s);
	free(j);

	/* root.path: relative to the bundle, or absolute; cleaned either way. */
	j = EDIT("root/path", "\"../x/./rootfs/\"");
	s = parse_ok(j);
	assert_string_equal(s->root_path, "/x/rootfs");
	spec_free(s);
	free(j);
	j = EDIT("root/path", "\"/var//lib/../rootfs\"", "root/readonly", "false");
	s = parse_ok(j);
	assert_string_equal(s->root_path, "/var/rootfs");
	assert_false(s->root_readonly);
	spec_free(s);
	free(j);
}

static void test_lenient(void **state)
{
	(void)state;
	/* Any 1.x version; nulls are absent; unknown keys ignored; a user
	 * namespace joined by path needs no mappings. */
	EXPECT_OK("ociVersion", "\"1.3.0\"");
	EXPECT_OK("ociVersion", "\"1.0.0-rc5\"");
	EXPECT_OK("hostname", "null", "process/env", "null", "process/capabilities", "null", "linux/resources", "null");
	EXPECT_OK("linux/namespaces/2", "{\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}");
	EXPECT_OK("hostname", "\"\"");
	EXPECT_OK("linux", "null");
	EXPECT_OK("linux/resources/memory", "{\"swappiness\": \"@BIG:18446744073709551615@\"}");
	{
		/* Go engines write an unset swappiness as uint64(-1). */
		char *j = EDIT("linux/resources/memory", "{\"swappiness\": \"@BIG:18446744073709551615@\"}");
		struct spec *s = parse_ok(j);
		assert_false(s->linux.resources->memory.swappiness.set);
		spec_free(s);
		free(j);
	}
	EXPECT_OK("linux/resources/devices", "[{\"allow\": true, \"type\": \"\", \"access\": \"\"}]");
	EXPECT_OK("linux/sysctl", "{\"net.ipv4.ip_forward\": \"1\"}", "linux/namespaces/2", "{\"type\": \"network\"}");
	EXPECT_OK("linux/sysctl", "{\"kernel.hostname\": \"x\"}", "linux/namespaces/2", "{\"type\": \"uts\"}");
	EXPECT_OK("process/rlimits/1", "{\"type\": \"RLIMIT_CORE\", \"soft\": 0, \"hard\": \"@BIG:18446744073709551615@\"}");
	EXPECT_OK("linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"\"}");
}

/* ---------------------------------------------------------------- errors */

static void test_err_json(void **state)
{
	(void)state;
	parse_fails("{\"ociVersion\": \"1.0.0\",\n \"process\": {\n  \"args\": [\"a\"] ]\n}",
		    "config.json:3:17: invalid JSON: '}' expected near ']'");
	parse_fails("", "config.json:1:0: invalid JSON: '[' or '{' expected near end of file");
	parse_fails("[]", "config.json: must be a JSON object");
	parse_fails("{\"a\": 1} x", "config.json:1:10: invalid JSON: end of file expected near 'x'");
	parse_fails("{\"a\": 18446744073709551616}",
		    "config.json:1:26: invalid JSON: too big integer near '18446744073709551616'");
	parse_fails("{\"a\": \"\\u0000\"}",
		    "config.json:1:14: invalid JSON: \\u0000 is not allowed without JSON_ALLOW_NUL near '\"\\u0000\"'");
	/* Indented text is parsed without its layout (drop_layout): the same
	 * tokens, so what is invalid stays invalid, reported where written. */
	parse_fails("{\n  \"ociVersion\": \"1.0.0\",\n  \"process\": {\n    \"args\": [\"a\"],\n"
		    "    \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 1 024, \"hard\": 1}]\n  }\n}",
		    "config.json:5:51: invalid JSON: '}' expected near '0'");
	parse_fails("{\n  \"ociVersion\": \"1.0.0\",\n  \"a\": tr ue\n}",
		    "config.json:3:9: invalid JSON: invalid token near 'tr'");
	parse_fails("{\n  \"ociVersion\": \"1.0.0\",\n  \"a\": - 1\n}",
		    "config.json:3:8: invalid JSON: invalid token near '-'");
	parse_fails("{\n  \"ociVersion\": \"1.0.0\",\n  \"a\": \"x\" \"y\"\n}",
		    "config.json:3:14: invalid JSON: '}' expected near '\"y\"'");
	parse_fails("{\n  \"ociVersion\": \"1.0.0\",\n  \"a\": \"x\\\" }\n",
		    "config.json:3:13: invalid JSON: unexpected newline near '\"x\\\" }'");
}

/* Strings keep their spaces, escaped quotes and backslashes when the layout
 * around them is dropped. */
static void test_layout_strings(void **state)
{
	static const char json[] =
		"{\n\t\"ociVersion\" : \"1.0.2\" ,\r\n\t\"root\": {\"path\": \"rootfs\"},\n"
		"\t\"process\": {\n\t\t\"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0},\n"
		"\t\t\"args\": [ \"a b\" , \"c\\\" d\",\"e\\\\\", \"  \", \"x\\ty\" ,\"\\\\\\\"\\\\\" ]\n\t}\n}\n";
	struct spec *s;

	(void)state;
	s = parse_ok(json);
	assert_int_equal(s->process.n_args, 6);
	assert_string_equal(s->process.args[0], "a b");
	assert_string_equal(s->process.args[1], "c\" d");
	assert_string_equal(s->process.args[2], "e\\");
	assert_string_equal(s->process.args[3], "  ");
	assert_string_equal(s->process.args[4], "x\ty");
	assert_string_equal(s->process.args[5], "\\\"\\");
	spec_free(s);
}

static void test_err_load(void **state)
{
	struct silo_error err = { 0 };
	struct spec *s = NULL;
	char tmpl[] = "/tmp/spec-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);
	char path[256], expect[512];
	FILE *f;

	(void)state;
	assert_non_null(dir);
	assert_int_equal(spec_load(dir, NULL, &s, &err), -1);
	snprintf(expect, sizeof(expect), "open %s/config.json: no such file or directory", dir);
	assert_string_equal(err.msg, expect);
	assert_int_equal(err.errnum, ENOENT);

	snprintf(path, sizeof(path), "%s/config.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(base_json, f);
	fclose(f);
	assert_int_equal(spec_load(dir, NULL, &s, &err), 0);
	snprintf(expect, sizeof(expect), "%s/rootfs", dir);
	assert_string_equal(s->root_path, expect);
	spec_free(s);
	/* --config: errors name the file as given */
	assert_int_equal(spec_load(dir, dir, &s, &err), -1);
	snprintf(expect, sizeof(expect), "open %s: not a regular file", dir);
	assert_string_equal(err.msg, expect);
	f = fopen(path, "w");
	fputs("{\"ociVersion\": 1}", f);
	fclose(f);
	assert_int_equal(spec_load("/nonexistent", path, &s, &err), -1);
	snprintf(expect, sizeof(expect), "%s: ociVersion: must be a string", path);
	assert_string_equal(err.msg, expect);
	unlink(path);
	rmdir(dir);
}

static void test_err_version_root(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: ociVersion: missing", "ociVersion", NULL);
	EXPECT_ERROR("config.json: ociVersion: must be a string", "ociVersion", "1.0");
	EXPECT_ERROR("config.json: ociVersion: unsupported version \"2.0.0\": silo implements the 1.x runtime-spec",
		     "ociVersion", "\"2.0.0\"");
	EXPECT_ERROR("config.json: ociVersion: unsupported version \"0.6.0\": silo implements the 1.x runtime-spec",
		     "ociVersion", "\"0.6.0\"");
	EXPECT_ERROR("config.json: ociVersion: invalid version \"v1.0\"", "ociVersion", "\"v1.0\"");
	EXPECT_ERROR("config.json: ociVersion: invalid version \"\"", "ociVersion", "\"\"");
	EXPECT_ERROR("config.json: root: missing", "root", NULL);
	EXPECT_ERROR("config.json: root: must be an object", "root", "\"rootfs\"");
	EXPECT_ERROR("config.json: root.path: missing", "root/path", NULL);
	EXPECT_ERROR("config.json: root.path: must not be empty", "root/path", "\"\"");
	EXPECT_ERROR("config.json: root.readonly: must be true or false", "root/readonly", "1");
}

static void test_err_process(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: process: missing", "process", NULL);
	EXPECT_ERROR("config.json: process.args: must be a non-empty array of strings", "process/args", NULL);
	EXPECT_ERROR("config.json: process.args: must be a non-empty array of strings", "process/args", "[]");
	EXPECT_ERROR("config.json: process.args: must be a non-empty array of strings", "process/args", "\"sh\"");
	EXPECT_ERROR("config.json: process.args: must be a non-empty array of strings", "process/args", "[\"sh\", 1]");
	EXPECT_ERROR("config.json: process.cwd: missing", "process/cwd", NULL);
	EXPECT_ERROR("config.json: process.cwd: must be an absolute path", "process/cwd", "\"tmp\"");
	EXPECT_ERROR("config.json: process.user: missing", "process/user", NULL);
	EXPECT_ERROR("config.json: process.user.uid: missing", "process/user/uid", NULL);
	EXPECT_ERROR("config.json: process.user.gid: must be a non-negative integer, not -1", "process/user/gid", "-1");
	EXPECT_ERROR("config.json: process.user.uid: must be at most 4294967295, not 4294967296", "process/user/uid", "4294967296");
	EXPECT_ERROR("config.json: process.user.uid: must be a non-negative integer, not 1.5", "process/user/uid", "1.5");
	EXPECT_ERROR("config.json: process.user.additionalGids[1]: must be a non-negative integer, not ?2?",
		     "process/user/additionalGids", "[1, \"2\"]");
	EXPECT_ERROR("config.json: process.user.umask: must be at most 511, not 512", "process/user/umask", "512");
	EXPECT_ERROR("config.json: process.env[1]: \"NOEQUALS\" is not of the form KEY=VALUE",
		     "process/env", "[\"A=1\", \"NOEQUALS\"]");
	EXPECT_ERROR("config.json: process.env[0]: \"=x\" is not of the form KEY=VALUE", "process/env", "[\"=x\"]");
	EXPECT_ERROR("config.json: process.env[0]: must be a string", "process/env", "[{}]");
	EXPECT_ERROR("config.json: process.terminal: must be true or false", "process/terminal", "\"yes\"");
	EXPECT_ERROR("config.json: process.consoleSize.width: missing", "process/consoleSize", "{\"height\": 1}");
	EXPECT_ERROR("config.json: process.oomScoreAdj: must be between -1000 and 1000", "process/oomScoreAdj", "1001");
	EXPECT_ERROR("config.json: process.oomScoreAdj: must be an integer, not ?0?", "process/oomScoreAdj", "\"0\"");
}

/* exec's process.json: one process object, validated like config.json's. */
static void test_process_json(void **state)
{
	static const char ok[] = "{\"terminal\": true, \"consoleSize\": {\"height\": 3, \"width\": 4},"
		" \"args\": [\"/bin/sh\"], \"env\": [\"A=1\"], \"cwd\": \"/tmp\","
		" \"user\": {\"uid\": 5, \"gid\": 6, \"additionalGids\": [7]},"
		" \"capabilities\": {\"bounding\": [\"CAP_KILL\"]}, \"noNewPrivileges\": true}";
	struct silo_error err = { 0 };
	struct spec_process p;

	(void)state;
	assert_int_equal(spec_parse_process(ok, strlen(ok), "p.json", &p, &err), 0);
	assert_true(p.terminal && p.has_console_size && p.console_height == 3 && p.console_width == 4);
	assert_string_equal(p.args[0], "/bin/sh");
	assert_int_equal(p.n_env, 1);
	assert_string_equal(p.cwd, "/tmp");
	assert_int_equal(p.user.uid, 5);
	assert_int_equal(p.user.n_additional_gids, 1);
	assert_true(p.caps.set && p.caps.bounding == (UINT64_C(1) << 5));
	assert_true(p.no_new_privileges);
	assert_int_equal(p.n_rlimits, 0);
	spec_setenv(&p, "A", "2");
	spec_setenv(&p, "B", "3");
	assert_int_equal(p.n_env, 2);
	assert_string_equal(p.env[0], "A=2");
	assert_string_equal(p.env[1], "B=3");
	assert_null(p.env[2]);
	spec_process_clear(&p);
	assert_null(p.args);

	static const char noargs[] = "{\"args\": [], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}}";
	static const char relcwd[] = "{\"args\": [\"x\"], \"cwd\": \"rel\", \"user\": {\"uid\": 0, \"gid\": 0}}";

	assert_int_equal(spec_parse_process(noargs, strlen(noargs), "p.json", &p, &err), -1);
	assert_string_equal(err.msg, "p.json: process.args: must be a non-empty array of strings");
	assert_int_equal(spec_parse_process("[1]", 3, "p.json", &p, &err), -1);
	assert_string_equal(err.msg, "p.json: must be a JSON object");
	assert_int_equal(spec_parse_process(relcwd, strlen(relcwd), "p.json", &p, &err), -1);
	assert_non_null(strstr(err.msg, "process.cwd"));
}

static void test_err_caps(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: process.capabilities.bounding[4]: unknown capability \"CAP_FOO\"",
		     "process/capabilities/bounding",
		     "[\"CAP_KILL\", \"CAP_CHOWN\", \"CAP_SETUID\", \"CAP_SETGID\", \"CAP_FOO\"]");
	EXPECT_ERROR("config.json: process.capabilities.ambient[0]: unknown capability \"KILL\"",
		     "process/capabilities/ambient", "[\"KILL\"]");
	EXPECT_ERROR("config.json: process.capabilities.inheritable[0]: must be a string",
		     "process/capabilities/inheritable", "[5]");
	EXPECT_ERROR("config.json: process.capabilities.effective: must be an array",
		     "process/capabilities/effective", "\"CAP_KILL\"");
	EXPECT_ERROR("config.json: process.capabilities: must be an object", "process/capabilities", "[]");
	/* Control characters in user text do not reach the message. */
	EXPECT_ERROR("config.json: process.capabilities.bounding[0]: unknown capability \"CAP_?X\"",
		     "process/capabilities/bounding", "[\"CAP_\\nX\"]");
}

static void test_err_rlimits(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_X\"",
		     "process/rlimits/0/type", "\"RLIMIT_X\"");
	EXPECT_ERROR("config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"",
		     "process/rlimits/1", "{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}");
	EXPECT_ERROR("config.json: process.rlimits[0]: soft limit 2048 is above the hard limit 1024",
		     "process/rlimits/0/soft", "2048");
	EXPECT_ERROR("config.json: process.rlimits[0].hard: missing", "process/rlimits/0/hard", NULL);
	EXPECT_ERROR("config.json: process.rlimits[0].type: missing", "process/rlimits/0/type", NULL);
	EXPECT_ERROR("config.json: process.rlimits[0].soft: must be a non-negative integer, not -1",
		     "process/rlimits/0/soft", "-1");
	EXPECT_ERROR("config.json: process.rlimits[0]: must be an object", "process/rlimits/0", "7");
}

static void test_err_mounts(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: mounts[3].destination: must be an absolute path",
		     "mounts/1", "{\"destination\": \"/a\"}", "mounts/2", "{\"destination\": \"/b\"}",
		     "mounts/3", "{\"destination\": \"\"}");
	EXPECT_ERROR("config.json: mounts[0].destination: missing", "mounts/0/destination", NULL);
	EXPECT_ERROR("config.json: mounts[0].type: must be a string", "mounts/0/type", "5");
	EXPECT_ERROR("config.json: mounts[0].options[1]: must be a string", "mounts/0/options", "[\"ro\", null]");
	EXPECT_ERROR("config.json: mounts[0].source: missing (a bind mount needs a source)",
		     "mounts/0", "{\"destination\": \"/x\", \"type\": \"bind\"}");
	EXPECT_ERROR("config.json: mounts[0].source: missing (a bind mount needs a source)",
		     "mounts/0", "{\"destination\": \"/x\", \"options\": [\"rbind\"], \"source\": \"\"}");
	EXPECT_ERROR("config.json: mounts[0]: an id-mapped mount needs both uidMappings and gidMappings",
		     "mounts/0", "{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/y\","
		     " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}");
	EXPECT_ERROR("config.json: mounts[0]: id mappings are only supported for bind mounts",
		     "mounts/0", "{\"destination\": \"/x\", \"type\": \"tmpfs\","
		     " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}],"
		     " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}");
	EXPECT_ERROR("config.json: mounts[0].uidMappings[0]: size must be at least 1",
		     "mounts/0", "{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/y\","
		     " \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 0}]}");
	EXPECT_ERROR("config.json: mounts: must be an array", "mounts", "{}");
	EXPECT_ERROR("config.json: mounts[0]: must be an object", "mounts/0", "\"/proc\"");
}

static void test_err_namespaces(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: linux.namespaces[2].type: unknown namespace \"foo\"",
		     "linux/namespaces/2", "{\"type\": \"foo\"}");
	EXPECT_ERROR("config.json: linux.namespaces[2].type: duplicate namespace \"pid\"",
		     "linux/namespaces/2", "{\"type\": \"pid\", \"path\": \"/proc/1/ns/pid\"}");
	EXPECT_ERROR("config.json: linux.namespaces[1].type: missing", "linux/namespaces/1", "{}");
	EXPECT_ERROR("config.json: linux.namespaces[0].path: must be an absolute path",
		     "linux/namespaces/0/path", "\"proc/1/ns/pid\"");
	EXPECT_ERROR("config.json: linux.uidMappings: requires a user namespace (linux.namespaces has no \"user\")",
		     "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
		     "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]");
	EXPECT_ERROR("config.json: linux.uidMappings: missing (a new user namespace needs uid and gid mappings)",
		     "linux/namespaces/2", "{\"type\": \"user\"}");
	EXPECT_ERROR("config.json: linux.gidMappings: missing (a new user namespace needs uid and gid mappings)",
		     "linux/namespaces/2", "{\"type\": \"user\"}",
		     "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]");
	EXPECT_ERROR("config.json: linux.uidMappings[0]: range goes past id 4294967294",
		     "linux/namespaces/2", "{\"type\": \"user\"}",
		     "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 4294967295, \"size\": 2}]");
	/* the kernel's map_write: first + size must not wrap to 0 */
	EXPECT_ERROR("config.json: linux.uidMappings[0]: range goes past id 4294967294",
		     "linux/namespaces/2", "{\"type\": \"user\"}",
		     "linux/uidMappings", "[{\"containerID\": 1, \"hostID\": 0, \"size\": 4294967295}]");
	EXPECT_ERROR("config.json: linux.gidMappings[0]: range goes past id 4294967294",
		     "linux/namespaces/2", "{\"type\": \"user\"}",
		     "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 0, \"size\": 4294967295}]",
		     "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 4294901760, \"size\": 65536}]");
	EXPECT_OK("linux/namespaces/2", "{\"type\": \"user\"}",
		  "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 0, \"size\": 4294967295}]",
		  "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 4294901759, \"size\": 65536}]");
	/* overlapping ranges, which the kernel refuses with EINVAL at the write */
	EXPECT_ERROR("config.json: linux.uidMappings: [0] and [1] overlap in container ids",
		     "linux/namespaces/2", "{\"type\": \"user\"}",
		     "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 10},"
		     " {\"containerID\": 9, \"hostID\": 5000, \"size\": 1}]",
		     "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]");
	EXPECT_ERROR("config.json: linux.gidMappings: [0] and [2] overlap in host ids",
		     "linux/namespaces/2", "{\"type\": \"user\"}",
		     "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]",
		     "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 10},"
		     " {\"containerID\": 10, \"hostID\": 2000, \"size\": 1},"
		     " {\"containerID\": 20, \"hostID\": 995, \"size\": 6}]");
	EXPECT_OK("linux/namespaces/2", "{\"type\": \"user\"}",
		  "linux/uidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 10},"
		  " {\"containerID\": 10, \"hostID\": 990, \"size\": 10}]",
		  "linux/gidMappings", "[{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]");
	EXPECT_ERROR("config.json: mounts[0].uidMappings: [0] and [1] overlap in container ids",
		     "mounts/0", "{\"destination\": \"/x\", \"type\": \"bind\", \"source\": \"/y\","
		     " \"uidMappings\": [{\"containerID\": 5, \"hostID\": 1, \"size\": 1},"
		     " {\"containerID\": 0, \"hostID\": 2, \"size\": 6}],"
		     " \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]}");
	EXPECT_ERROR("config.json: linux.uidMappings[0].hostID: missing",
		     "linux/namespaces/2", "{\"type\": \"user\"}", "linux/uidMappings", "[{\"containerID\": 0, \"size\": 2}]");
	EXPECT_ERROR("config.json: linux.timeOffsets: requires a time namespace (linux.namespaces has no \"time\")",
		     "linux/timeOffsets", "{\"monotonic\": {\"secs\": 1}}");
	EXPECT_ERROR("config.json: linux.timeOffsets.boottime.nanosecs: must be at most 999999999, not 1000000000",
		     "linux/namespaces/2", "{\"type\": \"time\"}",
		     "linux/timeOffsets", "{\"boottime\": {\"nanosecs\": 1000000000}}");
	EXPECT_ERROR("config.json: linux.timeOffsets[\"realtime\"]: unknown clock (only \"monotonic\" and \"boottime\" can be offset)",
		     "linux/namespaces/2", "{\"type\": \"time\"}", "linux/timeOffsets", "{\"realtime\": {}}");
	EXPECT_ERROR("config.json: linux.timeOffsets: cannot be set when joining an existing time namespace",
		     "linux/namespaces/2", "{\"type\": \"time\", \"path\": \"/proc/1/ns/time\"}",
		     "linux/timeOffsets", "{\"monotonic\": {\"secs\": 1}}");
	EXPECT_ERROR("config.json: hostname: setting the hostname requires a UTS namespace (linux.namespaces has no \"uts\")",
		     "hostname", "\"box\"");
	EXPECT_ERROR("config.json: domainname: setting the domainname requires a UTS namespace (linux.namespaces has no \"uts\")",
		     "domainname", "\"example.org\"");
}

static void test_err_devices(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: linux.devices[0].type: unknown device type \"x\" (c, b, u or p)",
		     "linux/devices", "[{\"path\": \"/dev/x\", \"type\": \"x\", \"major\": 1, \"minor\": 1}]");
	EXPECT_ERROR("config.json: linux.devices[0].path: must be an absolute path",
		     "linux/devices", "[{\"path\": \"dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 1}]");
	EXPECT_ERROR("config.json: linux.devices[0].major: missing",
		     "linux/devices", "[{\"path\": \"/dev/x\", \"type\": \"u\", \"minor\": 1}]");
	EXPECT_ERROR("config.json: linux.devices[0].fileMode: must be at most 65535, not 65536",
		     "linux/devices", "[{\"path\": \"/dev/x\", \"type\": \"p\", \"fileMode\": 65536}]");
	EXPECT_ERROR("config.json: linux.devices[0].fileMode: file type bits 060000 do not match type \"c\"",
		     "linux/devices", "[{\"path\": \"/dev/x\", \"type\": \"c\", \"major\": 1, \"minor\": 3,"
		     " \"fileMode\": 25014}]");
	EXPECT_ERROR("config.json: linux.resources.devices[1].access: \"rwx\" is not a subset of \"rwm\"",
		     "linux/resources/devices", "[{\"allow\": false}, {\"allow\": true, \"access\": \"rwx\"}]");
	EXPECT_ERROR("config.json: linux.resources.devices[0].type: unknown device type \"u\" (a, b or c)",
		     "linux/resources/devices", "[{\"allow\": true, \"type\": \"u\"}]");
	EXPECT_ERROR("config.json: linux.resources.devices[0].allow: missing", "linux/resources/devices", "[{}]");
	EXPECT_ERROR("config.json: linux.resources.devices[0].major: must be -1 (any) or a device number",
		     "linux/resources/devices", "[{\"allow\": true, \"major\": -2}]");
}

static void test_err_resources(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: linux.resources.memory.swappiness: must be at most 100, not 101",
		     "linux/resources/memory", "{\"swappiness\": 101}");
	EXPECT_ERROR("config.json: linux.resources.memory.limit: must be -1 (unlimited) or a non-negative integer, not -2",
		     "linux/resources/memory", "{\"limit\": -2}");
	EXPECT_ERROR("config.json: linux.resources.memory.disableOOMKiller: must be true or false",
		     "linux/resources/memory", "{\"disableOOMKiller\": 0}");
	EXPECT_ERROR("config.json: linux.resources.cpu.cpus: \"abc\": expected a number at position 1, found \"a\"",
		     "linux/resources/cpu", "{\"cpus\": \"abc\"}");
	EXPECT_ERROR("config.json: linux.resources.cpu.mems: \"3-1\": range 3-1 at position 1 ends before it starts",
		     "linux/resources/cpu", "{\"mems\": \"3-1\"}");
	EXPECT_ERROR("config.json: linux.resources.cpu.cpus: \"0-3,99999999999\": number at position 5 is above 65535",
		     "linux/resources/cpu", "{\"cpus\": \"0-3,99999999999\"}");
	EXPECT_ERROR("config.json: linux.resources.cpu.cpus: \",\": selects nothing (\"\" leaves the setting unset)",
		     "linux/resources/cpu", "{\"cpus\": \",\"}");
	EXPECT_ERROR("config.json: linux.resources.cpu.idle: must be between 0 and 1, not 2",
		     "linux/resources/cpu", "{\"idle\": 2}");
	EXPECT_ERROR("config.json: linux.resources.cpu.shares: must be a non-negative integer, not -1",
		     "linux/resources/cpu", "{\"shares\": -1}");
	EXPECT_ERROR("config.json: linux.resources.pids.limit: must be an integer, not ?max?",
		     "linux/resources/pids", "{\"limit\": \"max\"}");
	EXPECT_ERROR("config.json: linux.resources.blockIO.weight: must be between 10 and 1000",
		     "linux/resources/blockIO", "{\"weight\": 5}");
	EXPECT_ERROR("config.json: linux.resources.blockIO.weightDevice[0].leafWeight: must be between 10 and 1000",
		     "linux/resources/blockIO", "{\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"leafWeight\": 1001}]}");
	EXPECT_ERROR("config.json: linux.resources.blockIO.throttleReadBpsDevice[0].rate: missing",
		     "linux/resources/blockIO", "{\"throttleReadBpsDevice\": [{\"major\": 8, \"minor\": 0}]}");
	EXPECT_ERROR("config.json: linux.resources.hugepageLimits[0].pageSize: \"2M\" is not a page size such as \"2MB\"",
		     "linux/resources/hugepageLimits", "[{\"pageSize\": \"2M\", \"limit\": 1}]");
	EXPECT_ERROR("config.json: linux.resources.network.priorities[0].priority: missing",
		     "linux/resources/network", "{\"priorities\": [{\"name\": \"eth0\"}]}");
	EXPECT_ERROR("config.json: linux.resources.rdma[\"mlx\"].hcaHandles: must be at most 4294967295, not 4294967296",
		     "linux/resources/rdma", "{\"mlx\": {\"hcaHandles\": 4294967296}}");
	EXPECT_ERROR("config.json: linux.resources.unified[\"../../release_agent\"]: not a cgroup file name such as \"memory.max\"",
		     "linux/resources/unified", "{\"../../release_agent\": \"x\"}");
	EXPECT_ERROR("config.json: linux.resources.unified[\"memory.max\"]: must be a string",
		     "linux/resources/unified", "{\"memory.max\": 5}");
}

static void test_err_sysctl(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: linux.sysctl[\"kernel.foo\"]: not in a separate kernel namespace (the host's value would change)",
		     "linux/sysctl", "{\"kernel.foo\": \"1\"}");
	EXPECT_ERROR("config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: requires a network namespace (linux.namespaces has no \"network\")",
		     "linux/sysctl", "{\"net.ipv4.ip_forward\": \"1\"}");
	EXPECT_ERROR("config.json: linux.sysctl[\"kernel.shmmax\"]: requires a ipc namespace (linux.namespaces has no \"ipc\")",
		     "linux/sysctl", "{\"kernel.shmmax\": \"1\"}");
	EXPECT_ERROR("config.json: linux.sysctl[\"net/../../x\"]: not a sysctl name",
		     "linux/sysctl", "{\"net/../../x\": \"1\"}");
	EXPECT_ERROR("config.json: linux.sysctl[\"net.x\"]: must be a string", "linux/sysctl", "{\"net.x\": 1}");
}

static void test_err_seccomp(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: linux.seccomp.defaultAction: missing", "linux/seccomp", "{}");
	EXPECT_ERROR("config.json: linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_FOO\"}");
	EXPECT_ERROR("config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[1]: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath (the agent's socket)",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_LOG\"},"
		     "{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for recvmsg "
		     "(the runtime hands the notify fd to the agent with it)",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/run/a.sock\","
		     " \"syscalls\": [{\"names\": [\"mkdir\", \"recvmsg\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
	EXPECT_ERROR("config.json: linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}");
	EXPECT_ERROR("config.json: linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_Z80\"]}");
	EXPECT_ERROR("config.json: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_FOO\"]}");
	EXPECT_ERROR("config.json: linux.seccomp.listenerPath: must be an absolute path",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"x.sock\"}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0].names: must be a non-empty array of strings",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], \"action\": \"SCMP_ACT_KILL\"}]}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0].action: missing",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"]}]}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": \"SCMP_ACT_KILL\", \"errnoRet\": 1}]}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0].args[0].index: must be at most 5, not 6",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": \"SCMP_ACT_KILL\","
		     " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0].args[0].op: unknown operator \"SCMP_CMP_XX\"",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": \"SCMP_ACT_KILL\","
		     " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_XX\"}]}]}");
	EXPECT_ERROR("config.json: linux.seccomp.syscalls[0].args[0].value: missing",
		     "linux/seccomp", "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": \"SCMP_ACT_KILL\","
		     " \"args\": [{\"index\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}");
}

static void test_err_linux_misc(void **state)
{
	(void)state;
	EXPECT_ERROR("config.json: linux: must be an object", "linux", "[]");
	EXPECT_ERROR("config.json: linux.rootfsPropagation: unknown propagation \"rbind\"",
		     "linux/rootfsPropagation", "\"rbind\"");
	EXPECT_ERROR("config.json: linux.maskedPaths[1]: must be an absolute path",
		     "linux/maskedPaths", "[\"/proc/kcore\", \"proc/keys\"]");
	EXPECT_ERROR("config.json: linux.readonlyPaths[0]: must be an absolute path", "linux/readonlyPaths", "[\"\"]");
	EXPECT_ERROR("config.json: linux.personality.domain: unknown domain \"LINUX64\" (LINUX or LINUX32)",
		     "linux/personality", "{\"domain\": \"LINUX64\"}");
	EXPECT_ERROR("config.json: linux.personality.domain: missing", "linux/personality", "{}");
	EXPECT_ERROR("config.json: linux.cgroupsPath: must be a string", "linux/cgroupsPath", "7");
}

static void test_err_hooks_annotations(void **state)
{
	struct spec_hooks hooks;
	struct silo_error err = { 0 };

	(void)state;
	EXPECT_ERROR("config.json: hooks.poststart[0].path: must be an absolute path",
		     "hooks", "{\"poststart\": [{\"path\": \"hook.sh\"}]}");
	EXPECT_ERROR("config.json: hooks.prestart[1].path: missing",
		     "hooks", "{\"prestart\": [{\"path\": \"/a\"}, {\"args\": [\"x\"]}]}");
	EXPECT_ERROR("config.json: hooks.createContainer[0].timeout: must be a positive number of seconds",
		     "hooks", "{\"createContainer\": [{\"path\": \"/a\", \"timeout\": 0}]}");
	EXPECT_ERROR("config.json: hooks.startContainer[0].args[0]: must be a string",
		     "hooks", "{\"startContainer\": [{\"path\": \"/a\", \"args\": [1]}]}");
	EXPECT_ERROR("config.json: hooks.poststop: must be an array", "hooks", "{\"poststop\": {}}");
	EXPECT_ERROR("config.json: annotations[\"org.x\"]: must be a string", "annotations", "{\"org.x\": true}");

	assert_int_equal(spec_parse_hooks("{\"poststop\": [{\"path\": \"/x\", \"timeout\": 3}]}", &hooks, &err), 0);
	assert_int_equal(hooks.n_hooks[HOOK_POSTSTOP], 1);
	assert_int_equal(hooks.hooks[HOOK_POSTSTOP][0].timeout, 3);
	spec_hooks_free(&hooks);
	assert_int_equal(spec_parse_hooks("{}", &hooks, &err), 0);
	assert_null(hooks.hooks[HOOK_PRESTART]);
	assert_int_equal(spec_parse_hooks("{\"prestart\": [{\"path\": \"x\"}]}", &hooks, &err), -1);
	assert_string_equal(err.msg, "hooks.prestart[0].path: must be an absolute path");
	assert_null(hooks.hooks[HOOK_PRESTART]);
	assert_int_equal(spec_parse_hooks("{", &hooks, &err), -1);
	assert_string_equal(err.msg, "hooks: 1:1: invalid JSON: string or '}' expected near end of file");
}

/* rewrite_big_ints first looks for 19 digits in a row at every 19th byte:
 * a big literal is found at every offset, and 19-digit runs that are not
 * literals (in a string) or fit an int64 change nothing. */
static void test_big_int_every_offset(void **state)
{
	(void)state;
	for (int pad = 0; pad < 45; pad++) {
		cleanup_free char *json = xasprintf(
			"{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, %*s\"process\": {\"cwd\": \"/\","
			" \"args\": [\"sh\", \"1234567890123456789012\"], \"user\": {\"uid\": 0, \"gid\": 0},"
			" \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": 9223372036854775807,%*s"
			" \"hard\": 18446744073709551615}]}}",
			pad, "", pad % 7, "");
		struct spec *s = parse_ok(json);

		assert_int_equal(s->process.rlimits[0].soft, INT64_MAX);
		assert_true(s->process.rlimits[0].hard == UINT64_MAX);
		assert_string_equal(s->process.args[1], "1234567890123456789012");
		spec_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_big_int_every_offset),
		cmocka_unit_test(test_layout_strings),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_default_rootless),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_userns_idmap_seed),
		cmocka_unit_test(test_everything),
		cmocka_unit_test(test_mount_paths),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_err_json),
		cmocka_unit_test(test_err_load),
		cmocka_unit_test(test_err_version_root),
		cmocka_unit_test(test_err_process),
		cmocka_unit_test(test_process_json),
		cmocka_unit_test(test_err_caps),
		cmocka_unit_test(test_err_rlimits),
		cmocka_unit_test(test_err_mounts),
		cmocka_unit_test(test_err_namespaces),
		cmocka_unit_test(test_err_devices),
		cmocka_unit_test(test_err_resources),
		cmocka_unit_test(test_err_sysctl),
		cmocka_unit_test(test_err_seccomp),
		cmocka_unit_test(test_err_linux_misc),
		cmocka_unit_test(test_err_hooks_annotations),
	};
	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
