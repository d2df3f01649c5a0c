/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-oci: the entry point.  Parses the global options (runc's, plus crun's
 * --cgroup-manager), installs the log sink, hands argv to one verb from the
 * table below and turns the result into the exit status:
 *   0 success, 1 runtime error, 2 usage error, `run`: the container's status.
 * Primary output goes to stdout and is checked before exiting: a listing cut
 * short by a full disk must not look like success.
 *
 * Every silo-oci process is non-dumpable from its first instruction of our
 * code (a constructor, before main): a container process that shares a pid
 * namespace with a runtime process (no pid namespace, `exec`) cannot open
 * its /proc/<pid>/exe, fd/ or mem, the way to the host binary in
 * CVE-2019-5736 (the init and exec'd processes stay non-dumpable until their
 * execve; see src/lib/init.c and README "Security").
 */
#include <jansson.h>
#include <sys/auxv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "oci.h"
#include "util.h"

#ifndef SILO_VERSION
#define SILO_VERSION "0.0.0"
#endif

static int cmd_help(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc,
		    char **argv);

__attribute__((constructor)) static void nondumpable(void)
{
	prctl(PR_SET_DUMPABLE, 0);
}

static const struct oci_command commands[] = {
	{ "create", "<container-id>", "create a container",
	  "Create a container from a bundle (a directory holding config.json and the root\n"
	  "filesystem): set up its namespaces, mounts and cgroups, and leave its process\n"
	  "waiting for \"start\".",
	  oci_cmd_create },
	{ "start", "<container-id>", "start a created container",
	  "Release a container made by \"create\": its process runs the command of config.json.\n"
	  "Returns once that command is executing (after the startContainer hooks), then runs\n"
	  "the poststart hooks; a failure before the command runs is reported here.  With\n"
	  "NOTIFY_SOCKET set, returns once the container sent READY=1 (relayed to that socket).",
	  oci_cmd_start },
	{ "run", "<container-id>", "create and start a container",
	  "Create and start a container.  Without --detach, wait for it while forwarding\n"
	  "signals to it, delete it (unless --keep) and exit with its status: 128+N when\n"
	  "signal N killed it.",
	  oci_cmd_run },
	{ "exec", "<container-id> [--] <command> [args...]", "run a new process in a container",
	  "Run a new process in a running container: it joins every namespace and the\n"
	  "cgroup of the container and gets the same user, capabilities, rlimits,\n"
	  "no_new_privs, seccomp filter and LSM label treatment as the container's process.\n"
	  "The process is the command with the options below applied to the process of\n"
	  "config.json, or the whole process.json given with --process (which may leave out\n"
	  "capabilities, rlimits and labels: the config's apply).  A pseudo-terminal is\n"
	  "allocated with --tty or \"terminal\": true in process.json.  Without --detach,\n"
	  "waits for the process while forwarding signals to it and exits with its status\n"
	  "(128+N when signal N killed it); exits 255 when it could not be started.",
	  oci_cmd_exec },
	{ "state", "<container-id>", "print the state of a container",
	  "Print the state of a container as JSON (runtime-spec state, plus rootfs, created\n"
	  "and owner).",
	  oci_cmd_state },
	{ "kill", "<container-id> [signal]", "send a signal to a container",
	  "Send a signal to the container's process (with --all, to every process in it).\n"
	  "The signal is a name (KILL, SIGKILL) or a number; the default is SIGTERM.",
	  oci_cmd_kill },
	{ "delete", "<container-id>", "delete a container",
	  "Delete a stopped or created container and what it holds.  With --force a running\n"
	  "container is killed first, and an unknown id is not an error.",
	  oci_cmd_delete },
	{ "pause", "<container-id>", "freeze every process of a container",
	  "Freeze every process of a running container through its cgroup (v1 freezer,\n"
	  "v2 cgroup.freeze); \"state\" then says paused.",
	  oci_cmd_pause },
	{ "resume", "<container-id>", "thaw a paused container",
	  "Thaw every process of a paused container.",
	  oci_cmd_resume },
	{ "ps", "<container-id> [-- ps options]", "list the processes of a container",
	  "List the processes of a container.  With --format json: a JSON array of their\n"
	  "host pids.  Otherwise the host's ps(1) runs with the given options (default -ef)\n"
	  "and only its header and the container's processes are printed.",
	  oci_cmd_ps },
	{ "update", "<container-id>", "change the resource limits of a container",
	  "Change the cgroup limits of a created, running or paused container.  With\n"
	  "--resources FILE (\"-\": stdin) the limits come from a linux.resources JSON object,\n"
	  "and the other flags are ignored.  Zeros mean \"leave as is\".  The new limits are\n"
	  "kept in the container's state.  The input is checked whole before anything\n"
	  "changes; when the kernel refuses a value, the limits already changed are put back.",
	  oci_cmd_update },
	{ "events", "<container-id>", "print resource usage statistics and OOM events",
	  "Print the container's statistics (cpu, memory, pids, blkio, hugetlb) as JSON\n"
	  "lines every --interval, and an {\"type\":\"oom\"} line whenever the kernel OOM-kills\n"
	  "one of its processes, until the container stops.  With --stats: one line, then exit.",
	  oci_cmd_events },
	{ "list", NULL, "list containers",
	  "List the containers under the state root (--root).",
	  oci_cmd_list },
	{ "spec", NULL, "write a default config.json",
	  "Write a default config.json into the bundle directory; an existing one is left\n"
	  "alone.  With --rootless the config uses a user namespace mapping the caller's ids\n"
	  "and sets no cgroup limits.",
	  oci_cmd_spec },
	{ "features", NULL, "print the features of this runtime",
	  "Print what this runtime supports, as the JSON document of the runtime-spec's\n"
	  "features.md.",
	  oci_cmd_features },
	{ "help", "[command]", "show the usage of silo-oci or of a command",
	  "Show the usage of silo-oci, or of one command.",
	  cmd_help },
};

