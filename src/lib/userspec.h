/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The user spec of `exec --user UID[:GID]` and the ids of
 * `exec --additional-gids GID`: pure parsers, unit-tested and fuzzed
 * (fuzz/fuzz_user.c).
 *
 * Numbers only, as runc's exec: a name would have to be looked up in the
 * container's /etc/passwd, which the runtime does not read.  An id is
 * decimal digits and nothing else (no sign, no space, no 0x), 0 to
 * 4294967294: 4294967295 is (uid_t)-1, which setresuid/setresgid take as
 * "leave unchanged", so it can never be a real id.
 */
#ifndef SILO_USERSPEC_H
#define SILO_USERSPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

#define SILO_ID_MAX 4294967294u

struct silo_user_spec {
	uint32_t uid;
	bool has_gid;
	uint32_t gid;       /* when has_gid */
};

/* One id ("uid", "gid" in `what` for the message).  Returns 0, or -1 with
 * *err set ("gid \"x\": not a decimal number"); *out is untouched then. */
int silo_id_parse(const char *s, const char *what, uint32_t *out, struct silo_error *err);

/* "UID" or "UID:GID".  Returns 0, or -1 with *err set naming the part at
 * fault; *out is untouched on failure. */
int silo_user_spec_parse(const char *s, struct silo_user_spec *out, struct silo_error *err);

#endif
