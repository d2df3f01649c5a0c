/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device access control on cgroup v2: there is no devices.allow file, the
 * kernel instead runs a BPF_PROG_TYPE_CGROUP_DEVICE program attached to the
 * cgroup at every open and mknod of a device node.  This file owns that
 * program: it compiles linux.resources.devices (plus the default set) into
 * eBPF instructions by hand, loads them and attaches them to the container's
 * cgroup.
 *
 * Hand-written rather than through libbpf: the program is a few dozen
 * instructions of five kinds (load, 32-bit ALU, 32-bit compare-and-jump,
 * jump, exit), and the raw bpf(2) syscall with <linux/bpf.h> is all that
 * loading and attaching need.  No ELF, no BTF, no extra dependency.
 *
 * The program's shape (registers after the prologue: r2 = device type,
 * r3 = requested access bits, r4 = major, r5 = minor):
 *
 *     for each access bit (mknod, read, write):
 *         if the request lacks the bit: next section
 *         for each rule naming the bit, LAST to first:
 *             if type/major/minor differ: next rule
 *             allow: next section          deny: return 0
 *         return 0                         (nothing matched: deny)
 *     return 1
 *
 * i.e. each bit is decided by the last rule that matches it, as on v1 where
 * the later write to devices.allow/deny overrides the earlier ones, and a
 * request ("rw" for an O_RDWR open) passes only when all of its bits do.
 * A rule that matches unconditionally ends its section: the rules before it
 * could never decide and the verifier refuses unreachable code.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup_bpf.h"
#include "util.h"

/* What every container may use whatever the config says (runc and crun do
 * the same): null, zero, full, random, urandom, tty, console, ptmx, pts.
 * Both drivers append it: v1 as devices.allow lines, v2 in this program. */
const struct spec_device_rule cg_default_devices[] = {
	{ true, 'c', 1, 3, "rwm" }, { true, 'c', 1, 5, "rwm" }, { true, 'c', 1, 7, "rwm" },
	{ true, 'c', 1, 8, "rwm" }, { true, 'c', 1, 9, "rwm" }, { true, 'c', 5, 0, "rwm" },
	{ true, 'c', 5, 1, "rwm" }, { true, 'c', 5, 2, "rwm" }, { true, 'c', 136, -1, "rwm" },
};
const size_t cg_n_default_devices = ARRAY_SIZE(cg_default_devices);

/* ================================================================ generator */

/* A jump offset is a signed 16-bit count of instructions. */
#define MAX_INSNS 32000

struct gen {
	struct bpf_insn *i;
	size_t n, cap;
};

static size_t put(struct gen *g, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->i = xreallocarray(g->i, g->cap, sizeof(*g->i));
	}
	g->i[g->n] = (struct bpf_insn){ .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
	return g->n++;
}

static void ldx_w(struct gen *g, uint8_t dst, int16_t off)
{
	put(g, BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, off, 0);
}

