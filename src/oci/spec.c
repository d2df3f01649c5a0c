/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo-oci spec [--bundle DIR] [--rootless]`: write the library's default
 * config into DIR/config.json, never over an existing file (O_EXCL, which
 * also refuses a symlink planted there), mode 0666 minus the umask.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "spec.h"
#include "util.h"

static int write_config(const char *bundle, const char *json, struct silo_error *err)
{
	cleanup_close int dfd = -1, fd = -1;
	size_t len = strlen(json);

	dfd = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return silo_error(err, errno, "open bundle directory %s", bundle);
	fd = openat(dfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return silo_error(err, 0, "config.json exists: remove it first");
	if (fd < 0)
		return silo_error(err, errno, "create %s/config.json", bundle);
	if (write_all(fd, json, len) < 0 ||
	    (len > 0 && json[len - 1] != '\n' && write_all(fd, "\n", 1) < 0) ||
	    close(take_fd(&fd)) < 0) {
		int e = errno;
		unlinkat(dfd, "config.json", 0);
		return silo_error(err, e, "write %s/config.json", bundle);
	}
	return 0;
}

int oci_cmd_spec(const struct oci_command *cmd, const struct silo_ctx *ctx, int argc, char **argv)
{
	const char *bundle = ".";
	bool rootless = false;
	const struct oci_option opts[] = {
		{ "bundle", 'b', OCI_OPT_STRING, "DIR",
		  "where to write config.json (default: the current directory)", &bundle },
		{ "rootless", 0, OCI_OPT_BOOL, NULL,
		  "a config for an unprivileged user: user namespace, no cgroup limits", &rootless },
		{ NULL, 0, 0, NULL, NULL, NULL },
	};
	struct silo_error err;
	char *json;
	int nargs, status;

	if (!oci_parse(cmd, opts, argc, argv, &nargs, &status) ||
	    !oci_check_args(cmd, nargs, 0, 0, &status))
		return status;
	json = spec_default_json(rootless);
	if (json == NULL)
		return oci_failf(cmd, "cannot render the default config");
	status = write_config(bundle, json, &err) < 0 ? oci_fail(cmd, &err) : OCI_EXIT_OK;
	free(json);
	return status;
}
