/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo images`: docker's table (REPOSITORY TAG IMAGE ID CREATED SIZE, 12-hex
 * ids, newest first), `-q` for ids only, `--format json` for one JSON object
 * per line, and an optional REPOSITORY[:TAG] filter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static int by_created(const void *a, const void *b)
{
	const struct img_info *x = a, *y = b;
	int c = strcmp(y->created != NULL ? y->created : "", x->created != NULL ? x->created : "");
	if (c != 0)
		return c;
	c = strcmp(x->repo != NULL ? x->repo : "~", y->repo != NULL ? y->repo : "~");
	return c != 0 ? c : strcmp(x->tag != NULL ? x->tag : "~", y->tag != NULL ? y->tag : "~");
}

static bool matches(const struct img_info *r, const char *filter)
{
	cleanup_free char *f = NULL;
	struct img_ref ref;
	struct silo_error err;
	const char *colon;
	bool want_tag;

	if (filter == NULL)
		return true;
	if (r->repo == NULL)
		return false;
	/* compare normalised: "busybox" matches docker.io/library/busybox */
	if (img_ref_parse(filter, &ref, &err) < 0)
		return false;
	{
		cleanup_free char *repo = img_ref_repo(&ref);
		f = img_ref_familiar(repo);
	}
	colon = strrchr(filter, ':');
	want_tag = colon != NULL && strchr(colon, '/') == NULL;
	{
		bool ok = strcmp(f, r->repo) == 0 && (!want_tag || (r->tag != NULL && strcmp(ref.tag, r->tag) == 0));
		img_ref_free(&ref);
		return ok;
	}
}

CLI_CMD(images)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-trunc", no_argument, NULL, 'T' },
		{ "digests", no_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool quiet = false, notrunc = false, digests = false, json = false;
	const char *filter = NULL;
	struct img_info *rows = NULL;
	struct silo_error err;
	size_t n = 0;
	int c, r;

	while ((c = getopt_long(argc, argv, "+aqh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			break;
		case 'q':
			quiet = true;
			break;
		case 'T':
			notrunc = true;
			break;
		case 'd':
			digests = true;
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0 || strcmp(optarg, "{{json .}}") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return cli_usage(cmd, "--format: json or table, not \"%s\"", optarg);
			break;
		default:
			if ((r = cli_getopt_done(cmd, c)) >= 0)
				return r;
		}
	}
	if (argc - optind > 1)
		return cli_usage(cmd, "at most one REPOSITORY[:TAG]");
	if (optind < argc)
		filter = argv[optind];
	if (cli_store(ctx, false, &err) < 0 || img_list(&ctx->store, &rows, &n, &err) < 0)
		return cli_fail(cmd, &err);
	if (n > 1)
		qsort(rows, n, sizeof(*rows), by_created);
	if (!quiet && !json) {
		if (digests)
			printf("%-30s %-15s %-72s %-20s %-20s %s\n", "REPOSITORY", "TAG", "DIGEST",
			       "IMAGE ID", "CREATED", "SIZE");
		else
			printf("%-30s %-15s %-15s %-20s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	}
	for (size_t i = 0; i < n; i++) {
		char since[64], size[32], id[IMG_DIGEST_LEN + 1];
		const struct img_info *row = &rows[i];
		bool dup = false;

		if (!matches(row, filter))
			continue;
		snprintf(id, sizeof(id), "%s", notrunc ? row->id : row->id + 7);
		if (!notrunc)
			id[12] = '\0';
		if (quiet) {
			for (size_t j = 0; j < i; j++)
				dup |= strcmp(rows[j].id, row->id) == 0 && matches(&rows[j], filter);
			if (!dup)
				printf("%s\n", id);
			continue;
		}
		cli_human_since(row->created, since, sizeof(since));
		cli_human_size(row->size, size, sizeof(size));
		if (json) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}", "Repository",
					      row->repo ? row->repo : "<none>", "Tag", row->tag ? row->tag : "<none>",
					      "ID", id, "Digest", row->digest ? row->digest : "<none>",
					      "CreatedAt", row->created ? row->created : "", "CreatedSince", since,
					      "Size", size, "VirtualSize", (json_int_t)row->size);
			char *t = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
			printf("%s\n", t);
			free(t);
			json_decref(j);
		} else if (digests) {
			printf("%-30s %-15s %-72s %-20s %-20s %s\n", row->repo ? row->repo : "<none>",
			       row->tag ? row->tag : "<none>", row->digest ? row->digest : "<none>", id, since, size);
		} else {
			printf("%-30s %-15s %-15s %-20s %s\n", row->repo ? row->repo : "<none>",
			       row->tag ? row->tag : "<none>", id, since, size);
		}
	}
	img_info_free(rows, n);
	return CLI_OK;
}