struct globals {
	const char *root;
	const char *log;
	const char *log_format;
	const char *rootless;
	const char *cgroup_manager;
	const char *criu;
	bool debug;
	bool systemd_cgroup;
	bool version;
};

static struct globals g;

static const struct oci_option global_options[] = {
	{ "root", 0, OCI_OPT_STRING, "DIR",
	  "state directory (default: " SILO_DEFAULT_ROOT ", or $XDG_RUNTIME_DIR/silo-oci for non-root)",
	  &g.root },
	{ "log", 0, OCI_OPT_STRING, "FILE", "append errors and warnings to FILE instead of stderr",
	  &g.log },
	{ "log-format", 0, OCI_OPT_STRING, "FORMAT", "format of the --log lines: text or json",
	  &g.log_format },
	{ "debug", 0, OCI_OPT_BOOL, NULL, "log debug lines too", &g.debug },
	{ "systemd-cgroup", 0, OCI_OPT_BOOL, NULL,
	  "manage cgroups through systemd (cgroupsPath is slice:prefix:name)", &g.systemd_cgroup },
	{ "cgroup-manager", 0, OCI_OPT_STRING, "MANAGER",
	  "cgroupfs, systemd (same as --systemd-cgroup) or disabled (no cgroup at all, as crun)",
	  &g.cgroup_manager },
	{ "rootless", 0, OCI_OPT_STRING, "VALUE",
	  "true, false or auto: best-effort cgroups, no device rules (auto: euid != 0 or in a user namespace)",
	  &g.rootless },
	{ "criu", 0, OCI_OPT_STRING, "PATH", "accepted for runc compatibility; ignored", &g.criu },
	{ "version", 'v', OCI_OPT_BOOL, NULL, "print the version and the features, then exit",
	  &g.version },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

void oci_print_global_usage(void)
{
	printf("Usage: silo-oci [global options] <command> [options] [arguments]\n\n"
	       "silo-oci runs containers from OCI bundles (runtime-spec " OCI_SPEC_VERSION
	       ") with runc's command line.\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		printf("  %-10s%s\n", commands[i].name, commands[i].summary);
	printf("\nGlobal options:\n");
	oci_print_options(global_options);
	printf("\nRun 'silo-oci <command> --help' for the options of a command.\n");
}

static void print_version(void)
{
	printf("silo-oci version %s\n"
	       "spec: %s\n"
	       "+CAP"
#ifdef HAVE_SECCOMP
	       " +SECCOMP"
#endif
	       " +OVERLAY +OPENAT2 +CLONE3 +PIDFD +TIMENS\n",
	       SILO_VERSION, OCI_SPEC_VERSION);
}

static const struct oci_command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static int cmd_help(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc,
		    char **argv)
{
	static const struct oci_option none[] = { { NULL, 0, 0, NULL, NULL, NULL } };
	const struct oci_command *target;
	char help[] = "--help";
	int nargs, status;

	if (!oci_parse(cmd, none, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 0, 1, &status))
		return status;
	if (nargs == 0) {
		oci_print_global_usage();
		return OCI_EXIT_OK;
	}
	target = find_command(argv[1]);
	if (target == NULL)
		return oci_usage_error(cmd, "unknown command \"%s\" (see silo-oci --help)", argv[1]);
	return target->fn(target, ctx, 2, (char *[]){ argv[1], help, NULL });
}

int oci_fail(const struct oci_command *cmd, const struct silo_error *err)
{
	const char *msg = err->msg[0] != '\0' ? err->msg : "unknown error";

	oci_log_fail(cmd != NULL ? cmd->name : NULL, msg);
	return OCI_EXIT_FAIL;
}

int oci_failf(const struct oci_command *cmd, const char *fmt, ...)
{
	struct silo_error err;
	va_list ap;

	va_start(ap, fmt);
	silo_error_v(&err, 0, fmt, ap);
	va_end(ap);
	return oci_fail(cmd, &err);
}

bool oci_id_ok(const struct oci_command *cmd, const char *id, int *status)
{
	struct silo_error err;

	if (silo_id_check(id, &err) == 0)
		return true;
	*status = oci_fail(cmd, &err);
	return false;
}

/* The verbs that never touch the state root (they work without one). */
static bool stateless(const struct oci_command *cmd)
{
	return cmd->fn == oci_cmd_spec || cmd->fn == oci_cmd_features || cmd->fn == cmd_help;
}

/* The global option values, checked; builds the library context.  The
 * state root stays NULL for a non-root user without XDG_RUNTIME_DIR and
 * --root (main refuses the verbs that need one). */
static int check_globals(struct silo_ctx *ctx, char **root_out)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct silo_error err;
	bool b;

	if (g.log_format != NULL && strcmp(g.log_format, "text") != 0 &&
	    strcmp(g.log_format, "json") != 0)
		return oci_usage_error(NULL, "invalid --log-format \"%s\": text or json", g.log_format);
	if (g.rootless == NULL || strcmp(g.rootless, "auto") == 0)
		ctx->rootless = silo_rootless_detect();
	else if (oci_parse_bool(g.rootless, &b))
		ctx->rootless = b;
	else
		return oci_usage_error(NULL, "invalid --rootless \"%s\": true, false or auto",
				       g.rootless);
	if (g.cgroup_manager != NULL) {
		if (strcmp(g.cgroup_manager, "systemd") == 0)
			g.systemd_cgroup = true;
		else if (strcmp(g.cgroup_manager, "disabled") == 0)
			ctx->no_cgroups = true;
		else if (strcmp(g.cgroup_manager, "cgroupfs") != 0 &&
			 strcmp(g.cgroup_manager, "disabled") != 0)
			return oci_usage_error(NULL,
					       "invalid --cgroup-manager \"%s\": cgroupfs, systemd or disabled",
					       g.cgroup_manager);
	}
	ctx->systemd_cgroup = g.systemd_cgroup;
	ctx->debug = g.debug;
	if (g.root == NULL && geteuid() != 0) {
		/* runc's rule: a non-root user's state lives in its runtime
		 * dir; without one, only the verbs with no state work. */
		if (xdg == NULL || xdg[0] == '\0')
			return OCI_EXIT_OK;
		*root_out = xasprintf("%s/silo-oci", xdg);
	} else {
		*root_out = xstrdup(g.root != NULL ? g.root : SILO_DEFAULT_ROOT);
	}
	if ((*root_out)[0] == '\0')
		return oci_usage_error(NULL, "--root must not be empty");
	if ((*root_out)[0] != '/') {
		char *abs = oci_abspath(*root_out, &err);
		if (abs == NULL)
			return oci_fail(NULL, &err);
		free(*root_out);
		*root_out = abs;
	}
	ctx->root = *root_out;
	return OCI_EXIT_OK;
}

/* Fail when stdout could not be written, even though the verb succeeded. */
static int check_stdout(const struct oci_command *cmd, int status)
{
	struct silo_error err;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return status;
	if (status != OCI_EXIT_OK)
		return status;      /* the failure is reported already: one error line */
	silo_error(&err, errno != 0 ? errno : EIO, "write to stdout");
	return oci_fail(cmd, &err);
}

/* jansson seeds its hash from /dev/urandom on first use; the kernel already
 * gave every process 16 random bytes (AT_RANDOM): take them, save the open. */
static void seed_json_hash(void)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	size_t seed = 0;

	if (r == NULL)
		return;
	memcpy(&seed, r, sizeof(seed));
	json_object_seed(seed ? seed : 1);
}

