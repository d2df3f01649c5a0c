/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the cgroup v2 device filter (cgroup_bpf.c).
 *
 * Anywhere: the generated program runs through a small interpreter of the
 * instructions the generator emits, and its verdicts are compared with a
 * plain C statement of the semantics (per access bit, the last matching rule
 * decides, no match denies) over a grid of devices and accesses; a static
 * pass checks what the kernel verifier also checks (jumps in range, every
 * instruction reachable, the last one an exit).
 *
 * As root: every program is also loaded for real (the verifier accepts it),
 * and cg_bpf_devices_install() is run on a throwaway "ebpf-" child of our own
 * cgroup2 cgroup (the hybrid unified mount on a v1 host works too), where a
 * forked child checks that /dev/null opens and /dev/kmsg does not, and a
 * second install replaces the first program instead of stacking.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup_bpf.h"
#include "util.h"

#define M BPF_DEVCG_ACC_MKNOD
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK

/* ================================================================ interpreter */

static int run(const struct cg_bpf_prog *p, uint32_t type, uint32_t access, uint32_t major,
	       uint32_t minor)
{
	struct bpf_cgroup_dev_ctx ctx = { .access_type = type | (access << 16), .major = major, .minor = minor };
	uint64_t reg[11] = { 0 };
	size_t pc = 0, steps = 0;

	while (pc < p->n) {
		const struct bpf_insn *i = &p->insns[pc++];
		uint32_t d32 = (uint32_t)reg[i->dst_reg];

		assert_true(++steps < 100000);
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, BPF_REG_1);
			assert_true(i->off >= 0 && (size_t)i->off + 4 <= sizeof(ctx) && i->off % 4 == 0);
			reg[i->dst_reg] = *(const uint32_t *)((const char *)&ctx + i->off);
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU | BPF_MOV | BPF_K:
			reg[i->dst_reg] = (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg[i->dst_reg] = d32 & (uint32_t)i->imm;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			reg[i->dst_reg] = d32 >> i->imm;
			break;
		case BPF_JMP32 | BPF_JNE | BPF_K:
			if (d32 != (uint32_t)i->imm)
				pc += (size_t)(ptrdiff_t)i->off;
			break;
		case BPF_JMP32 | BPF_JEQ | BPF_K:
			if (d32 == (uint32_t)i->imm)
				pc += (size_t)(ptrdiff_t)i->off;
			break;
		case BPF_JMP | BPF_JA:
			pc += (size_t)(ptrdiff_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			assert_true(reg[0] == 0 || reg[0] == 1);
			return (int)reg[0];
		default:
			fail_msg("unexpected opcode 0x%02x at %zu", i->code, pc - 1);
		}
	}
	fail_msg("fell off the end of the program");
	return -1;
}

/* What the verifier refuses statically: jumps out of range, unreachable
 * instructions, a last instruction that is not an exit or a jump back. */
static void check_shape(const struct cg_bpf_prog *p)
{
	cleanup_free bool *seen = calloc(p->n, sizeof(bool));
	size_t *stack = calloc(p->n + 1, sizeof(size_t)), top = 0;

	assert_non_null(seen);
	assert_true(p->n > 0 && p->n < 32000);
	assert_int_equal(p->insns[p->n - 1].code, BPF_JMP | BPF_EXIT);
	stack[top++] = 0;
	while (top) {
		size_t pc = stack[--top];
		const struct bpf_insn *i;
		uint8_t cls;

		if (seen[pc])
			continue;
		seen[pc] = true;
		i = &p->insns[pc];
		cls = BPF_CLASS(i->code);
		if (i->code == (BPF_JMP | BPF_EXIT))
			continue;
		if (cls == BPF_JMP || cls == BPF_JMP32) {
			ptrdiff_t t = (ptrdiff_t)pc + 1 + i->off;

			assert_true(t > (ptrdiff_t)pc && t < (ptrdiff_t)p->n);
			stack[top++] = (size_t)t;
			if (i->code == (BPF_JMP | BPF_JA))
				continue;
		}
		assert_true(pc + 1 < p->n);
		stack[top++] = pc + 1;
	}
	free(stack);
	for (size_t k = 0; k < p->n; k++)
		if (!seen[k])
			fail_msg("instruction %zu is unreachable", k);
}

/* ================================================================ reference */

