/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Signal names <-> numbers, the way runc's parser takes them: a number, or a
 * name with or without "SIG", in any case ("kill", "SIGKILL", "9"), plus the
 * real-time forms "RTMIN+3" / "RTMAX-1".  A 32-entry table needs no library.
 */
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "container.h"
#include "util.h"

static const struct {
	const char *name;
	int signo;
} signal_table[] = {
	{ "HUP", SIGHUP },     { "INT", SIGINT },       { "QUIT", SIGQUIT },   { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },   { "ABRT", SIGABRT },     { "IOT", SIGIOT },     { "BUS", SIGBUS },
	{ "FPE", SIGFPE },     { "KILL", SIGKILL },     { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },     { "ALRM", SIGALRM },   { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },   { "CLD", SIGCHLD },    { "CONT", SIGCONT },
	{ "STOP", SIGSTOP },   { "TSTP", SIGTSTP },     { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },
	{ "URG", SIGURG },     { "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM },
	{ "PROF", SIGPROF },   { "WINCH", SIGWINCH },   { "IO", SIGIO },       { "POLL", SIGPOLL },
	{ "PWR", SIGPWR },     { "SYS", SIGSYS },
};

int silo_signal_parse(const char *s)
{
	int64_t n;
	const char *name = s;

	if (s == NULL || *s == '\0')
		return -1;
	if (parse_i64(s, &n) == 0)
		return (n >= 1 && n <= SIGRTMAX) ? (int)n : -1;
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (strcasecmp(name, signal_table[i].name) == 0)
			return signal_table[i].signo;
	if (strncasecmp(name, "RTMIN", 5) == 0 || strncasecmp(name, "RTMAX", 5) == 0) {
		bool max = toupper((unsigned char)name[3]) == 'A';
		const char *rest = name + 5;
		int64_t off = 0;
		int signo;

		if (*rest != '\0') {
			/* digits only after the sign, and small: "RTMIN--<INT64_MIN>"
			 * overflowed the negation and "RTMIN+4294967297" wrapped
			 * to RTMIN+1 in the int (seen while writing fuzz/fuzz_signal.c,
			 * which reports both; inputs in fuzz/corpus/signal) */
			if ((*rest != '+' && *rest != '-') || !isdigit((unsigned char)rest[1]) ||
			    parse_i64(rest + 1, &off) < 0 || off > SIGRTMAX)
				return -1;
			if (*rest == '-')
				off = -off;
		}
		signo = (max ? SIGRTMAX : SIGRTMIN) + (int)off;
		return (signo >= SIGRTMIN && signo <= SIGRTMAX) ? signo : -1;
	}
	return -1;
}

const char *silo_signal_name(int signo)
{
	for (size_t i = 0; i < ARRAY_SIZE(signal_table); i++)
		if (signal_table[i].signo == signo)
			return signal_table[i].name;
	return NULL;
}
