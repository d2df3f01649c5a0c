/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `silo pull`: the OCI distribution API (v2) over libcurl.
 *
 *   1. the manifest: GET /v2/REPO/manifests/TAG|DIGEST with every manifest
 *      and index media type in Accept (registry 2.8 answers 404 to an OCI
 *      manifest without an OCI Accept); its sha256 is checked against the
 *      digest asked for, or the Docker-Content-Digest header; an index or
 *      manifest list is resolved to this platform and that manifest fetched
 *      by digest;
 *   2. the blobs (config and layers) not in the store yet: GET
 *      /v2/REPO/blobs/DIGEST, several at once (curl multi), each into
 *      tmp/HEX.partial, hashed as it arrives, verified (size and digest)
 *      before the rename into blobs/.  A partial file left by an interrupted
 *      pull is resumed with a Range request (its bytes hashed again first);
 *      a server that ignores the Range restarts it from zero, and a resumed
 *      blob that does not verify is downloaded once more from the start;
 *   3. img_store_commit: layers unpacked, record written, NAME:TAG and
 *      NAME@DIGEST pointed at the image.
 *
 * Authentication: a 401 with "WWW-Authenticate: Bearer realm=…,service=…,
 * scope=…" gets a token from the realm (with Basic credentials when the
 * docker-style config.json has some for the registry), then the request is
 * retried with it; a Basic challenge gets the credentials directly.
 * Redirects (blob storage) are followed; curl never forwards our
 * Authorization header to another host.
 *
 * TLS trust, as docker does it: a registry's own CA is
 * CERTS/HOST:PORT/ca.crt (also any other *.crt there), where CERTS is
 * --certs-dir, else /etc/docker/certs.d, else /etc/containers/certs.d; those
 * CAs are added to the system bundle (one PEM blob given to curl), so
 * redirects to a public blob store still verify.  client.cert + client.key
 * there are the client certificate.  Verification is never turned off for
 * https, except for a registry named with --insecure.
 *
 * Plain http: https is always tried first.  A registry named insecure, or a
 * loopback one (127.0.0.0/8, localhost, ::1), is then spoken to over plain
 * http only when the https attempt showed the server does not speak TLS
 * (connect or handshake failure); a certificate that does not verify is an
 * error, never a reason to fall back.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "lazy.h"
#include "util.h"

#define ACCEPT_MANIFESTS                                                              \
	"Accept: " IMG_MT_OCI_INDEX ", " IMG_MT_OCI_MANIFEST ", " IMG_MT_DOCKER_LIST ", " \
	IMG_MT_DOCKER_MANIFEST
#define MAX_MANIFEST (4 << 20)

struct reg {
	struct img_store *s;
	const struct img_pull_opts *o;
	const char *scheme;
	char *host;               /* the API host ("registry-1.docker.io" for docker.io) */
	char *domain;             /* as in the reference ("docker.io") */
	char *repo;
	char *auth;               /* "Authorization: …" header line, or NULL */
	char *basic;              /* base64 user:password from the auth file, or NULL */
	bool plain_ok;            /* plain http allowed after https found no TLS (loopback, --insecure) */
	bool no_verify;           /* https without verification (named with --insecure only) */
	char *ca_pem;             /* system bundle + the registry's CAs, or NULL: the system bundle */
	size_t ca_len;
	char *client_cert, *client_key;
	char *certs_from;         /* the certs.d directory looked in (for messages) */
	CURLcode last_cr;         /* the curl result of the last get() */
	char curl_err[CURL_ERROR_SIZE];
};

struct buf {
	char *data;
	size_t len;
	size_t max;
};

struct hdrs {
	char *content_type, *digest, *www_auth;
};

static void hdrs_free(struct hdrs *h)
{
	free(h->content_type);
	free(h->digest);
	free(h->www_auth);
	memset(h, 0, sizeof(*h));
}

static size_t buf_write(char *p, size_t sz, size_t n, void *data)
{
	struct buf *b = data;
	size_t len = sz * n;

	if (b->len + len > b->max)
		return 0;
	b->data = xrealloc(b->data, b->len + len + 1);
	memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *v;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return NULL;
	v = line + nl + 1;
	while (v < line + len && (*v == ' ' || *v == '\t'))
		v++;
	len -= (size_t)(v - line);
	while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	return xstrndup(v, len);
}

