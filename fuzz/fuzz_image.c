/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the image parsers that read untrusted input: image
 * references (img_ref_parse, then the normalised string must parse again to
 * itself), layer paths (img_layer_path_clean never yields a path with a ".."
 * component or a leading "/"), whiteout names, and manifest, index and config
 * documents (registry and archive contents).  The first byte picks the parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void fuzz_ref(const char *s)
{
	struct silo_error err;
	struct img_ref ref, again;
	char *full;

	if (img_ref_parse(s, &ref, &err) < 0)
		return;
	full = img_ref_string(&ref);
	check(img_ref_parse(full, &again, &err) == 0);
	{
		char *full2 = img_ref_string(&again);
		check(strcmp(full, full2) == 0);
		free(full2);
	}
	img_ref_free(&again);
	img_ref_free(&ref);
	free(full);
}

static void fuzz_path(const char *s)
{
	char *c = img_layer_path_clean(s);
	const char *t = NULL;
	const char *base;

	if (c != NULL) {
		check(c[0] != '/');
		check(strcmp(c, "..") != 0 && !str_has_prefix(c, "../") && strstr(c, "/../") == NULL);
		check(strlen(c) < 3 || strcmp(c + strlen(c) - 3, "/..") != 0);
		check(strstr(c, "//") == NULL);
		base = strrchr(c, '/') != NULL ? strrchr(c, '/') + 1 : c;
		if (img_whiteout_name(base, &t) == 1)
			check(strcmp(t, ".") != 0 && strcmp(t, "..") != 0 && t[0] != '\0');
		free(c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct silo_error err;
	char *s;

	if (size < 1)
		return 0;
	s = xstrndup((const char *)data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		fuzz_ref(s);
		break;
	case 1:
		fuzz_path(s);
		break;
	case 2: {
		struct img_manifest m;
		if (img_manifest_parse((const char *)data + 1, size - 1, &m, &err) == 0) {
			for (size_t i = 0; i < m.n_layers; i++)
				check(img_digest_valid(m.layers[i].digest) && m.layers[i].size >= 0);
			check(img_digest_valid(m.config.digest));
			img_manifest_free(&m);
		}
		break;
	}
	case 3: {
		struct img_index ix;
		if (img_index_parse((const char *)data + 1, size - 1, &ix, &err) == 0) {
			int p = img_index_pick(&ix, "linux", "amd64", NULL);
			check(p < (int)ix.n);
			img_index_free(&ix);
		}
		break;
	}
	default: {
		struct img_config c;
		if (img_config_parse((const char *)data + 1, size - 1, &c, &err) == 0) {
			for (size_t i = 0; i < c.n_diff_ids; i++)
				check(img_digest_valid(c.diff_ids[i]));
			img_config_free(&c);
		}
		break;
	}
	}
	free(s);
	return 0;
}
