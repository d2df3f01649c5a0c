/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the pure helpers of src/image: reference parsing and
 * docker's normalisation, digests, whiteout names, layer path cleaning,
 * manifest/index/config parsing and platform choice. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "image.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check_ref(const char *in, const char *full, const char *familiar)
{
	struct silo_error err = { 0 };
	struct img_ref ref;
	char *s, *repo, *fam;

	if (img_ref_parse(in, &ref, &err) != 0)
		fail_msg("%s: %s", in, err.msg);
	s = img_ref_string(&ref);
	repo = img_ref_repo(&ref);
	fam = img_ref_familiar(repo);
	if (strcmp(s, full) != 0)
		fail_msg("%s: got %s, want %s", in, s, full);
	assert_string_equal(fam, familiar);
	free(s);
	free(repo);
	free(fam);
	img_ref_free(&ref);
}

static void test_ref_normalise(void **state)
{
	(void)state;
	check_ref("busybox", "docker.io/library/busybox:latest", "busybox");
	check_ref("busybox:1.36", "docker.io/library/busybox:1.36", "busybox");
	check_ref("library/busybox", "docker.io/library/busybox:latest", "busybox");
	check_ref("docker.io/busybox", "docker.io/library/busybox:latest", "busybox");
	check_ref("index.docker.io/library/busybox:x", "docker.io/library/busybox:x", "busybox");
	check_ref("silo/busybox", "docker.io/silo/busybox:latest", "silo/busybox");
	check_ref("localhost/app", "localhost/app:latest", "localhost/app");
	check_ref("localhost:5000/a/b/c:v1.2-rc_3", "localhost:5000/a/b/c:v1.2-rc_3", "localhost:5000/a/b/c");
	check_ref("127.0.0.1:15010/test/busybox:bb1", "127.0.0.1:15010/test/busybox:bb1",
		  "127.0.0.1:15010/test/busybox");
	check_ref("quay.io/a.b/c__d---e", "quay.io/a.b/c__d---e:latest", "quay.io/a.b/c__d---e");
	check_ref("busybox@" D64, "docker.io/library/busybox@" D64, "busybox");
	/* a tag and a digest: the digest wins */
	check_ref("busybox:1@" D64, "docker.io/library/busybox@" D64, "busybox");
}

static void test_ref_invalid(void **state)
{
	static const char *const bad[] = {
		"", "Busybox", "busybox:", ":tag", "busybox@sha256:abc", "busybox@md5:" "0123",
		"a//b", "a/", "/a", "-a", "a-", "a..b", "a___b", "a:b:c", "busybox:-x",
		"host:port/x", "ex ample/x", "a@" D64 "x", "example.com:/x",
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct silo_error err = { 0 };
		struct img_ref ref;
		if (img_ref_parse(bad[i], &ref, &err) == 0)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_non_null(strstr(err.msg, "invalid reference"));
	}
	{
		/* a tag is at most 128 characters */
		char tag[8 + 130] = "busybox:";
		struct silo_error err = { 0 };
		struct img_ref ref;
		memset(tag + 8, 'a', 128);
		tag[8 + 128] = '\0';
		assert_int_equal(img_ref_parse(tag, &ref, &err), 0);
		img_ref_free(&ref);
		tag[8 + 128] = 'a';
		tag[8 + 129] = '\0';
		assert_int_equal(img_ref_parse(tag, &ref, &err), -1);
	}
	{
		struct silo_error err = { 0 };
		struct img_ref ref;
		assert_int_equal(img_ref_parse("Upper/x", &ref, &err), -1);
		assert_non_null(strstr(err.msg, "must be lowercase"));
	}
}

