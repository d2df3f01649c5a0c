/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Parsers for the unit syntaxes engines put on runtime command lines: Go's
 * time.Duration text (`events --interval 500ms`) and docker's byte sizes
 * (`update --memory 512m`).  Pure functions, unit-tested.
 */
#ifndef SILO_UNITS_H
#define SILO_UNITS_H

#include <stdint.h>

/* Go's time.ParseDuration: an optional sign, then one or more decimal
 * numbers (fraction allowed) each with a unit ns, us, µs, ms, s, m, h
 * ("1h30m", "1.5s", "500ms"); "0" alone is allowed.  Nanoseconds in *ns.
 * Returns 0, or -1 (errno EINVAL or ERANGE) on a bad or overflowing text. */
int parse_go_duration(const char *s, int64_t *ns);

/* docker's RAMInBytes (go-units): a decimal number (fraction allowed) with
 * an optional binary unit b, k, m, g, t, p, any case, optionally followed
 * by "b" or "ib" ("512m", "1.5GiB", "4096").  Returns 0, or -1 (errno
 * EINVAL or ERANGE). */
int parse_byte_size(const char *s, int64_t *bytes);

#endif
