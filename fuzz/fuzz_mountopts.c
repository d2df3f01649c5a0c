/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for mount_opts_parse() and mount_propagation_from_name().
 * The input is a list of options, one per line.  Besides memory errors it
 * checks that fs data never holds an empty item or a name silo understands
 * (unless an option carried a comma itself: options are never split, since
 * SELinux contexts such as context="...:s0:c1,c2" hold commas), and that it
 * stays within the kernel's one page.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mountopts.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPTS 512

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_data(const char *d, bool commas)
{
	char *copy, *save = NULL;

	if (d == NULL)
		return;
	check(d[0] != '\0' && strlen(d) <= 4095);
	if (commas)
		return;
	copy = xstrdup(d);
	for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save))
		for (size_t i = 0; mount_opts_known[i] != NULL; i++)
			check(strcmp(item, mount_opts_known[i]) != 0);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct silo_error err = { 0 };
	struct mount_opts o;
	char *text = xstrndup((const char *)data, size);
	char *opts[MAX_OPTS];
	size_t n = 0;
	unsigned long prop;
	char *save = NULL;
	bool commas = false;

	if (mount_propagation_from_name(text, &prop) == 0)
		check(prop != 0);
	for (char *line = strtok_r(text, "\n", &save); line != NULL && n < MAX_OPTS;
	     line = strtok_r(NULL, "\n", &save)) {
		opts[n++] = line;
		commas |= strchr(line, ',') != NULL;
	}
	if (mount_opts_parse(opts, n, &o, &err) == 0) {
		check_data(o.data, commas);
		check(!o.recursive || o.bind);
		mount_opts_free(&o);
	} else {
		check(err.msg[0] != '\0');
	}
	free(text);
	return 0;
}
