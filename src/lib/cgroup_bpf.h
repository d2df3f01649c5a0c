/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup v2 device controller: linux.resources.devices compiled into a
 * BPF_PROG_TYPE_CGROUP_DEVICE program and attached to the container's cgroup.
 * The generator is pure (unit-tested through an interpreter); the installer
 * loads, attaches and replaces through the raw bpf(2) syscall.
 */
#ifndef SILO_CGROUP_BPF_H
#define SILO_CGROUP_BPF_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/bpf.h>

#include "error.h"
#include "spec.h"

/* What every container may use whatever the config says, appended after the
 * config's rules (the same set the v1 driver writes to devices.allow): null,
 * zero, full, random, urandom, tty, console, ptmx and the pts. */
extern const struct spec_device_rule cg_default_devices[];
extern const size_t cg_n_default_devices;

struct cg_bpf_prog {
	struct bpf_insn *insns;    /* heap */
	size_t n;
};

/*
 * Compile `rules` (in order) followed, when `defaults`, by
 * cg_default_devices into a program over struct bpf_cgroup_dev_ctx that
 * returns 1 (allow) or 0 (deny).  Semantics, per requested access bit (m, r,
 * w): the last rule that matches the device and names that access decides;
 * no match denies.  A request is allowed when every one of its bits is.
 * Type 'a' with both numbers wildcard means every device and every access,
 * as "a" does on v1.  Fails on a major/minor above 2^32-1 or a bad type.
 */
int cg_bpf_devices_build(const struct spec_device_rule *rules, size_t n, bool defaults,
			 struct cg_bpf_prog *out, struct silo_error *err);
void cg_bpf_prog_free(struct cg_bpf_prog *p);

/*
 * Build the program for `rules` plus the defaults, load it, attach it to the
 * cgroup directory `dir` (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI), then detach
 * the programs that were attached to `dir` before, so that the cgroup is never
 * without a filter.  Errors read "cgroup v2 device filter: load: <verifier
 * line>: permission denied".
 */
int cg_bpf_devices_install(const char *dir, const struct spec_device_rule *rules, size_t n,
			   struct silo_error *err);

#endif
