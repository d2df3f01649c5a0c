/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The library never prints.  It hands warnings and debug lines to a sink the
 * program installs (silo-oci writes them as text or JSON lines to --log or
 * stderr).  The sink and the level are process-wide facts, hence globals.
 */
#ifndef SILO_LOG_H
#define SILO_LOG_H

#include "error.h"

enum silo_log_level {
	SILO_LOG_ERROR = 0,
	SILO_LOG_WARNING = 1,
	SILO_LOG_INFO = 2,
	SILO_LOG_DEBUG = 3,
};

typedef void (*silo_log_fn)(int level, const char *msg, void *data);

void silo_log_set(silo_log_fn fn, void *data, int max_level);
extern int silo_log_max_level;

void silo_log(int level, const char *fmt, ...) SILO_FORMAT(2, 3);

#define silo_debug(...)                                    \
	do {                                                   \
		if (silo_log_max_level >= SILO_LOG_DEBUG)          \
			silo_log(SILO_LOG_DEBUG, __VA_ARGS__);         \
	} while (0)
#define silo_warn(...) silo_log(SILO_LOG_WARNING, __VA_ARGS__)

#endif
