/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo pull NAME[:TAG|@DIGEST]`: fetch an image from a registry.  On a
 * terminal every blob gets a progress bar, redrawn in place (at most ten
 * times a second); otherwise one plain line per event, as docker does
 * without a tty.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

struct bar {
	char digest[IMG_DIGEST_LEN + 1];
	int64_t done, total;
	const char *state;
};

struct display {
	bool tty, quiet;
	size_t downloaded;         /* blobs fetched by this pull */
	struct bar *bars;
	size_t n, drawn;
	struct timespec last;
};

static struct bar *bar_for(struct display *d, const char *digest)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->bars[i].digest, digest) == 0)
			return &d->bars[i];
	}
	d->bars = xreallocarray(d->bars, d->n + 1, sizeof(*d->bars));
	memset(&d->bars[d->n], 0, sizeof(*d->bars));
	snprintf(d->bars[d->n].digest, sizeof(d->bars[d->n].digest), "%s", digest);
	return &d->bars[d->n++];
}

static void redraw(struct display *d, bool force)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!force && (now.tv_sec - d->last.tv_sec) * 1000000000L + (now.tv_nsec - d->last.tv_nsec) < 100000000L)
		return;
	d->last = now;
	if (d->drawn > 0)
		printf("\033[%zuA", d->drawn);
	for (size_t i = 0; i < d->n; i++) {
		struct bar *b = &d->bars[i];
		char have[32], total[32], line[48];
		int width = 30, fill = b->total > 0 ? (int)(b->done * width / b->total) : 0;
		memset(line, ' ', (size_t)width);
		memset(line, '=', (size_t)(fill > width ? width : fill));
		if (fill < width && fill > 0)
			line[fill] = '>';
		line[width] = '\0';
		cli_human_size(b->done, have, sizeof(have));
		cli_human_size(b->total, total, sizeof(total));
		if (strcmp(b->state, "Downloading") == 0)
			printf("\033[K%.12s: %s [%s] %s/%s\n", b->digest + 7, b->state, line, have, total);
		else
			printf("\033[K%.12s: %s\n", b->digest + 7, b->state);
	}
	d->drawn = d->n;
	fflush(stdout);
}

static void on_progress(const struct img_progress *p, void *data)
{
	struct display *d = data;
	struct bar *b;
	char size[32];

	if (p->kind == IMG_PROGRESS_BLOB_DONE)
		d->downloaded++;
	if (d->quiet)
		return;
	if (p->kind == IMG_PROGRESS_INFO) {
		if (d->tty && d->drawn > 0)
			d->drawn = 0;    /* info goes below the bars */
		printf("%s\n", p->msg);
		return;
	}
	if (!d->tty) {
		cli_human_size(p->total, size, sizeof(size));
		switch (p->kind) {
		case IMG_PROGRESS_BLOB_START:
			printf("%.12s: Downloading %s\n", p->digest + 7, size);
			break;
		case IMG_PROGRESS_BLOB_RESUME:
			printf("%.12s: Resuming at %lld of %lld bytes\n", p->digest + 7, (long long)p->done,
			       (long long)p->total);
			break;
		case IMG_PROGRESS_BLOB_DONE:
			printf("%.12s: Download complete (digest verified)\n", p->digest + 7);
			break;
		case IMG_PROGRESS_BLOB_EXISTS:
			printf("%.12s: Already exists\n", p->digest + 7);
			break;
		case IMG_PROGRESS_UNPACK:
			printf("%.12s: Unpacking\n", p->digest + 7);
			break;
		case IMG_PROGRESS_BLOB_BYTES:
		case IMG_PROGRESS_INFO:
			break;
		}
		fflush(stdout);
		return;
	}
	b = bar_for(d, p->digest);
	b->total = p->total;
	switch (p->kind) {
	case IMG_PROGRESS_BLOB_START:
	case IMG_PROGRESS_BLOB_RESUME:
	case IMG_PROGRESS_BLOB_BYTES:
		b->state = "Downloading";
		b->done = p->done;
		break;
	case IMG_PROGRESS_BLOB_DONE:
		b->state = "Download complete";
		b->done = p->total;
		break;
	case IMG_PROGRESS_BLOB_EXISTS:
		b->state = "Already exists";
		break;
	case IMG_PROGRESS_UNPACK:
		b->state = "Pull complete";
		break;
	case IMG_PROGRESS_INFO:
		break;
	}
	redraw(d, p->kind != IMG_PROGRESS_BLOB_BYTES);
}

CLI_CMD(pull)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "platform", required_argument, NULL, 'p' },
		{ "insecure", no_argument, NULL, 'k' },
		{ "authfile", required_argument, NULL, 'A' },
		{ "certs-dir", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct img_pull_opts o = { 0 };
	struct display d = { 0 };
	cleanup_free char *platform = NULL;
	char *insecure[2] = { NULL, NULL };
	char id[IMG_DIGEST_LEN + 1];
	struct img_ref ref;
	struct silo_error err;
	bool want_insecure = false;
	int c, r;
	int64_t jobs;

	while ((c = getopt_long(argc, argv, "+qj:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			d.quiet = true;
			break;
		case 'p': {
			char *a, *v;
			free(platform);
			platform = xstrdup(optarg);
			a = strchr(platform, '/');
			if (a == NULL)
				return cli_usage(cmd, "--platform: OS/ARCH[/VARIANT], not \"%s\"", optarg);
			*a++ = '\0';
			v = strchr(a, '/');
			if (v != NULL)
				*v++ = '\0';
			o.os = platform;
			o.arch = a;
			o.variant = v;
			break;
		}
		case 'k':
			want_insecure = true;
			break;
		case 'A':
			o.auth_file = optarg;
			break;
		case 'C':
			if (optarg[0] == '\0')
				return cli_usage(cmd, "--certs-dir must not be empty");
			o.certs_dir = optarg;
			break;
		case 'j':
			if (parse_i64(optarg, &jobs) < 0 || jobs < 1 || jobs > 32)
				return cli_usage(cmd, "--jobs: a number from 1 to 32");
			o.parallel = (int)jobs;
			break;
		default:
			if ((r = cli_getopt_done(cmd, c)) >= 0)
				return r;
		}
	}
	if (argc - optind != 1)
		return cli_usage(cmd, "takes one image reference");
	if (img_ref_parse(argv[optind], &ref, &err) < 0)
		return cli_fail(cmd, &err);
	if (want_insecure) {
		insecure[0] = ref.domain;
		o.insecure = insecure;
	}
	d.tty = isatty(STDOUT_FILENO);
	if (cli_store(ctx, false, &err) < 0) {
		img_ref_free(&ref);
		return cli_fail(cmd, &err);
	}
	ctx->store.progress = on_progress;
	ctx->store.progress_data = &d;
	if (!d.quiet)
		printf("%s: Pulling from %s/%s\n", ref.digest ? ref.digest : ref.tag, ref.domain, ref.path);
	if (img_pull(&ctx->store, argv[optind], &o, id, &err) < 0) {
		img_ref_free(&ref);
		free(d.bars);
		return cli_fail(cmd, &err);
	}
	if (d.quiet) {
		cleanup_free char *s = img_ref_string(&ref);
		printf("%s\n", s);
	} else {
		cleanup_free char *s = img_ref_string(&ref);
		printf("Status: %s for %s\n", d.downloaded > 0 ? "Downloaded newer image" : "Image is up to date", s);
	}
	img_ref_free(&ref);
	free(d.bars);
	return CLI_OK;
}
