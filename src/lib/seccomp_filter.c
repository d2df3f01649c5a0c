/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * linux.seccomp → a classic BPF program, compiled with libseccomp in the
 * parent (or read back from a cache), installed in the init with seccomp(2).
 *
 * What this file owns:
 *  - the translation of struct spec_seccomp into libseccomp calls (actions,
 *    errnoRet, architectures, flags, argument conditions), following runc
 *    where the runtime-spec is silent (notes at each rule below);
 *  - the ENOSYS stub put in front of libseccomp's program (see there);
 *  - the on-disk cache of compiled programs, each stored with the profile
 *    it was compiled from (its parsed JSON tree as bytes, no
 *    re-serialisation) and used only for exactly that profile;
 *  - a compact SHA-256 for the cache file names.  Hand-written on purpose:
 *    OpenSSL's libcrypto linked statically (the build is static) added 3.4 MB
 *    of text and ~5 ms of start-up (its constructors) to a hello-world on
 *    this machine, while a start from cache must cost well under a
 *    millisecond.  It hashes only ~150 bytes per start (the cache format,
 *    libseccomp's version, the kernel release and a 128-bit hash of the
 *    profile): the profile itself needs no collision-resistant hash because
 *    a hit compares it whole (a profile crafted to share another's file name
 *    only evicts it).  The check of a file's contents is a 64-bit word hash
 *    too: it guards against torn or corrupted files in a directory only root
 *    can write, not against an attacker who can write there (who could
 *    rewrite any checksum too); the trust comes from the directory's owner
 *    and mode, which we check.
 */
#include <seccomp.h>

#include <jansson.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "seccomp_filter.h"
#include "util.h"

#ifndef SECCOMP_FILTER_FLAG_LOG
#define SECCOMP_FILTER_FLAG_LOG (1U << 1)
#endif
#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1U << 2)
#endif
#define X32_SYSCALL_BIT 0x40000000U
#define MAX_ERRNO 4095

struct seccomp_prog {
	unsigned flags;     /* SECCOMP_FILTER_FLAG_* for seccomp(2) */
	bool from_cache;
	size_t len;
	struct sock_filter insns[];
};

/* ------------------------------------------------------------------ SHA-256 */

struct sha256 {
	uint32_t h[8];
	uint64_t total;
	uint8_t buf[64];
	size_t n;
};

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
			      sha256_k[i] + w[i];
		uint32_t t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

static void sha256_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof(iv));
	s->total = 0;
	s->n = 0;
}

static void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	const uint8_t *p = data;

	s->total += len;
	if (s->n > 0) {
		size_t take = len < 64 - s->n ? len : 64 - s->n;
		memcpy(s->buf + s->n, p, take);
		s->n += take, p += take, len -= take;
		if (s->n < 64)
			return;
		sha256_block(s->h, s->buf);
		s->n = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha256_block(s->h, p);
	memcpy(s->buf, p, len);
	s->n = len;
}

