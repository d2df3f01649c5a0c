/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Command-line parsing for silo-oci: one declarative table per verb, read the
 * way runc's parser (Go's flag package under urfave/cli) reads it, so that
 * every engine's spelling works: "--bundle x", "--bundle=x", "-b x",
 * "-bundle x", "--rootless=false".  Flags and positionals may be mixed after
 * the verb (urfave/cli reorders them); "--" ends the flags.  The help text is
 * generated from the same table, so it cannot drift from what is accepted.
 *
 * Hand-written rather than getopt_long: getopt does not take the single-dash
 * long form, and its messages are not ours.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "util.h"

static const char *verb_of(const struct oci_command *cmd)
{
	return cmd != NULL ? cmd->name : NULL;
}

int oci_usage_error(const struct oci_command *cmd, const char *fmt, ...)
{
	char msg[SILO_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	oci_log_fail(verb_of(cmd), msg);
	return OCI_EXIT_USAGE;
}

/* The "(see silo-oci VERB --help)" hint of flag errors. */
static void see_help(const struct oci_command *cmd, char *buf, size_t size)
{
	if (cmd != NULL)
		snprintf(buf, size, "(see silo-oci %s --help)", cmd->name);
	else
		snprintf(buf, size, "(see silo-oci --help)");
}

bool oci_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool parse_count(const char *s, int *out)
{
	int64_t v;

	if (parse_i64(s, &v) < 0 || v < 0 || v > 1000000)
		return false;
	*out = (int)v;
	return true;
}

/* A one-letter name is the short form; anything longer is a long name. */
static const struct oci_option *find_option(const struct oci_option *opts, const char *name,
					    size_t len)
{
	for (const struct oci_option *o = opts; o != NULL && o->name != NULL; o++) {
		if (len == 1 && o->short_name == name[0])
			return o;
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

static bool is_help(const char *name, size_t len)
{
	return (len == 1 && name[0] == 'h') || (len == 4 && memcmp(name, "help", 4) == 0);
}

/* Store one option's value; value is NULL for a bare boolean. */
static bool set_option(const struct oci_command *cmd, const struct oci_option *o,
		       const char *value, int *status)
{
	char hint[128];
	bool ok = true;

	switch (o->type) {
	case OCI_OPT_BOOL:
		if (value == NULL)
			*(bool *)o->out = true;
		else
			ok = oci_parse_bool(value, (bool *)o->out);
		break;
	case OCI_OPT_STRING:
		*(const char **)o->out = value;
		break;
	case OCI_OPT_INT:
		ok = parse_count(value, (int *)o->out);
		break;
	case OCI_OPT_STRV: {
		char ***v = o->out;
		size_t n = strv_len(*v);
		*v = xreallocarray(*v, n + 2, sizeof(char *));
		(*v)[n] = xstrdup(value);
		(*v)[n + 1] = NULL;
		break;
	}
	}
	if (!ok) {
		see_help(cmd, hint, sizeof(hint));
		*status = oci_usage_error(cmd, "invalid value \"%s\" for flag --%s %s", value,
					  o->name, hint);
	}
	return ok;
}

/* One "-x", "--name" or "--name=value" at argv[*i]; may consume argv[*i + 1]. */
static bool parse_flag(const struct oci_command *cmd, const struct oci_option *opts, int argc,
		       char **argv, int *i, int *status)
{
	const char *arg = argv[*i];
	const char *name = arg[1] == '-' ? arg + 2 : arg + 1;
	const char *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct oci_option *o;
	const char *value = eq != NULL ? eq + 1 : NULL;
	char hint[128];

	see_help(cmd, hint, sizeof(hint));
	o = len > 0 && name[0] != '-' ? find_option(opts, name, len) : NULL;
	if (o == NULL && is_help(name, len)) {
		if (cmd != NULL)
			oci_print_usage(cmd, opts);
		else
			oci_print_global_usage();
		*status = OCI_EXIT_OK;
		return false;
	}
	if (o == NULL) {
		*status = oci_usage_error(cmd, "unknown flag %.*s %s",
					  (int)(name - arg + (ptrdiff_t)len), arg, hint);
		return false;
	}
	if (o->type != OCI_OPT_BOOL && value == NULL) {
		if (*i + 1 >= argc) {
			*status = oci_usage_error(cmd, "flag --%s needs a value %s", o->name, hint);
			return false;
		}
		value = argv[++*i];
	}
	return set_option(cmd, o, value, status);
}

static bool parse(const struct oci_command *cmd, const struct oci_option *opts, int argc,
		  char **argv, int *nargs, int *status, bool stop)
{
	bool flags_done = false;
	int pos = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (flags_done || a[0] != '-' || a[1] == '\0') {
			if (cmd == NULL || stop) {
				*nargs = i;
				return true;
			}
			argv[pos++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			flags_done = true;
			continue;
		}
		if (!parse_flag(cmd, opts, argc, argv, &i, status))
			return false;
	}
	*nargs = cmd == NULL || stop ? argc : pos - 1;
	return true;
}

bool oci_parse(const struct oci_command *cmd, const struct oci_option *opts, int argc,
	       char **argv, int *nargs, int *status)
{
	return parse(cmd, opts, argc, argv, nargs, status, false);
}

bool oci_parse_leading(const struct oci_command *cmd, const struct oci_option *opts, int argc,
		       char **argv, int *first, int *status)
{
	return parse(cmd, opts, argc, argv, first, status, true);
}

bool oci_check_args(const struct oci_command *cmd, int nargs, int min, int max, int *status)
{
	if (nargs < min) {
		if (cmd->args != NULL && str_has_prefix(cmd->args, "<container-id>"))
			*status = oci_usage_error(cmd, "missing container id");
		else
			*status = oci_usage_error(cmd, "missing argument");
		return false;
	}
	if (nargs > max) {
		*status = oci_usage_error(cmd, "too many arguments");
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------- help */

static int option_label(char *buf, size_t size, const struct oci_option *o)
{
	char shortf[8] = "    ";

	if (o->short_name != 0)
		snprintf(shortf, sizeof(shortf), "-%c, ", o->short_name);
	return snprintf(buf, size, "%s--%s%s%s", shortf, o->name, o->arg != NULL ? " " : "",
			o->arg != NULL ? o->arg : "");
}

/* The options as an aligned two-column list, --help last. */
void oci_print_options(const struct oci_option *opts)
{
	static const struct oci_option help = { "help", 'h', OCI_OPT_BOOL, NULL, "show this help",
						NULL };
	char label[128];
	int width = option_label(label, sizeof(label), &help);

	for (const struct oci_option *o = opts; o != NULL && o->name != NULL; o++) {
		int n = option_label(label, sizeof(label), o);
		if (n > width)
			width = n;
	}
	for (const struct oci_option *o = opts; o != NULL && o->name != NULL; o++) {
		option_label(label, sizeof(label), o);
		printf("  %-*s  %s\n", width, label, o->help);
	}
	option_label(label, sizeof(label), &help);
	printf("  %-*s  %s\n", width, label, help.help);
}

void oci_print_usage(const struct oci_command *cmd, const struct oci_option *opts)
{
	printf("Usage: silo-oci [global options] %s [options]%s%s\n\n", cmd->name,
	       cmd->args != NULL ? " " : "", cmd->args != NULL ? cmd->args : "");
	printf("%s\n\nOptions:\n", cmd->description);
	oci_print_options(opts);
}

/* ---------------------------------------------------------------- paths */

/* Append path's components to buf (which holds an absolute, clean prefix),
 * resolving "." and ".." lexically as Go's filepath.Clean does. */
static void clean_into(char *buf, const char *path)
{
	size_t n = strlen(buf);

	while (*path != '\0') {
		const char *end = strchrnul(path, '/');
		size_t len = (size_t)(end - path);

		if (len == 0 || (len == 1 && path[0] == '.')) {
			/* skip */
		} else if (len == 2 && path[0] == '.' && path[1] == '.') {
			while (n > 1 && buf[n - 1] != '/')
				n--;
			if (n > 1)
				n--;
			buf[n] = '\0';
		} else {
			if (n > 1)
				buf[n++] = '/';
			memcpy(buf + n, path, len);
			n += len;
			buf[n] = '\0';
		}
		path = *end == '/' ? end + 1 : end;
	}
}

char *oci_abspath(const char *path, struct silo_error *err)
{
	cleanup_free char *cwd = NULL;
	char *buf;

	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (cwd == NULL)
			return silo_error(err, errno, "getcwd"), NULL;
	}
	buf = xmalloc((cwd != NULL ? strlen(cwd) : 0) + strlen(path) + 3);
	strcpy(buf, "/");
	if (cwd != NULL)
		clean_into(buf, cwd);
	clean_into(buf, path);
	return buf;
}
