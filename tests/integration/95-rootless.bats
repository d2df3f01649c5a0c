#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# Rootless use (docs/security.md, plan items 21 and 35): silo-oci run
#   - by an unprivileged user: `nobody` (65534:65534, no supplementary
#     groups) through setpriv, with a bundle from `spec --rootless` made by
#     that user, a state root it owns and a copy of the runtime in $T (the
#     build tree may not be reachable for it);
#   - by root inside `unshare -r --mount`: uid 0 of a user namespace, with
#     no privilege over the host (crun's CI pattern).  Steps that must share
#     that namespace (exec joins the container's namespaces, which only the
#     creator's user namespace may do) run in one `unshare` shell;
#   - by the unprivileged user inside its own `unshare -r`.
# What is checked: the lifecycle verbs, isolation seen from the probe (own
# pid 1 and hostname, uid 0 inside mapped to the caller outside), the
# cgroup mounts (plan 21: every reachable mount under /sys/fs/cgroup is
# read-only, writing cgroup.procs fails), linux.resources refused with one
# clear error that names the cgroup and leaves nothing, and the usual leak
# checks of the teardown (state dir, cgroup, mounts, processes).

load helpers

RL_UID=65534
RL_GID=65534

# The common setup of helpers.bash, renamed, then ours on top.
eval "_helpers_$(declare -f setup)"

setup() {
	_helpers_setup
	requires_real_root "it makes its own user namespaces and becomes nobody"
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
	unshare -r true 2>/dev/null || skip "this host refuses user namespaces"
	# A copy of the runtime the test user can execute (the build tree may
	# not be reachable for it); spec writes the bundle's config anew.
	cp "$SILO_OCI" "$T/silo-oci"
	chmod 755 "$T/silo-oci"
	mkdir -p "$STATE" "$T/xdg"
	rm -f "$BUNDLE/config.json"
}

# for_user: the state root, $XDG_RUNTIME_DIR and the bundle directory (for
# spec) belong to the unprivileged user.
for_user() { chown "$RL_UID:$RL_GID" "$STATE" "$T/xdg" "$BUNDLE"; }

# as_user CMD...: CMD as the unprivileged user, with a clean environment.
as_user() {
	setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups -- \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$T/xdg" "$@"
}

# usilo ARGS...: the runtime as the unprivileged user, this test's state root.
usilo() {
	(
		for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
		exec timeout -k 5 "$SILO_TIMEOUT" setpriv --reuid="$RL_UID" --regid="$RL_GID" \
			--clear-groups -- env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$T/xdg" \
			"$T/silo-oci" --root "$STATE" "$@"
	)
}

# nsilo ARGS...: the runtime as root inside a new `unshare -r --mount`.
nsilo() {
	(
		for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
		exec timeout -k 5 "$SILO_TIMEOUT" unshare -r --mount -- "$SILO_OCI" --root "$STATE" "$@"
	)
}

# in_userns SCRIPT: bash SCRIPT as root inside one `unshare -r --mount`,
# with $SILO (the runtime and --root), $BUNDLE and $ID set.
in_userns() {
	(
		for fd in 3 4 5 6 7 8 9; do eval "exec $fd>&-"; done
		SILO="$SILO_OCI --root $STATE" BUNDLE=$BUNDLE ID=$ID \
			exec timeout -k 5 $((SILO_TIMEOUT * 3)) unshare -r --mount -- bash -euc "$1"
	)
}

# A config from `spec --rootless` made by the unprivileged user (its ids
# mapped), with this test's cgroupsPath, no terminal and the given args.
user_bundle() {
	for_user
	rm -f "$BUNDLE/config.json"
	srun as_user "$T/silo-oci" spec --rootless --bundle "$BUNDLE"
	assert_status 0
	cfg --arg cg "$ID" '.linux.cgroupsPath = $cg | .process.terminal = false'
	args "$@"
}

