#!/usr/bin/env bats
# cgroups: the container lands in its own cgroup below the caller's (relative
# cgroupsPath), limits are written, the devices controller is enforced, and
# everything is removed by delete.  Runs on the v1/hybrid host and, through
# tests/run.sh, inside a cgroup-v2 VM.

load helpers

is_v2() { [ -e /sys/fs/cgroup/cgroup.controllers ]; }

# Our own cgroup path for controller $1 (v2: the unified path).
own_cgroup() {
	if is_v2; then
		awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup
	else
		awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/self/cgroup
	fi
}

# Host directory of the container's cgroup for controller $1.
cg_dir() {
	local own
	own=$(own_cgroup "$1")
	own=${own%/}
	if is_v2; then echo "/sys/fs/cgroup$own/$ID"; else echo "/sys/fs/cgroup/$1$own/$ID"; fi
}

start_paused() {
	args /probe pause
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	wait_for "$T/$ID.out" ready
}

@test "cgroups: seen from the host, the container is in <own cgroup>/<cgroupsPath>" {
	start_paused
	pid=$(ctr_pid)
	cat "/proc/$pid/cgroup" >&2
	if is_v2; then
		want="$(own_cgroup)"
		[ "$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")" = "${want%/}/$ID" ] || fail "v2 path"
		[ -d "$(cg_dir)" ]
		grep -qx "$pid" "$(cg_dir)/cgroup.procs" || fail "pid not in cgroup.procs"
	else
		for c in memory pids cpu devices freezer; do
			line=$(awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
			want=$(own_cgroup "$c")
			[ "$line" = "${want%/}/$ID" ] || fail "$c: '$line' is not '${want%/}/$ID'"
			[ -d "$(cg_dir "$c")" ] || fail "no dir $(cg_dir "$c")"
			grep -qx "$pid" "$(cg_dir "$c")/cgroup.procs" || fail "$c: pid not in cgroup.procs"
		done
	fi
}

@test "cgroups: inside a cgroup namespace every path is /" {
	args /probe cgroup
	run_ctr
	assert_status 0
	[ -n "$output" ]
	! grep -v ':/$' <<<"$output" || fail "paths are not /: $output"
}

@test "cgroups: without a cgroup namespace the full path shows" {
	cfg '.linux.namespaces |= map(select(.type != "cgroup"))'
	args /probe cgroup
	run_ctr
	assert_status 0
	if is_v2; then
		grep -qE "^0::.*/$ID\$" <<<"$output" || fail "$output"
	else
		grep -qE "^[0-9]+:([a-z_]+,)*memory(,[a-z_]+)*:.*/$ID\$" <<<"$output" || fail "$output"
		grep -qE "^[0-9]+:([a-z_]+,)*pids(,[a-z_]+)*:.*/$ID\$" <<<"$output" || fail "$output"
	fi
}

@test "cgroups: pids and memory limits are written" {
	cfg '.linux.resources.pids = {"limit": 42} | .linux.resources.memory = {"limit": 67108864}'
	start_paused
	if is_v2; then
		[ "$(cat "$(cg_dir)/pids.max")" = 42 ]
		[ "$(cat "$(cg_dir)/memory.max")" = 67108864 ]
	else
		[ "$(cat "$(cg_dir pids)/pids.max")" = 42 ] || fail "pids.max $(cat "$(cg_dir pids)/pids.max")"
		[ "$(cat "$(cg_dir memory)/memory.limit_in_bytes")" = 67108864 ] || fail "memory limit"
	fi
}

@test "cgroups: the devices controller allows the defaults and denies the rest" {
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
	     | .process.capabilities.permitted += ["CAP_MKNOD"]'
	# 1:11 is /dev/kmsg: not in the default allow list, harmless to open.  A
	# runtime may deny its mknod (silo) or only its use (runc allows "c *:* m").
	# The mknod of an allowed device (1:3) shows that CAP_MKNOD and the
	# filesystem allow mknod at all, so a refusal of 1:11 is the policy's.
	args /bin/sh -c 'mknod /tmp/null c 1 3 && echo null-ok
		if mknod /tmp/kmsg c 1 11; then /probe open /tmp/kmsg || echo open-denied; else echo mknod-denied; fi
		/probe write /dev/null x; /probe open /dev/zero'
	run_ctr
	[ "${lines[0]}" = null-ok ] || fail "mknod of an allowed device (1:3) failed: $output $stderr"
	lines=("${lines[@]:1}")
	case "${lines[0]}" in
	mknod-denied) ;;
	open-denied) grep -q 'open /tmp/kmsg: EPERM' <<<"$stderr" || fail "open failed, but not with EPERM: $stderr" ;;
	*) fail "1:11 could be made and opened: $output $stderr" ;;
	esac
	[ "${lines[1]}" = ok ] || fail "/dev/null not writable: $stderr"
	[ "${lines[2]}" = ok ] || fail "/dev/zero not readable: $stderr"
}

@test "cgroups: the config's device rules apply per access: c 42:0 rm allows mknod and read, not write" {
	cfg '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
	     | .process.capabilities.permitted += ["CAP_MKNOD"]
	     | .linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 42, "minor": 0, "access": "rm"}]'
	# 42 is the "demo" major: no driver, so an open the policy lets through
	# fails later (ENXIO), and only the policy's refusal is EPERM.
	args /bin/sh -c 'mknod /tmp/d c 42 0 && echo made
		if /probe open /tmp/d 2>/tmp/e || ! grep -q EPERM /tmp/e; then echo read-allowed; else echo read-denied; fi
		if /probe write /tmp/d x 2>/tmp/e || ! grep -q EPERM /tmp/e; then echo write-allowed; else echo write-denied; fi'
	run_ctr
	[ "${lines[0]}" = made ] || fail "mknod of 42:0 (m allowed) failed: $output $stderr"
	[ "${lines[1]}" = read-allowed ] || fail "read of 42:0 (r allowed) refused: $output"
	[ "${lines[2]}" = write-denied ] || fail "write of 42:0 (w not allowed) not refused: $output"
}

@test "cgroups: delete removes every cgroup directory of the container" {
	start_paused
	dirs=()
	if is_v2; then dirs=("$(cg_dir)"); else for c in memory pids cpu devices freezer; do dirs+=("$(cg_dir "$c")"); done; fi
	for d in "${dirs[@]}"; do [ -d "$d" ] || fail "no $d while running"; done
	srun silo kill "$ID" KILL
	wait_status stopped
	srun silo delete "$ID"
	assert_status 0
	for d in "${dirs[@]}"; do [ ! -d "$d" ] || fail "$d left after delete"; done
	[ -z "$(find /sys/fs/cgroup -mindepth 1 -type d -name "$ID")" ] || fail "cgroup dirs left"
}

@test "cgroups: a failed create removes the cgroups it made" {
	args /nonexistent
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error
	[ -z "$(find /sys/fs/cgroup -mindepth 1 -type d -name "$ID")" ] || fail "cgroup dirs left"
}
