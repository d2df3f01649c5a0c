/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Namespaces: which to create, which to join by path (opened and type-checked
 * in the parent before clone), uid/gid maps (written by the parent), time
 * offsets, and bringing lo up in a new network namespace.
 */
#ifndef SILO_NAMESPACES_H
#define SILO_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

struct ns_plan {
	int join_fd[NS_COUNT];     /* -1 or an fd of the namespace to join */
	unsigned long new_flags;   /* CLONE_NEW* to create */
	bool slow_path;            /* needs the two-stage start (see init.c) */
};

/* Open and check every namespace path; compute the flags. */
int ns_plan_prepare(const struct spec *spec, struct ns_plan *plan, struct silo_error *err);
void ns_plan_close(struct ns_plan *plan);

/* setns() every joined namespace of `which` mask (bit = 1 << enum ns_type),
 * user namespace first. */
int ns_join(struct ns_plan *plan, unsigned mask, struct silo_error *err);

/* Parent side: write /proc/PID/{uid_map,setgroups,gid_map}. */
int ns_write_id_maps(pid_t pid, const struct spec *spec, struct silo_error *err);

/* Is this process in the initial user namespace (its uid_map the identity
 * "0 0 4294967295")?  Read once per process. */
bool ns_in_initial_userns(void);

/* Before anything is created: can this process write the id maps of a new
 * user namespace?  Every hostID range must be mapped in our own user
 * namespace (/proc/self/uid_map, gid_map), and without CAP_SETUID/CAP_SETGID
 * the kernel takes only one line mapping our own euid/egid with size 1 (no
 * newuidmap/newgidmap here).  A no-op without a new user namespace. */
int ns_check_id_maps(const struct spec *spec, struct silo_error *err);

/* Without CAP_SETUID in its user namespace the parent cannot open the maps
 * of a non-dumpable child: such a child asks for them (SYNC_USERMAP_REQ)
 * while it is dumpable for that one exchange (init.c). */
bool ns_maps_need_dumpable(void);

/* Init side: create a time namespace with the offsets and enter it. */
int ns_setup_time(const struct spec *spec, struct silo_error *err);

/* Init side, in a new network namespace: set lo up. */
int ns_loopback_up(struct silo_error *err);

#endif