static size_t hdr_cb(char *p, size_t sz, size_t n, void *data)
{
	struct hdrs *h = data;
	size_t len = sz * n;
	char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		hdrs_free(h);     /* a new response (after a redirect) */
	else if ((v = header_value(p, len, "content-type")) != NULL)
		free(h->content_type), h->content_type = v;
	else if ((v = header_value(p, len, "docker-content-digest")) != NULL)
		free(h->digest), h->digest = v;
	else if ((v = header_value(p, len, "www-authenticate")) != NULL)
		free(h->www_auth), h->www_auth = v;
	return len;
}

static bool is_loopback(const char *host)
{
	return str_has_prefix(host, "127.") || str_has_prefix(host, "localhost") ||
	       str_has_prefix(host, "[::1]");
}

static CURL *easy_new(struct reg *r, const char *url, struct curl_slist **hl, const char *accept)
{
	CURL *c = curl_easy_init();

	if (c == NULL)
		return NULL;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, r->plain_ok ? "http,https" : "https");
	if (r->no_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (r->ca_pem != NULL) {
		struct curl_blob blob = { .data = r->ca_pem, .len = r->ca_len, .flags = CURL_BLOB_COPY };
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (r->client_cert != NULL && r->client_key != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, r->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, r->client_key);
	}
	curl_easy_setopt(c, CURLOPT_USERAGENT, "silo/" SILO_VERSION);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	*hl = NULL;
	if (accept != NULL)
		*hl = curl_slist_append(*hl, accept);
	if (r->auth != NULL)
		*hl = curl_slist_append(*hl, r->auth);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hl);
	return c;
}

/* The message of a registry error body ({"errors":[{code,message}]}). */
static char *registry_message(const struct buf *b)
{
	json_t *j = b->data != NULL ? json_loadb(b->data, b->len, 0, NULL) : NULL;
	json_t *e = json_array_get(json_object_get(j, "errors"), 0);
	char *out = NULL;

	if (json_is_object(e))
		out = xasprintf("%s: %s", json_string_value(json_object_get(e, "code")) ?: "error",
				json_string_value(json_object_get(e, "message")) ?: "");
	json_decref(j);
	return out;
}

/* ------------------------------------------------------------ auth */

/* key="value" pairs of a challenge, after the scheme word. */
static char *challenge_param(const char *ch, const char *key)
{
	size_t kl = strlen(key);
	const char *p = strchr(ch, ' ');

	while (p != NULL && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncasecmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *e;
			if (*v == '"') {
				e = strchr(++v, '"');
				return e != NULL ? xstrndup(v, (size_t)(e - v)) : NULL;
			}
			e = strchr(v, ',');
			return e != NULL ? xstrndup(v, (size_t)(e - v)) : xstrdup(v);
		}
		/* skip this pair */
		p = strchr(p, '=');
		if (p == NULL)
			break;
		p++;
		if (*p == '"') {
			p = strchr(p + 1, '"');
			if (p == NULL)
				break;
			p++;
		} else {
			p = strchr(p, ',');
		}
	}
	return NULL;
}

static int fetch_token(struct reg *r, const char *challenge, struct silo_error *err)
{
	cleanup_free char *realm = challenge_param(challenge, "realm");
	cleanup_free char *service = challenge_param(challenge, "service");
	cleanup_free char *scope = challenge_param(challenge, "scope");
	cleanup_free char *url = NULL, *def_scope = NULL;
	struct curl_slist *hl = NULL;
	struct buf b = { .max = 1 << 20 };
	struct hdrs h = { 0 };
	char *saved_auth = r->auth;
	json_t *j = NULL;
	const char *tok;
	long status = 0;
	CURLcode cr;
	CURL *c;
	int ret = -1;

	if (realm == NULL)
		return silo_error(err, 0, "registry %s: Bearer challenge without a realm", r->domain);
	if (scope == NULL)
		scope = def_scope = xasprintf("repository:%s:pull", r->repo);
	c = curl_easy_init();
	{
		char *es = curl_easy_escape(c, service != NULL ? service : "", 0);
		char *sc = curl_easy_escape(c, scope, 0);
		url = xasprintf("%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es, sc);
		curl_free(es);
		curl_free(sc);
	}
	curl_easy_cleanup(c);
	r->auth = r->basic != NULL ? xasprintf("Authorization: Basic %s", r->basic) : NULL;
	c = easy_new(r, url, &hl, NULL);
	free(r->auth);
	r->auth = saved_auth;
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	cr = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hl);
	if (cr != CURLE_OK) {
		silo_error(err, 0, "token from %s: %s", realm, curl_easy_strerror(cr));
		goto out;
	}
	if (status != 200) {
		silo_error(err, 0, "token from %s: HTTP %ld%s", realm, status,
			   status == 401 ? " (bad or missing credentials)" : "");
		goto out;
	}
	j = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
	tok = json_string_value(json_object_get(j, "token"));
	if (tok == NULL)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (tok == NULL || tok[0] == '\0' || strpbrk(tok, "\r\n") != NULL) {
		silo_error(err, 0, "token from %s: no token in the answer", realm);
		goto out;
	}
	free(r->auth);
	r->auth = xasprintf("Authorization: Bearer %s", tok);
	ret = 0;
out:
	json_decref(j);
	free(b.data);
	hdrs_free(&h);
	return ret;
}

