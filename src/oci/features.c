/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci features`: the runtime-spec features.md document, 2-space
 * indented.  The lists come from the library's own tables (hooks, mount
 * options, namespaces, capabilities), so they say what the code parses.  What
 * silo does not do yet is reported as disabled: AppArmor and SELinux labels,
 * Intel RDT, id-mapped mounts, systemd cgroups, network devices.
 *
 * Seccomp (built with libseccomp only): the actions and operators the config
 * parser knows, the architectures this libseccomp resolves, and the filter
 * flags the running kernel and libseccomp support (seccomp_api_get(), which
 * probes the kernel).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#ifdef HAVE_SECCOMP
#include <ctype.h>
#include <seccomp.h>
#endif

#include "mountopts.h"
#include "oci.h"
#include "spec.h"
#include "util.h"

#ifndef SILO_VERSION
#define SILO_VERSION "0.0.0"
#endif

static json_t *bool_obj(bool enabled)
{
	return json_pack("{s:b}", "enabled", enabled);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *sorted_strings(const char *const *v, size_t n)
{
	const char **copy = xmalloc((n + 1) * sizeof(*copy));
	json_t *arr = json_array();

	memcpy(copy, v, n * sizeof(*copy));
	qsort(copy, n, sizeof(*copy), cmp_str);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(copy[i]));
	free(copy);
	return arr;
}

static json_t *mount_options(void)
{
	size_t n = 0;

	while (mount_opts_known[n] != NULL)
		n++;
	return sorted_strings(mount_opts_known, n);
}

static json_t *capabilities(void)
{
	json_t *arr = json_array();

	for (int cap = 0; cap <= spec_cap_last(); cap++) {
		const char *name = spec_cap_name(cap);
		if (name != NULL)
			json_array_append_new(arr, json_string(name));
	}
	return arr;
}

#ifdef HAVE_SECCOMP
static const char *const seccomp_actions[] = {
	"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
	"SCMP_ACT_TRAP",
};

static const char *const seccomp_operators[] = {
	"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
	"SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
};

/* The runtime-spec's architecture names; kept when libseccomp knows them. */
static const char *const seccomp_archs[] = {
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
	"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64",
	"SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_X32",
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64",
};

/* The filter flags of the spec, with the libseccomp API level each needs. */
static const struct {
	const char *name;
	unsigned api;
} seccomp_flags[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", 2 },
	{ "SECCOMP_FILTER_FLAG_LOG", 3 },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", 4 },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 7 },
};

static json_t *seccomp_arch_list(void)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_archs); i++) {
		char lower[32];
		size_t j;
		const char *s = seccomp_archs[i] + strlen("SCMP_ARCH_");

		for (j = 0; s[j] != '\0' && j + 1 < sizeof(lower); j++)
			lower[j] = (char)tolower((unsigned char)s[j]);
		lower[j] = '\0';
		if (seccomp_arch_resolve_name(lower) != 0)
			json_array_append_new(arr, json_string(seccomp_archs[i]));
	}
	return arr;
}

static json_t *seccomp_section(void)
{
	unsigned api = seccomp_api_get();
	json_t *known = json_array(), *supported = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(seccomp_flags); i++) {
		json_array_append_new(known, json_string(seccomp_flags[i].name));
		if (api >= seccomp_flags[i].api)
			json_array_append_new(supported, json_string(seccomp_flags[i].name));
	}
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", true,
			 "actions", sorted_strings(seccomp_actions, ARRAY_SIZE(seccomp_actions)),
			 "operators", sorted_strings(seccomp_operators, ARRAY_SIZE(seccomp_operators)),
			 "archs", seccomp_arch_list(), "knownFlags", known, "supportedFlags", supported);
}

static void seccomp_annotation(json_t *annotations)
{
	const struct scmp_version *v = seccomp_version();
	char buf[64];

	snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
	json_object_set_new(annotations, "io.github.seccomp.libseccomp.version", json_string(buf));
}
#else
static json_t *seccomp_section(void)
{
	return bool_obj(false);
}

static void seccomp_annotation(json_t *annotations UNUSED)
{
}
#endif

static json_t *linux_section(void)
{
	json_t *ns = json_array();

	for (int i = 0; i < NS_COUNT; i++)
		json_array_append_new(ns, json_string(spec_ns_names[i]));
	return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:o, s:o, s:o, s:o, s:{s:o}, s:o}",
			 "namespaces", ns,
			 "capabilities", capabilities(),
			 "cgroup", "v1", true, "v2", true, "systemd", false, "systemdUser", false,
			 "rdma", false,
			 "seccomp", seccomp_section(),
			 "apparmor", bool_obj(false),
			 "selinux", bool_obj(false),
			 "intelRdt", bool_obj(false),
			 "mountExtensions", "idmap", bool_obj(false),
			 "netDevices", bool_obj(false));
}

static json_t *features(void)
{
	json_t *hooks = json_array(), *annotations = json_object();

	for (int i = 0; i < HOOK_KIND_COUNT; i++)
		json_array_append_new(hooks, json_string(spec_hook_names[i]));
	seccomp_annotation(annotations);
	json_object_set_new(annotations, "org.silo.version", json_string(SILO_VERSION));
	return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:[]}",
			 "ociVersionMin", "1.0.0",
			 "ociVersionMax", OCI_SPEC_VERSION,
			 "hooks", hooks,
			 "mountOptions", mount_options(),
			 "linux", linux_section(),
			 "annotations", annotations,
			 "potentiallyUnsafeConfigAnnotations");
}

int oci_cmd_features(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc,
		     char **argv)
{
	static const struct oci_option none[] = { { NULL, 0, 0, NULL, NULL, NULL } };
	json_t *doc;
	char *text;
	int nargs, status;

	if (!oci_parse(cmd, none, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 0, 0, &status))
		return status;
	doc = features();
	text = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text == NULL)
		return oci_failf(cmd, "cannot render the features document");
	puts(text);
	free(text);
	return OCI_EXIT_OK;
}
