/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Mount option strings -> struct mount_opts (see mountopts.h, spec.h).
 *
 * This file owns the table of option names that runc and crun understand:
 * classic MS_* flags and their negations, propagation, the recursive
 * mount_setattr(2) forms ("rro", "rnosuid", ...), and silo's extensions
 * (tmpcopyup, idmap, ridmap).  Whatever the table does not know is fs data
 * and goes to the kernel verbatim, comma-joined, as runc does.
 *
 * A linear table rather than a hash: ~70 short names, looked up a handful of
 * times per mount, and one table is also the `features` list.  Later options
 * override earlier ones ("ro,rw" is read-write), like mount(8).
 */
#include <string.h>
#include <sys/mount.h>

#include "mountopts.h"
#include "syscalls.h"
#include "util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

/* The kernel copies at most one page of mount data. */
#define MOUNT_DATA_MAX 4095

enum opt_kind {
	OPT_NONE,        /* accepted, no effect ("defaults") */
	OPT_SET,         /* MS_* to set */
	OPT_CLEAR,       /* MS_* to clear */
	OPT_BIND,        /* "bind" / "rbind" (flag carries MS_REC) */
	OPT_PROPAGATION, /* MS_SHARED ... possibly | MS_REC */
	OPT_REC_SET,     /* MOUNT_ATTR_* to set recursively */
	OPT_REC_CLEAR,   /* MOUNT_ATTR_* to clear recursively */
	OPT_REC_ATIME,   /* one of the MOUNT_ATTR__ATIME values, recursively */
	OPT_EXTENSION,   /* SPEC_MOUNT_* */
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	unsigned long value;
};

/*
 * The atime mode is one 3-valued field: each recursive form picks a value.
 * "rnorelatime" has nothing to pick (relatime is the kernel's default and
 * there is no "not relatime" mode besides the explicit ones), so it is
 * accepted and leaves the field alone, like "norelatime" does.
 */
#define MOUNT_OPTIONS(X)                                          \
	X("defaults", OPT_NONE, 0)                                \
	X("ro", OPT_SET, MS_RDONLY)                               \
	X("rw", OPT_CLEAR, MS_RDONLY)                             \
	X("nosuid", OPT_SET, MS_NOSUID)                           \
	X("suid", OPT_CLEAR, MS_NOSUID)                           \
	X("nodev", OPT_SET, MS_NODEV)                             \
	X("dev", OPT_CLEAR, MS_NODEV)                             \
	X("noexec", OPT_SET, MS_NOEXEC)                           \
	X("exec", OPT_CLEAR, MS_NOEXEC)                           \
	X("sync", OPT_SET, MS_SYNCHRONOUS)                        \
	X("async", OPT_CLEAR, MS_SYNCHRONOUS)                     \
	X("dirsync", OPT_SET, MS_DIRSYNC)                         \
	X("remount", OPT_SET, MS_REMOUNT)                         \
	X("mand", OPT_SET, MS_MANDLOCK)                           \
	X("nomand", OPT_CLEAR, MS_MANDLOCK)                       \
	X("noatime", OPT_SET, MS_NOATIME)                         \
	X("atime", OPT_CLEAR, MS_NOATIME)                         \
	X("nodiratime", OPT_SET, MS_NODIRATIME)                   \
	X("diratime", OPT_CLEAR, MS_NODIRATIME)                   \
	X("relatime", OPT_SET, MS_RELATIME)                       \
	X("norelatime", OPT_CLEAR, MS_RELATIME)                   \
	X("strictatime", OPT_SET, MS_STRICTATIME)                 \
	X("nostrictatime", OPT_CLEAR, MS_STRICTATIME)             \
	X("silent", OPT_SET, MS_SILENT)                           \
	X("loud", OPT_CLEAR, MS_SILENT)                           \
	X("iversion", OPT_SET, MS_I_VERSION)                      \
	X("noiversion", OPT_CLEAR, MS_I_VERSION)                  \
	X("lazytime", OPT_SET, MS_LAZYTIME)                       \
	X("nolazytime", OPT_CLEAR, MS_LAZYTIME)                   \
	X("nosymfollow", OPT_SET, MS_NOSYMFOLLOW)                 \
	X("symfollow", OPT_CLEAR, MS_NOSYMFOLLOW)                 \
	X("bind", OPT_BIND, MS_BIND)                              \
	X("rbind", OPT_BIND, MS_BIND | MS_REC)                    \
	X("shared", OPT_PROPAGATION, MS_SHARED)                   \
	X("rshared", OPT_PROPAGATION, MS_SHARED | MS_REC)         \
	X("slave", OPT_PROPAGATION, MS_SLAVE)                     \
	X("rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC)           \
	X("private", OPT_PROPAGATION, MS_PRIVATE)                 \
	X("rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC)       \
	X("unbindable", OPT_PROPAGATION, MS_UNBINDABLE)           \
	X("runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC) \
	X("rro", OPT_REC_SET, MOUNT_ATTR_RDONLY)                  \
	X("rrw", OPT_REC_CLEAR, MOUNT_ATTR_RDONLY)                \
	X("rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID)              \
	X("rsuid", OPT_REC_CLEAR, MOUNT_ATTR_NOSUID)              \
	X("rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV)                \
	X("rdev", OPT_REC_CLEAR, MOUNT_ATTR_NODEV)                \
	X("rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC)              \
	X("rexec", OPT_REC_CLEAR, MOUNT_ATTR_NOEXEC)              \
	X("rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME)      \
	X("rdiratime", OPT_REC_CLEAR, MOUNT_ATTR_NODIRATIME)      \
	X("rrelatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME)        \
	X("rnorelatime", OPT_NONE, 0)                             \
	X("rnoatime", OPT_REC_ATIME, MOUNT_ATTR_NOATIME)          \
	X("ratime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME)           \
	X("rstrictatime", OPT_REC_ATIME, MOUNT_ATTR_STRICTATIME)  \
	X("rnostrictatime", OPT_REC_ATIME, MOUNT_ATTR_RELATIME)   \
	X("tmpcopyup", OPT_EXTENSION, SPEC_MOUNT_TMPCOPYUP)       \
	X("idmap", OPT_EXTENSION, SPEC_MOUNT_IDMAP)               \
	X("ridmap", OPT_EXTENSION, SPEC_MOUNT_RIDMAP)

#define AS_DEF(name, kind, value) { name, kind, value },
#define AS_NAME(name, kind, value) name,

static const struct opt_def opt_table[] = { MOUNT_OPTIONS(AS_DEF) };

const char *const mount_opts_known[] = { MOUNT_OPTIONS(AS_NAME) NULL };

static const struct opt_def *opt_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
		if (strcmp(opt_table[i].name, name) == 0)
			return &opt_table[i];
	return NULL;
}