/* Answer a 401: a token for Bearer, the credentials for Basic. */
static int authenticate(struct reg *r, const char *challenge, struct silo_error *err)
{
	if (challenge != NULL && strncasecmp(challenge, "bearer ", 7) == 0)
		return fetch_token(r, challenge, err);
	if (challenge != NULL && strncasecmp(challenge, "basic", 5) == 0 && r->basic != NULL &&
	    (r->auth == NULL || !str_has_prefix(r->auth, "Authorization: Basic"))) {
		free(r->auth);
		r->auth = xasprintf("Authorization: Basic %s", r->basic);
		return 0;
	}
	return silo_error(err, 0, "registry %s: authentication required%s", r->domain,
			  r->basic == NULL ? " (no credentials for it in the auth file)" : " (credentials refused)");
}

static void load_credentials(struct reg *r)
{
	cleanup_free char *path = NULL, *data = NULL;
	const char *dc = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	struct silo_error err;
	json_t *j, *auths, *e = NULL;
	size_t len;

	if (r->o != NULL && r->o->auth_file != NULL)
		path = xstrdup(r->o->auth_file);
	else if (dc != NULL && dc[0] != '\0')
		path = xasprintf("%s/config.json", dc);
	else if (home != NULL)
		path = xasprintf("%s/.docker/config.json", home);
	if (path == NULL || read_file_at(AT_FDCWD, path, &data, &len, &err) < 0)
		return;
	j = json_loadb(data, len, 0, NULL);
	auths = json_object_get(j, "auths");
	{
		cleanup_free char *k1 = xasprintf("https://%s", r->domain), *k2 = xasprintf("http://%s", r->domain);
		const char *keys[] = { r->domain, k1, k2,
				       strcmp(r->domain, "docker.io") == 0 ? "https://index.docker.io/v1/" : NULL };
		for (size_t i = 0; i < ARRAY_SIZE(keys) && e == NULL; i++) {
			if (keys[i] != NULL)
				e = json_object_get(auths, keys[i]);
		}
	}
	if (json_is_string(json_object_get(e, "auth")) && json_string_length(json_object_get(e, "auth")) > 0 &&
	    strpbrk(json_string_value(json_object_get(e, "auth")), "\r\n") == NULL)
		r->basic = xstrdup(json_string_value(json_object_get(e, "auth")));
	json_decref(j);
}

/* ------------------------------------------------------------ small requests */

/* GET url into b; 401 is answered once.  *status = the HTTP status. */
static int get(struct reg *r, const char *url, const char *accept, struct buf *b, struct hdrs *h,
	       long *status, struct silo_error *err)
{
	for (int attempt = 0;; attempt++) {
		struct curl_slist *hl = NULL;
		CURL *c = easy_new(r, url, &hl, accept);
		CURLcode cr;

		if (c == NULL)
			return silo_error(err, 0, "curl: cannot make a handle");
		hdrs_free(h);
		b->len = 0;
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, buf_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, hdr_cb);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->curl_err);
		r->curl_err[0] = '\0';
		cr = curl_easy_perform(c);
		r->last_cr = cr;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		curl_easy_cleanup(c);
		curl_slist_free_all(hl);
		if (cr != CURLE_OK)
			return silo_error_errnum(err, EIO, "GET %s: %s", url,
						 r->curl_err[0] ? r->curl_err : curl_easy_strerror(cr));
		if (*status != 401 || attempt > 0)
			return 0;
		if (authenticate(r, h->www_auth, err) < 0)
			return -1;
	}
}