static bool rule_matches(const struct spec_device_rule *d, uint32_t type, unsigned bit,
			 uint32_t major, uint32_t minor)
{
	const char *a = d->access[0] ? d->access : "rwm";
	char c = bit == M ? 'm' : bit == R ? 'r' : 'w';

	if (d->type == 'a' && d->major < 0 && d->minor < 0)
		return true;
	if (d->type == 'c' && type != CHR)
		return false;
	if (d->type == 'b' && type != BLK)
		return false;
	if (d->major >= 0 && (uint32_t)d->major != major)
		return false;
	if (d->minor >= 0 && (uint32_t)d->minor != minor)
		return false;
	return strchr(a, c) != NULL;
}

static int reference(const struct spec_device_rule *rules, size_t n, uint32_t type,
		     unsigned access, uint32_t major, uint32_t minor)
{
	for (unsigned bit = 1; bit <= 4; bit <<= 1) {
		int verdict = 0;

		if (!(access & bit))
			continue;
		for (size_t i = 0; i < n + cg_n_default_devices; i++) {
			const struct spec_device_rule *d = i < n ? &rules[i] : &cg_default_devices[i - n];

			if (rule_matches(d, type, bit, major, minor))
				verdict = d->allow;
		}
		if (!verdict)
			return 0;
	}
	return 1;
}

/* ================================================================ real kernel */

static int load_for_real(const struct cg_bpf_prog *p)
{
	static char log[65536];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)p->insns;
	a.insn_cnt = (uint32_t)p->n;
	a.license = (uint64_t)(uintptr_t)"Apache";
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (fd < 0)
		fprintf(stderr, "verifier: %s\n%s\n", strerror(errno), log);
	return fd;
}

/* Build, check the shape, compare with the reference on a grid, load. */
static void check_rules(const struct spec_device_rule *rules, size_t n)
{
	static const uint32_t majors[] = { 0, 1, 4, 5, 8, 10, 136, 254, 0x80000001u, 0xffffffffu };
	static const uint32_t minors[] = { 0, 1, 2, 3, 5, 9, 11, 200, 0xffffffffu };
	struct cg_bpf_prog p;
	struct silo_error err;

	assert_int_equal(cg_bpf_devices_build(rules, n, true, &p, &err), 0);
	check_shape(&p);
	for (uint32_t type = BLK; type <= CHR; type++)
		for (unsigned acc = 1; acc <= 7; acc++)
			for (size_t a = 0; a < ARRAY_SIZE(majors); a++)
				for (size_t b = 0; b < ARRAY_SIZE(minors); b++) {
					int want = reference(rules, n, type, acc, majors[a], minors[b]);
					int got = run(&p, type, acc, majors[a], minors[b]);

					if (want != got)
						fail_msg("%c %u:%u access %u: program %d, reference %d",
							 type == CHR ? 'c' : 'b', majors[a], minors[b], acc, got, want);
				}
	if (geteuid() == 0) {
		int fd = load_for_real(&p);

		assert_true(fd >= 0);
		close(fd);
	}
	cg_bpf_prog_free(&p);
}

static int verdict(const struct spec_device_rule *rules, size_t n, uint32_t type, unsigned acc,
		   uint32_t major, uint32_t minor)
{
	struct cg_bpf_prog p;
	struct silo_error err;
	int v;

	assert_int_equal(cg_bpf_devices_build(rules, n, true, &p, &err), 0);
	v = run(&p, type, acc, major, minor);
	cg_bpf_prog_free(&p);
	return v;
}

/* ================================================================ cases */

static const struct spec_device_rule deny_all = { false, 'a', -1, -1, "rwm" };
static const struct spec_device_rule allow_all = { true, 'a', -1, -1, "rwm" };

static void test_defaults_only(void **state)
{
	(void)state;
	check_rules(NULL, 0);
	assert_int_equal(verdict(NULL, 0, CHR, R | W, 1, 3), 1);      /* null */
	assert_int_equal(verdict(NULL, 0, CHR, M, 1, 3), 1);
	assert_int_equal(verdict(NULL, 0, CHR, R | W, 136, 7), 1);    /* pts */
	assert_int_equal(verdict(NULL, 0, CHR, R | W, 5, 2), 1);      /* ptmx */
	assert_int_equal(verdict(NULL, 0, CHR, R, 1, 11), 0);         /* kmsg */
	assert_int_equal(verdict(NULL, 0, CHR, M, 1, 11), 0);
	assert_int_equal(verdict(NULL, 0, BLK, R, 1, 3), 0);          /* a block 1:3 is not null */
	assert_int_equal(verdict(NULL, 0, BLK, R, 8, 0), 0);
	assert_int_equal(verdict(NULL, 0, CHR, R, 10, 200), 0);       /* tun: not a default */
}

