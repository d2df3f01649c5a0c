/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The dlopen side of lazy.h: one table of function pointers, filled per
 * library on its first img_lazy_need().  The sonames are Debian 12's (the
 * ones the -dev packages link against); SILO_IMAGE_SONAME_* from the build
 * can change them.
 */
#define IMG_LAZY_IMPLEMENTATION 1
#include <dlfcn.h>
#include <stdbool.h>

#include "image.h"
#include "lazy.h"

#ifndef SILO_SONAME_ARCHIVE
#define SILO_SONAME_ARCHIVE "libarchive.so.13"
#endif
#ifndef SILO_SONAME_CURL
#define SILO_SONAME_CURL "libcurl.so.4"
#endif
#ifndef SILO_SONAME_CRYPTO
#define SILO_SONAME_CRYPTO "libcrypto.so.3"
#endif

struct img_lazy_table img_lazy;

static int load(const char *soname, bool *done, struct silo_error *err, void **handle)
{
	if (*done)
		return 1;
	*handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (*handle == NULL)
		return silo_error(err, 0, "load %s: %s", soname, dlerror());
	return 0;
}

#define RESOLVE(name)                                                                  \
	if ((img_lazy.name = (__typeof__(img_lazy.name))dlsym(h, #name)) == NULL)      \
		return silo_error(err, 0, "load %s: no symbol %s", soname, #name);

int img_lazy_need(enum img_lazy_lib lib, struct silo_error *err)
{
	static bool done[3];
	const char *soname;
	void *h = NULL;
	int r;

	switch (lib) {
	case IMG_LAZY_ARCHIVE:
		soname = SILO_SONAME_ARCHIVE;
		if ((r = load(soname, &done[lib], err, &h)) != 0)
			return r > 0 ? 0 : -1;
		IMG_LAZY_ARCHIVE_FUNCS(RESOLVE)
		break;
	case IMG_LAZY_CURL:
		soname = SILO_SONAME_CURL;
		if ((r = load(soname, &done[lib], err, &h)) != 0)
			return r > 0 ? 0 : -1;
		IMG_LAZY_CURL_FUNCS(RESOLVE)
		break;
	case IMG_LAZY_CRYPTO:
		soname = SILO_SONAME_CRYPTO;
		if ((r = load(soname, &done[lib], err, &h)) != 0)
			return r > 0 ? 0 : -1;
		IMG_LAZY_CRYPTO_FUNCS(RESOLVE)
		break;
	default:
		return silo_error(err, 0, "unknown library");
	}
	done[lib] = true;
	return 0;
}

int img_lazy_need_archive(struct silo_error *err)
{
	return img_lazy_need(IMG_LAZY_ARCHIVE, err);
}