static char *api_url(struct reg *r, const char *kind, const char *ref)
{
	return xasprintf("%s://%s/v2/%s/%s/%s", r->scheme, r->host, r->repo, kind, ref);
}

/* Did https fail because the server does not speak TLS at all (so plain http
 * may be tried), rather than because it did and could not be trusted? */
static bool no_tls_there(CURLcode cr)
{
	switch (cr) {
	case CURLE_SSL_CONNECT_ERROR:   /* handshake failed: e.g. an http server's answer */
	case CURLE_COULDNT_CONNECT:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return true;
	default:                        /* CURLE_PEER_FAILED_VERIFICATION and the rest */
		return false;
	}
}

/* Choose https or http.  https first, always; plain http only for a registry
 * that may speak it (loopback, --insecure) and only when https found no TLS
 * server.  A certificate that does not verify ends the pull here. */
static int probe(struct reg *r, struct silo_error *err)
{
	struct buf b = { .max = 1 << 16 };
	struct hdrs h = { 0 };
	cleanup_free char *url = NULL;
	long status = 0;
	int ret;

	r->scheme = "https";
	url = xasprintf("https://%s/v2/", r->host);
	ret = get(r, url, NULL, &b, &h, &status, err);
	if (ret < 0 && r->last_cr == CURLE_PEER_FAILED_VERIFICATION) {
		cleanup_free char *reason = xstrdup(r->curl_err[0] ? r->curl_err : curl_easy_strerror(r->last_cr));
		ret = silo_error_errnum(err, EIO,
					"registry %s: TLS certificate verify failed: %s (its CA belongs in %s/%s/ca.crt)",
					r->domain, reason, r->certs_from, r->domain);
	} else if (ret < 0 && r->plain_ok && no_tls_there(r->last_cr)) {
		struct silo_error https_err = *err;
		free(url);
		r->scheme = "http";
		url = xasprintf("http://%s/v2/", r->host);
		silo_error_clear(err);
		ret = get(r, url, NULL, &b, &h, &status, err);
		if (r->last_cr != CURLE_OK || (ret == 0 && status != 200 && status != 401)) {
			/* no http registry there either: the https reason is the useful one
			 * (an http registry's own refusal, e.g. of credentials, is kept) */
			*err = https_err;
			ret = -1;
		}
	}
	if (ret == 0 && status != 200 && status != 401)
		ret = silo_error(err, 0, "registry %s: GET /v2/: HTTP %ld", r->domain, status);
	free(b.data);
	hdrs_free(&h);
	return ret;
}

/* Append file path to the PEM buffer; missing files are skipped. */
static void pem_append(struct reg *r, int dirfd, const char *path)
{
	cleanup_free char *data = NULL;
	struct silo_error e;
	size_t len;

	if (read_file_at(dirfd, path, &data, &len, &e) < 0 || len == 0)
		return;
	r->ca_pem = xrealloc(r->ca_pem, r->ca_len + len + 2);
	memcpy(r->ca_pem + r->ca_len, data, len);
	r->ca_len += len;
	r->ca_pem[r->ca_len++] = '\n';
	r->ca_pem[r->ca_len] = '\0';
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The registry's trust settings from CERTS/HOST[:PORT]/ (docker's layout). */
static int load_certs(struct reg *r, struct silo_error *err)
{
	static const char *const defaults[] = { "/etc/docker/certs.d", "/etc/containers/certs.d" };
	const char *base = r->o != NULL ? r->o->certs_dir : NULL;
	cleanup_free char *dir = NULL;
	char **crts = NULL;
	size_t n = 0;
	DIR *d = NULL;
	struct dirent *de;

	for (size_t i = 0; base == NULL && i < ARRAY_SIZE(defaults); i++) {
		cleanup_free char *p = xasprintf("%s/%s", defaults[i], r->domain);
		if (access(p, F_OK) == 0)
			base = defaults[i];
	}
	if (base == NULL)
		base = defaults[0];
	r->certs_from = xstrdup(base);
	if (r->no_verify)
		return 0;
	dir = xasprintf("%s/%s", base, r->domain);
	d = opendir(dir);
	if (d == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return silo_error(err, errno, "registry %s: certificates %s", r->domain, dir);
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		if (l > 4 && strcmp(de->d_name + l - 4, ".crt") == 0) {
			crts = xreallocarray(crts, n + 1, sizeof(*crts));
			crts[n++] = xstrdup(de->d_name);
		}
	}
	if (n > 0) {
		curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
		qsort(crts, n, sizeof(*crts), name_cmp);
		if (v->cainfo != NULL)
			pem_append(r, AT_FDCWD, v->cainfo);     /* added to the system CAs, not instead */
		for (size_t i = 0; i < n; i++) {
			cleanup_free char *p = xasprintf("%s/%s", dir, crts[i]);
			pem_append(r, AT_FDCWD, p);
			free(crts[i]);
		}
		free(crts);
	}
	{
		cleanup_free char *cert = xasprintf("%s/client.cert", dir), *key = xasprintf("%s/client.key", dir);
		if (access(cert, R_OK) == 0 && access(key, R_OK) == 0) {
			r->client_cert = steal_pointer(&cert);
			r->client_key = steal_pointer(&key);
		} else if (access(cert, F_OK) == 0 || access(key, F_OK) == 0) {
			closedir(d);
			return silo_error(err, 0, "registry %s: %s needs both client.cert and client.key", r->domain, dir);
		}
	}
	closedir(d);
	return 0;
}

