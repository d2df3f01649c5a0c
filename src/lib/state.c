/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state directory and state.json; see state.h. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "container.h"
#include "state.h"
#include "util.h"

const char *const silo_status_names[] = {
	[STATUS_CREATING] = "creating",
	[STATUS_CREATED] = "created",
	[STATUS_RUNNING] = "running",
	[STATUS_PAUSED] = "paused",
	[STATUS_STOPPED] = "stopped",
};

/* Ids name directories: runc's alphabet, no "." first, bounded. */
int silo_id_check(const char *id, struct silo_error *err)
{
	size_t n = id ? strlen(id) : 0;

	if (n == 0)
		return silo_error(err, 0, "invalid container id \"\": empty");
	if (n > 1024)
		return silo_error(err, 0, "invalid container id: longer than 1024 bytes");
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '+' || c == '-' || (c == '.' && i > 0);
		if (!ok)
			return silo_error(err, 0, "invalid container id \"%s\": must match "
					  "[a-zA-Z0-9_+-][a-zA-Z0-9_+.-]*", id);
	}
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return silo_error(err, 0, "invalid container id \"%s\"", id);
	return 0;
}

void silo_state_free(struct silo_state *s)
{
	free(s->id);
	free(s->oci_version);
	free(s->bundle);
	free(s->config);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->annotations_json);
	free(s->hooks_json);
	free(s->cgroup_json);
	free(s->resources_json);
	memset(s, 0, sizeof(*s));
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return errno = ENAMETOOLONG, -1;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int state_root_open(const char *root, bool create, struct silo_error *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT || !create) {
		if (fd < 0)
			return silo_error(err, errno, "open state root %s", root);
		return fd;
	}
	if (mkdir_p(root, 0700) < 0)
		return silo_error(err, errno, "create state root %s", root);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return silo_error(err, errno, "open state root %s", root);
	return fd;
}

int state_dir_create(int root_fd, const char *id, struct silo_error *err)
{
	int fd;

	if (mkdirat(root_fd, id, 0711) < 0) {
		if (errno == EEXIST)
			return silo_error(err, 0, "container \"%s\" already exists", id);
		return silo_error(err, errno, "create state directory %s", id);
	}
	fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		unlinkat(root_fd, id, AT_REMOVEDIR);
		return silo_error(err, e, "open state directory %s", id);
	}
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		unlinkat(root_fd, id, AT_REMOVEDIR);
		return silo_error(err, e, "lock state directory %s", id);
	}
	return fd;
}

int state_dir_open(int root_fd, const char *id, bool lock, struct silo_error *err)
{
	int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		if (errno == ENOENT)
			return silo_error(err, 0, "container \"%s\" does not exist", id);
		return silo_error(err, errno, "open state directory %s", id);
	}
	if (lock && flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		return silo_error(err, e, "lock state directory %s", id);
	}
	return fd;
}

static int remove_subdir(int dir_fd, const char *name)
{
	int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return unlinkat(dir_fd, name, AT_REMOVEDIR);
}

int state_dir_remove(int root_fd, const char *id, struct silo_error *err)
{
	cleanup_close int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (fd < 0)
		return errno == ENOENT ? 0 : silo_error(err, errno, "open state directory %s", id);
	d = fdopendir(take_fd(&fd));
	if (d == NULL)
		return silo_error(err, errno, "read state directory %s", id);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		/* One level of subdirectories (notify/ of NOTIFY_SOCKET). */
		if (errno != EISDIR || remove_subdir(dirfd(d), de->d_name) < 0)
			return silo_error(err, errno, "remove %s/%s", id, de->d_name);
	}
	if (unlinkat(root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return silo_error(err, errno, "remove state directory %s", id);
	return 0;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, json_string(v ? v : ""));
}

static void set_raw(json_t *o, const char *key, const char *raw)
{
	json_t *v;

	if (raw == NULL)
		return;
	v = json_loads(raw, 0, NULL);
	if (v)
		json_object_set_new(o, key, v);
}

/* The JSON-valued fields are kept as text that jansson dumped (from the
 * spec, the cgroup manager or an earlier state file), so they are spliced
 * into the object's text as they are: parsing them back only to dump them
 * again was half of the parent's user-space instructions in a `run`. */
static void append_raw(char **text, size_t *len, const char *key, const char *raw)
{
	size_t klen, rlen;

	if (raw == NULL || raw[0] == '\0')
		return;
	klen = strlen(key);
	rlen = strlen(raw);
	*text = xrealloc(*text, *len + klen + rlen + 6);
	/* overwrite the closing brace: ,"key":raw} */
	*len -= 1;
	(*text)[(*len)++] = ',';
	(*text)[(*len)++] = '"';
	memcpy(*text + *len, key, klen);
	*len += klen;
	(*text)[(*len)++] = '"';
	(*text)[(*len)++] = ':';
	memcpy(*text + *len, raw, rlen);
	*len += rlen;
	(*text)[(*len)++] = '}';
	(*text)[*len] = '\0';
}

