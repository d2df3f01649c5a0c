/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log sink; see log.h. */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

int silo_log_max_level = SILO_LOG_WARNING;
static silo_log_fn log_fn;
static void *log_data;

void silo_log_set(silo_log_fn fn, void *data, int max_level)
{
	log_fn = fn;
	log_data = data;
	silo_log_max_level = max_level;
}

void silo_log(int level, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	if (level > silo_log_max_level || log_fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_fn(level, buf, log_data);
}