/* Fetch a manifest or index by tag or digest, verify it, store it. */
static int fetch_manifest(struct reg *r, const char *ref, char *digest_out, char **media_type,
			  struct silo_error *err)
{
	cleanup_free char *url = api_url(r, "manifests", ref), *msg = NULL;
	struct buf b = { .max = MAX_MANIFEST };
	struct hdrs h = { 0 };
	char got[IMG_DIGEST_LEN + 1];
	long status = 0;
	int ret = -1;

	if (get(r, url, ACCEPT_MANIFESTS, &b, &h, &status, err) < 0)
		goto out;
	if (status != 200) {
		msg = registry_message(&b);
		silo_error_errnum(err, status == 404 ? ENOENT : EIO, "manifest %s/%s:%s: HTTP %ld%s%s",
				  r->domain, r->repo, ref, status, msg ? ": " : "", msg ? msg : "");
		goto out;
	}
	if (b.data == NULL || img_sha256_buf(b.data, b.len, got, err) < 0) {
		if (b.data == NULL)
			silo_error(err, 0, "manifest %s: empty answer", ref);
		goto out;
	}
	if (img_digest_valid(ref) && strcmp(ref, got) != 0) {
		silo_error(err, 0, "manifest %s: digest mismatch: the content hashes to %s", ref, got);
		goto out;
	}
	if (h.digest != NULL && img_digest_valid(h.digest) && strcmp(h.digest, got) != 0) {
		silo_error(err, 0, "manifest %s: digest mismatch: the registry says %s, the content hashes to %s",
			   ref, h.digest, got);
		goto out;
	}
	*media_type = NULL;
	if (h.content_type != NULL && (img_media_is_index(h.content_type) || img_media_is_manifest(h.content_type)))
		*media_type = xstrdup(h.content_type);
	else
		*media_type = img_media_sniff(b.data, b.len);
	if (img_blob_put(r->s, b.data, b.len, got, digest_out, err) < 0)
		goto out;
	ret = 0;
out:
	free(b.data);
	hdrs_free(&h);
	return ret;
}

/* ------------------------------------------------------------ blob downloads */

struct xfer {
	struct reg *r;
	const struct img_descriptor *d;
	int index;
	struct img_blob_writer w;
	bool open;
	int64_t have, got;
	int tries;
	long status;
	bool restarted;
	struct buf errbody;
	struct curl_slist *hl;
	CURL *c;
	char curl_err[CURL_ERROR_SIZE];
	struct silo_error err;
	bool failed, done;
};

static void xfer_progress(struct xfer *x, enum img_progress_kind kind, int64_t done)
{
	struct img_progress p = { .kind = kind, .digest = x->d->digest, .done = done,
				  .total = x->d->size, .index = x->index };
	img_store_progress(x->r->s, &p);
}

