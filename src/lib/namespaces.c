/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Namespaces; see namespaces.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "idmap.h"
#include "namespaces.h"
#include "syscalls.h"
#include "util.h"

/* Join order: the user namespace first (it grants the rights to join the
 * others), the mount namespace last but one, pid and time last (they only
 * take effect for children / need a single-threaded caller). */
static const enum ns_type join_order[] = {
	NS_USER, NS_IPC, NS_UTS, NS_NET, NS_CGROUP, NS_MNT, NS_PID, NS_TIME,
};

int ns_plan_prepare(const struct spec *spec, struct ns_plan *plan, struct silo_error *err)
{
	plan->new_flags = 0;
	plan->slow_path = false;
	for (int t = 0; t < NS_COUNT; t++)
		plan->join_fd[t] = -1;

	for (int t = 0; t < NS_COUNT; t++) {
		const struct spec_namespace *ns = &spec->linux.ns[t];
		int fd, type;

		if (!ns->present)
			continue;
		if (ns->path == NULL) {
			plan->new_flags |= (unsigned long)spec_ns_clone_flags[t];
			continue;
		}
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ns_plan_close(plan);
			return silo_error(err, errno, "linux.namespaces: %s namespace path %s",
					  spec_ns_names[t], ns->path);
		}
		type = ioctl(fd, NS_GET_NSTYPE);
		if (type >= 0 && type != spec_ns_clone_flags[t]) {
			close(fd);
			ns_plan_close(plan);
			return silo_error(err, 0, "linux.namespaces: %s is not a %s namespace",
					  ns->path, spec_ns_names[t]);
		}
		plan->join_fd[t] = fd;
	}
	/* Joining a user or pid namespace, or joining anything while creating a
	 * user namespace, needs the two-stage start. */
	if (plan->join_fd[NS_USER] >= 0 || plan->join_fd[NS_PID] >= 0)
		plan->slow_path = true;
	if (plan->new_flags & CLONE_NEWUSER)
		for (int t = 0; t < NS_COUNT; t++)
			if (plan->join_fd[t] >= 0)
				plan->slow_path = true;
	return 0;
}

void ns_plan_close(struct ns_plan *plan)
{
	for (int t = 0; t < NS_COUNT; t++) {
		if (plan->join_fd[t] >= 0)
			close(plan->join_fd[t]);
		plan->join_fd[t] = -1;
	}
}

int ns_join(struct ns_plan *plan, unsigned mask, struct silo_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(join_order); i++) {
		enum ns_type t = join_order[i];

		if (!(mask & (1u << t)) || plan->join_fd[t] < 0)
			continue;
		if (setns(plan->join_fd[t], spec_ns_clone_flags[t]) < 0)
			return silo_error(err, errno, "join %s namespace", spec_ns_names[t]);
		close(plan->join_fd[t]);
		plan->join_fd[t] = -1;
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
		     struct silo_error *err)
{
	size_t len;
	cleanup_free char *text = idmap_format(m, n, &len);
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return write_file_at(AT_FDCWD, path, text, len, 0, err);
}

int ns_write_id_maps(pid_t pid, const struct spec *spec, struct silo_error *err)
{
	const struct spec_linux *l = &spec->linux;

	if (l->n_uid_mappings && write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, err) < 0)
		return silo_error_ctx(err, "linux.uidMappings");
	if (l->n_gid_mappings) {
		/* Without CAP_SETGID in the parent namespace the kernel only
		 * takes a gid map once setgroups is denied. */
		if (geteuid() != 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
			if (write_file_at(AT_FDCWD, path, "deny", 4, 0, err) < 0 && err->errnum != ENOENT)
				return -1;
		}
		if (write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, err) < 0)
			return silo_error_ctx(err, "linux.gidMappings");
	}
	return 0;
}

bool ns_in_initial_userns(void)
{
	static int initial = -1;
	char buf[128];
	unsigned long long in, out, count;
	int fd, n;

	if (initial >= 0)
		return initial;
	fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? (int)read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	/* Unreadable (no /proc): assume the initial one, as runc does. */
	if (n <= 0) {
		initial = 1;
		return true;
	}
	buf[n] = '\0';
	initial = sscanf(buf, "%llu %llu %llu", &in, &out, &count) == 3 && in == 0 && out == 0 &&
		  count == 4294967295ULL && strchr(buf, '\n') == strrchr(buf, '\n');
	return initial;
}