# The same made by root inside `unshare -r` (uid 0 of that namespace mapped).
userns_bundle() {
	rm -f "$BUNDLE/config.json"
	srun unshare -r "$SILO_OCI" spec --rootless --bundle "$BUNDLE"
	assert_status 0
	cfg --arg cg "$ID" '.linux.cgroupsPath = $cg | .process.terminal = false'
	args "$@"
}

# A payload that runs until killed and names $T in its command line, so
# that the teardown's leak check finds it if it outlives the test.
forever() { args /bin/sh -c 'while :; do sleep 1; done' "$T/rootless"; }

# Plan 21 on a mountinfo text ($output of `probe mounts`): every mount at or
# under /sys/fs/cgroup that the container can reach is read-only.  Not
# reachable: a mount covered by another on its root (that one's parent is
# it, same mount point) or by a later one on the same point, and what lies
# beneath such a mount.  Prints the offenders; fails when there is one, or
# when nothing is mounted there at all.
check_cgroup_mounts_ro() {
	local bad
	bad=$(awk '
		{ id[NR] = $1; parent[NR] = $2; mp[NR] = $5; opts[NR] = $6; at[$1] = $5
		  last[$2 " " $5] = $1 }
		END {
			for (i = 1; i <= NR; i++)
				if (at[parent[i]] == mp[i] && last[parent[i] " " mp[i]] == id[i]) covered[parent[i]] = 1
			for (i = 1; i <= NR; i++)
				if (last[parent[i] " " mp[i]] != id[i] || (covered[parent[i]] && at[parent[i]] != mp[i]))
					gone[id[i]] = 1
			do { more = 0
			     for (i = 1; i <= NR; i++) if (!gone[id[i]] && gone[parent[i]]) { gone[id[i]] = 1; more = 1 }
			} while (more)
			for (i = 1; i <= NR; i++) {
				if (mp[i] != "/sys/fs/cgroup" && index(mp[i], "/sys/fs/cgroup/") != 1) continue
				if (gone[id[i]] || covered[id[i]]) continue
				seen++
				if (opts[i] !~ /^ro(,|$)/) print "rw: " mp[i] " " opts[i]
			}
			if (!seen) print "no mount at /sys/fs/cgroup"
		}' <<<"$output")
	[ -z "$bad" ] || fail "$bad"
}

# The in-container writes of plan 21: cgroup.procs of /sys/fs/cgroup and of
# every hierarchy under it, and a new cgroup; each must fail.
CGROUP_WRITES='for f in /sys/fs/cgroup/cgroup.procs /sys/fs/cgroup/*/cgroup.procs; do
	if echo $$ >"$f" 2>/dev/null; then echo "WROTE $f"; else echo "refused $f"; fi
done
if mkdir /sys/fs/cgroup/rl-escape 2>/dev/null; then echo "WROTE mkdir"; else echo "refused mkdir"; fi'

# --------------------------------------------------------- unprivileged user

@test "rootless user: spec --rootless maps the caller's own uid and gid" {
	user_bundle /probe true
	[ "$(jq -c '.linux.uidMappings' "$BUNDLE/config.json")" = '[{"containerID":0,"hostID":65534,"size":1}]' ] ||
		fail "uidMappings: $(jq -c .linux.uidMappings "$BUNDLE/config.json")"
	[ "$(jq -c '.linux.gidMappings' "$BUNDLE/config.json")" = '[{"containerID":0,"hostID":65534,"size":1}]' ] ||
		fail "gidMappings: $(jq -c .linux.gidMappings "$BUNDLE/config.json")"
	[ "$(jq -c '.linux.resources' "$BUNDLE/config.json")" = null ] || fail "the rootless spec sets resources"
}

@test "rootless user: run: own pid 1 and hostname, uid 0 inside is the user outside" {
	user_bundle /bin/sh -c 'echo "pid=$$"; /probe hostname; /probe ids; /probe cat /proc/self/uid_map; /probe cat /proc/self/gid_map'
	cfg '.hostname = "rl-host"'
	srun usilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = pid=1 ] || fail "pid: ${lines[0]}"
	[ "${lines[1]}" = rl-host ] || fail "hostname: ${lines[1]}"
	[[ "${lines[2]}" == "uid=0 gid=0 euid=0 egid=0 "* ]] || fail "ids: ${lines[2]}"
	[ "$(echo ${lines[3]})" = "0 65534 1" ] || fail "uid_map: ${lines[3]}"
	[ "$(echo ${lines[4]})" = "0 65534 1" ] || fail "gid_map: ${lines[4]}"
	[ "$(hostname)" != rl-host ] || fail "the host's hostname changed"
	[ ! -e "$STATE/$ID" ] || fail "run left its state dir"
}

