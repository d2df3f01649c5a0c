/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo inspect IMAGE...`: a JSON array with one object per image in
 * docker's shape (Id, RepoTags, RepoDigests, Created, Architecture, Os,
 * Config, RootFS, Size); `--format config` prints the raw image configs.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static json_t *describe(struct img_store *s, const char *id, json_t *cfg, json_t *refs)
{
	json_t *rec = img_record_load(s, id), *tags = json_array(), *digests = json_array(), *v;
	const char *key;
	json_t *o;

	json_object_foreach(refs, key, v) {
		cleanup_free char *repo = xstrdup(key), *fam = NULL, *s2 = NULL;
		char *sep;
		if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0)
			continue;
		sep = strchr(repo, '@') != NULL ? strchr(repo, '@') : strrchr(repo, ':');
		*sep = '\0';
		fam = img_ref_familiar(repo);
		s2 = xasprintf("%s%s", fam, key + (sep - repo));
		json_array_append_new(strchr(key, '@') != NULL ? digests : tags, json_string(s2));
	}
	o = json_pack("{s:s, s:o, s:o}", "Id", id, "RepoTags", tags, "RepoDigests", digests);
	if (json_is_string(json_object_get(rec, "manifest")))
		json_object_set(o, "ManifestDigest", json_object_get(rec, "manifest"));
	json_object_set_new(o, "Created", json_incref(json_object_get(cfg, "created")) ?: json_string(""));
	json_object_set_new(o, "Architecture", json_incref(json_object_get(cfg, "architecture")) ?: json_string(""));
	json_object_set_new(o, "Os", json_incref(json_object_get(cfg, "os")) ?: json_string(""));
	json_object_set_new(o, "Config", json_incref(json_object_get(cfg, "config")) ?: json_object());
	json_object_set_new(o, "RootFS", json_incref(json_object_get(cfg, "rootfs")) ?: json_object());
	json_object_set_new(o, "Size", json_incref(json_object_get(rec, "size")) ?: json_integer(0));
	json_decref(rec);
	return o;
}

CLI_CMD(inspect)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool raw = false;
	struct silo_error err;
	json_t *out, *refs = NULL;
	int c, r, status = CLI_OK;
	char *text;

	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "config") != 0 && strcmp(optarg, "json") != 0)
				return cli_usage(cmd, "--format: config or json, not \"%s\"", optarg);
			raw = strcmp(optarg, "config") == 0;
			break;
		default:
			if ((r = cli_getopt_done(cmd, c)) >= 0)
				return r;
		}
	}
	if (optind == argc)
		return cli_usage(cmd, "which images? (silo inspect IMAGE...)");
	if (cli_store(ctx, false, &err) < 0 || img_refs_load(&ctx->store, &refs, &err) < 0)
		return cli_fail(cmd, &err);
	out = json_array();
	for (int i = optind; i < argc; i++) {
		char id[IMG_DIGEST_LEN + 1];
		json_t *cfg;

		if (img_resolve(&ctx->store, argv[i], id, &err) < 0 ||
		    (cfg = img_config_json(&ctx->store, id, &err)) == NULL) {
			status = cli_fail(cmd, &err);
			continue;
		}
		json_array_append_new(out, raw ? cfg : describe(&ctx->store, id, cfg, refs));
		if (!raw)
			json_decref(cfg);
	}
	if (json_array_size(out) > 0 || status == CLI_OK) {
		text = json_dumps(raw && json_array_size(out) == 1 ? json_array_get(out, 0) : out,
				  JSON_INDENT(4) | JSON_PRESERVE_ORDER);
		printf("%s\n", text);
		free(text);
	}
	json_decref(out);
	json_decref(refs);
	return status;
}
