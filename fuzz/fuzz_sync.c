/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer harness for the decoding side of the parent <-> init protocol
 * (sync.c): a received packet (sync_decode), the init's pid
 * (sync_msg_pid), the error payload (sync_msg_error) and the cgroup paths
 * list "controller\0dir\0..." (sync_decode_cgroup_paths) and the cgroup join
 * list "dir\0..." (sync_msg_cgroup_join, for every fd count).  The input is one
 * packet as it would arrive; its data is also fed to every payload decoder
 * whatever the type says.  Besides memory errors and undefined behaviour it
 * checks: a packet decodes exactly when its length field matches, and then
 * reads back byte for byte; a pid is positive; an error message is the data
 * up to its first NUL, never empty; decoded cgroup paths serialize back to
 * the same bytes, with controllers that are not paths and absolute dirs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
	if (!ok)
		abort();
}

static struct sync_msg msg;

static void payloads(struct sync_msg *m)
{
	struct silo_error err = { 0 };
	struct sync_cgroup_paths p;
	pid_t pid = -7;

	if (sync_msg_pid(m, &pid, &err) == 0)
		check(m->len == 4 && pid > 0);
	else
		check(pid == -7 && err.errnum == EPROTO);

	check(sync_msg_error(m, &err) == -1);
	check(err.msg[0] != '\0' && err.errnum >= 0 && err.errnum < 4096);
	if (strnlen(m->data, m->len) > 0) {
		size_t n = strnlen(m->data, m->len);
		if (n > SILO_ERROR_MAX - 1)
			n = SILO_ERROR_MAX - 1;
		check(strlen(err.msg) == n && memcmp(err.msg, m->data, n) == 0);
	}

	if (sync_decode_cgroup_paths(m->data, m->len, &p, &err) == 0) {
		char *back = xmalloc(m->len + 1);
		size_t len = 0;

		for (size_t i = 0; i < p.n; i++) {
			size_t a = strlen(p.controllers[i]) + 1, b = strlen(p.dirs[i]) + 1;

			check(strchr(p.controllers[i], '/') == NULL && p.dirs[i][0] == '/');
			check(strcmp(p.controllers[i], ".") != 0 && strcmp(p.controllers[i], "..") != 0);
			check(len + a + b <= m->len);
			memcpy(back + len, p.controllers[i], a);
			memcpy(back + len + a, p.dirs[i], b);
			len += a + b;
		}
		check(len == m->len && memcmp(back, m->data, len) == 0);
		free(back);
		sync_cgroup_paths_free(&p);
	} else {
		check(p.buf == NULL && p.n == 0 && err.errnum == EPROTO);
	}

	/* The same data as a join list for each fd count: at most one fits,
	 * and then its dirs are absolute, in order, and cover the data. */
	{
		const char *dirs[SYNC_MAX_FDS];
		size_t saved = m->n_fds;
		int fits = 0;

		for (size_t k = 0; k <= SYNC_MAX_FDS; k++) {
			m->n_fds = k;
			if (sync_msg_cgroup_join(m, dirs, &err) != 0) {
				check(err.errnum == EPROTO);
				continue;
			}
			fits++;
			for (size_t i = 0; i < k; i++)
				check(dirs[i][0] == '/' && dirs[i] >= m->data && dirs[i] < m->data + m->len &&
				      (i == 0 || dirs[i] > dirs[i - 1]));
			check(k == 0 ? m->len == 0 : dirs[k - 1] + strlen(dirs[k - 1]) + 1 == m->data + m->len);
		}
		check(fits <= 1);
		m->n_fds = saved;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct silo_error err = { 0 };
	uint32_t len = 0;
	bool framed;

	if (size >= 12)
		memcpy(&len, data + 8, 4);
	framed = size >= 12 && len <= SYNC_MAX_DATA && size == 12 + (size_t)len;
	if (sync_decode(data, size, &msg, &err) == 0) {
		check(framed && msg.fd == -1 && msg.len == len && msg.data[len] == '\0');
		check(memcmp(&msg.type, data, 4) == 0 && memcmp(&msg.errnum, data + 4, 4) == 0);
		check(memcmp(msg.data, data + 12, len) == 0);
		payloads(&msg);
	} else {
		check(!framed && err.errnum == EPROTO);
	}
	/* The payload decoders on the raw bytes too, framed or not. */
	if (size <= SYNC_MAX_DATA) {
		memcpy(msg.data, data, size);
		msg.data[size] = '\0';
		msg.len = (uint32_t)size;
		msg.errnum = size >= 4 ? (int32_t)((uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
						   (uint32_t)data[2] << 8 | data[3]) : 0;
		payloads(&msg);
	}
	return 0;
}