/* crun spells explicit id-mapped mount maps as "idmap=uids=...;gids=...".
 * silo takes the maps from the mount's uidMappings/gidMappings; the option
 * only asks for an id-mapped mount and is never fs data. */
static unsigned idmap_with_value(const char *opt)
{
	if (str_has_prefix(opt, "idmap="))
		return SPEC_MOUNT_IDMAP;
	if (str_has_prefix(opt, "ridmap="))
		return SPEC_MOUNT_RIDMAP;
	return 0;
}

static void apply(struct mount_opts *o, const struct opt_def *d)
{
	switch (d->kind) {
	case OPT_NONE:
		break;
	case OPT_SET:
		o->flags |= d->value;
		o->clear &= ~d->value;
		if (d->value == MS_NOSYMFOLLOW)
			o->extensions |= SPEC_MOUNT_NOSYMFOLLOW;
		break;
	case OPT_CLEAR:
		o->flags &= ~d->value;
		o->clear |= d->value;
		if (d->value == MS_NOSYMFOLLOW)
			o->extensions &= ~SPEC_MOUNT_NOSYMFOLLOW;
		break;
	case OPT_BIND:
		o->flags |= d->value;
		o->bind = true;
		if (d->value & MS_REC)
			o->recursive = true;
		break;
	case OPT_PROPAGATION:
		o->propagation = d->value;
		break;
	case OPT_REC_SET:
		o->rec_set |= d->value;
		o->rec_clr &= ~(uint64_t)d->value;
		break;
	case OPT_REC_CLEAR:
		o->rec_set &= ~(uint64_t)d->value;
		o->rec_clr |= d->value;
		break;
	case OPT_REC_ATIME:
		o->rec_set = (o->rec_set & ~(uint64_t)MOUNT_ATTR__ATIME) | d->value;
		o->rec_clr |= MOUNT_ATTR__ATIME;
		break;
	case OPT_EXTENSION:
		o->extensions |= (unsigned)d->value;
		break;
	}
}

static void data_append(char **data, size_t *len, const char *opt)
{
	size_t n = strlen(opt);

	*data = xrealloc(*data, *len + n + 2);
	if (*len > 0)
		(*data)[(*len)++] = ',';
	memcpy(*data + *len, opt, n + 1);
	*len += n;
}

int mount_opts_parse(char *const *options, size_t n, struct mount_opts *out,
		     struct silo_error *err)
{
	struct mount_opts o = { 0 };
	size_t data_len = 0;

	for (size_t i = 0; i < n; i++) {
		const char *opt = options[i];
		const struct opt_def *d;
		unsigned ext;

		if (opt == NULL) {
			free(o.data);
			return silo_error(err, 0, "mount option %zu is missing", i);
		}
		if (opt[0] == '\0')
			continue;
		d = opt_lookup(opt);
		if (d != NULL) {
			apply(&o, d);
			continue;
		}
		ext = idmap_with_value(opt);
		if (ext != 0) {
			o.extensions |= ext;
			continue;
		}
		data_append(&o.data, &data_len, opt);
		if (data_len > MOUNT_DATA_MAX) {
			free(o.data);
			return silo_error(err, 0, "mount options: fs data is longer than %d bytes",
					  MOUNT_DATA_MAX);
		}
	}
	*out = o;
	return 0;
}

void mount_opts_free(struct mount_opts *o)
{
	if (o == NULL)
		return;
	free(o->data);
	o->data = NULL;
}

int mount_propagation_from_name(const char *name, unsigned long *out)
{
	const struct opt_def *d;

	if (name == NULL)
		return -1;
	d = opt_lookup(name);
	if (d == NULL || d->kind != OPT_PROPAGATION)
		return -1;
	*out = d->value;
	return 0;
}
