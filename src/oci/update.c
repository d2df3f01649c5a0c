/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci update [--resources FILE|-] [limit flags] <container-id>`, as
 * runc: --resources reads a linux.resources JSON object from a file or from
 * stdin ("-"), and then the other flags are ignored; otherwise the flags
 * build that object.  Sizes take docker's units (512m, 1g); -1 means
 * unlimited where the kernel has such a value.  CPU and memory node lists
 * are checked here (cpulist.h), as the spec parser checks a --resources file.  Zeros mean "unset" (docker
 * sends zeros for what it leaves alone).  Intel RDT (--l3-cache-schema,
 * --mem-bw-schema) is refused: silo-oci does not support it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cpulist.h"
#include "oci.h"
#include "units.h"
#include "util.h"

enum kind { K_SIZE, K_U64, K_I64, K_CPULIST };

struct flag {
	const char *name, *section, *key;
	enum kind kind;
	const char *value;         /* from the command line */
};

/* Put one flag's value into the resources object; false on a bad value. */
static bool put_flag(const struct oci_command *cmd, json_t *res, const struct flag *f, int *status)
{
	json_t *sec = json_object_get(res, f->section);
	int64_t v = 0;
	uint64_t u = 0;

	if (sec == NULL) {
		sec = json_object();
		json_object_set_new(res, f->section, sec);
	}
	switch (f->kind) {
	case K_SIZE:
		if (strcmp(f->value, "-1") != 0 && parse_byte_size(f->value, &v) < 0) {
			*status = oci_usage_error(cmd, "invalid --%s \"%s\": a size in bytes (units b, k, m, g, "
						  "t, p), or -1", f->name, f->value);
			return false;
		}
		if (strcmp(f->value, "-1") == 0)
			v = -1;
		json_object_set_new(sec, f->key, json_integer(v));
		return true;
	case K_U64:
		if (parse_u64(f->value, &u) < 0 || u > INT64_MAX) {
			*status = oci_usage_error(cmd, "invalid --%s \"%s\": a non-negative integer",
						  f->name, f->value);
			return false;
		}
		json_object_set_new(sec, f->key, json_integer((json_int_t)u));
		return true;
	case K_I64:
		if (parse_i64(f->value, &v) < 0) {
			*status = oci_usage_error(cmd, "invalid --%s \"%s\": an integer (-1: unlimited)",
						  f->name, f->value);
			return false;
		}
		json_object_set_new(sec, f->key, json_integer(v));
		return true;
	case K_CPULIST: {
		struct silo_error err;

		if (silo_cpulist_parse(f->value, NULL, &err) < 0) {
			*status = oci_usage_error(cmd, "invalid --%s \"%s\": %s", f->name, f->value, err.msg);
			return false;
		}
		json_object_set_new(sec, f->key, json_string(f->value));
		return true;
	}
	}
	return false;
}

int oci_cmd_update(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	struct flag flags[] = {
		{ "memory", "memory", "limit", K_SIZE, NULL },
		{ "memory-reservation", "memory", "reservation", K_SIZE, NULL },
		{ "memory-swap", "memory", "swap", K_SIZE, NULL },
		{ "kernel-memory", "memory", "kernel", K_SIZE, NULL },
		{ "kernel-memory-tcp", "memory", "kernelTCP", K_SIZE, NULL },
		{ "cpu-shares", "cpu", "shares", K_U64, NULL },
		{ "cpu-quota", "cpu", "quota", K_I64, NULL },
		{ "cpu-period", "cpu", "period", K_U64, NULL },
		{ "cpu-burst", "cpu", "burst", K_U64, NULL },
		{ "cpu-rt-runtime", "cpu", "realtimeRuntime", K_I64, NULL },
		{ "cpu-rt-period", "cpu", "realtimePeriod", K_U64, NULL },
		{ "cpu-idle", "cpu", "idle", K_I64, NULL },
		{ "cpuset-cpus", "cpu", "cpus", K_CPULIST, NULL },
		{ "cpuset-mems", "cpu", "mems", K_CPULIST, NULL },
		{ "pids-limit", "pids", "limit", K_I64, NULL },
		{ "blkio-weight", "blockIO", "weight", K_U64, NULL },
	};
	const char *resources = NULL, *l3 = NULL, *mb = NULL;
	const struct oci_option opts[] = {
		{ "resources", 'r', OCI_OPT_STRING, "FILE",
		  "read a linux.resources JSON object from FILE (\"-\": stdin); the other flags are then ignored",
		  &resources },
		{ "memory", 0, OCI_OPT_STRING, "SIZE", "memory limit (512m, 1g; -1: unlimited)", &flags[0].value },
		{ "memory-reservation", 0, OCI_OPT_STRING, "SIZE", "memory soft limit", &flags[1].value },
		{ "memory-swap", 0, OCI_OPT_STRING, "SIZE",
		  "memory plus swap limit (-1: unlimited swap)", &flags[2].value },
		{ "kernel-memory", 0, OCI_OPT_STRING, "SIZE", "kernel memory limit (v1; ignored where the "
		  "kernel has none)", &flags[3].value },
		{ "kernel-memory-tcp", 0, OCI_OPT_STRING, "SIZE", "kernel TCP buffer limit (v1)", &flags[4].value },
		{ "cpu-shares", 0, OCI_OPT_STRING, "N", "CPU shares (relative weight)", &flags[5].value },
		{ "cpu-quota", 0, OCI_OPT_STRING, "US", "CPU time per period, microseconds (-1: none)",
		  &flags[6].value },
		{ "cpu-period", 0, OCI_OPT_STRING, "US", "CPU CFS period, microseconds", &flags[7].value },
		{ "cpu-burst", 0, OCI_OPT_STRING, "US", "CPU CFS burst, microseconds", &flags[8].value },
		{ "cpu-rt-runtime", 0, OCI_OPT_STRING, "US", "realtime runtime per period (v1)", &flags[9].value },
		{ "cpu-rt-period", 0, OCI_OPT_STRING, "US", "realtime period (v1)", &flags[10].value },
		{ "cpu-idle", 0, OCI_OPT_STRING, "0|1", "SCHED_IDLE for the cgroup", &flags[11].value },
		{ "cpuset-cpus", 0, OCI_OPT_STRING, "LIST", "CPUs allowed (0-3,5)", &flags[12].value },
		{ "cpuset-mems", 0, OCI_OPT_STRING, "LIST", "memory nodes allowed", &flags[13].value },
		{ "pids-limit", 0, OCI_OPT_STRING, "N", "maximum number of processes (-1: unlimited)",
		  &flags[14].value },
		{ "blkio-weight", 0, OCI_OPT_STRING, "N", "block I/O weight (10-1000)", &flags[15].value },
		{ "l3-cache-schema", 0, OCI_OPT_STRING, "SCHEMA", "Intel RDT: not supported, refused", &l3 },
		{ "mem-bw-schema", 0, OCI_OPT_STRING, "SCHEMA", "Intel RDT: not supported, refused", &mb },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	cleanup_free char *text = NULL;
	struct silo_error err;
	const char *name;
	size_t len = 0;
	int nargs, status;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 1, 1, &status) || !oci_id_ok(cmd, argv[1], &status))
		return status;
	if (l3 || mb)
		return oci_failf(cmd, "--%s: Intel RDT is not supported by silo-oci",
				 l3 ? "l3-cache-schema" : "mem-bw-schema");
	if (resources != NULL) {
		name = strcmp(resources, "-") == 0 ? "<stdin>" : resources;
		if ((strcmp(resources, "-") == 0 ? read_fd_all(0, &text, &len, &err)
						 : read_file_at(AT_FDCWD, resources, &text, &len, &err)) < 0) {
			silo_error_ctx(&err, "--resources");
			return oci_fail(cmd, &err);
		}
	} else {
		json_t *res = json_object();

		name = "flags";
		for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
			if (flags[i].value != NULL && !put_flag(cmd, res, &flags[i], &status)) {
				json_decref(res);
				return status;
			}
		}
		text = json_dumps(res, JSON_COMPACT);
		json_decref(res);
		if (text == NULL)
			return oci_failf(cmd, "out of memory");
		len = strlen(text);
	}
	if (silo_container_update(ctx, argv[1], text, len, name, &err) < 0)
		return oci_fail(cmd, &err);
	return OCI_EXIT_OK;
}