@test "rootless user: create, start, state, list, exec, kill, delete" {
	user_bundle true
	forever
	srun usilo create --bundle "$BUNDLE" "$ID"
	assert_status 0
	srun usilo state "$ID"
	assert_status 0
	[ "$(jq -r .status <<<"$output")" = created ] || fail "status: $output"
	pid=$(jq -r .pid <<<"$output")
	# The init runs as the user on the host, in a user namespace of its own.
	[ "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$pid/status")" = "65534 65534 65534 65534" ] ||
		fail "host uids of the init: $(grep ^Uid: "/proc/$pid/status")"
	[ "$(readlink "/proc/$pid/ns/user")" != "$(host_ns user)" ] || fail "the init shares the host's user namespace"
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(host_ns pid)" ] || fail "the init shares the host's pid namespace"
	srun usilo start "$ID"
	assert_status 0
	srun usilo state "$ID"
	[ "$(jq -r .status <<<"$output")" = running ] || fail "status: $output"
	srun usilo list
	assert_status 0
	grep -qE "^$ID +$pid +running .* nobody\$" <<<"$output" || fail "list: $output"
	srun usilo exec "$ID" /bin/sh -c '/probe ids; /probe pid; /probe hostname'
	assert_status 0
	[[ "${lines[0]}" == "uid=0 gid=0 euid=0 egid=0 "* ]] || fail "exec ids: ${lines[0]}"
	[[ "${lines[1]}" == pid=* ]] && [ "${lines[1]}" != "pid=1 ppid=0" ] || fail "exec pid: ${lines[1]}"
	[ "${lines[2]}" = silo ] || fail "exec hostname: ${lines[2]}"
	srun usilo exec "$ID" /probe exit 7
	assert_status 7
	srun usilo kill "$ID" KILL
	assert_status 0
	wait_status_user stopped
	srun usilo delete "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "delete left the state dir"
	[ ! -e "/proc/$pid" ] || [ "$(awk '/^State:/ { print $2 }' "/proc/$pid/status")" = Z ] ||
		fail "the init $pid still runs"
	srun usilo list
	assert_status 0
	assert_output_lacks "$ID"
}

# Wait until the container has STATUS, asked as the user (10 s at most).
wait_status_user() {
	local deadline=$((SECONDS + 10)) s
	while [ "$SECONDS" -lt "$deadline" ]; do
		s=$(usilo state "$ID" 2>/dev/null | jq -r .status)
		[ "$s" = "$1" ] && return 0
		sleep 0.1
	done
	fail "container never reached $1 (now: $s)"
}

@test "rootless user: run --detach, then delete --force of a running container" {
	user_bundle true
	forever
	srun usilo run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	pid=$(usilo state "$ID" | jq -r .pid)
	kill -0 "$pid" || fail "the init is not running"
	srun usilo delete --force "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "delete --force left the state dir"
}

@test "rootless user: every /sys/fs/cgroup mount is read-only or hidden, cgroup.procs cannot be written (plan 21)" {
	user_bundle /probe mounts
	srun usilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	check_cgroup_mounts_ro
	# Even when the config asks for a writable cgroup mount.
	cfg '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= map(select(. != "ro"))'
	srun usilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	check_cgroup_mounts_ro
	args /bin/sh -c "$CGROUP_WRITES"
	srun usilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_lacks WROTE
	assert_output_has "refused /sys/fs/cgroup/cgroup.procs"
	assert_output_has "refused mkdir"
}

