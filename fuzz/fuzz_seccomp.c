/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for linux.seccomp → BPF: the input is the seccomp
 * section of a config (JSON); it goes through spec_parse inside a minimal
 * config, then seccomp_prepare() in memory (no cache).  Besides memory
 * errors it checks what the kernel will check at install time, so a bad
 * ENOSYS stub or a broken splice shows up here rather than as EINVAL in a
 * container: 1 to BPF_MAXINSNS instructions, every jump lands inside the
 * program, the last instruction returns, only known filter flags.  A
 * failure must leave a message and no program.
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <seccomp.h>

#include "seccomp_filter.h"
#include "spec.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libseccomp 2.5.4 leaks the rule nodes it makes when it rewrites a rule with
 * argument conditions for x86's socketcall/ipc multiplexers (db_rule_add via
 * abi_rule_add; the profile {"architectures":["SCMP_ARCH_X86"], "syscalls":
 * [{"names":["bind"], "args":[{"index":5, ...}]}]} shows it).  libseccomp is
 * built without frame pointers, so LSan's fast unwinder sees only its
 * allocator, zmalloc: suppress that.  The one libseccomp object we own, the
 * filter context, is released by a cleanup attribute in compile().
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:zmalloc\n";
}

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_program(const struct seccomp_prog *p)
{
	const struct sock_filter *f = seccomp_prog_insns(p);
	size_t n = seccomp_prog_len(p);

	check(n >= 1 && n <= BPF_MAXINSNS);
	check((seccomp_prog_flags(p) & ~(unsigned)(SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW)) == 0);
	check(BPF_CLASS(f[n - 1].code) == BPF_RET);
	for (size_t i = 0; i < n; i++) {
		if (BPF_CLASS(f[i].code) != BPF_JMP)
			continue;
		if (BPF_OP(f[i].code) == BPF_JA)
			check(f[i].k < n - i - 1);
		else
			check(f[i].jt < n - i - 1 && f[i].jf < n - i - 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
				   "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"user\":{\"uid\":0,\"gid\":0}},"
				   "\"linux\":{\"seccomp\":";
	static const char tail[] = "}}";
	struct silo_error err = { 0 };
	struct seccomp_prog *p = NULL;
	struct spec *s = NULL;
	size_t len = sizeof(head) - 1 + size + sizeof(tail) - 1;
	char *json = xmalloc(len);

	memcpy(json, head, sizeof(head) - 1);
	memcpy(json + sizeof(head) - 1, data, size);
	memcpy(json + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);
	if (spec_parse(json, len, "config.json", "/bundle", &s, &err) == 0 && s->linux.seccomp != NULL) {
		if (seccomp_prepare(s->linux.seccomp, NULL, &p, &err) == 0) {
			check(p != NULL);
			check_program(p);
			seccomp_prog_free(p);
		} else {
			check(p == NULL && err.msg[0] != '\0');
		}
	}
	spec_free(s);
	free(json);
	return 0;
}
