/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for silo_signal_parse() and silo_signal_name() (the
 * signal argument of `kill` and the stop signal).  Besides memory errors and
 * undefined behaviour it checks that a parse gives -1 or a real signal
 * number, and that a name silo prints parses back to the same signal, with
 * and without "SIG" and in lower case.
 */
#include <ctype.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size);
	int signo = silo_signal_parse(text);

	check(signo == -1 || (signo >= 1 && signo <= SIGRTMAX));
	if (signo > 0) {
		const char *name = silo_signal_name(signo);

		if (name != NULL) {
			char buf[32];

			check(silo_signal_parse(name) == signo);
			snprintf(buf, sizeof(buf), "SIG%s", name);
			check(silo_signal_parse(buf) == signo);
			for (char *c = buf; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			check(silo_signal_parse(buf) == signo);
		}
	}
	free(text);
	return 0;
}
