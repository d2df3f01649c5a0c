/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mount option strings ("ro", "nosuid", "rbind", "rprivate", "size=64m",
 * "rro", "tmpcopyup", ...) parsed into struct mount_opts (see spec.h).
 * Pure functions: no syscalls, unit-tested and fuzzed.
 */
#ifndef SILO_MOUNTOPTS_H
#define SILO_MOUNTOPTS_H

#include "spec.h"

/* Parse n options into *out (out->data is heap-allocated or NULL).
 * Options the table does not know go to data, as the kernel expects. */
int mount_opts_parse(char *const *options, size_t n, struct mount_opts *out,
		     struct silo_error *err);
void mount_opts_free(struct mount_opts *o);

/* rootfsPropagation values: "private", "rprivate", "slave", ... -> MS_*;
 * returns -1 for an unknown name. */
int mount_propagation_from_name(const char *name, unsigned long *out);

/* Every option name silo understands, NULL-terminated (for `features`). */
extern const char *const mount_opts_known[];

#endif
