/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability sets as 64-bit masks (bit N = capability N). */
#ifndef SILO_CAPS_H
#define SILO_CAPS_H

#include <fcntl.h>
#include <stdint.h>
#include <string.h>

#include "error.h"
#include "spec.h"

/* The kernel's highest capability (cached). */
int caps_last_cap(void);
/* Drop every capability not in keep from the bounding set (needs CAP_SETPCAP). */
int caps_drop_bounding(uint64_t keep, struct silo_error *err);
/* capset; bits the kernel does not know are dropped. */
int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable,
	     struct silo_error *err);
/* Clear the ambient set, then raise each bit (needs them permitted+inheritable). */
int caps_set_ambient(uint64_t ambient, struct silo_error *err);

#endif
