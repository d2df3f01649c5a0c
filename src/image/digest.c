/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sha256 digests of blobs: OpenSSL's EVP interface (libcrypto), and the one
 * accepted digest form, "sha256:" followed by 64 lower-case hex digits.
 */
#include <stdio.h>
#include <string.h>

#include "image.h"
#include "lazy.h"

bool img_digest_valid(const char *d)
{
	if (d == NULL || strncmp(d, "sha256:", 7) != 0 || strlen(d) != IMG_DIGEST_LEN)
		return false;
	for (const char *p = d + 7; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	}
	return true;
}

int img_sha256_init(struct img_sha256 *h, struct silo_error *err)
{
	EVP_MD_CTX *ctx;

	h->ctx = NULL;
	h->size = 0;
	if (img_lazy_need(IMG_LAZY_CRYPTO, err) < 0)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return silo_error(err, 0, "sha256: cannot initialise the digest");
	}
	h->ctx = ctx;
	return 0;
}

void img_sha256_update(struct img_sha256 *h, const void *data, size_t len)
{
	EVP_DigestUpdate(h->ctx, data, len);
	h->size += len;
}

void img_sha256_final(struct img_sha256 *h, char *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(h->ctx, md, &n);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < n && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	out[IMG_DIGEST_LEN] = '\0';
	img_sha256_free(h);
}

void img_sha256_free(struct img_sha256 *h)
{
	if (h->ctx != NULL)
		EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int img_sha256_buf(const void *data, size_t len, char *out, struct silo_error *err)
{
	struct img_sha256 h;

	if (img_sha256_init(&h, err) < 0)
		return -1;
	img_sha256_update(&h, data, len);
	img_sha256_final(&h, out);
	return 0;
}