@test "rootless user: linux.resources is one clear error naming the cgroup, and nothing is left" {
	user_bundle true
	cfg '.linux.resources = {"pids": {"limit": 42}}'
	srun usilo create --bundle "$BUNDLE" "$ID"
	assert_error "rootless container with linux.resources: create cgroup /sys/fs/cgroup/" \
		"permission denied"
	[ ! -e "$STATE/$ID" ] || fail "the failed create left its state dir"
	# Device rules alone are no limit: rootless leaves them to the kernel.
	cfg '.linux.resources = {"devices": [{"allow": false, "access": "rwm"}]}'
	args /bin/sh -c 'echo x >/dev/null && /probe true'
	srun usilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
}

@test "rootless user: a mapping of other ids is refused before anything is made" {
	user_bundle true
	cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'
	srun usilo create --bundle "$BUNDLE" "$ID"
	assert_error "linux.uidMappings: without CAP_SETUID the only possible mapping is the caller's own uid 65534 with size 1"
	[ ! -e "$STATE/$ID" ] || fail "the failed create left its state dir"
	user_bundle true
	cfg '.linux.gidMappings = [{"containerID": 0, "hostID": 65534, "size": 2}]'
	srun usilo create --bundle "$BUNDLE" "$ID"
	assert_error "linux.gidMappings:" "own gid 65534 with size 1"
	[ ! -e "$STATE/$ID" ] || fail "the failed create left its state dir"
}

@test "rootless user: the state root is \$XDG_RUNTIME_DIR/silo-oci, and without it a clear error" {
	user_bundle /probe true
	srun as_user "$T/silo-oci" run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ -f "$T/xdg/silo-oci/$ID/state.json" ] || fail "no state under \$XDG_RUNTIME_DIR/silo-oci"
	[ "$(stat -c %a "$T/xdg/silo-oci")" = 700 ] || fail "state root mode $(stat -c %a "$T/xdg/silo-oci")"
	srun as_user "$T/silo-oci" delete --force "$ID"
	assert_status 0
	[ ! -e "$T/xdg/silo-oci/$ID" ] || fail "delete left the state dir"
	srun setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups -- env -i PATH=/usr/bin:/bin \
		"$T/silo-oci" list
	assert_error "list: no state root: XDG_RUNTIME_DIR is not set and --root is not given"
	# The verbs without state need neither.
	srun setpriv --reuid="$RL_UID" --regid="$RL_GID" --clear-groups -- env -i PATH=/usr/bin:/bin \
		"$T/silo-oci" features
	assert_status 0
}

# --------------------------------------------------------- root in unshare -r

@test "unshare -r: run: own pid 1 and hostname, uid 0 mapped to the namespace's uid 0" {
	userns_bundle /bin/sh -c 'echo "pid=$$"; /probe hostname; /probe ids; /probe cat /proc/self/uid_map'
	cfg '.hostname = "rl-host"'
	srun nsilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = pid=1 ] || fail "pid: ${lines[0]}"
	[ "${lines[1]}" = rl-host ] || fail "hostname: ${lines[1]}"
	[[ "${lines[2]}" == "uid=0 gid=0 euid=0 egid=0 "* ]] || fail "ids: ${lines[2]}"
	# Seen from the container's namespace: 0 of the parent (the unshare's
	# root, which is the host's 0) mapped once.
	[ "$(echo ${lines[3]})" = "0 0 1" ] || fail "uid_map: ${lines[3]}"
	[ ! -e "$STATE/$ID" ] || fail "run left its state dir"
}