static void sha256_final(struct sha256 *s, uint8_t out[SILO_SHA256_LEN])
{
	uint64_t bits = s->total * 8;

	s->buf[s->n++] = 0x80;
	if (s->n > 56) {
		memset(s->buf + s->n, 0, 64 - s->n);
		sha256_block(s->h, s->buf);
		s->n = 0;
	}
	memset(s->buf + s->n, 0, 56 - s->n);
	for (int i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_block(s->h, s->buf);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

void silo_sha256(const void *data, size_t len, uint8_t out[SILO_SHA256_LEN])
{
	struct sha256 s;

	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

/* ------------------------------------------------- the profile's bytes */

struct canon {
	uint8_t *p;
	size_t n, cap;
	bool (*is_big)(const void *ctx, uint64_t v);
	const void *ctx;
};

static void canon_put(struct canon *c, const void *data, size_t len)
{
	if (c->cap - c->n < len) {
		while (c->cap - c->n < len)
			c->cap = c->cap ? 2 * c->cap : 4096;
		c->p = xrealloc(c->p, c->cap);
	}
	memcpy(c->p + c->n, data, len);
	c->n += len;
}

/* One item of seccomp_json_canon's encoding: a tag byte, len as a LEB128
 * varint (a prefix code, so the encoding stays unambiguous), then len bytes
 * of data when there are any.  Short lengths keep the bytes close to the
 * profile's own text. */
static void canon_item(struct canon *c, char tag, const void *data, uint64_t len)
{
	uint8_t head[11];
	size_t n = 0;
	uint64_t v = len;

	head[n++] = (uint8_t)tag;
	do {
		head[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	canon_put(c, head, n);
	if (data != NULL)
		canon_put(c, data, (size_t)len);
}

static void canon_value(struct canon *c, const json_t *v)
{
	const char *key;
	json_t *e;
	size_t i;
	uint64_t u;
	double r;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		canon_item(c, 'o', NULL, json_object_size(v));
		json_object_foreach((json_t *)v, key, e) {
			canon_item(c, 'k', key, strlen(key));
			canon_value(c, e);
		}
		break;
	case JSON_ARRAY:
		canon_item(c, 'a', NULL, json_array_size(v));
		json_array_foreach(v, i, e)
			canon_value(c, e);
		break;
	case JSON_STRING:
		canon_item(c, 's', json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		/* A literal above INT64_MAX reaches jansson as the negative int64
		 * with the same bits (spec.c's rewrite_big_ints); the parser takes
		 * it for a uint64 only then.  'I' keeps such a value apart from
		 * the same negative number written as such, which is refused. */
		u = (uint64_t)json_integer_value(v);
		canon_item(c, json_integer_value(v) < 0 && c->is_big != NULL && c->is_big(c->ctx, u) ? 'I' : 'i',
			   NULL, u);
		break;
	case JSON_REAL:
		r = json_real_value(v);
		memcpy(&u, &r, sizeof(u));
		canon_item(c, 'r', NULL, u);
		break;
	case JSON_TRUE:
		canon_item(c, 't', NULL, 0);
		break;
	case JSON_FALSE:
		canon_item(c, 'f', NULL, 0);
		break;
	case JSON_NULL:
		canon_item(c, 'n', NULL, 0);
		break;
	}
}

uint8_t *seccomp_json_canon(const json_t *o, bool (*is_big)(const void *ctx, uint64_t v), const void *ctx,
			    size_t *len)
{
	struct canon c = { .is_big = is_big, .ctx = ctx };

	canon_value(&c, o);
	*len = c.n;
	return c.p;
}

/* ----------------------------------------------------------- the profile */

static bool is_allow_like(enum spec_seccomp_action a)
{
	/* TRACE counts as allowing (runc's rule): a tracer handles new syscalls
	 * itself, an ENOSYS in front of it would only get in the way. */
	return a == SECCOMP_ACTION_ALLOW || a == SECCOMP_ACTION_LOG || a == SECCOMP_ACTION_TRACE;
}

/* libseccomp's action value, with errnoRet (default EPERM, as runc). */
static int action_value(enum spec_seccomp_action a, const struct opt_u64 *ret, const char *field,
			uint32_t *out, struct silo_error *err)
{
	uint64_t data = ret->set ? ret->v : EPERM;

	if (ret->set && a != SECCOMP_ACTION_ERRNO && a != SECCOMP_ACTION_TRACE)
		return silo_error(err, 0, "%s: errnoRet is only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
				  field);
	switch (a) {
	case SECCOMP_ACTION_KILL:
	case SECCOMP_ACTION_KILL_THREAD: *out = SCMP_ACT_KILL_THREAD; return 0;
	case SECCOMP_ACTION_KILL_PROCESS: *out = SCMP_ACT_KILL_PROCESS; return 0;
	case SECCOMP_ACTION_TRAP: *out = SCMP_ACT_TRAP; return 0;
	case SECCOMP_ACTION_ALLOW: *out = SCMP_ACT_ALLOW; return 0;
	case SECCOMP_ACTION_LOG: *out = SCMP_ACT_LOG; return 0;
	case SECCOMP_ACTION_ERRNO:
		/* The kernel clamps errno values to 4095: a larger one is a mistake. */
		if (data > MAX_ERRNO)
			return silo_error(err, 0, "%s: errnoRet %llu is out of range (0 to %d)", field,
					  (unsigned long long)data, MAX_ERRNO);
		*out = SCMP_ACT_ERRNO((uint32_t)data);
		return 0;
	case SECCOMP_ACTION_TRACE:
		if (data > 0xffff)
			return silo_error(err, 0, "%s: errnoRet %llu is out of range (0 to 65535)", field,
					  (unsigned long long)data);
		*out = SCMP_ACT_TRACE((uint32_t)data);
		return 0;
	case SECCOMP_ACTION_NOTIFY: *out = SCMP_ACT_NOTIFY; return 0;
	}
	return silo_error(err, 0, "%s: unknown action %d", field, (int)a);
}

/* Everything a cache hit would otherwise skip but must still refuse.  A
 * profile that fails here is never cached, so when the parser found the
 * program and built no rules (parse_seccomp) they passed before; the
 * default action is checked again all the same (cheap). */
static int check_profile(const struct spec_seccomp *s, struct silo_error *err)
{
	char field[64];
	uint32_t v;

	if (s->default_action == SECCOMP_ACTION_NOTIFY)
		return silo_error(err, 0, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
	if (action_value(s->default_action, &s->default_errno_ret, "linux.seccomp.defaultAction", &v, err) < 0)
		return -1;
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_syscall *sc = &s->syscalls[i];

		snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu]", i);
		if (action_value(sc->action, &sc->errno_ret, field, &v, err) < 0)
			return -1;
		for (size_t j = 0; j < sc->n_args; j++) {
			if (sc->args[j].index > 5)
				return silo_error(err, 0, "%s.args[%zu].index: %u is out of range (0 to 5)", field,
						  j, sc->args[j].index);
			if ((unsigned)sc->args[j].op > SECCOMP_OP_MASKED_EQ)
				return silo_error(err, 0, "%s.args[%zu].op: unknown operator", field, j);
		}
	}
	return 0;
}

/* ----------------------------------------------------------- compiling */

/* "SCMP_ARCH_X86_64" → libseccomp's token (SCMP_ARCH_NATIVE → the native one). */
static int arch_token(const char *name, size_t i, uint32_t *out, struct silo_error *err)
{
	char lower[32];
	size_t n;

	if (strcmp(name, "SCMP_ARCH_NATIVE") == 0) {
		*out = seccomp_arch_native();
		return 0;
	}
	if (!str_has_prefix(name, "SCMP_ARCH_") || (n = strlen(name + 10)) == 0 || n >= sizeof(lower))
		goto unknown;
	for (size_t k = 0; k <= n; k++) {
		char ch = name[10 + k];
		lower[k] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	*out = seccomp_arch_resolve_name(lower);
	if (*out != 0)
		return 0;
unknown:
	return silo_error(err, 0, "linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i, name);
}

/*
 * Flags, decided like runc: TSYNC is accepted and has no effect (the init is
 * single-threaded when it installs the filter); LOG must be supported by the
 * kernel or the profile is refused; SPEC_ALLOW is set, and dropped at install
 * by a kernel without it (crun's retry).  A profile with an SCMP_ACT_NOTIFY
 * rule gets NEW_LISTENER: loading it returns the notify fd that the runtime
 * hands to linux.seccomp.listenerPath.  WAIT_KILLABLE_RECV (a notified task
 * waits killably once the agent received its notification) is passed on with
 * NOTIFY rules, when the kernel has it (else refused, as LOG); without any
 * it has nothing to act on and the kernel rejects it, so it is ignored.  No flags at all means SPEC_ALLOW, as crun: the
 * speculative-store-bypass mitigation seccomp would force otherwise slows
 * every process of the container and is not part of what a profile asks.
 */
static bool kernel_has_flag(unsigned flag)
{
	/* A supported flag gets past the flag check and fails on the NULL program. */
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL) < 0 && errno == EFAULT;
}

static int filter_flags(const struct spec_seccomp *s, unsigned *out, struct silo_error *err)
{
	bool notify = false;

	for (size_t i = 0; i < s->n_syscalls; i++)
		notify = notify || s->syscalls[i].action == SECCOMP_ACTION_NOTIFY;
	*out = s->n_flags == 0 ? SECCOMP_FILTER_FLAG_SPEC_ALLOW : 0;
	if (notify)
		*out |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	for (size_t i = 0; i < s->n_flags; i++) {
		const char *f = s->flags[i];

		if (strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0 && notify) {
			if (!kernel_has_flag(SECCOMP_FILTER_FLAG_NEW_LISTENER |
					     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
				return silo_error(err, 0, "linux.seccomp.flags[%zu]: %s is not supported by the kernel",
						  i, f);
			*out |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
		} else if (strcmp(f, "SECCOMP_FILTER_FLAG_TSYNC") == 0 ||
			   strcmp(f, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0) {
			silo_debug("seccomp: flag %s has no effect here, ignored", f);
		} else if (strcmp(f, "SECCOMP_FILTER_FLAG_LOG") == 0) {
			if (!kernel_has_flag(SECCOMP_FILTER_FLAG_LOG))
				return silo_error(err, 0, "linux.seccomp.flags[%zu]: %s is not supported by the kernel",
						  i, f);
			*out |= SECCOMP_FILTER_FLAG_LOG;
		} else if (strcmp(f, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0) {
			*out |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		} else {
			return silo_error(err, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i, f);
		}
	}
	return 0;
}

static const enum scmp_compare scmp_ops[] = {
	[SECCOMP_OP_NE] = SCMP_CMP_NE, [SECCOMP_OP_LT] = SCMP_CMP_LT,
	[SECCOMP_OP_LE] = SCMP_CMP_LE, [SECCOMP_OP_EQ] = SCMP_CMP_EQ,
	[SECCOMP_OP_GE] = SCMP_CMP_GE, [SECCOMP_OP_GT] = SCMP_CMP_GT,
	[SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

static struct scmp_arg_cmp arg_cmp(const struct spec_seccomp_arg *a)
{
	/* MASKED_EQ: (arg & value) == valueTwo.  The others ignore datum_b. */
	return (struct scmp_arg_cmp){
		.arg = a->index,
		.op = scmp_ops[a->op],
		.datum_a = a->value,
		.datum_b = a->op == SECCOMP_OP_MASKED_EQ ? a->value_two : 0,
	};
}

/*
 * One OCI rule for one syscall.  Its conditions are AND'ed in one libseccomp
 * rule.  libseccomp refuses two conditions on the same argument in one rule;
 * then, like runc and crun, each condition becomes a rule of its own (OR'ed):
 * profiles written for Docker rely on that reading.
 */
static int add_rule(scmp_filter_ctx ctx, const struct spec_seccomp_syscall *sc, size_t i, const char *name,
		    int nr, uint32_t action, size_t *n_rules, struct silo_error *err)
{
	struct scmp_arg_cmp cmp[6];
	unsigned seen = 0;
	bool repeated = false;
	int r = 0;

	for (size_t j = 0; j < sc->n_args; j++) {
		repeated |= (seen & (1U << sc->args[j].index)) != 0;
		seen |= 1U << sc->args[j].index;
	}
	if (!repeated) {
		for (size_t j = 0; j < sc->n_args; j++)
			cmp[j] = arg_cmp(&sc->args[j]);
		r = seccomp_rule_add_array(ctx, action, nr, (unsigned)sc->n_args, cmp);
		++*n_rules;
	} else {
		for (size_t j = 0; j < sc->n_args && r == 0; j++) {
			cmp[0] = arg_cmp(&sc->args[j]);
			r = seccomp_rule_add_array(ctx, action, nr, 1, cmp);
			++*n_rules;
		}
	}
	if (r < 0)
		return silo_error(err, -r, "linux.seccomp.syscalls[%zu]: add the rule for \"%s\"", i, name);
	return 0;
}

static int add_rules(scmp_filter_ctx ctx, const struct spec_seccomp *s, uint32_t def, size_t *n_rules,
		     struct silo_error *err)
{
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_syscall *sc = &s->syscalls[i];
		char field[64];
		uint32_t action;

		snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu]", i);
		if (action_value(sc->action, &sc->errno_ret, field, &action, err) < 0)
			return -1;
		/* libseccomp refuses a rule that repeats the default (EACCES). */
		if (action == def)
			continue;
		for (size_t k = 0; k < sc->n_names; k++) {
			int nr = seccomp_syscall_resolve_name(sc->names[k]);

			if (nr == __NR_SCMP_ERROR) {
				silo_debug("seccomp: unknown syscall \"%s\" ignored", sc->names[k]);
				continue;
			}
			if (add_rule(ctx, sc, i, sc->names[k], nr, action, n_rules, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* libseccomp writes the program to a file descriptor only (2.5): a memfd. */
static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **out, size_t *len, struct silo_error *err)
{
	cleanup_close int fd = memfd_create("silo-seccomp", MFD_CLOEXEC);
	cleanup_free struct sock_filter *insns = NULL;
	off_t size;
	int r;

	if (fd < 0)
		return silo_error(err, errno, "seccomp: memfd_create");
	if ((r = seccomp_export_bpf(ctx, fd)) < 0)
		return silo_error(err, -r, "seccomp: export the filter");
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(struct sock_filter) != 0)
		return silo_error(err, 0, "seccomp: libseccomp exported %lld bytes, not a program",
				  (long long)size);
	insns = xmalloc((size_t)size);
	if (pread(fd, insns, (size_t)size, 0) != size)
		return silo_error(err, errno, "seccomp: read the exported filter");
	*len = (size_t)size / sizeof(struct sock_filter);
	*out = steal_pointer(&insns);
	return 0;
}

/*
 * The ENOSYS stub (the idea of runc's patchbpf; this code is ours).
 *
 * With a deny-by-default profile, a syscall newer than the profile (clone3,
 * openat2, faccessat2 on an old profile...) would get EPERM, and libc only
 * falls back to the older syscall on ENOSYS.  So, per architecture in the
 * filter, any syscall number greater than the largest number the profile
 * names for that architecture returns ENOSYS before libseccomp's program
 * runs.  Numbers up to that maximum keep the profile's default.  x86_64 and
 * x32 share one audit arch: x32 calls carry bit 30, so the x86_64 block
 * splits on it and each mode has its own maximum (a mode not in the filter
 * falls through to libseccomp, which kills it as a bad arch).  On s390(x),
 * syscall 0 is the multiplexer that unknown numbers end up as: ENOSYS too.
 * Known limit (runc's too): a syscall added out of order (close_range got a
 * number below newer ones) is not caught.
 *
 *   ld  [4]                      arch
 *   jeq AUDIT_ARCH_A, 0, next    (one block per arch)
 *   ld  [0]                      nr
 *   jgt MAX_A, enosys, done
 *   ...
 *   ja  done
 *   enosys: ret ERRNO|ENOSYS
 *   done:   libseccomp's program (which starts by loading the arch again)
 */
struct stub_arch {
	uint32_t audit;
	int64_t max;       /* -1: this mode is not in the filter */
	int64_t max_x32;   /* x86_64 only */
	bool s390;
};

/* Jumps to the two labels are resolved once the stub's length is known. */
enum stub_label { TO_NONE, TO_ENOSYS, TO_DONE };
enum stub_field { F_JT, F_JF, F_K };

struct stub_fix {
	size_t insn;
	enum stub_field field;
	enum stub_label label;
};

struct stub {
	struct sock_filter insns[256];
	struct stub_fix fix[256];
	size_t n, n_fix;
};

static void fix(struct stub *st, enum stub_field field, enum stub_label label)
{
	st->fix[st->n_fix++] = (struct stub_fix){ .insn = st->n - 1, .field = field, .label = label };
}

static void emit(struct stub *st, uint16_t code, uint32_t k)
{
	st->insns[st->n++] = (struct sock_filter){ .code = code, .k = k };
}

static int64_t max_nr(const struct spec_seccomp *s, uint32_t arch)
{
	int64_t max = -1;

	for (size_t i = 0; i < s->n_syscalls; i++)
		for (size_t k = 0; k < s->syscalls[i].n_names; k++) {
			int nr = seccomp_syscall_resolve_name_arch(arch, s->syscalls[i].names[k]);
			if (nr >= 0 && nr > max)
				max = nr;
		}
	return max;
}

static size_t collect_arches(const struct spec_seccomp *s, const uint32_t *tokens, size_t n_tokens,
			     struct stub_arch *out)
{
	size_t n = 0;

	for (size_t i = 0; i < n_tokens; i++) {
		bool x32 = tokens[i] == SCMP_ARCH_X32;
		uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : tokens[i];
		int64_t max = max_nr(s, tokens[i]);
		size_t j;

		if (max < 0)
			continue; /* the profile names nothing here: leave it to libseccomp */
		for (j = 0; j < n && out[j].audit != audit; j++)
			;
		if (j == n)
			out[n++] = (struct stub_arch){ .audit = audit, .max = -1, .max_x32 = -1,
						       .s390 = audit == AUDIT_ARCH_S390 || audit == AUDIT_ARCH_S390X };
		if (x32)
			out[j].max_x32 = max;
		else
			out[j].max = max;
	}
	return n;
}

/* One mode's check: jgt MAX, enosys, done; or ja done when the mode is absent. */
static void emit_max_check(struct stub *st, int64_t max)
{
	if (max < 0) {
		emit(st, BPF_JMP | BPF_JA, 0);
		fix(st, F_K, TO_DONE);
		return;
	}
	emit(st, BPF_JMP | BPF_JGT | BPF_K, (uint32_t)max);
	fix(st, F_JT, TO_ENOSYS);
	fix(st, F_JF, TO_DONE);
}

static int build_stub(const struct stub_arch *a, size_t n, struct stub *st)
{
	if (n > 32) /* 6 instructions an arch at most: the buffers and 8-bit jumps hold 32 */
		return -1;
	st->n = st->n_fix = 0;
	emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < n; i++) {
		size_t head = st->n;

		emit(st, BPF_JMP | BPF_JEQ | BPF_K, a[i].audit); /* jf: next arch, below */
		emit(st, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
		if (a[i].s390) {
			emit(st, BPF_JMP | BPF_JEQ | BPF_K, 0);
			fix(st, F_JT, TO_ENOSYS);
		}
		if (a[i].audit == AUDIT_ARCH_X86_64) {
			emit(st, BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT);
			st->insns[st->n - 1].jt = 1; /* x32 call: skip the x86_64 check */
			emit_max_check(st, a[i].max);
			emit_max_check(st, a[i].max_x32);
		} else {
			emit_max_check(st, a[i].max);
		}
		st->insns[head].jf = (uint8_t)(st->n - head - 1);
	}
	emit(st, BPF_JMP | BPF_JA, 1); /* no arch matched: over the ret, into the filter */
	emit(st, BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	for (size_t k = 0; k < st->n_fix; k++) {
		const struct stub_fix *f = &st->fix[k];
		size_t target = f->label == TO_ENOSYS ? st->n - 1 : st->n, off = target - f->insn - 1;

		if (off > 255)
			return -1;
		if (f->field == F_JT)
			st->insns[f->insn].jt = (uint8_t)off;
		else if (f->field == F_JF)
			st->insns[f->insn].jf = (uint8_t)off;
		else
			st->insns[f->insn].k = (uint32_t)off;
	}
	return 0;
}

static bool wants_stub(const struct spec_seccomp *s)
{
	if (is_allow_like(s->default_action))
		return false;
	return !(s->default_action == SECCOMP_ACTION_ERRNO && s->default_errno_ret.set &&
		 s->default_errno_ret.v == ENOSYS);
}

static int prepend_stub(const struct spec_seccomp *s, const uint32_t *tokens, size_t n_tokens,
			struct sock_filter **insns, size_t *len, struct silo_error *err)
{
	struct stub_arch arches[64];
	struct stub st;
	size_t n_arches;
	struct sock_filter *all;

	if (!wants_stub(s))
		return 0;
	n_arches = collect_arches(s, tokens, n_tokens, arches);
	if (n_arches == 0)
		return 0;
	/* The stub clobbers the accumulator; libseccomp's program reloads it first. */
	if ((*insns)[0].code != (BPF_LD | BPF_W | BPF_ABS) ||
	    (*insns)[0].k != offsetof(struct seccomp_data, arch)) {
		silo_warn("seccomp: unexpected program shape from libseccomp %s; no ENOSYS stub",
			  seccomp_lib_version());
		return 0;
	}
	if (build_stub(arches, n_arches, &st) < 0)
		return silo_error(err, 0, "seccomp: ENOSYS stub too long");
	all = xreallocarray(NULL, st.n + *len, sizeof(*all));
	memcpy(all, st.insns, st.n * sizeof(*all));
	memcpy(all + st.n, *insns, *len * sizeof(*all));
	free(*insns);
	*insns = all;
	*len += st.n;
	return 0;
}

static void ctx_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx != NULL)
		seccomp_release(*ctx);
}

static int compile(const struct spec_seccomp *s, struct seccomp_prog **out, struct silo_error *err)
{
	__attribute__((cleanup(ctx_releasep))) scmp_filter_ctx ctx = NULL;
	cleanup_free struct sock_filter *insns = NULL;
	uint32_t def, tokens[64];
	size_t n_tokens = 0, n_rules = 0, len;
	unsigned flags;
	int r;

	if (action_value(s->default_action, &s->default_errno_ret, "linux.seccomp.defaultAction", &def, err) < 0 ||
	    filter_flags(s, &flags, err) < 0)
		return -1;
	if ((ctx = seccomp_init(def)) == NULL)
		return silo_error(err, 0, "seccomp: libseccomp refused the default action");
	/* We set no_new_privs ourselves, only when the config asks for it. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) < 0)
		return silo_error(err, -r, "seccomp: clear the no_new_privs attribute");
	tokens[n_tokens++] = seccomp_arch_native();
	for (size_t i = 0; i < s->n_architectures; i++) {
		uint32_t t;
		size_t j;

		if (arch_token(s->architectures[i], i, &t, err) < 0)
			return -1;
		for (j = 0; j < n_tokens && tokens[j] != t; j++)
			;
		if (j < n_tokens)
			continue;
		if (n_tokens == ARRAY_SIZE(tokens))
			return silo_error(err, 0, "linux.seccomp.architectures: too many");
		/* Architectures first: rules are added to the arches present. */
		if ((r = seccomp_arch_add(ctx, t)) < 0 && r != -EEXIST)
			return silo_error(err, -r, "linux.seccomp.architectures[%zu]: add \"%s\"", i,
					  s->architectures[i]);
		tokens[n_tokens++] = t;
	}
	if (add_rules(ctx, s, def, &n_rules, err) < 0)
		return -1;
	/* A binary tree instead of a linear list for big profiles (runc's
	 * threshold); libseccomp <= 2.5.4 misbehaves with it and no rules. */
	if (n_rules > 32 && (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		silo_debug("seccomp: binary tree optimisation unavailable: %s", strerror(-r));
	if (export_bpf(ctx, &insns, &len, err) < 0 ||
	    prepend_stub(s, tokens, n_tokens, &insns, &len, err) < 0)
		return -1;
	if (len > BPF_MAXINSNS)
		return silo_error(err, 0, "linux.seccomp: the filter has %zu instructions, the kernel takes %d",
				  len, BPF_MAXINSNS);
	*out = xmalloc(sizeof(**out) + len * sizeof(struct sock_filter));
	(*out)->flags = flags;
	(*out)->from_cache = false;
	(*out)->len = len;
	memcpy((*out)->insns, insns, len * sizeof(struct sock_filter));
	return 0;
}

/* ----------------------------------------------------------- the cache */

/*
 * One file per profile: <hex name>.bpf, where the name is the SHA-256 of the
 * cache format, libseccomp's version, the native arch, the kernel release
 * (flag support is probed at compile time) and a 128-bit hash of the
 * profile's bytes (seccomp_json_canon).  The file is this header, the
 * profile's bytes, then n_insns struct sock_filter, native endian: the cache
 * is a per-machine fact.  A file is used only when its header repeats the
 * key (so the format, libseccomp, arch and kernel) and its profile bytes
 * equal ours, whole: so the profile hash only has to spread names, not to
 * resist collisions (two profiles crafted to share a name merely evict each
 * other), and hashing a hit costs a few instructions a byte instead of a
 * SHA-256 of the profile.  `sum` is cache_sum() of the header (with sum
 * zeroed), the profile bytes and the program.  A file that does not verify
 * is ignored and replaced by the fresh compile.
 */
#define CACHE_MAGIC "SILOSBPF"
#define CACHE_FORMAT 3U /* bump whenever compile(), the validation or the file layout change */
#define CACHE_SUFFIX ".bpf"
#define CACHE_NAME_LEN (2 * SILO_SHA256_LEN + sizeof(CACHE_SUFFIX) - 1)
#define CACHE_KNOWN_FLAGS (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
			   SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
#define CACHE_MAX_PROFILE (64U << 20)

struct cache_head {
	char magic[8];
	uint32_t format;
	uint32_t flags;
	uint32_t n_insns;
	uint32_t profile_len;
	uint8_t key[SILO_SHA256_LEN];
	uint64_t sum;
};

/* 64-bit words through a multiply-xorshift chain: every step is a bijection
 * of the state, so a change confined to one word always changes the sum. */
static uint64_t sum_words(uint64_t x, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		x = (x ^ w) * 0x9e3779b97f4a7c15ULL;
		x ^= x >> 29;
	}
	for (; len > 0; p++, len--)
		x = ((x ^ *p) * 0x100000001b3ULL) ^ (x >> 31);
	return x;
}

/* splitmix64's finaliser */
static uint64_t mix64(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void cache_key(const uint8_t *profile, size_t len, uint8_t key[SILO_SHA256_LEN],
		      char name[CACHE_NAME_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	struct utsname u;
	struct sha256 h;
	char meta[512];
	uint64_t ph[2];
	int n;

	if (uname(&u) < 0)
		u.release[0] = '\0';
	n = snprintf(meta, sizeof(meta), "silo-seccomp format=%u libseccomp=%s arch=%#x kernel=%s\n",
		     CACHE_FORMAT, seccomp_lib_version(), seccomp_arch_native(), u.release);
	ph[0] = mix64(sum_words(0x6a09e667f3bcc908ULL ^ len, profile, len));
	ph[1] = mix64(sum_words(0xbb67ae8584caa73bULL + len, profile, len));
	sha256_init(&h);
	sha256_update(&h, meta, (size_t)n < sizeof(meta) ? (size_t)n : sizeof(meta) - 1);
	sha256_update(&h, ph, sizeof(ph));
	sha256_final(&h, key);
	for (int i = 0; i < SILO_SHA256_LEN; i++) {
		name[2 * i] = hex[key[i] >> 4];
		name[2 * i + 1] = hex[key[i] & 15];
	}
	memcpy(name + 2 * SILO_SHA256_LEN, CACHE_SUFFIX, sizeof(CACHE_SUFFIX));
}

static uint64_t cache_sum(const struct cache_head *head, const uint8_t *profile,
			  const struct sock_filter *insns, size_t n)
{
	struct cache_head h = *head;
	uint64_t x;

	h.sum = 0;
	x = sum_words(0x243f6a8885a308d3ULL ^ n, &h, sizeof(h));
	x = sum_words(x, profile, h.profile_len);
	x = sum_words(x, insns, n * sizeof(*insns));
	return mix64(x);
}

static int mkdir_parents(const char *path)
{
	cleanup_free char *p = xstrdup(path);

	for (char *c = p + 1; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return -1;
		*c = '/';
	}
	return mkdir(p, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* The cache directory (made when missing and create is set), or -1 when it
 * cannot be trusted or made (no cache). */
static int cache_open_dir(const char *path, bool create)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0 && errno == ENOENT && !create)
		return -1;
	if (fd < 0 && errno == ENOENT && mkdir_parents(path) == 0)
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		silo_debug("seccomp cache: %s: %s; compiling without cache", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022) != 0) {
		silo_warn("seccomp cache: %s is not owned by us or is writable by others; not used", path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The program of file `name` when it verifies and was compiled from exactly
 * these profile bytes.  One readv: the program's length follows from the
 * file's size, then the header must agree.
 */
static struct seccomp_prog *cache_load(int dirfd, const char *name, const uint8_t key[SILO_SHA256_LEN],
				       const uint8_t *profile, size_t profile_len)
{
	cleanup_close int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	cleanup_free struct seccomp_prog *p = NULL;
	cleanup_free uint8_t *stored = NULL;
	struct cache_head h;
	struct iovec iov[3];
	const char *why;
	struct stat st;
	uint64_t body, n;
	ssize_t r;

	if (fd < 0)
		return NULL;
	why = "not a regular file of ours";
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
		goto bad;
	why = "wrong length";
	if ((uint64_t)st.st_size <= sizeof(h) + profile_len)
		goto bad;
	body = (uint64_t)st.st_size - sizeof(h) - profile_len;
	n = body / sizeof(struct sock_filter);
	if (body % sizeof(struct sock_filter) != 0 || n > BPF_MAXINSNS)
		goto bad;
	p = xmalloc(sizeof(*p) + body);
	stored = xmalloc(profile_len);
	iov[0] = (struct iovec){ .iov_base = &h, .iov_len = sizeof(h) };
	iov[1] = (struct iovec){ .iov_base = stored, .iov_len = profile_len };
	iov[2] = (struct iovec){ .iov_base = p->insns, .iov_len = body };
	do
		r = readv(fd, iov, 3);
	while (r < 0 && errno == EINTR);
	why = "short read";
	if (r < 0 || (uint64_t)r != (uint64_t)st.st_size)
		goto bad;
	why = "bad header";
	if (memcmp(h.magic, CACHE_MAGIC, sizeof(h.magic)) != 0 || h.format != CACHE_FORMAT ||
	    h.n_insns != n || (h.flags & ~CACHE_KNOWN_FLAGS) != 0 || h.profile_len != profile_len ||
	    memcmp(h.key, key, SILO_SHA256_LEN) != 0)
		goto bad;
	why = "checksum mismatch";
	if (cache_sum(&h, stored, p->insns, h.n_insns) != h.sum)
		goto bad;
	why = "another profile's";
	if (memcmp(stored, profile, profile_len) != 0)
		goto bad;
	p->flags = h.flags;
	p->len = h.n_insns;
	p->from_cache = true;
	futimens(fd, NULL); /* recently used: evicted last */
	return steal_pointer(&p);
bad:
	silo_debug("seccomp cache: %s: %s, ignored", name, why);
	return NULL;
}

struct cache_entry {
	struct timespec mtime;
	char name[CACHE_NAME_LEN + 1];
};

static int older_first(const void *a, const void *b)
{
	const struct timespec *x = &((const struct cache_entry *)a)->mtime;
	const struct timespec *y = &((const struct cache_entry *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

static bool is_cache_name(const char *n)
{
	if (strlen(n) != CACHE_NAME_LEN || strcmp(n + 2 * SILO_SHA256_LEN, CACHE_SUFFIX) != 0)
		return false;
	for (size_t i = 0; i < 2 * SILO_SHA256_LEN; i++)
		if (!((n[i] >= '0' && n[i] <= '9') || (n[i] >= 'a' && n[i] <= 'f')))
			return false;
	return true;
}

/* Keep at most SECCOMP_CACHE_MAX programs (least recently used go first) and
 * drop temp files a crashed writer left behind. */
static void cache_evict(int dirfd, const char *keep)
{
	cleanup_free struct cache_entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	time_t now = time(NULL);

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (de->d_name[0] == '.' && strlen(de->d_name) > 4 &&
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".tmp") == 0 && st.st_mtime + 60 < now) {
			unlinkat(dirfd, de->d_name, 0);
			continue;
		}
		if (!is_cache_name(de->d_name) || strcmp(de->d_name, keep) == 0)
			continue;
		if (n == cap)
			v = xreallocarray(v, cap = cap ? 2 * cap : 64, sizeof(*v));
		v[n].mtime = st.st_mtim;
		memcpy(v[n++].name, de->d_name, CACHE_NAME_LEN + 1);
	}
	closedir(d);
	if (n + 1 <= SECCOMP_CACHE_MAX)
		return;
	qsort(v, n, sizeof(*v), older_first);
	for (size_t i = 0; i < n + 1 - SECCOMP_CACHE_MAX; i++) {
		silo_debug("seccomp cache: evict %s", v[i].name);
		unlinkat(dirfd, v[i].name, 0);
	}
}

static void cache_store(int dirfd, const char *name, const uint8_t key[SILO_SHA256_LEN],
			const uint8_t *profile, size_t profile_len, const struct seccomp_prog *p)
{
	size_t body = p->len * sizeof(struct sock_filter);
	cleanup_free char *buf = xmalloc(sizeof(struct cache_head) + profile_len + body);
	struct cache_head h = { .format = CACHE_FORMAT, .flags = p->flags, .n_insns = (uint32_t)p->len,
				.profile_len = (uint32_t)profile_len };
	struct silo_error e;

	memcpy(h.magic, CACHE_MAGIC, sizeof(h.magic));
	memcpy(h.key, key, SILO_SHA256_LEN);
	h.sum = cache_sum(&h, profile, p->insns, p->len);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), profile, profile_len);
	memcpy(buf + sizeof(h) + profile_len, p->insns, body);
	if (write_file_atomic(dirfd, name, buf, sizeof(h) + profile_len + body, 0600, &e) < 0) {
		silo_debug("seccomp cache: %s", e.msg);
		return;
	}
	cache_evict(dirfd, name);
}

/* ----------------------------------------------------------- the API */

/* The cache directory for a profile's bytes (made when `create`), its key and
 * file name, and the program filed there if it verifies (NULL otherwise);
 * *dirfd is -1 when there is no cache to use. */
static struct seccomp_prog *cache_find(const uint8_t *profile, size_t profile_len, const char *cache_dir,
				       bool create, int *dirfd, uint8_t key[SILO_SHA256_LEN],
				       char name[CACHE_NAME_LEN + 1])
{
	struct seccomp_prog *p;

	*dirfd = -1;
	if (cache_dir == NULL || profile == NULL || profile_len > CACHE_MAX_PROFILE ||
	    (*dirfd = cache_open_dir(cache_dir, create)) < 0)
		return NULL;
	cache_key(profile, profile_len, key, name);
	if ((p = cache_load(*dirfd, name, key, profile, profile_len)) != NULL)
		silo_debug("seccomp: %zu instructions from cache %s", p->len, name);
	return p;
}

struct seccomp_prog *seccomp_cache_lookup(const uint8_t *profile, size_t profile_len, const char *cache_dir)
{
	uint8_t key[SILO_SHA256_LEN];
	char name[CACHE_NAME_LEN + 1];
	cleanup_close int dirfd = -1;

	return cache_find(profile, profile_len, cache_dir, false, &dirfd, key, name);
}

char *seccomp_cache_dir(const char *root)
{
	return xasprintf("%s/.cache/seccomp", root);
}

int seccomp_prepare(struct spec_seccomp *s, const char *cache_dir, struct seccomp_prog **out,
		    struct silo_error *err)
{
	uint8_t key[SILO_SHA256_LEN];
	char name[CACHE_NAME_LEN + 1];
	cleanup_close int dirfd = -1;

	*out = NULL;
	if (check_profile(s, err) < 0)
		return -1;
	/* Found by the parser (parse_seccomp), which then skipped the rules. */
	if (s->cached != NULL) {
		*out = steal_pointer(&s->cached);
		return 0;
	}
	if (s->rules_skipped)
		return silo_error(err, EINVAL, "linux.seccomp: the cached program was taken already");
	if ((*out = cache_find(s->profile, s->profile_len, cache_dir, true, &dirfd, key, name)) != NULL)
		return 0;
	if (compile(s, out, err) < 0)
		return -1;
	silo_debug("seccomp: compiled %zu instructions", (*out)->len);
	if (dirfd >= 0)
		cache_store(dirfd, name, key, s->profile, s->profile_len, *out);
	return 0;
}

int seccomp_install(const struct seccomp_prog *p, int *listener_fd, struct silo_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)p->len, .filter = (struct sock_filter *)p->insns };
	unsigned flags = p->flags;
	long r;

	*listener_fd = -1;
	for (;;) {
		/* With NEW_LISTENER the result is the notify fd (close-on-exec). */
		if ((r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog)) >= 0) {
			if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER)
				*listener_fd = (int)r;
			return 0;
		}
		/* A kernel before 4.17 does not know SPEC_ALLOW: load without it. */
		if (errno == EINVAL && (flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW) != 0) {
			flags &= ~SECCOMP_FILTER_FLAG_SPEC_ALLOW;
			continue;
		}
		/* Before 3.17 only prctl() loads filters, and it takes no flags. */
		if (errno == ENOSYS && flags == 0 && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
			return 0;
		return silo_error(err, errno, "load the seccomp filter");
	}
}

void seccomp_prog_free(struct seccomp_prog *p)
{
	free(p);
}

const char *seccomp_lib_version(void)
{
	static char v[32];

	if (v[0] == '\0') {
		const struct scmp_version *sv = seccomp_version();
		snprintf(v, sizeof(v), "%u.%u.%u", sv->major, sv->minor, sv->micro);
	}
	return v;
}

size_t seccomp_prog_len(const struct seccomp_prog *p)
{
	return p->len;
}

const struct sock_filter *seccomp_prog_insns(const struct seccomp_prog *p)
{
	return p->insns;
}

unsigned seccomp_prog_flags(const struct seccomp_prog *p)
{
	return p->flags;
}

bool seccomp_prog_has_listener(const struct seccomp_prog *p)
{
	return (p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
}

bool seccomp_prog_from_cache(const struct seccomp_prog *p)
{
	return p->from_cache;
}

/* ------------------------------------------------------- the listener */

int seccomp_send_listener(const struct spec_seccomp *s, const char *oci_version, pid_t pid,
			  const char *state_json, int notify_fd, struct silo_error *err)
{
	const char *path = s->listener_path;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	struct iovec iov;
	cleanup_close int sock = -1;
	cleanup_free char *text = NULL;
	json_t *msg, *state;
	json_error_t jerr;
	ssize_t r;

	if (path == NULL)
		return silo_error(err, 0, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY");
	if (strlen(path) >= sizeof(sa.sun_path))
		return silo_error(err, ENAMETOOLONG, "linux.seccomp.listenerPath %s", path);
	if ((state = json_loads(state_json, 0, &jerr)) == NULL)
		return silo_error(err, EINVAL, "seccomp listener: state JSON: %s", jerr.text);
	msg = json_pack("{s:s, s:[s], s:I, s:s, s:o}", "ociVersion", oci_version ? oci_version : "",
			"fds", "seccompFd", "pid", (json_int_t)pid, "metadata",
			s->listener_metadata ? s->listener_metadata : "", "state", state);
	if (msg == NULL)
		return silo_error(err, ENOMEM, "seccomp listener: build the process state");
	text = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (text == NULL)
		return silo_error(err, ENOMEM, "seccomp listener: build the process state");
	memcpy(sa.sun_path, path, strlen(path));
	if ((sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return silo_error(err, errno, "linux.seccomp.listenerPath: socket");
	if (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return silo_error(err, errno, "linux.seccomp.listenerPath: connect to %s", path);
	iov = (struct iovec){ .iov_base = text, .iov_len = strlen(text) };
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = u.buf;
	mh.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &notify_fd, sizeof(int));
	do
		r = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return silo_error(err, errno, "linux.seccomp.listenerPath: send the seccomp fd to %s", path);
	if ((size_t)r != iov.iov_len)
		return silo_error(err, EIO, "linux.seccomp.listenerPath: short send to %s", path);
	return 0;
}
