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

/* Init side: create a time namespace with the offsets and enter it. */
int ns_setup_time(const struct spec *spec, struct silo_error *err);

/* Init side, in a new network namespace: set lo up. */
int ns_loopback_up(struct silo_error *err);

#endif
