/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for spec_parse() (config.json) and spec_parse_hooks()
 * (the hooks copy in state files).  Besides memory errors (ASan, UBSan) it
 * checks the promises spec.h makes about a spec that parsed: absolute cleaned
 * paths, non-empty args, NULL-terminated vectors, a hooks_json that parses
 * back, a message on every failure, and that dropping an indented text's
 * layout before jansson parses it changes nothing (check_layout).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_clean_abs(const char *p)
{
	check(p != NULL && p[0] == '/');
	check(strstr(p, "//") == NULL && strstr(p, "/./") == NULL && strstr(p, "/../") == NULL);
	check(strcmp(p, "/") == 0 || p[strlen(p) - 1] != '/');
}

static void check_spec(const struct spec *s)
{
	struct silo_error err = { 0 };
	struct spec_hooks hooks;

	check_clean_abs(s->root_path);
	check(s->has_process && s->process.n_args >= 1);
	check(s->process.args[s->process.n_args] == NULL);
	check(s->process.cwd != NULL && s->process.cwd[0] == '/');
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		check_clean_abs(m->destination);
		if (m->opts.bind)
			check(m->source != NULL && m->source[0] == '/');
		check(m->options == NULL || m->options[m->n_options] == NULL);
	}
	for (size_t i = 0; i < s->process.n_rlimits; i++)
		check(s->process.rlimits[i].soft <= s->process.rlimits[i].hard);
	for (int t = 0; t < NS_COUNT; t++)
		check(s->linux.ns[t].path == NULL || s->linux.ns[t].present);
	if (s->linux.n_uid_mappings > 0)
		check(s->linux.ns[NS_USER].present);
	if (s->hooks_json != NULL) {
		check(spec_parse_hooks(s->hooks_json, &hooks, &err) == 0);
		spec_hooks_free(&hooks);
	}
	if (s->linux.seccomp != NULL)
		check(s->linux.seccomp->profile != NULL && s->linux.seccomp->profile_len > 0);
}

/* The text behind "\n\t" is parsed without its layout (spec.c drop_layout),
 * behind 300 spaces as it is: the same answer, the same value. */
static struct spec *parse_after(const char *prefix, size_t n, const uint8_t *data, size_t size)
{
	struct silo_error err = { 0 };
	struct spec *s = NULL;
	char *buf = xmalloc(n + size + 1);

	memset(buf, ' ', n);
	memcpy(buf, prefix, strlen(prefix));
	memcpy(buf + n, data, size);
	buf[n + size] = '\0';
	if (spec_parse(buf, n + size, "config.json", "/bundle", &s, &err) < 0)
		s = NULL;
	free(buf);
	return s;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_layout(const uint8_t *data, size_t size)
{
	struct spec *a = parse_after("\n\t", 2, data, size);
	struct spec *b = parse_after("", 300, data, size);

	check((a == NULL) == (b == NULL));
	if (a != NULL) {
		check(a->process.n_args == b->process.n_args && a->n_mounts == b->n_mounts);
		for (size_t i = 0; i < a->process.n_args; i++)
			check(strcmp(a->process.args[i], b->process.args[i]) == 0);
		check(same_str(a->hostname, b->hostname) && same_str(a->root_path, b->root_path));
		check(same_str(a->annotations_json, b->annotations_json) && same_str(a->hooks_json, b->hooks_json));
		check((a->linux.seccomp == NULL) == (b->linux.seccomp == NULL));
		if (a->linux.seccomp != NULL)
			check(a->linux.seccomp->profile_len == b->linux.seccomp->profile_len &&
			      memcmp(a->linux.seccomp->profile, b->linux.seccomp->profile,
				     a->linux.seccomp->profile_len) == 0);
	}
	spec_free(a);
	spec_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct silo_error err = { 0 };
	struct spec_hooks hooks;
	struct spec *s = NULL;
	char *text;

	if (spec_parse((const char *)data, size, "config.json", "/bundle", &s, &err) == 0) {
		check(s != NULL);
		check_spec(s);
		spec_free(s);
	} else {
		check(s == NULL && err.msg[0] != '\0');
	}

	check_layout(data, size);

	text = xstrndup((const char *)data, size);
	if (spec_parse_hooks(text, &hooks, &err) == 0)
		spec_hooks_free(&hooks);
	else
		check(err.msg[0] != '\0');
	free(text);
	return 0;
}