static void test_deny_all_then_allow(void **state)
{
	struct spec_device_rule r[] = { deny_all, { true, 'c', 10, 200, "rwm" }, { true, 'c', 4, -1, "r" } };

	(void)state;
	check_rules(r, ARRAY_SIZE(r));
	assert_int_equal(verdict(r, 3, CHR, R | W, 10, 200), 1);
	assert_int_equal(verdict(r, 3, CHR, R, 4, 1), 1);
	assert_int_equal(verdict(r, 3, CHR, R | W, 4, 1), 0);         /* w not granted */
	assert_int_equal(verdict(r, 3, CHR, M, 4, 1), 0);
	assert_int_equal(verdict(r, 3, CHR, R, 1, 5), 1);             /* defaults still there */
}

static void test_allow_all(void **state)
{
	struct spec_device_rule r[] = { allow_all };
	struct spec_device_rule r2[] = { allow_all, { false, 'b', 8, -1, "w" } };

	(void)state;
	check_rules(r, 1);
	check_rules(r2, 2);
	assert_int_equal(verdict(r, 1, BLK, R | W | M, 8, 0), 1);
	assert_int_equal(verdict(r, 1, CHR, M, 1, 11), 1);
	assert_int_equal(verdict(r2, 2, BLK, R, 8, 0), 1);
	assert_int_equal(verdict(r2, 2, BLK, R | W, 8, 0), 0);        /* w denied: the whole request */
	assert_int_equal(verdict(r2, 2, BLK, W, 8, 16), 0);
	assert_int_equal(verdict(r2, 2, CHR, W, 8, 0), 1);            /* char 8:0 untouched */
}

static void test_last_rule_wins(void **state)
{
	struct spec_device_rule a[] = { deny_all, { true, 'c', 4, -1, "rwm" }, { false, 'c', 4, 2, "rwm" } };
	struct spec_device_rule b[] = { deny_all, { false, 'c', 4, 2, "rwm" }, { true, 'c', 4, -1, "rwm" } };
	/* the defaults come last: a deny of /dev/null in the config is overridden */
	struct spec_device_rule c[] = { { false, 'c', 1, 3, "rwm" } };

	(void)state;
	check_rules(a, 3);
	check_rules(b, 3);
	check_rules(c, 1);
	assert_int_equal(verdict(a, 3, CHR, R, 4, 2), 0);
	assert_int_equal(verdict(a, 3, CHR, R, 4, 3), 1);
	assert_int_equal(verdict(b, 3, CHR, R, 4, 2), 1);
	assert_int_equal(verdict(c, 1, CHR, R, 1, 3), 1);
}

/* Access is per bit: "r" then "w" on the same device grant "rw", and a later
 * deny of "w" takes only w away. */
static void test_access_bits(void **state)
{
	struct spec_device_rule a[] = { deny_all, { true, 'c', 4, 1, "r" }, { true, 'c', 4, 1, "w" } };
	struct spec_device_rule b[] = { deny_all, { true, 'c', 4, 1, "rwm" }, { false, 'c', 4, 1, "w" } };
	struct spec_device_rule c[] = { deny_all, { true, 'c', 4, 1, "" } };   /* "" = rwm */

	(void)state;
	check_rules(a, 3);
	check_rules(b, 3);
	check_rules(c, 2);
	assert_int_equal(verdict(a, 3, CHR, R | W, 4, 1), 1);
	assert_int_equal(verdict(a, 3, CHR, M, 4, 1), 0);
	assert_int_equal(verdict(b, 3, CHR, R | M, 4, 1), 1);
	assert_int_equal(verdict(b, 3, CHR, R | W, 4, 1), 0);
	assert_int_equal(verdict(c, 2, CHR, M, 4, 1), 1);
}

