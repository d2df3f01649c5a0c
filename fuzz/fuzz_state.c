/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for what silo-oci reads back from a container's state
 * directory: state_read() (state.json), then the parts it carries as JSON,
 * cgroup_from_json() and spec_parse_hooks(), and state_to_oci_json() (the
 * `state` verb's output), which must always be valid JSON.  The state dir is
 * root-only, but a state file cut short by a crash or a full disk must give
 * a clean error, never a crash.  The input is written to state.json in a
 * scratch directory made once per process (removed at exit).
 */
#include <fcntl.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "spec.h"
#include "state.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int dir_fd = -1;
static char dir_path[] = "/tmp/silo-fuzz-state.XXXXXX";

static void remove_dir(void)
{
	unlinkat(dir_fd, "state.json", 0);
	rmdir(dir_path);
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_json(char *text)
{
	json_error_t jerr;
	json_t *o;

	check(text != NULL);
	o = json_loads(text, 0, &jerr);
	check(json_is_object(o));
	json_decref(o);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct silo_error err = { 0 };
	struct silo_state s;
	int fd;

	if (dir_fd < 0) {
		check(mkdtemp(dir_path) != NULL);
		dir_fd = open(dir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		check(dir_fd >= 0);
		atexit(remove_dir);
	}
	fd = openat(dir_fd, "state.json", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	check(fd >= 0);
	check(write(fd, data, size) == (ssize_t)size);
	close(fd);

	if (state_read(dir_fd, "fuzz", &s, &err) < 0) {
		check(err.msg[0] != '\0');
		return 0;
	}
	check(s.id != NULL && strcmp(s.id, "fuzz") == 0);
	if (s.cgroup_json != NULL) {
		struct cgroup *cg = NULL;
		struct silo_error e2 = { 0 };

		if (cgroup_from_json(s.cgroup_json, &cg, &e2) == 0)
			cgroup_free(cg);
		else
			check(e2.msg[0] != '\0');
	}
	if (s.hooks_json != NULL) {
		struct spec_hooks hooks;
		struct silo_error e2 = { 0 };

		memset(&hooks, 0, sizeof(hooks));
		if (spec_parse_hooks(s.hooks_json, &hooks, &e2) == 0)
			spec_hooks_free(&hooks);
		else
			check(e2.msg[0] != '\0');
	}
	check_json(state_to_oci_json(&s, STATUS_CREATED, false));
	check_json(state_to_oci_json(&s, STATUS_STOPPED, true));
	silo_state_free(&s);
	return 0;
}