static void test_digest(void **state)
{
	struct silo_error err = { 0 };
	char out[IMG_DIGEST_LEN + 1];

	(void)state;
	assert_true(img_digest_valid(D64));
	assert_false(img_digest_valid("sha256:0123"));
	assert_false(img_digest_valid("sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(img_digest_valid("sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(img_digest_valid(D64 "0"));
	assert_false(img_digest_valid(NULL));
	assert_int_equal(img_sha256_buf("", 0, out, &err), 0);
	assert_string_equal(out, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(img_sha256_buf("abc", 3, out, &err), 0);
	assert_string_equal(out, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_string_equal(img_digest_hex(out), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_whiteout(void **state)
{
	const char *t = NULL;

	(void)state;
	assert_int_equal(img_whiteout_name("file", &t), 0);
	assert_int_equal(img_whiteout_name(".whx", &t), 0);
	assert_int_equal(img_whiteout_name(".wh.motd", &t), 1);
	assert_string_equal(t, "motd");
	assert_int_equal(img_whiteout_name(".wh..hidden", &t), 1);
	assert_string_equal(t, ".hidden");
	assert_int_equal(img_whiteout_name(".wh..wh..opq", &t), 2);
	assert_int_equal(img_whiteout_name(".wh.", &t), -1);
	assert_int_equal(img_whiteout_name(".wh..", &t), -1);
	assert_int_equal(img_whiteout_name(".wh...", &t), -1);
	assert_int_equal(img_whiteout_name(".wh..wh.plnk", &t), -1);
}

static void check_clean(const char *in, const char *want)
{
	char *got = img_layer_path_clean(in);
	if (want == NULL) {
		if (got != NULL)
			fail_msg("%s: got \"%s\", want NULL", in, got);
		return;
	}
	if (got == NULL)
		fail_msg("%s: got NULL, want \"%s\"", in, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_path_clean(void **state)
{
	(void)state;
	check_clean("a/b", "a/b");
	check_clean("./a//b/", "a/b");
	check_clean("/etc/passwd", "etc/passwd");
	check_clean("a/./b/../c", "a/c");
	check_clean("a/..", "");
	check_clean("./", "");
	check_clean("", "");
	check_clean("..", NULL);
	check_clean("../x", NULL);
	check_clean("a/../../x", NULL);
	check_clean("/../x", NULL);
	check_clean("a/b/../../..", NULL);
	check_clean("...", "...");
	check_clean("..a/b..", "..a/b..");
}

static void test_manifest(void **state)
{
	static const char good[] =
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
		"\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"" D64 "\",\"size\":7},"
		"\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"" D64 "\",\"size\":9},"
		"{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" D64 "\",\"size\":0}]}";
	static const struct { const char *doc, *msg; } bad[] = {
		{ "[]", "not a JSON object" },
		{ "{\"schemaVersion\":1}", "schemaVersion" },
		{ "{\"schemaVersion\":2,\"layers\":[]}", "config" },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":1},\"layers\":[]}", "config.digest" },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D64 "\",\"size\":-1},\"layers\":[]}", "config.size" },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D64 "\",\"size\":1}}", "layers" },
		{ "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D64 "\",\"size\":1},\"layers\":[{\"mediaType\":\"text/plain\",\"digest\":\"" D64 "\",\"size\":1}]}", "unsupported layer type" },
		{ "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}", "unsupported media type" },
		{ "{\"schemaVersion\":2,\"schemaVersion\":2}", "line 1" },
	};
	struct silo_error err = { 0 };
	struct img_manifest m;

	(void)state;
	assert_int_equal(img_manifest_parse(good, strlen(good), &m, &err), 0);
	assert_int_equal(m.n_layers, 2);
	assert_int_equal(m.config.size, 7);
	assert_string_equal(m.layers[1].media_type, IMG_MT_OCI_LAYER_ZSTD);
	img_manifest_free(&m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		silo_error_clear(&err);
		if (img_manifest_parse(bad[i].doc, strlen(bad[i].doc), &m, &err) == 0)
			fail_msg("accepted %s", bad[i].doc);
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].doc, err.msg, bad[i].msg);
	}
}

static void test_index_pick(void **state)
{
	static const char doc[] =
		"{\"schemaVersion\":2,\"manifests\":["
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64 "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64 "\",\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64 "\",\"size\":3,\"platform\":{\"os\":\"windows\",\"architecture\":\"amd64\"}},"
		"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D64 "\",\"size\":4,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
	struct silo_error err = { 0 };
	struct img_index ix;

	(void)state;
	assert_int_equal(img_index_parse(doc, strlen(doc), &ix, &err), 0);
	assert_int_equal(ix.n, 4);
	assert_int_equal(img_index_pick(&ix, "linux", "amd64", NULL), 3);
	assert_int_equal(img_index_pick(&ix, "linux", "arm64", NULL), 1);
	assert_int_equal(img_index_pick(&ix, "linux", "arm", "v7"), 0);
	assert_int_equal(img_index_pick(&ix, "linux", "arm", "v6"), -1);
	assert_int_equal(img_index_pick(&ix, "linux", "s390x", NULL), -1);
	assert_int_equal(img_index_pick(&ix, "windows", "amd64", NULL), 2);
	img_index_free(&ix);
}

static void test_config(void **state)
{
	static const char good[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\","
				   "\"config\":{\"Cmd\":[\"sh\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D64 "\"]}}";
	static const char bad[] = "{\"rootfs\":{\"diff_ids\":[\"sha256:xyz\"]}}";
	struct silo_error err = { 0 };
	struct img_config c;

	(void)state;
	assert_int_equal(img_config_parse(good, strlen(good), &c, &err), 0);
	assert_int_equal(c.n_diff_ids, 1);
	assert_string_equal(c.arch, "amd64");
	assert_string_equal(c.created, "2026-01-01T00:00:00Z");
	img_config_free(&c);
	assert_int_equal(img_config_parse(bad, strlen(bad), &c, &err), -1);
	assert_non_null(strstr(err.msg, "rootfs.diff_ids[0]"));
	assert_int_equal(img_config_parse("{}", 2, &c, &err), -1);
}

static void test_media(void **state)
{
	char *mt;
	(void)state;
	assert_true(img_media_is_index(IMG_MT_DOCKER_LIST));
	assert_true(img_media_is_manifest(IMG_MT_DOCKER_MANIFEST));
	assert_true(img_media_is_layer(IMG_MT_DOCKER_LAYER));
	assert_false(img_media_is_layer(IMG_MT_OCI_CONFIG));
	mt = img_media_sniff("{\"manifests\":[]}", 16);
	assert_string_equal(mt, IMG_MT_OCI_INDEX);
	free(mt);
	mt = img_media_sniff("{\"layers\":[]}", 13);
	assert_string_equal(mt, IMG_MT_OCI_MANIFEST);
	free(mt);
	assert_null(img_media_sniff("nope", 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_normalise),
		cmocka_unit_test(test_ref_invalid),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_whiteout),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_index_pick),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_media),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
