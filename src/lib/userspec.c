/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * exec's --user and --additional-gids parsers; see userspec.h.  Hand-written
 * rather than strtoul: strtoul skips leading white space and takes a sign
 * ("-0", " 5", "+5"), which an id must not have.
 */
#include <string.h>

#include "userspec.h"

/* At most 32 bytes of `s` for a message, with control characters, quotes
 * and non-ASCII bytes as '?' so that a hostile argument cannot forge log
 * lines. */
static const char *quote(char buf[36], const char *s, size_t len)
{
	size_t n = len > 32 ? 32 : len;

	for (size_t i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '"' && s[i] != '\\' ? s[i] : '?';
	strcpy(buf + n, len > 32 ? "..." : "");
	return buf;
}

/* `s` is len bytes long (not NUL-terminated inside a "UID:GID"). */
static int id_parse_n(const char *s, size_t len, const char *what, uint32_t *out,
		      struct silo_error *err)
{
	uint64_t v = 0;
	char buf[36];

	if (len == 0)
		return silo_error(err, 0, "empty %s", what);
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return silo_error(err, 0, "%s \"%s\": not a decimal number", what,
					  quote(buf, s, len));
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > SILO_ID_MAX)
			return silo_error(err, 0, "%s \"%s\": out of range (0 to %u)", what,
					  quote(buf, s, len), SILO_ID_MAX);
	}
	*out = (uint32_t)v;
	return 0;
}

int silo_id_parse(const char *s, const char *what, uint32_t *out, struct silo_error *err)
{
	return id_parse_n(s, strlen(s), what, out, err);
}

int silo_user_spec_parse(const char *s, struct silo_user_spec *out, struct silo_error *err)
{
	const char *colon = strchr(s, ':');
	struct silo_user_spec u = { 0 };

	if (id_parse_n(s, colon ? (size_t)(colon - s) : strlen(s), "uid", &u.uid, err) < 0)
		return -1;
	if (colon != NULL) {
		if (id_parse_n(colon + 1, strlen(colon + 1), "gid", &u.gid, err) < 0)
			return -1;
		u.has_gid = true;
	}
	*out = u;
	return 0;
}
