/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The one error convention of silo's library.
 *
 * A fallible function takes `struct silo_error *err` as its last argument and
 * returns a negative value (or NULL) on failure after filling *err.  The
 * message is complete when it is set: the errno text, if any, is appended at
 * that moment ("open /x: no such file or directory").  Callers add context in
 * front with silo_error_ctx() ("mount /proc: open /x: ...").  The errno lives
 * in the error object; never rely on the global errno across calls.
 *
 * Message rules: lower case, no full stop, say what failed first, then the
 * path or field, then the reason.  errno texts are lower-cased so that they
 * read like runc's ("no such file or directory"): docker maps exit codes 126
 * and 127 by matching these exact lower-case substrings.
 */
#ifndef SILO_ERROR_H
#define SILO_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define SILO_ERROR_MAX 2048

struct silo_error {
	int errnum;                /* 0 when the failure has no errno */
	char msg[SILO_ERROR_MAX];  /* complete message, "" when unset */
};

#define SILO_FORMAT(a, b) __attribute__((format(printf, a, b)))

/* Set *err to fmt plus, when errnum != 0, ": " and the lower-cased strerror.
 * Always returns -1, so library code can `return silo_error(...)`. */
int silo_error(struct silo_error *err, int errnum, const char *fmt, ...) SILO_FORMAT(3, 4);
int silo_error_v(struct silo_error *err, int errnum, const char *fmt, va_list ap) SILO_FORMAT(3, 0);

/* Like silo_error() but the message is used as written (no strerror text
 * appended) while errnum is still recorded: for messages that already say
 * what went wrong ("/dev/null is not the null device"). */
int silo_error_errnum(struct silo_error *err, int errnum, const char *fmt, ...) SILO_FORMAT(3, 4);

/* Prefix the existing message with "<context>: ".  Returns -1. */
int silo_error_ctx(struct silo_error *err, const char *fmt, ...) SILO_FORMAT(2, 3);

/* Set a message verbatim (used to carry an error across the sync socket). */
int silo_error_set_raw(struct silo_error *err, int errnum, const char *msg, size_t len);

static inline void silo_error_clear(struct silo_error *err)
{
	err->errnum = 0;
	err->msg[0] = '\0';
}

/* strerror(errnum) with its first letter lower-cased, into buf. */
const char *silo_strerror(int errnum, char *buf, size_t len);

#endif