static size_t xfer_write(char *p, size_t sz, size_t n, void *data)
{
	struct xfer *x = data;
	size_t len = sz * n;

	if (x->status == 0)
		curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &x->status);
	if (x->status != 200 && x->status != 206) {
		x->errbody.max = 1 << 16;
		return buf_write(p, sz, n, &x->errbody) == 0 ? len : len;
	}
	if (x->status == 200 && x->have > 0 && !x->restarted) {
		/* the server ignored the Range: start over */
		img_sha256_free(&x->w.hash);
		if (ftruncate(x->w.fd, 0) < 0 || lseek(x->w.fd, 0, SEEK_SET) < 0 ||
		    img_sha256_init(&x->w.hash, &x->err) < 0)
			return 0;
		x->restarted = true;
		x->have = 0;
	}
	if (x->have + x->got + (int64_t)len > x->d->size) {
		silo_error(&x->err, 0, "blob %s: the registry sent more than its %lld bytes", x->d->digest,
			   (long long)x->d->size);
		return 0;
	}
	if (img_blob_write(&x->w, p, len, &x->err) < 0)
		return 0;
	x->got += (int64_t)len;
	xfer_progress(x, IMG_PROGRESS_BLOB_BYTES, x->have + x->got);
	return len;
}

static size_t xfer_header(char *p, size_t sz, size_t n, void *data)
{
	struct xfer *x = data;
	if (sz * n >= 5 && strncmp(p, "HTTP/", 5) == 0)
		x->status = 0;    /* a redirect: the next response decides */
	return sz * n;
}

/* Prepare x for one attempt: writer (resumed where possible) and handle. */
static int xfer_start(struct xfer *x, CURLM *m, struct silo_error *err)
{
	cleanup_free char *url = api_url(x->r, "blobs", x->d->digest);
	char range[64];

	if (!x->open) {
		if (img_blob_resume(x->r->s, x->d->digest, &x->w, &x->have, err) < 0)
			return -1;
		x->open = true;
		if (x->have > x->d->size) {
			img_sha256_free(&x->w.hash);
			if (ftruncate(x->w.fd, 0) < 0 || lseek(x->w.fd, 0, SEEK_SET) < 0 ||
			    img_sha256_init(&x->w.hash, err) < 0)
				return silo_error(err, errno, "truncate a partial download");
			x->have = 0;
		}
		if (x->have > 0)
			xfer_progress(x, IMG_PROGRESS_BLOB_RESUME, x->have);
		else
			xfer_progress(x, IMG_PROGRESS_BLOB_START, 0);
	}
	x->got = 0;
	x->status = 0;
	x->restarted = false;
	free(x->errbody.data);
	memset(&x->errbody, 0, sizeof(x->errbody));
	x->c = easy_new(x->r, url, &x->hl, NULL);
	if (x->c == NULL)
		return silo_error(err, 0, "curl: cannot make a handle");
	if (x->have > 0 && x->have < x->d->size) {
		snprintf(range, sizeof(range), "%lld-", (long long)x->have);
		curl_easy_setopt(x->c, CURLOPT_RANGE, range);
	}
	curl_easy_setopt(x->c, CURLOPT_WRITEFUNCTION, xfer_write);
	curl_easy_setopt(x->c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->c, CURLOPT_HEADERFUNCTION, xfer_header);
	curl_easy_setopt(x->c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->c, CURLOPT_ERRORBUFFER, x->curl_err);
	curl_easy_setopt(x->c, CURLOPT_PRIVATE, x);
	x->curl_err[0] = '\0';
	if (x->have == x->d->size) {
		/* everything is there already: verify without a request */
		curl_easy_cleanup(x->c);
		curl_slist_free_all(x->hl);
		x->c = NULL;
		x->hl = NULL;
		return 0;
	}
	curl_multi_add_handle(m, x->c);
	return 0;
}

/* One attempt finished (cr): verify, commit, or decide to retry. */
static void xfer_finish(struct xfer *x, CURLM *m, CURLcode cr)
{
	struct silo_error *err = &x->err;

	if (x->c != NULL) {
		curl_multi_remove_handle(m, x->c);
		curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &x->status);
		curl_easy_cleanup(x->c);
		curl_slist_free_all(x->hl);
		x->c = NULL;
		x->hl = NULL;
	} else {
		cr = CURLE_OK;
		x->status = 206;
	}
	x->tries++;
	if (cr != CURLE_OK || (x->status != 200 && x->status != 206)) {
		cleanup_free char *msg = registry_message(&x->errbody);
		if (err->msg[0] == '\0') {
			if (cr != CURLE_OK)
				silo_error_errnum(err, EIO, "blob %s: %s", x->d->digest,
						  x->curl_err[0] ? x->curl_err : curl_easy_strerror(cr));
			else
				silo_error(err, 0, "blob %s: HTTP %ld%s%s", x->d->digest, x->status,
					   msg ? ": " : "", msg ? msg : "");
		}
		/* a broken connection is retried from where it stopped */
		if (cr != CURLE_OK && cr != CURLE_WRITE_ERROR && x->tries < 4) {
			x->have += x->got;
			silo_error_clear(err);
			return;
		}
		x->failed = true;
		return;
	}
	if (x->have + x->got != x->d->size) {
		if (x->tries < 4 && x->have + x->got < x->d->size) {
			x->have += x->got;
			return;     /* short body: resume */
		}
	}
	x->w.keep_on_abort = false;
	if (img_blob_commit(&x->w, x->d->digest, x->d->size, NULL, err) < 0) {
		x->open = false;
		/* a resumed download that does not verify gets one clean try */
		if (x->have > 0 && x->tries < 4) {
			x->have = 0;
			silo_error_clear(err);
			return;
		}
		x->failed = true;
		return;
	}
	x->open = false;
	x->done = true;
	xfer_progress(x, IMG_PROGRESS_BLOB_DONE, x->d->size);
}