int state_write(int dir_fd, const struct silo_state *s, struct silo_error *err)
{
	json_t *o = json_object();
	cleanup_free char *text = NULL;
	size_t len;

	set_str(o, "id", s->id);
	set_str(o, "ociVersion", s->oci_version);
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "startTime", json_integer((json_int_t)s->start_time));
	set_str(o, "bundle", s->bundle);
	if (s->config)
		set_str(o, "config", s->config);
	set_str(o, "rootfs", s->rootfs);
	set_str(o, "created", s->created);
	set_str(o, "owner", s->owner);
	json_object_set_new(o, "ownerUid", json_integer(s->owner_uid));
	json_object_set_new(o, "ownPidns", json_boolean(s->own_pidns));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return silo_error(err, ENOMEM, "encode state");
	len = strlen(text);
	append_raw(&text, &len, "annotations", s->annotations_json);
	append_raw(&text, &len, "hooks", s->hooks_json);
	append_raw(&text, &len, "cgroup", s->cgroup_json);
	append_raw(&text, &len, "resources", s->resources_json);
	return write_file_atomic(dir_fd, "state.json", text, len, 0600, err);
}

static char *get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static char *get_raw(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

int state_read(int dir_fd, const char *id, struct silo_state *s, struct silo_error *err)
{
	cleanup_free char *text = NULL;
	json_error_t jerr;
	json_t *o;

	memset(s, 0, sizeof(*s));
	if (read_file_at(dir_fd, "state.json", &text, NULL, err) < 0)
		return silo_error_ctx(err, "container \"%s\"", id);
	o = json_loads(text, 0, &jerr);
	if (!json_is_object(o)) {
		json_decref(o);
		return silo_error(err, 0, "container \"%s\": state.json: corrupt: %s", id, jerr.text);
	}
	s->id = get_str(o, "id");
	s->oci_version = get_str(o, "ociVersion");
	s->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	s->start_time = (uint64_t)json_integer_value(json_object_get(o, "startTime"));
	s->bundle = get_str(o, "bundle");
	s->config = get_str(o, "config");
	s->rootfs = get_str(o, "rootfs");
	s->created = get_str(o, "created");
	s->owner = get_str(o, "owner");
	s->owner_uid = (uid_t)json_integer_value(json_object_get(o, "ownerUid"));
	s->own_pidns = json_is_true(json_object_get(o, "ownPidns"));
	s->annotations_json = get_raw(o, "annotations");
	s->hooks_json = get_raw(o, "hooks");
	s->cgroup_json = get_raw(o, "cgroup");
	s->resources_json = get_raw(o, "resources");
	json_decref(o);
	if (s->id == NULL || strcmp(s->id, id) != 0) {
		silo_state_free(s);
		return silo_error(err, 0, "container \"%s\": state.json: corrupt: wrong id", id);
	}
	return 0;
}

bool state_init_alive(const struct silo_state *s)
{
	char st;

	if (s->pid <= 0)
		return false;
	if (proc_start_time(s->pid) != s->start_time)
		return false;
	st = proc_state(s->pid);
	return st != 0 && st != 'Z' && st != 'X';
}

enum silo_status state_status(int dir_fd, const struct silo_state *s)
{
	struct stat st;

	if (!state_init_alive(s))
		return STATUS_STOPPED;
	if (fstatat(dir_fd, STATE_FIFO, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	return STATUS_RUNNING;
}

char *state_to_oci_json(const struct silo_state *s, enum silo_status status, bool pretty)
{
	json_t *o = json_object();
	char *text;

	set_str(o, "ociVersion", s->oci_version);
	set_str(o, "id", s->id);
	json_object_set_new(o, "pid", json_integer(status == STATUS_STOPPED ? 0 : s->pid));
	set_str(o, "status", silo_status_names[status]);
	set_str(o, "bundle", s->bundle);
	set_str(o, "rootfs", s->rootfs);
	set_str(o, "created", s->created);
	set_raw(o, "annotations", s->annotations_json);
	set_str(o, "owner", s->owner);
	text = json_dumps(o, pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER
				    : JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}

char *state_now_rfc3339(void)
{
	struct timespec ts;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	format_rfc3339_utc(&ts, buf, sizeof(buf));
	return xstrdup(buf);
}
