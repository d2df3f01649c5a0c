/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for silo_user_spec_parse() and silo_id_parse() (exec's
 * --user UID[:GID] and --additional-gids).  Besides memory errors and
 * undefined behaviour it checks what userspec.h promises: a parse succeeds
 * exactly for digits[:digits] with both numbers at most 4294967294, gives
 * those numbers, leaves the output alone and sets a message on failure, and
 * the printed form parses back to the same ids.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "userspec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

/* The reference: digits only, non-empty, value <= SILO_ID_MAX. */
static bool ref_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v <= SILO_ID_MAX)
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > SILO_ID_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	struct silo_user_spec u = { .uid = 1, .has_gid = true, .gid = 2 };
	struct silo_error err = { 0 };
	const char *colon = strchr(text, ':');
	size_t len = strlen(text);
	uint32_t ruid = 0, rgid = 0, id = 3;
	bool ref_ok;
	int r;

	if (colon == NULL)
		ref_ok = ref_id(text, len, &ruid);
	else
		ref_ok = ref_id(text, (size_t)(colon - text), &ruid) &&
			 ref_id(colon + 1, strlen(colon + 1), &rgid);
	r = silo_user_spec_parse(text, &u, &err);
	check((r == 0) == ref_ok);
	if (r == 0) {
		char buf[32];
		struct silo_user_spec back;

		check(u.uid == ruid && u.has_gid == (colon != NULL));
		check(!u.has_gid || u.gid == rgid);
		if (u.has_gid)
			snprintf(buf, sizeof(buf), "%u:%u", u.uid, u.gid);
		else
			snprintf(buf, sizeof(buf), "%u", u.uid);
		check(silo_user_spec_parse(buf, &back, &err) == 0);
		check(back.uid == u.uid && back.has_gid == u.has_gid && back.gid == u.gid);
	} else {
		check(r == -1 && err.msg[0] != '\0');
		check(u.uid == 1 && u.has_gid && u.gid == 2);
		/* the message quotes at most 32 bytes, never a control character */
		for (const char *c = err.msg; *c; c++)
			check((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
	}

	r = silo_id_parse(text, "gid", &id, &err);
	check((r == 0) == ref_id(text, len, &rgid));
	check(r == 0 ? id == rgid : id == 3);
	free(text);
	return 0;
}