@test "unshare -r: create, start, state, list, exec, kill, delete in one user namespace" {
	userns_bundle true
	forever
	srun in_userns '
		$SILO create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null
		echo "created $($SILO state "$ID" | jq -r .status)"
		$SILO start "$ID"
		echo "started $($SILO state "$ID" | jq -r .status)"
		$SILO list | grep -E "^$ID .* running " | sed "s/^/list /"
		$SILO exec "$ID" /bin/sh -c "/probe ids; /probe pid" | sed "s/^/exec /"
		$SILO kill "$ID" KILL
		for i in $(seq 100); do [ "$($SILO state "$ID" | jq -r .status)" = stopped ] && break; sleep 0.1; done
		echo "killed $($SILO state "$ID" | jq -r .status)"
		$SILO delete "$ID"
		echo "deleted $($SILO list | grep -c "^$ID ")"'
	assert_status 0
	assert_output_has "created created"
	assert_output_has "started running"
	grep -qE "^list $ID " <<<"$output" || fail "list: $output"
	assert_output_has "exec uid=0 gid=0 euid=0 egid=0"
	grep -qE "^exec pid=[0-9]+ ppid=0" <<<"$output" || fail "exec pid: $output"
	assert_output_lacks "exec pid=1 "
	assert_output_has "killed stopped"
	assert_output_has "deleted 0"
	[ ! -e "$STATE/$ID" ] || fail "delete left the state dir"
}

@test "unshare -r: kill and delete --force work from another unshare of the same user" {
	userns_bundle true
	forever
	srun nsilo run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(nsilo state "$ID" | jq -r .status)" = running ] || fail "not running"
	srun nsilo kill "$ID" TERM
	assert_status 0
	srun nsilo delete --force "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "delete --force left the state dir"
}

@test "unshare -r: every /sys/fs/cgroup mount is read-only or hidden, cgroup.procs cannot be written (plan 21)" {
	userns_bundle /probe mounts
	srun nsilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	check_cgroup_mounts_ro
	args /bin/sh -c "$CGROUP_WRITES"
	srun nsilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_lacks WROTE
	assert_output_has "refused mkdir"
}

@test "unshare -r: a config without a user namespace of its own runs, its devices bound from the host" {
	userns_bundle /bin/sh -c '/probe ids; /probe stat /dev/null; echo x >/dev/null && echo null-ok'
	cfg '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)
	     | .mounts |= map(select(.type != "mqueue"))'
	srun nsilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[[ "${lines[0]}" == "uid=0 gid=0 "* ]] || fail "ids: ${lines[0]}"
	assert_output_has null-ok
}

@test "unshare -r: the cgroup is root's, so linux.resources apply; device rules are left out" {
	userns_bundle /bin/sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	cfg '.linux.resources = {"pids": {"limit": 42}, "devices": [{"allow": false, "access": "rwm"}]}'
	srun nsilo run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$output" = 42 ] || fail "pids.max inside: $output"
}

# ------------------------------------------------ unprivileged user, unshare -r

@test "rootless user inside its own unshare -r: run and the lifecycle" {
	as_user unshare -r true 2>/dev/null || skip "unprivileged user namespaces are disabled"
	for_user
	srun as_user unshare -r "$T/silo-oci" spec --rootless --bundle "$BUNDLE"
	assert_status 0
	cfg --arg cg "$ID" '.linux.cgroupsPath = $cg | .process.terminal = false'
	args /bin/sh -c 'echo "pid=$$"; /probe ids'
	srun as_user unshare -r --mount "$T/silo-oci" --root "$STATE" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "${lines[0]}" = pid=1 ] || fail "pid: ${lines[0]}"
	[[ "${lines[1]}" == "uid=0 gid=0 euid=0 egid=0 "* ]] || fail "ids: ${lines[1]}"
	forever
	srun as_user unshare -r --mount "$T/silo-oci" --root "$STATE" run --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	srun as_user unshare -r "$T/silo-oci" --root "$STATE" delete --force "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "delete --force left the state dir"
}