/* Wildcards in any position, type 'a' with numbers, and large numbers. */
static void test_mixed(void **state)
{
	struct spec_device_rule r[] = {
		deny_all,
		{ true, 'a', 5, -1, "r" },
		{ true, 'b', -1, 0, "m" },
		{ false, 'a', -1, 3, "w" },
		{ true, 'c', 0xffffffffLL, 0xffffffffLL, "rw" },
		{ true, 'c', 0x80000001LL, -1, "w" },
		allow_all,
		{ false, 'b', -1, -1, "rwm" },
	};

	(void)state;
	for (size_t n = 0; n <= ARRAY_SIZE(r); n++)
		check_rules(r, n);
	/* and every rule after the "a" deny alone, in every rotation */
	for (size_t k = 0; k < ARRAY_SIZE(r); k++) {
		struct spec_device_rule rot[ARRAY_SIZE(r)];

		for (size_t i = 0; i < ARRAY_SIZE(r); i++)
			rot[i] = r[(i + k) % ARRAY_SIZE(r)];
		check_rules(rot, ARRAY_SIZE(r));
	}
}

static void test_errors(void **state)
{
	struct spec_device_rule big[] = { { true, 'c', 0x100000000LL, 1, "r" } };
	struct spec_device_rule bad[] = { { true, 'x', 1, 1, "r" } };
	struct cg_bpf_prog p;
	struct silo_error err;

	(void)state;
	assert_int_equal(cg_bpf_devices_build(big, 1, true, &p, &err), -1);
	assert_non_null(strstr(err.msg, "linux.resources.devices[0]"));
	assert_int_equal(cg_bpf_devices_build(bad, 1, true, &p, &err), -1);
	assert_non_null(strstr(err.msg, "bad type 'x'"));
}

/* ================================================================ as root */

static char *unified_own(void)
{
	cleanup_free char *text = NULL;
	char *line, *save = NULL;
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t cap = 0;
	ssize_t len;

	if (!f)
		return NULL;
	while ((len = getline(&text, &cap, f)) > 0) {
		text[strcspn(text, "\n")] = '\0';
		if (strncmp(text, "0::", 3) == 0)
			break;
		text[0] = '\0';
	}
	fclose(f);
	if (!text || !text[0])
		return NULL;
	line = strtok_r(text + 3, "\n", &save);
	if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0)
		return xasprintf("/sys/fs/cgroup%s", strcmp(line, "/") ? line : "");
	if (access("/sys/fs/cgroup/unified/cgroup.controllers", F_OK) == 0)
		return xasprintf("/sys/fs/cgroup/unified%s", strcmp(line, "/") ? line : "");
	return NULL;
}

static uint32_t attached(const char *dir)
{
	uint32_t ids[8];
	union bpf_attr a;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 8;
	assert_int_equal(syscall(__NR_bpf, BPF_PROG_QUERY, &a, sizeof(a)), 0);
	close(fd);
	return a.query.prog_cnt;
}

/* In a child moved into dir: exit 0 when /dev/null opens and /dev/kmsg is
 * refused with EPERM. */
static int probe_in(const char *dir)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[32];
		int fd;

		snprintf(buf, sizeof(buf), "%d", getpid());
		fd = open(xasprintf("%s/cgroup.procs", dir), O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, buf, strlen(buf)) < 0)
			_exit(10);
		close(fd);
		if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
			_exit(11);
		close(fd);
		fd = open("/dev/kmsg", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			_exit(12);
		_exit(errno == EPERM ? 0 : 13);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static void test_install_for_real(void **state)
{
	cleanup_free char *own = NULL, *dir = NULL;
	struct spec_device_rule r[] = { deny_all, { true, 'c', 10, 200, "rwm" } };
	struct silo_error err = { 0 };
	uint32_t n1 = 0, n2 = 0;
	int probe = -1;

	(void)state;
	if (geteuid() != 0 || (own = unified_own()) == NULL)
		skip();
	dir = xasprintf("%s/ebpf-unit-%d", own, getpid());
	if (mkdir(dir, 0755) < 0) {
		fprintf(stderr, "mkdir %s: %s: skipped\n", dir, strerror(errno));
		skip();
	}
	if (cg_bpf_devices_install(dir, r, ARRAY_SIZE(r), &err) == 0) {
		n1 = attached(dir);
		/* an update replaces: still one program */
		if (cg_bpf_devices_install(dir, r, 1, &err) == 0) {
			n2 = attached(dir);
			probe = probe_in(dir);
		}
	}
	while (rmdir(dir) < 0 && errno == EBUSY)
		usleep(1000);
	assert_string_equal(err.msg, "");
	assert_int_equal(n1, 1);
	assert_int_equal(n2, 1);
	assert_int_equal(probe, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_only),
		cmocka_unit_test(test_deny_all_then_allow),
		cmocka_unit_test(test_allow_all),
		cmocka_unit_test(test_last_rule_wins),
		cmocka_unit_test(test_access_bits),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_install_for_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
