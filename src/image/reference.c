/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Image references: parsing and docker's normalisation.
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] component ( "/" component )*
 *   domain     := host [ ":" port ]   (a first part with "." or ":", or "localhost")
 *   component  := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
 *
 * Without a domain the name is on docker.io, and a single component there is
 * under library/ ("busybox" = "docker.io/library/busybox").  Without a tag or
 * digest the tag is "latest".  Hand-written: the grammar is small and libc's
 * regex would not say which part is wrong.
 */
#include <ctype.h>
#include <string.h>

#include "image.h"
#include "util.h"

#define NAME_MAX_LEN 255

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component of length n. */
static bool component_ok(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		/* a separator: ".", "_", "__" or a run of "-" */
		if (s[i] == '.' || s[i] == '_') {
			size_t j = i + 1;
			if (s[i] == '_' && j < n && s[j] == '_')
				j++;
			i = j;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i >= n || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

static bool domain_ok(const char *s, size_t n)
{
	size_t i = 0, host_end = n;
	const char *colon = memchr(s, ':', n);

	if (colon != NULL) {
		host_end = (size_t)(colon - s);
		if (host_end + 1 >= n)
			return false;
		for (size_t j = host_end + 1; j < n; j++) {
			if (!isdigit((unsigned char)s[j]))
				return false;
		}
	}
	if (host_end == 0)
		return false;
	/* dot-separated labels of [A-Za-z0-9-], not starting or ending with '-' */
	while (i < host_end) {
		size_t start = i;
		while (i < host_end && s[i] != '.') {
			if (!isalnum((unsigned char)s[i]) && s[i] != '-')
				return false;
			i++;
		}
		if (i == start || s[start] == '-' || s[i - 1] == '-')
			return false;
		if (i < host_end)
			i++;    /* the dot */
		if (i == host_end && s[i - 1] == '.')
			return false;
	}
	return true;
}

static bool tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		if (!(isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	}
	return true;
}

void img_ref_free(struct img_ref *ref)
{
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

int img_ref_parse(const char *s, struct img_ref *ref, struct silo_error *err)
{
	cleanup_free char *name = NULL;
	const char *at, *slash, *colon, *rest;
	size_t namelen;

	memset(ref, 0, sizeof(*ref));
	if (s == NULL || *s == '\0')
		return silo_error(err, 0, "invalid reference \"\": empty");
	at = strchr(s, '@');
	if (at != NULL) {
		if (!img_digest_valid(at + 1)) {
			silo_error(err, 0, "invalid reference \"%s\": bad digest (want sha256: and 64 lower-case hex digits)", s);
			goto fail;
		}
		ref->digest = xstrdup(at + 1);
		name = xstrndup(s, (size_t)(at - s));
	} else {
		name = xstrdup(s);
	}
	/* a tag is after the last ':' that follows the last '/' */
	slash = strrchr(name, '/');
	colon = strrchr(slash != NULL ? slash : name, ':');
	if (colon != NULL) {
		if (!tag_ok(colon + 1)) {
			silo_error(err, 0, "invalid reference \"%s\": bad tag \"%s\"", s, colon + 1);
			goto fail;
		}
		ref->tag = xstrdup(colon + 1);
		name[colon - name] = '\0';
	}
	namelen = strlen(name);
	if (namelen == 0) {
		silo_error(err, 0, "invalid reference \"%s\": empty name", s);
		goto fail;
	}
	/* the domain */
	slash = strchr(name, '/');
	if (slash != NULL && (memchr(name, '.', (size_t)(slash - name)) != NULL ||
			      memchr(name, ':', (size_t)(slash - name)) != NULL ||
			      strncmp(name, "localhost/", 10) == 0)) {
		if (!domain_ok(name, (size_t)(slash - name))) {
			silo_error(err, 0, "invalid reference \"%s\": bad registry name \"%.*s\"", s,
				   (int)(slash - name), name);
			goto fail;
		}
		ref->domain = xstrndup(name, (size_t)(slash - name));
		rest = slash + 1;
	} else {
		ref->domain = xstrdup("docker.io");
		rest = name;
	}
	if (strcmp(ref->domain, "index.docker.io") == 0) {
		free(ref->domain);
		ref->domain = xstrdup("docker.io");
	}
	/* the path components */
	for (const char *p = rest;;) {
		const char *e = strchr(p, '/');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (!component_ok(p, n)) {
			bool upper = false;
			for (size_t i = 0; i < n; i++)
				upper |= isupper((unsigned char)p[i]) != 0;
			silo_error(err, 0, "invalid reference \"%s\": %s", s,
				   upper ? "repository name must be lowercase"
					 : "bad repository name (lower-case letters, digits and . _ - separators)");
			goto fail;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	if (strcmp(ref->domain, "docker.io") == 0 && strchr(rest, '/') == NULL)
		ref->path = xasprintf("library/%s", rest);
	else
		ref->path = xstrdup(rest);
	if (strlen(ref->domain) + 1 + strlen(ref->path) > NAME_MAX_LEN) {
		silo_error(err, 0, "invalid reference \"%s\": name longer than %d characters", s,
			   NAME_MAX_LEN);
		goto fail;
	}
	if (ref->tag == NULL && ref->digest == NULL)
		ref->tag = xstrdup("latest");
	return 0;
fail:
	img_ref_free(ref);
	return -1;
}

char *img_ref_repo(const struct img_ref *ref)
{
	return xasprintf("%s/%s", ref->domain, ref->path);
}

char *img_ref_string(const struct img_ref *ref)
{
	if (ref->digest != NULL)
		return xasprintf("%s/%s@%s", ref->domain, ref->path, ref->digest);
	return xasprintf("%s/%s:%s", ref->domain, ref->path, ref->tag);
}

char *img_ref_familiar(const char *repo)
{
	if (str_has_prefix(repo, "docker.io/library/") && strchr(repo + 18, '/') == NULL)
		return xstrdup(repo + 18);
	if (str_has_prefix(repo, "docker.io/"))
		return xstrdup(repo + 10);
	return xstrdup(repo);
}