static void alu32_imm(struct gen *g, uint8_t op, uint8_t dst, int32_t imm)
{
	put(g, BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

static void mov32_reg(struct gen *g, uint8_t dst, uint8_t src)
{
	put(g, BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* 32-bit compares: the context fields are u32, and a 64-bit compare would
 * sign-extend an immediate of 2^31 or more. */
static size_t jmp32_imm(struct gen *g, uint8_t op, uint8_t dst, uint32_t imm, int16_t off)
{
	return put(g, BPF_JMP32 | op | BPF_K, dst, 0, off, (int32_t)imm);
}

static void ret(struct gen *g, int32_t v)
{
	alu32_imm(g, BPF_MOV, BPF_REG_0, v);
	put(g, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

struct crule {
	bool allow;
	unsigned bits;             /* BPF_DEVCG_ACC_* */
	uint32_t type;             /* BPF_DEVCG_DEV_*, 0 = any */
	int64_t major, minor;      /* -1 = any */
};

static int to_crule(const struct spec_device_rule *d, size_t i, struct crule *c,
		    struct silo_error *err)
{
	const char *a = d->access[0] ? d->access : "rwm";

	c->allow = d->allow;
	c->major = d->major < 0 ? -1 : d->major;
	c->minor = d->minor < 0 ? -1 : d->minor;
	if (c->major > UINT32_MAX || c->minor > UINT32_MAX)
		return silo_error(err, ERANGE, "linux.resources.devices[%zu]: %" PRId64 ":%" PRId64,
				  i, d->major, d->minor);
	switch (d->type) {
	case 'a': c->type = 0; break;
	case 'c': c->type = BPF_DEVCG_DEV_CHAR; break;
	case 'b': c->type = BPF_DEVCG_DEV_BLOCK; break;
	default:
		return silo_error(err, EINVAL, "linux.resources.devices[%zu]: bad type '%c'", i, d->type);
	}
	c->bits = 0;
	if (strchr(a, 'm'))
		c->bits |= BPF_DEVCG_ACC_MKNOD;
	if (strchr(a, 'r'))
		c->bits |= BPF_DEVCG_ACC_READ;
	if (strchr(a, 'w'))
		c->bits |= BPF_DEVCG_ACC_WRITE;
	/* "a" alone is every device and every access, whatever access says */
	if (c->type == 0 && c->major < 0 && c->minor < 0)
		c->bits = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
	return 0;
}

/* One rule inside the section of `bit`.  Returns true when it matches
 * unconditionally (ends the section).  Allow jumps are recorded in `fix`. */
static bool emit_rule(struct gen *g, const struct crule *c, size_t **fix, size_t *nfix)
{
	int conds = (c->type != 0) + (c->major >= 0) + (c->minor >= 0);
	int body = c->allow ? 1 : 2;
	int left = conds;

	if (c->type != 0)
		jmp32_imm(g, BPF_JNE, BPF_REG_2, c->type, (int16_t)(--left + body));
	if (c->major >= 0)
		jmp32_imm(g, BPF_JNE, BPF_REG_4, (uint32_t)c->major, (int16_t)(--left + body));
	if (c->minor >= 0)
		jmp32_imm(g, BPF_JNE, BPF_REG_5, (uint32_t)c->minor, (int16_t)(--left + body));
	if (c->allow) {
		*fix = xreallocarray(*fix, *nfix + 1, sizeof(**fix));
		(*fix)[(*nfix)++] = put(g, BPF_JMP | BPF_JA, 0, 0, 0, 0);
	} else {
		ret(g, 0);
	}
	return conds == 0;
}

static void emit_section(struct gen *g, const struct crule *r, size_t n, unsigned bit)
{
	cleanup_free size_t *fix = NULL;
	size_t nfix = 0;
	bool ended = false;

	mov32_reg(g, BPF_REG_0, BPF_REG_3);
	alu32_imm(g, BPF_AND, BPF_REG_0, (int32_t)bit);
	fix = xmalloc(sizeof(*fix));
	fix[nfix++] = jmp32_imm(g, BPF_JEQ, BPF_REG_0, 0, 0);
	for (size_t i = n; i-- > 0 && !ended;)
		if (r[i].bits & bit)
			ended = emit_rule(g, &r[i], &fix, &nfix);
	if (!ended)
		ret(g, 0);
	for (size_t k = 0; k < nfix; k++)
		g->i[fix[k]].off = (int16_t)(g->n - fix[k] - 1);
}

int cg_bpf_devices_build(const struct spec_device_rule *rules, size_t n, bool defaults,
			 struct cg_bpf_prog *out, struct silo_error *err)
{
	size_t total = n + (defaults ? cg_n_default_devices : 0);
	cleanup_free struct crule *r = NULL;
	struct gen g = { 0 };
	static const unsigned bits[] = { BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE };

	out->insns = NULL;
	out->n = 0;
	/* at most 5 instructions per rule and bit, plus the fixed parts */
	if (total > (MAX_INSNS - 32) / 15)
		return silo_error(err, E2BIG, "linux.resources.devices: %zu rules, at most %d",
				  n, (MAX_INSNS - 32) / 15 - (int)cg_n_default_devices);
	r = xreallocarray(NULL, total ? total : 1, sizeof(*r));
	for (size_t i = 0; i < total; i++) {
		const struct spec_device_rule *d = i < n ? &rules[i] : &cg_default_devices[i - n];

		if (to_crule(d, i, &r[i], err) < 0)
			return -1;
	}
	/* prologue: r2 = type, r3 = access, r4 = major, r5 = minor */
	ldx_w(&g, BPF_REG_2, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	mov32_reg(&g, BPF_REG_3, BPF_REG_2);
	alu32_imm(&g, BPF_RSH, BPF_REG_3, 16);
	alu32_imm(&g, BPF_AND, BPF_REG_2, 0xffff);
	ldx_w(&g, BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx, major));
	ldx_w(&g, BPF_REG_5, offsetof(struct bpf_cgroup_dev_ctx, minor));
	for (size_t b = 0; b < ARRAY_SIZE(bits); b++)
		emit_section(&g, r, total, bits[b]);
	ret(&g, 1);
	out->insns = g.i;
	out->n = g.n;
	return 0;
}

void cg_bpf_prog_free(struct cg_bpf_prog *p)
{
	free(p->insns);
	p->insns = NULL;
	p->n = 0;
}

/* ================================================================ bpf(2) */

#define PREFIX "cgroup v2 device filter"

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int load_once(const struct cg_bpf_prog *p, char *log, uint32_t log_size)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = ptr(p->insns);
	a.insn_cnt = (uint32_t)p->n;
	a.license = ptr("Apache");
	if (log) {
		a.log_buf = ptr(log);
		a.log_size = log_size;
		a.log_level = 1;
	}
	memcpy(a.prog_name, "silo_devices", sizeof("silo_devices"));
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* The verifier's verdict: the last line of its log that is not the
 * statistics it prints at the end. */
static void log_verdict(char *log, char *out, size_t size)
{
	char *line = NULL, *save = NULL;

	out[0] = '\0';
	for (char *l = strtok_r(log, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l[strspn(l, " \t")] && strncmp(l, "processed ", 10) != 0 &&
		    strncmp(l, "verification time", 17) != 0 && strncmp(l, "stack depth", 11) != 0)
			line = l;
	if (line)
		snprintf(out, size, "%s", line);
}

static int load(const struct cg_bpf_prog *p, struct silo_error *err)
{
	enum { LOG_SIZE = 64 * 1024 };
	cleanup_free char *log = NULL;
	char verdict[256];
	int fd, e;

	/* no log first: the verifier runs faster without one */
	if ((fd = load_once(p, NULL, 0)) >= 0)
		return fd;
	e = errno;
	log = xzalloc(LOG_SIZE);
	if ((fd = load_once(p, log, LOG_SIZE)) >= 0)
		return fd;     /* passed the second time: use it */
	log_verdict(log, verdict, sizeof(verdict));
	if (verdict[0])
		return silo_error(err, e, PREFIX ": load: %s", verdict);
	return silo_error(err, e, PREFIX ": load");
}

/* The ids of the programs attached to the cgroup itself (not inherited). */
static int query(int cgfd, const char *dir, uint32_t *ids, uint32_t *n, struct silo_error *err)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = ptr(ids);
	a.query.prog_cnt = *n;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return silo_error(err, errno, PREFIX ": query the programs attached to %s", dir);
	*n = a.query.prog_cnt;
	return 0;
}

static int attach(int cgfd, int progfd, int cmd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)progfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	if (cmd == BPF_PROG_ATTACH)
		a.attach_flags = BPF_F_ALLOW_MULTI;
	return sys_bpf(cmd, &a);
}

/* Detach a previous program by id.  Gone already is fine. */
static int detach_id(int cgfd, uint32_t id, struct silo_error *err)
{
	union bpf_attr a;
	cleanup_close int fd = -1;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	if ((fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a)) < 0) {
		if (errno == ENOENT)
			return 0;
		return silo_error(err, errno, PREFIX ": open the previous program %" PRIu32, id);
	}
	if (attach(cgfd, fd, BPF_PROG_DETACH) < 0 && errno != ENOENT)
		return silo_error(err, errno, PREFIX ": detach the previous program %" PRIu32, id);
	return 0;
}

int cg_bpf_devices_install(const char *dir, const struct spec_device_rule *rules, size_t n,
			   struct silo_error *err)
{
	struct cg_bpf_prog p __attribute__((cleanup(cg_bpf_prog_free))) = { 0 };
	cleanup_close int cgfd = -1, progfd = -1;
	uint32_t old[64], nold = ARRAY_SIZE(old);

	if (cg_bpf_devices_build(rules, n, true, &p, err) < 0)
		return -1;
	/* a real fd, not O_PATH: the kernel's fdget() refuses O_PATH files */
	if ((cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return silo_error(err, errno, PREFIX ": open %s", dir);
	if (query(cgfd, dir, old, &nold, err) < 0)
		return -1;
	if ((progfd = load(&p, err)) < 0)
		return -1;
	/* the new filter goes on before the old ones come off: in between both
	 * run, and a device must pass both, so nothing is ever let through */
	if (attach(cgfd, progfd, BPF_PROG_ATTACH) < 0)
		return silo_error(err, errno, PREFIX ": attach to %s", dir);
	for (uint32_t i = 0; i < nold && i < ARRAY_SIZE(old); i++)
		if (detach_id(cgfd, old[i], err) < 0)
			return -1;
	return 0;
}