static int fetch_blobs(struct reg *r, struct img_descriptor **ds, int *index, size_t n,
		       struct silo_error *err)
{
	struct xfer *xs = xzalloc((n + 1) * sizeof(*xs));
	size_t active = 0;
	int parallel = r->o != NULL && r->o->parallel > 0 ? r->o->parallel : 3;
	CURLM *m = curl_multi_init();
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		xs[i].r = r;
		xs[i].d = ds[i];
		xs[i].index = index[i];
	}
	for (;;) {
		bool all = true;

		/* (re)start attempts while there is room: new blobs and retries */
		for (size_t i = 0; i < n && (int)active < parallel && ret == 0; i++) {
			struct xfer *x = &xs[i];
			if (x->done || x->failed || x->c != NULL)
				continue;
			if (xfer_start(x, m, err) < 0) {
				ret = -1;
				break;
			}
			if (x->c == NULL)
				xfer_finish(x, m, CURLE_OK);    /* complete already */
			else
				active++;
			if (x->failed) {
				*err = x->err;
				ret = -1;
			}
		}
		for (size_t i = 0; i < n; i++)
			all &= xs[i].done;
		if (ret < 0 || all)
			break;
		if (active == 0)
			continue;
		{
			int running = 0, q;
			CURLMsg *msg;
			curl_multi_perform(m, &running);
			while ((msg = curl_multi_info_read(m, &q)) != NULL) {
				struct xfer *x;
				if (msg->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
				active--;
				xfer_finish(x, m, msg->data.result);
				if (x->failed) {
					*err = x->err;
					ret = -1;
				}
			}
			if (ret == 0 && running > 0)
				curl_multi_poll(m, NULL, 0, 1000, NULL);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (xs[i].c != NULL) {
			curl_multi_remove_handle(m, xs[i].c);
			curl_easy_cleanup(xs[i].c);
			curl_slist_free_all(xs[i].hl);
		}
		if (xs[i].open)
			img_blob_abort(&xs[i].w);    /* partial files stay for a later resume */
		free(xs[i].errbody.data);
	}
	curl_multi_cleanup(m);
	free(xs);
	return ret;
}

/* ------------------------------------------------------------ pull */

static void reg_free(struct reg *r)
{
	free(r->host);
	free(r->domain);
	free(r->repo);
	free(r->auth);
	free(r->basic);
	free(r->ca_pem);
	free(r->client_cert);
	free(r->client_key);
	free(r->certs_from);
}

static void info(struct img_store *s, const char *msg)
{
	struct img_progress p = { .kind = IMG_PROGRESS_INFO, .msg = msg, .index = -1 };
	img_store_progress(s, &p);
}

int img_pull(struct img_store *s, const char *what, const struct img_pull_opts *o, char *id_out,
	     struct silo_error *err)
{
	static bool curl_ready;
	struct img_ref ref;
	struct reg r = { .s = s, .o = o };
	char mdigest[IMG_DIGEST_LEN + 1];
	cleanup_free char *mt = NULL, *mdata = NULL, *full = NULL, *bydigest = NULL, *repo = NULL;
	struct img_manifest m = { 0 };
	struct img_descriptor **ds = NULL;
	int *idx = NULL;
	size_t mlen, nd = 0;
	char *names[3] = { NULL, NULL, NULL };
	int ret = -1;

	if (img_ref_parse(what, &ref, err) < 0)
		return -1;
	if (!curl_ready) {
		if (img_lazy_need(IMG_LAZY_CURL, err) < 0) {
			img_ref_free(&ref);
			return -1;
		}
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			img_ref_free(&ref);
			return silo_error(err, 0, "curl: cannot initialise");
		}
		curl_ready = true;
	}
	r.domain = xstrdup(ref.domain);
	r.host = xstrdup(strcmp(ref.domain, "docker.io") == 0 ? "registry-1.docker.io" : ref.domain);
	r.repo = xstrdup(ref.path);
	/* loopback registries may speak plain http, but their https is verified;
	 * --insecure also turns https verification off for the registry named */
	for (size_t i = 0; o != NULL && o->insecure != NULL && o->insecure[i] != NULL; i++)
		r.no_verify |= strcmp(o->insecure[i], ref.domain) == 0;
	r.plain_ok = r.no_verify || is_loopback(ref.domain);
	load_credentials(&r);
	if (load_certs(&r, err) < 0)
		goto out;
	repo = img_ref_repo(&ref);
	full = img_ref_string(&ref);
	if (probe(&r, err) < 0)
		goto out;
	if (fetch_manifest(&r, ref.digest != NULL ? ref.digest : ref.tag, mdigest, &mt, err) < 0)
		goto out;
	if (img_media_is_index(mt)) {
		struct img_index ix;
		const char *os = o != NULL && o->os ? o->os : "linux";
		const char *arch = o != NULL && o->arch ? o->arch : img_host_arch();
		int pick;
		if (img_blob_read(s, mdigest, &mdata, &mlen, err) < 0 || img_index_parse(mdata, mlen, &ix, err) < 0)
			goto out;
		pick = img_index_pick(&ix, os, arch, o != NULL ? o->variant : NULL);
		if (pick < 0) {
			silo_error(err, 0, "%s: no image for %s/%s in its index", what, os, arch);
			img_index_free(&ix);
			goto out;
		}
		{
			cleanup_free char *line = xasprintf("%s: resolved %s/%s to %s", full, os, arch,
							    ix.manifests[pick].digest);
			char *d = xstrdup(ix.manifests[pick].digest);
			img_index_free(&ix);
			info(s, line);
			free(mt);
			mt = NULL;
			free(mdata);
			mdata = NULL;
			if (fetch_manifest(&r, d, mdigest, &mt, err) < 0) {
				free(d);
				goto out;
			}
			free(d);
		}
	}
	if (!img_media_is_manifest(mt)) {
		silo_error(err, 0, "%s: unsupported manifest type %s", what, mt ? mt : "(none)");
		goto out;
	}
	if (img_blob_read(s, mdigest, &mdata, &mlen, err) < 0 || img_manifest_parse(mdata, mlen, &m, err) < 0)
		goto out;
	ds = xzalloc((m.n_layers + 2) * sizeof(*ds));
	idx = xzalloc((m.n_layers + 2) * sizeof(*idx));
	if (!img_blob_exists(s, m.config.digest, m.config.size)) {
		idx[nd] = -1;
		ds[nd++] = &m.config;
	}
	for (size_t i = 0; i < m.n_layers; i++) {
		bool dup = false;
		for (size_t j = 0; j < nd; j++)
			dup |= strcmp(ds[j]->digest, m.layers[i].digest) == 0;
		if (dup)
			continue;
		if (img_blob_exists(s, m.layers[i].digest, m.layers[i].size)) {
			struct img_progress p = { .kind = IMG_PROGRESS_BLOB_EXISTS, .digest = m.layers[i].digest,
						  .total = m.layers[i].size, .index = (int)i };
			img_store_progress(s, &p);
			continue;
		}
		idx[nd] = (int)i;
		ds[nd++] = &m.layers[i];
	}
	if (fetch_blobs(&r, ds, idx, nd, err) < 0)
		goto out;
	bydigest = xasprintf("%s@%s", repo, mdigest);
	names[0] = ref.digest != NULL ? bydigest : full;
	names[1] = ref.digest != NULL ? NULL : bydigest;
	if (img_store_commit(s, mdigest, names, id_out, err) < 0)
		goto out;
	{
		cleanup_free char *line = xasprintf("Digest: %s", mdigest);
		info(s, line);
	}
	ret = 0;
out:
	img_manifest_free(&m);
	free(ds);
	free(idx);
	img_ref_free(&ref);
	reg_free(&r);
	return ret;
}
