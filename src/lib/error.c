/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error object: see error.h for the convention. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

const char *silo_strerror(int errnum, char *buf, size_t len)
{
	const char *s = strerror_r(errnum, buf, len);   /* GNU variant */
	if (s != buf) {
		snprintf(buf, len, "%s", s);
	}
	if (buf[0] != '\0')
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

int silo_error_v(struct silo_error *err, int errnum, const char *fmt, va_list ap)
{
	int n;

	if (err == NULL)
		return -1;
	err->errnum = errnum;
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (n < 0) {
		err->msg[0] = '\0';
		n = 0;
	}
	if (errnum != 0 && (size_t)n < sizeof(err->msg)) {
		char eb[128];
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
			 silo_strerror(errnum, eb, sizeof(eb)));
	}
	return -1;
}

int silo_error(struct silo_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	silo_error_v(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int silo_error_errnum(struct silo_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	silo_error_v(err, 0, fmt, ap);
	va_end(ap);
	if (err)
		err->errnum = errnum;
	return -1;
}

int silo_error_ctx(struct silo_error *err, const char *fmt, ...)
{
	char ctx[SILO_ERROR_MAX];
	size_t clen, mlen;
	va_list ap;
	int n;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return -1;
	clen = strlen(ctx);
	mlen = strlen(err->msg);
	if (mlen == 0) {
		memcpy(err->msg, ctx, clen + 1);
		return -1;
	}
	if (clen + 2 + mlen + 1 > sizeof(err->msg)) {
		if (clen + 3 >= sizeof(err->msg))
			return -1;
		mlen = sizeof(err->msg) - clen - 3;
	}
	memmove(err->msg + clen + 2, err->msg, mlen);
	err->msg[clen + 2 + mlen] = '\0';
	memcpy(err->msg, ctx, clen);
	err->msg[clen] = ':';
	err->msg[clen + 1] = ' ';
	return -1;
}

int silo_error_set_raw(struct silo_error *err, int errnum, const char *msg, size_t len)
{
	if (len >= sizeof(err->msg))
		len = sizeof(err->msg) - 1;
	memcpy(err->msg, msg, len);
	err->msg[len] = '\0';
	err->errnum = errnum;
	return -1;
}
