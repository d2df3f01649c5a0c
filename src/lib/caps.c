/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capability sets through capget/capset and prctl directly.  The kernel
 * interface is four calls on two 32-bit words; libcap would add a DSO to every
 * container start for no gain, so this is written by hand.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"
#include "util.h"

static int last_cap = -1;

int caps_last_cap(void)
{
	if (last_cap < 0) {
		char buf[16] = { 0 };
		int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
		int64_t v;

		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf) - 1) > 0) {
				buf[strcspn(buf, "\n")] = '\0';
				if (parse_i64(buf, &v) == 0 && v > 0 && v < 64)
					last_cap = (int)v;
			}
			close(fd);
		}
		if (last_cap < 0) {
			/* Probe: PR_CAPBSET_READ fails with EINVAL past the last cap. */
			last_cap = 0;
			while (last_cap < 63 && prctl(PR_CAPBSET_READ, last_cap + 1, 0, 0, 0) >= 0)
				last_cap++;
		}
	}
	return last_cap;
}

int caps_drop_bounding(uint64_t keep, struct silo_error *err)
{
	int last = caps_last_cap();

	for (int c = 0; c <= last; c++) {
		if (keep & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return silo_error(err, errno, "drop capability %d from the bounding set", c);
	}
	return 0;
}

int caps_set(uint64_t effective, uint64_t permitted, uint64_t inheritable,
	     struct silo_error *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t known = caps_last_cap() >= 63 ? ~0ULL : (1ULL << (caps_last_cap() + 1)) - 1;

	effective &= known;
	permitted &= known;
	inheritable &= known;
	data[0].effective = (uint32_t)effective;
	data[1].effective = (uint32_t)(effective >> 32);
	data[0].permitted = (uint32_t)permitted;
	data[1].permitted = (uint32_t)(permitted >> 32);
	data[0].inheritable = (uint32_t)inheritable;
	data[1].inheritable = (uint32_t)(inheritable >> 32);
	if (syscall(SYS_capset, &hdr, data) < 0)
		return silo_error(err, errno, "capset");
	return 0;
}

int caps_set_ambient(uint64_t ambient, struct silo_error *err)
{
	int last = caps_last_cap();

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		if (errno == EINVAL && ambient == 0)
			return 0;   /* kernel without ambient caps */
		return silo_error(err, errno, "clear ambient capabilities");
	}
	for (int c = 0; c <= last; c++) {
		if (!(ambient & (1ULL << c)))
			continue;
		/* The kernel refuses a cap that is not both permitted and
		 * inheritable.  runc warns and goes on; so do we (the init
		 * cannot log): not raising it only means less privilege. */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM)
			return silo_error(err, errno, "raise ambient capability %s",
					  spec_cap_name(c) ? spec_cap_name(c) : "?");
	}
	return 0;
}
