/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.json's text -> a jansson tree (sj_load_json), for spec.c and
 * spec_linux.c: what jansson does not do by itself.
 *  - Integers above INT64_MAX (uint64 fields) are rewritten before parsing
 *    and remembered (sj_is_big).
 *  - The layout of an indented config is dropped before jansson's lexer
 *    sees it (a third of the text; the tokens are unchanged).
 * Hand-written because jansson has no option for either; both passes cost a
 * fraction of its own parse.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "spec_internal.h"
#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

bool sj_is_big(const struct sj_ctx *c, uint64_t v)
{
	return c->n_bigs > 0 && bsearch(&v, c->bigs, c->n_bigs, sizeof(v), cmp_u64) != NULL;
}

/* ---------------------------------------------------------------- big integers */

/*
 * jansson keeps integers in an int64 and rejects larger literals, but the
 * spec's uint64 fields carry them: podman writes RLIM_INFINITY as
 * 18446744073709551615, seccomp argument masks use all 64 bits.  Before
 * parsing, each literal in (INT64_MAX, UINT64_MAX] is rewritten as the int64
 * with the same 64 bits and remembered in c->bigs; a uint64 field accepts a
 * negative value only when it is one of those.  Shorter rewrites are padded
 * with spaces so error columns stay right; a 19-digit literal grows by one
 * character, shifting later columns on its line by one.
 */
static bool num_boundary(char ch)
{
	return ch == '\0' || strchr(" \t\r\n,:[]{}", ch) != NULL;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A literal above INT64_MAX has at least 19 digits in a row, and any 19 in a
 * row cover one of every 19 positions: looking only there (and around a digit
 * found there) skips the careful scan below for the configs that have none
 * (most) at a small part of its cost. */
static bool has_long_digit_run(const char *json, size_t len)
{
	for (size_t i = 18; i < len; i += 19) {
		size_t a = i, b = i;

		if (!is_digit(json[i]))
			continue;
		while (a > 0 && is_digit(json[a - 1]))
			a--;
		while (b + 1 < len && is_digit(json[b + 1]))
			b++;
		if (b - a + 1 >= 19)
			return true;
		i = b; /* json[b + 1] is not a digit: a run after it covers b + 19 */
	}
	return false;
}

static char *rewrite_big_ints(struct sj_ctx *c, const char *json, size_t len, size_t *out_len)
{
	char *out = NULL;
	size_t o = 0, last = 0;
	bool in_str = false;

	if (!has_long_digit_run(json, len))
		return NULL;
	for (size_t i = 0; i < len; i++) {
		char ch = json[i];
		size_t j = i;
		uint64_t v = 0;
		bool over = false;
		char num[24];
		int n;

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		if (ch == '"') {
			in_str = true;
			continue;
		}
		if (ch < '1' || ch > '9' || (i > 0 && !num_boundary(json[i - 1])))
			continue;
		for (; j < len && json[j] >= '0' && json[j] <= '9'; j++) {
			unsigned d = (unsigned)(json[j] - '0');
			if (v > (UINT64_MAX - d) / 10)
				over = true;
			v = v * 10 + d;
		}
		if (over || v <= INT64_MAX || (j < len && !num_boundary(json[j]))) {
			i = j - 1;
			continue;
		}
		if (out == NULL)
			out = xmalloc(len + len / 19 + 2);
		memcpy(out + o, json + last, i - last);
		o += i - last;
		n = snprintf(num, sizeof(num), "%" PRId64, (int64_t)v);
		memcpy(out + o, num, (size_t)n);
		o += (size_t)n;
		for (size_t k = (size_t)n; k < j - i; k++)
			out[o++] = ' ';
		c->bigs = xreallocarray(c->bigs, c->n_bigs + 1, sizeof(*c->bigs));
		c->bigs[c->n_bigs++] = v;
		last = j;
		i = j - 1;
	}
	if (out == NULL)
		return NULL;
	qsort(c->bigs, c->n_bigs, sizeof(*c->bigs), cmp_u64);
	memcpy(out + o, json + last, len - last);
	o += len - last;
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* ---------------------------------------------------------------- layout */

static bool is_ws(char ch)
{
	return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
}

static bool is_structural(char ch)
{
	return ch == '{' || ch == '}' || ch == '[' || ch == ']' || ch == ',' || ch == ':' || ch == '"';
}

/*
 * jansson's lexer takes ~60 instructions per byte, whitespace included, and
 * an indented config (`silo-oci spec`, jq) is a third whitespace: that is
 * dropped first, in a pass that costs a tenth of that.  Only whitespace next
 * to a structural character or a quote goes (one space stays between two
 * other characters: "1 2" must not become "12"), so the tokens jansson sees
 * are the same, and so are the value and whether the text is valid.  Only
 * the positions in jansson's messages differ: on an error the text is parsed
 * again as written (sj_load_json).  Text without a newline followed by
 * indentation near its start is left alone (Go's encoders write compact
 * JSON).  Returns NULL when left alone.
 */
static char *drop_layout(const char *json, size_t len, size_t *out_len)
{
	const char *nl = memchr(json, '\n', len < 256 ? len : 256);
	char *out;
	size_t o = 0;

	if (nl == NULL || (size_t)(nl - json) + 1 >= len || !is_ws(nl[1]))
		return NULL;
	out = xmalloc(len + 1);
	for (size_t i = 0; i < len; i++) {
		char ch = json[i];

		if (ch == '"') {
			/* a string, verbatim through its closing quote: the first
			 * quote after an even number of backslashes */
			size_t j = i + 1, k;
			const char *q;

			for (;;) {
				q = memchr(json + j, '"', len - j);
				if (q == NULL) {
					j = len;
					break;
				}
				j = (size_t)(q - json);
				for (k = j; k > i + 1 && json[k - 1] == '\\'; k--)
					;
				if ((j - k) % 2 == 0) {
					j++;
					break;
				}
				j++;
			}
			memcpy(out + o, json + i, j - i);
			o += j - i;
			i = j - 1;
			continue;
		}
		if (!is_ws(ch)) {
			out[o++] = ch;
			continue;
		}
		while (i + 1 < len && is_ws(json[i + 1]))
			i++;
		if (o > 0 && !is_structural(out[o - 1]) && i + 1 < len && !is_structural(json[i + 1]))
			out[o++] = ' ';
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/* Parse JSON text into an object, reporting jansson's position. */
json_t *sj_load_json(struct sj_ctx *c, const char *json, size_t len)
{
	cleanup_free char *rewritten = NULL;
	cleanup_free char *compact = NULL;
	json_error_t jerr;
	json_t *root;
	size_t rlen = 0, clen = 0;

	rewritten = rewrite_big_ints(c, json, len, &rlen);
	if (rewritten != NULL) {
		json = rewritten;
		len = rlen;
	}
	compact = drop_layout(json, len, &clen);
	root = json_loadb(compact ? compact : json, compact ? clen : len, 0, &jerr);
	/* The same tokens: this fails too, at the position as written. */
	if (root == NULL && compact != NULL)
		root = json_loadb(json, len, 0, &jerr);
	if (root == NULL) {
		if (c->name != NULL)
			silo_error(c->err, 0, "%s:%d:%d: invalid JSON: %s", c->name, jerr.line, jerr.column,
				   jerr.text);
		else
			silo_error(c->err, 0, "%d:%d: invalid JSON: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		if (c->name != NULL)
			silo_error(c->err, 0, "%s: must be a JSON object", c->name);
		else
			silo_error(c->err, 0, "must be a JSON object");
		return NULL;
	}
	return root;
}
