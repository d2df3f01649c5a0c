/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * silo-oci's command line: what main.c, options.c, log.c and the one file per
 * verb share.  A verb parses its options from a declarative table, makes one
 * library call and returns the process exit status; it never prints an error
 * itself except through oci_fail() (runtime errors, exit 1) and the parser
 * (usage errors, exit 2), so that every failure reaches --log the same way.
 */
#ifndef SILO_OCI_H
#define SILO_OCI_H

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "error.h"

#define OCI_EXIT_OK 0
#define OCI_EXIT_FAIL 1     /* runtime error */
#define OCI_EXIT_USAGE 2    /* bad command line */

#define OCI_SPEC_VERSION "1.3.0"

/* ---------------------------------------------------------------- commands */

struct oci_command;

/* argv[0] is the verb itself; returns the exit status. */
typedef int (*oci_command_fn)(const struct oci_command *cmd, const struct silo_ctx *ctx,
			      int argc, char **argv);

struct oci_command {
	const char *name;
	const char *args;          /* synopsis of the positionals: "<container-id>" */
	const char *summary;       /* one line for `silo-oci --help` */
	const char *description;   /* paragraph for `silo-oci VERB --help` */
	oci_command_fn fn;
};

int oci_cmd_create(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_start(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_run(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_state(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_kill(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_delete(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_list(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_spec(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_features(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_pause(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_resume(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_ps(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_exec(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_update(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);
int oci_cmd_events(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv);

/* The flags create and run share (create.c), as parsed and then resolved. */
struct oci_create_args {
	const char *bundle, *config, *pid_file, *console_socket, *pidfd_socket;
	bool no_pivot, no_new_keyring, no_subreaper, detach, keep;
	int preserve_fds;
	/* owned: the paths made absolute by oci_create_prepare() */
	char *abs_bundle, *abs_config, *abs_pid_file, *abs_console_socket, *abs_pidfd_socket;
};

#define OCI_CREATE_OPTIONS_MAX 16

struct oci_option;
/* Fill table (OCI_CREATE_OPTIONS_MAX rows) with create's options, or run's. */
void oci_create_options(struct oci_option *table, struct oci_create_args *a, bool run);
/* Resolve the paths (relative ones against the current directory) and fill *o. */
int oci_create_prepare(struct oci_create_args *a, const char *id, struct silo_create_opts *o,
		       struct silo_error *err);
void oci_create_args_release(struct oci_create_args *a);
/* *out = the absolute form of path (oci_abspath), left alone when path is
 * NULL; "WHAT must not be empty" for "". */
int oci_absolute_opt(const char *path, const char *what, char **out, struct silo_error *err);
/* The end of the fds a container or exec'd process inherits:
 * 3 + $LISTEN_FDS + preserve_fds. */
int oci_inherited_fds_end(int preserve_fds);

/* ---------------------------------------------------------------- options */

enum oci_opt_type {
	OCI_OPT_BOOL,              /* out: bool *;  "--x", "--x=true", "--x=false" */
	OCI_OPT_STRING,            /* out: const char **, pointing into argv */
	OCI_OPT_INT,               /* out: int *, a non-negative decimal */
	OCI_OPT_STRV,              /* out: char ***, repeatable: each value appended (heap,
	                              NULL-terminated, the caller strv_free()s it) */
};

/*
 * One row of a verb's option table.  Both "-name" and "--name" spell the long
 * form (Go's flag package, which runc uses, accepts either), and the value
 * goes after "=" or in the next argument.  The table ends with a row whose
 * name is NULL.  -h/--help is built in.
 */
struct oci_option {
	const char *name;          /* long name, without dashes */
	char short_name;           /* 0 when none */
	enum oci_opt_type type;
	const char *arg;           /* value placeholder for the help: "DIR" */
	const char *help;
	void *out;
};

/*
 * Parse argv[1..argc) of a verb (cmd != NULL) or of the global options
 * (cmd == NULL, stopping at the first positional, the verb).  Options and
 * positionals may be mixed for a verb; "--" ends the options.  Positionals are
 * moved to the front of argv + 1, in order, and counted in *nargs; for the
 * global options *nargs is the index of the verb (argc when none).
 * Returns true to go on, false to exit with *status: 0 after --help, 2 after a
 * usage error (already reported).
 */
bool oci_parse(const struct oci_command *cmd, const struct oci_option *opts, int argc,
	       char **argv, int *nargs, int *status);

/* Like oci_parse, but the options end at the first positional (runc's exec:
 * "exec [options] ID CMD [ARGS...]", where CMD's own flags are not ours);
 * *first is its index (argc when none).  "--" also ends them. */
bool oci_parse_leading(const struct oci_command *cmd, const struct oci_option *opts, int argc,
		       char **argv, int *first, int *status);

/* Check the number of positionals (min..max); reports and returns false with
 * *status = 2 when it is wrong: "missing container id", "too many arguments". */
bool oci_check_args(const struct oci_command *cmd, int nargs, int min, int max, int *status);

/* Report a usage error ("silo-oci: VERB: msg") to stderr and the log; returns 2. */
int oci_usage_error(const struct oci_command *cmd, const char *fmt, ...) SILO_FORMAT(2, 3);

/* A verb's --help; the options listed from its table, plus -h/--help. */
void oci_print_usage(const struct oci_command *cmd, const struct oci_option *opts);
void oci_print_options(const struct oci_option *opts);
/* `silo-oci --help` (main.c: it knows the verbs). */
void oci_print_global_usage(void);

/* Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False. */
bool oci_parse_bool(const char *s, bool *out);

/* An absolute, lexically cleaned path (like Go's filepath.Abs): relative
 * paths are taken from the current directory.  Returns NULL with *err set. */
char *oci_abspath(const char *path, struct silo_error *err);

/* ---------------------------------------------------------------- errors and log */

/* Report a runtime error: one line to the log, "silo-oci: VERB: msg" to
 * stderr.  Returns 1. */
int oci_fail(const struct oci_command *cmd, const struct silo_error *err);
int oci_failf(const struct oci_command *cmd, const char *fmt, ...) SILO_FORMAT(2, 3);

/* silo_id_check(), reported through oci_fail(): true when id is valid. */
bool oci_id_ok(const struct oci_command *cmd, const char *id, int *status);

enum oci_log_format {
	OCI_LOG_TEXT,
	OCI_LOG_JSON,
};

/*
 * Install the library's log sink.  path NULL: stderr only.  Otherwise errors,
 * warnings and (with debug) debug lines go to path, opened O_APPEND.  Without
 * debug the log of a failed command holds exactly one line, the error (podman
 * json-decodes the whole file): warnings are held back; they go to the log at
 * oci_log_finish(), or to stderr when oci_log_fail() reports an error.
 */
int oci_log_open(const char *path, enum oci_log_format format, bool debug,
		 struct silo_error *err);
/* Report the command's error: "silo-oci: VERB: msg" to stderr (after any
 * held warnings), one error line to the log.  verb may be NULL. */
void oci_log_fail(const char *verb, const char *msg);
/* Move the log's descriptor to `below` or above: fds 3.. up to there belong
 * to the container (--preserve-fds, LISTEN_FDS) and the log must not be
 * mistaken for one of them. */
void oci_log_keep_fds_free(int below);
/* Write the held warnings to the log and close it (the command succeeded,
 * or its error was reported by oci_log_fail(), which releases them). */
void oci_log_finish(void);

#endif