bool ns_maps_need_dumpable(void)
{
	return geteuid() != 0;
}

/* Is capability `cap` in our effective set? */
static bool have_effective_cap(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return (d[cap / 32].effective & (1u << (cap % 32))) != 0;
}

/* Is [first, first+size) inside the ids our own user namespace maps (the
 * first column of /proc/self/{uid,gid}_map)?  Ranges may be adjacent. */
static bool range_mapped(const char *text, uint64_t first, uint64_t size)
{
	uint64_t end = first + size;

	while (first < end) {
		bool advanced = false;

		for (const char *p = text; p && *p;) {
			unsigned long long in, out, count;

			if (sscanf(p, "%llu %llu %llu", &in, &out, &count) == 3 && first >= in &&
			    first < in + count) {
				first = in + count;
				advanced = true;
			}
			p = strchr(p, '\n');
			if (p)
				p++;
		}
		if (!advanced)
			return false;
	}
	return true;
}

static int check_maps(const char *field, const char *file, const struct spec_idmap *m, size_t n,
		      unsigned own, int cap, const char *what, struct silo_error *err)
{
	cleanup_free char *text = NULL;
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/%s", file);
	if (read_file_at(AT_FDCWD, path, &text, NULL, err) < 0)
		return silo_error_ctx(err, "%s", field);
	for (size_t i = 0; i < n; i++)
		if (!range_mapped(text, m[i].host_id, m[i].size))
			return silo_error(err, 0, "%s: hostID %u (size %u) is not mapped in the caller's "
					  "user namespace (%s)", field, m[i].host_id, m[i].size, path);
	if (have_effective_cap(cap))
		return 0;
	if (n != 1 || m[0].host_id != own || m[0].size != 1)
		return silo_error(err, 0, "%s: without %s the only possible mapping is the caller's own "
				  "%s %u with size 1 (newuidmap/newgidmap are not used)",
				  field, cap == CAP_SETUID ? "CAP_SETUID" : "CAP_SETGID", what, own);
	return 0;
}

int ns_check_id_maps(const struct spec *spec, struct silo_error *err)
{
	const struct spec_linux *l = &spec->linux;

	if (!l->ns[NS_USER].present || l->ns[NS_USER].path != NULL)
		return 0;
	if (geteuid() == 0 && ns_in_initial_userns())
		return 0;
	if (check_maps("linux.uidMappings", "uid_map", l->uid_mappings, l->n_uid_mappings,
		       (unsigned)geteuid(), CAP_SETUID, "uid", err) < 0 ||
	    check_maps("linux.gidMappings", "gid_map", l->gid_mappings, l->n_gid_mappings,
		       (unsigned)getegid(), CAP_SETGID, "gid", err) < 0)
		return -1;
	return 0;
}

int ns_setup_time(const struct spec *spec, struct silo_error *err)
{
	const struct spec_linux *l = &spec->linux;
	char buf[128];
	size_t len = 0;
	int fd;

	if (unshare(CLONE_NEWTIME) < 0)
		return silo_error(err, errno, "create time namespace");
	if (l->time_monotonic.set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "monotonic %lld %u\n",
					(long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.set)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "boottime %lld %u\n",
					(long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	/* The offsets must be written before any process enters the namespace;
	 * one write per clock, the kernel takes a single line at a time. */
	for (char *line = buf, *nl; len && (nl = strchr(line, '\n')); line = nl + 1) {
		if (write_file_at(AT_FDCWD, "/proc/self/timens_offsets", line,
				  (size_t)(nl - line + 1), 0, err) < 0)
			return silo_error_ctx(err, "linux.timeOffsets");
	}
	fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return silo_error(err, errno, "open /proc/self/ns/time_for_children");
	if (setns(fd, CLONE_NEWTIME) < 0) {
		int e = errno;
		close(fd);
		return silo_error(err, e, "enter time namespace");
	}
	close(fd);
	return 0;
}

int ns_loopback_up(struct silo_error *err)
{
	struct ifreq ifr = { 0 };
	cleanup_close int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return silo_error(err, errno, "bring lo up: socket");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		return silo_error(err, errno, "bring lo up: get flags");
	if (ifr.ifr_flags & IFF_UP)
		return 0;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		return silo_error(err, errno, "bring lo up");
	return 0;
}