int main(int argc, char **argv)
{
	cleanup_free char *root = NULL;
	const struct oci_command *cmd = NULL;
	struct silo_ctx ctx = { 0 };
	struct silo_error err;
	int verb, status;

	if (argc < 1)
		return OCI_EXIT_USAGE;
	seed_json_hash();
	if (!oci_parse(NULL, global_options, argc, argv, &verb, &status))
		return check_stdout(NULL, status);
	if (g.version) {
		print_version();
		return check_stdout(NULL, OCI_EXIT_OK);
	}
	if (verb == argc)
		return oci_usage_error(NULL, "missing command (see silo-oci --help)");
	status = check_globals(&ctx, &root);
	if (status != OCI_EXIT_OK)
		return status;
	if (oci_log_open(g.log, g.log_format != NULL && strcmp(g.log_format, "json") == 0
			 ? OCI_LOG_JSON : OCI_LOG_TEXT, g.debug, &err) < 0)
		return oci_fail(NULL, &err);

	cmd = find_command(argv[verb]);
	if (cmd == NULL) {
		status = oci_usage_error(NULL, "unknown command \"%s\" (see silo-oci --help)",
					 argv[verb]);
	} else if (ctx.root == NULL && !stateless(cmd)) {
		status = oci_failf(cmd, "no state root: XDG_RUNTIME_DIR is not set and --root is not "
				   "given (a non-root user needs one of them)");
	} else {
		errno = 0;
		status = cmd->fn(cmd, &ctx, argc - verb, argv + verb);
	}
	status = check_stdout(cmd, status);
	oci_log_finish();
	return status;
}
