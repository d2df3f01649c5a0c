#!/usr/bin/env bats
# Namespaces: new ones, what is inside them, joining existing ones by path.

load helpers

@test "ns: the payload is pid 1 of a new pid namespace" {
	args /probe pid
	run_ctr
	assert_status 0
	[ "$output" = "pid=1 ppid=0" ] || fail "$output"
}

@test "ns: hostname and domainname are set in the new uts namespace" {
	cfg '.hostname = "silo-host" | .domainname = "silo.domain"'
	args /bin/sh -c '/probe hostname; /probe domainname'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = silo-host ] || fail "hostname ${lines[0]}"
	# runc 1.1.5 ignores linux.domainname (added in runc 1.2).
	[ "$FLAVOR" = runc ] || [ "${lines[1]}" = silo.domain ] || fail "domainname ${lines[1]}"
	[ "$(hostname)" != silo-host ] || fail "the host's hostname changed"
}

@test "ns: a new network namespace has only lo, and lo is up" {
	args /probe net
	run_ctr
	assert_status 0
	[ "$output" = "lo up" ] || fail "interfaces: $output"
}

@test "ns: every configured namespace differs from the host's" {
	args /probe ns
	run_ctr
	assert_status 0
	for ns in ipc uts mnt cgroup net pid; do
		inside=$(awk -v n="$ns" '$1 == n { print $2 }' <<<"$output")
		[ -n "$inside" ] || fail "no $ns line"
		[ "$inside" != "$(host_ns "$ns")" ] || fail "$ns namespace is the host's ($inside)"
	done
	# Not asked for: shared with the host.
	[ "$(awk '$1 == "user" { print $2 }' <<<"$output")" = "$(host_ns user)" ] || fail "user ns was unshared"
}

@test "ns: a namespace left out of the config is the host's" {
	requires_real_root "mqueue without an ipc namespace of the user namespace"
	cfg '.linux.namespaces |= map(select(.type != "network" and .type != "ipc"))'
	args /probe ns
	run_ctr
	assert_status 0
	[ "$(awk '$1 == "net" { print $2 }' <<<"$output")" = "$(host_ns net)" ] || fail "net was unshared"
	[ "$(awk '$1 == "ipc" { print $2 }' <<<"$output")" = "$(host_ns ipc)" ] || fail "ipc was unshared"
}

@test "ns: user namespace with uid and gid mappings" {
	requires_real_root "maps ids the user namespace does not have"
	cfg '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]'
	# A userns cannot mount a cgroup v1 tree it does not own; keep the rest.
	cfg '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	args /bin/sh -c '/probe ids; /probe cat /proc/self/uid_map; /probe cat /proc/self/gid_map; /probe pause'
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	wait_for "$T/$ID.out" ready
	out=$(ctr_output)
	grep -qx 'uid=0 gid=0 euid=0 egid=0 groups=' <<<"$out" || fail "ids: $out"
	grep -qE '^ +0 +200000 +65536$' <<<"$out" || fail "uid_map: $out"
	grep -qE '^ +0 +300000 +65536$' <<<"$out" || fail "gid_map: $out"
	# Seen from the host, the container's root is the mapped id.
	pid=$(ctr_pid)
	grep -qE '^Uid:\s+200000\s' "/proc/$pid/status" || fail "host uid: $(grep Uid "/proc/$pid/status")"
	grep -qE '^Gid:\s+300000\s' "/proc/$pid/status" || fail "host gid: $(grep Gid "/proc/$pid/status")"
	[ "$(readlink "/proc/$pid/ns/user")" != "$(host_ns user)" ]
}

@test "ns: time namespace applies linux.timeOffsets" {
	skip_if_runc "runc 1.1.5 has no time namespace support"
	cfg '.linux.namespaces += [{"type": "time"}]
	     | .linux.timeOffsets = {"monotonic": {"secs": 864000000, "nanosecs": 0},
	                             "boottime": {"secs": 1728000000, "nanosecs": 0}}'
	args /bin/sh -c '/probe clock monotonic; /probe clock boottime; /probe ns'
	run_ctr
	assert_status 0
	host_mono=$(awk '{print int($1)}' /proc/uptime)
	[ "${lines[0]}" -ge 864000000 ] || fail "monotonic ${lines[0]}"
	[ "${lines[0]}" -lt $((864000000 + host_mono + 3600 * 24 * 365)) ] || fail "monotonic ${lines[0]}"
	[ "${lines[1]}" -ge 1728000000 ] || fail "boottime ${lines[1]}"
	[ "$(awk '$1 == "time" { print $2 }' <<<"$output")" != "$(host_ns time)" ] || fail "time ns is the host's"
}

@test "ns: join a network namespace by path" {
	requires_real_root "ip netns add"
	make_netns net
	nspath=$NETNS_PATH
	cfg --arg p "$nspath" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	args /bin/sh -c '/probe ns; /probe net'
	run_ctr
	assert_status 0
	inode=$(stat -L -c %i "$nspath")
	grep -qx "net net:\[$inode\]" <<<"$output" || fail "not in the named netns ($inode): $output"
	grep -qE '^lo (up|down)$' <<<"$output" || fail "no lo"
	[ "$(grep -cE '^[a-z0-9]+ (up|down)$' <<<"$output")" = 1 ] || fail "more than lo: $output"
}

@test "ns: join the pid namespace of a running container" {
	args /probe pause
	create_ctr --id "$BASE-a"
	srun silo start "$BASE-a"
	wait_for "$T/$BASE-a.out" ready
	apid=$(ctr_pid "$BASE-a")
	apidns=$(readlink "/proc/$apid/ns/pid")

	cfg --arg p "/proc/$apid/ns/pid" --arg cg "$BASE-b" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $p else . end) | .linux.cgroupsPath = $cg'
	args /bin/sh -c '/probe pid; /probe ns'
	ID=$BASE-b
	track "$ID"
	run_ctr
	assert_status 0
	[[ "${lines[0]}" =~ ^pid=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" != 1 ] || fail "joined pidns but is pid 1: ${lines[0]}"
	grep -qxF "pid $apidns" <<<"$output" || fail "pid ns differs from $apidns: $output"
}

@test "ns: a namespace path that does not exist fails the create" {
	cfg '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/netns" else . end)'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "/nonexistent/netns"
}
