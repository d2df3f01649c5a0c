#!/usr/bin/env bats
# update, events, kill --all and delete --force through the cgroup: live
# limit changes (host files, the container's own view, state.json), runc's
# stats JSON, a real OOM kill, a fork bomb held by pids.limit.  Runs on the
# v1/hybrid host and, through tests/run.sh, inside a cgroup-v2 VM.  The
# teardown fails any test that leaves a cgroup directory behind.

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

# Host directory of the container's cgroup for controller $1 (cgroupsPath $2,
# default $ID).
cg_dir() {
	local own
	own=$(own_cgroup "$1")
	own=${own%/}
	if is_v2; then echo "/sys/fs/cgroup$own/${2:-$ID}"; else echo "/sys/fs/cgroup/$1$own/${2:-$ID}"; fi
}

# A limit file of the container, by its v1 and v2 names.
cg_value() { # CONTROLLER V1-FILE V2-FILE
	if is_v2; then cat "$(cg_dir "$1")/$3"; else cat "$(cg_dir "$1")/$2"; fi
}
mem_limit() { cg_value memory memory.limit_in_bytes memory.max; }
pids_limit() { cg_value pids pids.max pids.max; }

# Processes in the container's cgroup.
procs_count() { grep -c . "$(cg_dir pids)/cgroup.procs"; }

start_ctr() { # ARGS...: create + start, wait for the probe's "ready"
	args "$@"
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	wait_for "$T/$ID.out" ready
}

limits_cfg() {
	cfg '.linux.resources.memory = {"limit": 67108864}
	     | .linux.resources.pids = {"limit": 42}
	     | .linux.resources.cpu = {"shares": 512}'
}

@test "update: flags change the live limits, seen on the host, inside the container and by events" {
	skip_if_runc "Debian's runc 1.1.5 differs in update details"
	limits_cfg
	# the container reads its own limits once the host touches /go
	start_ctr /bin/sh -c 'echo ready; while [ ! -e /go ]; do sleep 0.1; done
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
		cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max
		echo seen; exec /probe pause'
	[ "$(mem_limit)" = 67108864 ] || fail "initial memory limit $(mem_limit)"
	srun silo update --memory 32m --pids-limit 30 --cpu-quota 50000 --cpu-period 100000 "$ID"
	assert_status 0
	[ "$(mem_limit)" = 33554432 ] || fail "memory limit $(mem_limit)"
	[ "$(pids_limit)" = 30 ] || fail "pids.max $(pids_limit)"
	if is_v2; then
		[ "$(cat "$(cg_dir cpu)/cpu.max")" = "50000 100000" ] || fail "cpu.max $(cat "$(cg_dir cpu)/cpu.max")"
	else
		[ "$(cat "$(cg_dir cpu)/cpu.cfs_quota_us")" = 50000 ] || fail "quota"
		[ "$(cat "$(cg_dir cpu)/cpu.cfs_period_us")" = 100000 ] || fail "period"
	fi
	touch "$ROOTFS/go"
	wait_for "$T/$ID.out" seen
	grep -qx 33554432 "$T/$ID.out" || fail "the container sees another memory limit: $(ctr_output)"
	grep -qx 30 "$T/$ID.out" || fail "the container sees another pids limit: $(ctr_output)"
	# a later update of one value keeps the others: v2's cpu.max keeps the quota
	srun silo update --cpu-period 200000 "$ID"
	assert_status 0
	if is_v2; then
		[ "$(cat "$(cg_dir cpu)/cpu.max")" = "50000 200000" ] || fail "cpu.max $(cat "$(cg_dir cpu)/cpu.max")"
	else
		[ "$(cat "$(cg_dir cpu)/cpu.cfs_quota_us")" = 50000 ] || fail "quota after a period update"
		[ "$(cat "$(cg_dir cpu)/cpu.cfs_period_us")" = 200000 ] || fail "period"
	fi
	[ "$(mem_limit)" = 33554432 ] || fail "memory limit changed by a cpu update"
	# what events reports is what update set
	srun silo events --stats "$ID"
	assert_status 0
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 33554432 ] || fail "events: memory limit"
	[ "$(jq -r .data.pids.limit <<<"$output")" = 30 ] || fail "events: pids limit"
	# and the state keeps the merged resources (config + updates)
	jq -e '.resources.memory.limit == 33554432 and .resources.pids.limit == 30
	       and .resources.cpu.shares == 512 and .resources.cpu.period == 200000' \
		"$STATE/$ID/state.json" >/dev/null || fail "state.json: $(jq -c .resources "$STATE/$ID/state.json")"
}

@test "update: zeros mean unset, from flags and from docker's all-zero resources" {
	skip_if_runc "runc 1.1.5 writes some zeros"
	limits_cfg
	start_ctr /probe pause
	srun silo update --memory 0 --memory-reservation 0 --memory-swap 0 --cpu-shares 0 --cpu-quota 0 \
		--cpu-period 0 --blkio-weight 0 --pids-limit 0 "$ID"
	assert_status 0
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit $(mem_limit)"
	[ "$(pids_limit)" = 42 ] || fail "pids.max $(pids_limit)"
	cat >"$T/zeros.json" <<-'EOF'
	{"memory": {"limit": 0, "reservation": 0, "swap": 0, "kernel": 0, "kernelTCP": 0},
	 "cpu": {"shares": 0, "quota": 0, "period": 0, "realtimeRuntime": 0, "realtimePeriod": 0,
	         "cpus": "", "mems": ""},
	 "blockIO": {"weight": 0}, "pids": {"limit": 0}}
	EOF
	srun silo update --resources "$T/zeros.json" "$ID"
	assert_status 0
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit $(mem_limit)"
	[ "$(pids_limit)" = 42 ] || fail "pids.max $(pids_limit)"
	if is_v2; then
		[ "$(cat "$(cg_dir cpu)/cpu.max")" = "max 100000" ] || fail "cpu.max $(cat "$(cg_dir cpu)/cpu.max")"
	else
		[ "$(cat "$(cg_dir cpu)/cpu.shares")" = 512 ] || fail "cpu.shares $(cat "$(cg_dir cpu)/cpu.shares")"
	fi
}

@test "update --resources reads a file, and stdin with -" {
	limits_cfg
	start_ctr /probe pause
	echo '{"memory": {"limit": 41943040}}' >"$T/res.json"
	srun silo update --resources "$T/res.json" "$ID"
	assert_status 0
	[ "$(mem_limit)" = 41943040 ] || fail "memory limit $(mem_limit)"
	status=0
	# Go engines write an unset swappiness as 2^64-1: it means "leave as is"
	echo '{"pids": {"limit": 21}, "memory": {"swappiness": 18446744073709551615}}' |
		silo update -r - "$ID" || status=$?
	assert_status 0
	[ "$(pids_limit)" = 21 ] || fail "pids.max $(pids_limit)"
	[ "$(mem_limit)" = 41943040 ] || fail "memory limit changed by a pids update"
}

@test "update: a bad value names the file and the value, and changes nothing" {
	limits_cfg
	start_ctr /probe pause
	before=$(jq -c .resources "$STATE/$ID/state.json")
	# a good memory limit next to a bad pids limit: nothing may be written
	echo '{"memory": {"limit": 33554432}, "pids": {"limit": "many"}}' >"$T/bad.json"
	srun silo update --resources "$T/bad.json" "$ID"
	assert_error "$T/bad.json" "pids.limit" "many"
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit changed to $(mem_limit)"
	[ "$(pids_limit)" = 42 ] || fail "pids.max changed"
	echo '{"cpu": {"shares": -5}}' >"$T/bad2.json"
	srun silo update -r "$T/bad2.json" "$ID"
	assert_error "$T/bad2.json" "cpu.shares" "-5"
	echo '{"memory": ' >"$T/bad3.json"
	srun silo update -r "$T/bad3.json" "$ID"
	assert_error "$T/bad3.json" "invalid JSON"
	# a cpu list is checked with the rest, before anything is written
	echo '{"memory": {"limit": 33554432}, "cpu": {"cpus": "0-1-2"}}' >"$T/bad4.json"
	srun silo update -r "$T/bad4.json" "$ID"
	assert_error "$T/bad4.json" "cpu.cpus" "0-1-2"
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit changed to $(mem_limit)"
	[ "$(jq -c .resources "$STATE/$ID/state.json")" = "$before" ] || fail "state.json changed"
	is_silo || return 0
	srun silo update --memory lots "$ID"
	assert_usage_error
	grep -qF -- '--memory "lots"' <<<"$stderr" || fail "the flag and value are not named: $stderr"
	srun silo update --memory 32m --cpuset-mems 3-1 "$ID"
	assert_usage_error
	grep -qF -- '--cpuset-mems "3-1": range 3-1' <<<"$stderr" || fail "the flag and value are not named: $stderr"
	srun silo update --cpuset-cpus all "$ID"
	assert_usage_error
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit changed to $(mem_limit)"
	srun silo update --l3-cache-schema 'L3:0=f' "$ID"
	assert_error "Intel RDT is not supported"
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit changed to $(mem_limit)"
}

@test "update: a value the kernel refuses puts back the limits already changed" {
	skip_if_runc "runc leaves a partial update"
	limits_cfg
	start_ctr /probe pause
	# the memory limit is written before the cpuset, which names a CPU no host has
	srun silo update --memory 32m --pids-limit 30 --cpuset-cpus 4095 "$ID"
	assert_error "cpuset.cpus" "4095"
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit left at $(mem_limit)"
	[ "$(pids_limit)" = 42 ] || fail "pids.max left at $(pids_limit)"
	jq -e '.resources == null or (.resources.memory.limit == 67108864)' "$STATE/$ID/state.json" >/dev/null ||
		fail "state.json took the failed update: $(jq -c .resources "$STATE/$ID/state.json")"
}

@test "update honours memory.checkBeforeUpdate: no limit below the current usage" {
	skip_if_runc "runc 1.1.5 has no checkBeforeUpdate"
	cfg '.linux.resources.memory = {"limit": 67108864}'
	# 16 MiB of tmpfs pages: charged to the container, not reclaimable
	start_ctr /bin/sh -c 'dd if=/dev/zero of=/dev/shm/f bs=1M count=16 2>/dev/null; exec /probe pause'
	echo '{"memory": {"limit": 8388608, "checkBeforeUpdate": true}}' >"$T/check.json"
	srun silo update -r "$T/check.json" "$ID"
	assert_error "below the current usage"
	[ "$(mem_limit)" = 67108864 ] || fail "memory limit changed to $(mem_limit)"
	echo '{"memory": {"limit": 50331648, "checkBeforeUpdate": true}}' >"$T/check.json"
	srun silo update -r "$T/check.json" "$ID"
	assert_status 0
	[ "$(mem_limit)" = 50331648 ] || fail "memory limit $(mem_limit)"
}

@test "update of a stopped or missing container fails clearly" {
	args /probe true
	create_ctr
	srun silo start "$ID"
	wait_status stopped
	srun silo update --memory 32m "$ID"
	assert_error "container not running"
	srun silo update --memory 32m "$ID-missing"
	assert_error "does not exist"
}

@test "events --stats prints runc's stats object" {
	limits_cfg
	start_ctr /bin/sh -c 'sleep 1000 & exec /probe pause'
	srun silo events --stats "$ID"
	assert_status 0
	[ "${#lines[@]}" -eq 1 ] || fail "expected one line: $output"
	jq -e --arg id "$ID" '.type == "stats" and .id == $id
		and (.data | has("cpu") and has("memory") and has("pids") and has("blkio") and has("hugetlb"))
		and .data.pids.current == 2 and .data.pids.limit == 42
		and .data.memory.usage.limit == 67108864 and .data.memory.usage.usage > 0
		and .data.cpu.usage.total > 0 and (.data.cpu.usage | has("kernel") and has("user"))
		and (.data.memory.raw | type) == "object"' <<<"$output" >/dev/null || fail "unexpected stats: $output"
	# a paused container has stats too
	srun silo pause "$ID"
	srun silo events --stats "$ID"
	assert_status 0
	jq -e '.data.pids.current == 2' <<<"$output" >/dev/null || fail "paused: $output"
	srun silo resume "$ID"
}

@test "events streams stats every --interval and exits 0 when the container stops" {
	start_ctr /probe pause
	silo events --interval 200ms "$ID" >"$T/events.out" 2>"$T/events.err" &
	pid=$!
	BG_PIDS+=("$pid")
	# two stats lines: the stream goes on
	wait_for "$T/events.out" '"type":"stats"' 20
	deadline=$((SECONDS + 20))
	while [ "$(grep -c '"type":"stats"' "$T/events.out")" -lt 2 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	[ "$(grep -c '"type":"stats"' "$T/events.out")" -ge 2 ] || fail "fewer than 2 stats lines: $(cat "$T/events.out")"
	kill -0 "$pid" || fail "events exited while the container runs"
	srun silo kill "$ID" KILL
	assert_status 0
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "events exited $rc: $(cat "$T/events.err")"
	jq -e . "$T/events.out" >/dev/null || fail "not JSON lines: $(cat "$T/events.out")"
}

@test "events: bad intervals and stopped containers are refused" {
	start_ctr /probe pause
	srun silo events --interval 5x "$ID"
	assert_usage_error
	srun silo events --interval 0s "$ID"
	assert_usage_error
	srun silo kill "$ID" KILL
	wait_status stopped
	srun silo events --stats "$ID"
	assert_error "not running"
}

@test "a real OOM kill is reported by events, and by run's exit status 137" {
	cfg '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# dd needs a 64 MiB buffer: over the limit, the kernel kills it
	start_ctr /bin/sh -c 'echo ready; while [ ! -e /go ]; do sleep 0.1; done
		dd if=/dev/zero of=/dev/null bs=64M count=1; echo "dd status $?"'
	silo events --interval 1s "$ID" >"$T/events.out" 2>"$T/events.err" &
	pid=$!
	BG_PIDS+=("$pid")
	# events is up once it printed stats; then let dd run
	wait_for "$T/events.out" '"type":"stats"' 20
	touch "$ROOTFS/go"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "events exited $rc: $(cat "$T/events.err")"
	grep -qxF "{\"type\":\"oom\",\"id\":\"$ID\"}" "$T/events.out" || fail "no oom event: $(cut -c1-100 "$T/events.out")"
	grep -qx 'dd status 137' "$T/$ID.out" || fail "dd was not SIGKILLed: $(ctr_output)"
	srun silo delete "$ID"
	assert_status 0

	# the same dd as the container's process: run exits 128+SIGKILL
	args dd if=/dev/zero of=/dev/null bs=64M count=1
	run_ctr
	assert_status 137
}

@test "a fork bomb is held by pids.limit: the container survives, the host is untouched" {
	cfg '.linux.resources.pids = {"limit": 16}'
	# the bomb forks until refused, forever; the init (the probe) stays
	start_ctr /bin/sh -c 'b() { b & b & wait; }; b >/dev/null 2>&1 & exec /probe pause'
	# the kernel refused forks: pids.events counts them
	wait_for "$(cg_dir pids)/pids.events" 'max [1-9]' 30
	for _ in 1 2 3 4 5; do
		n=$(cat "$(cg_dir pids)/pids.current")
		[ "$n" -le 16 ] || fail "pids.current $n above the limit 16"
		[ "$(procs_count)" -le 16 ] || fail "cgroup.procs lists more than 16"
		sleep 0.1
	done
	[ "$(state_field status)" = running ] || fail "the container died: $(state_field status)"
	# the host can still fork
	/bin/true || fail "the host cannot fork"
	srun silo kill --all "$ID" KILL
	assert_status 0
	wait_status stopped
	deadline=$((SECONDS + 10))
	while [ "$(procs_count)" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	[ "$(procs_count)" -eq 0 ] || fail "processes survived kill --all: $(cat "$(cg_dir pids)/cgroup.procs")"
	srun silo delete "$ID"
	assert_status 0
	[ ! -d "$(cg_dir pids)" ] || fail "cgroup left"
}

@test "kill --all signals every process of the container, kill only its init" {
	start_ctr /bin/sh -c 'sleep 1000 & sleep 1000 & exec /probe pause'
	[ "$(procs_count)" -eq 3 ] || fail "expected 3 processes: $(cat "$(cg_dir pids)/cgroup.procs")"
	srun silo kill "$ID" USR1
	assert_status 0
	wait_for "$T/$ID.out" 'signal 10'
	[ "$(procs_count)" -eq 3 ] || fail "kill without --all reached the sleeps"
	srun silo kill --all "$ID" USR1
	assert_status 0
	deadline=$((SECONDS + 10))
	while [ "$(procs_count)" -gt 1 ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
	[ "$(procs_count)" -eq 1 ] || fail "the sleeps survived kill --all USR1"
	[ "$(grep -c 'signal 10' "$T/$ID.out")" -eq 2 ] || fail "the init did not get the second USR1: $(ctr_output)"
	srun silo kill -a "$ID" KILL
	assert_status 0
	wait_status stopped
	[ "$(procs_count)" -eq 0 ] || fail "processes left after kill -a KILL"
}

@test "delete --force: running, paused, stopped and missing containers; no cgroup left" {
	ids=("$ID-run" "$ID-paused" "$ID-stopped")
	for id in "${ids[@]}"; do
		cfg --arg cg "$id" '.linux.cgroupsPath = $cg'
		case "$id" in
		*-stopped) args /probe true ;;
		*) args /bin/sh -c 'sleep 1000 & exec /probe pause' ;;
		esac
		create_ctr --id "$id"
		assert_status 0
		srun silo start "$id"
		assert_status 0
	done
	wait_for "$T/$ID-run.out" ready
	wait_for "$T/$ID-paused.out" ready
	srun silo pause "$ID-paused"
	assert_status 0
	wait_status stopped "$ID-stopped"
	for id in "${ids[@]}"; do
		[ -d "$(cg_dir pids "$id")" ] || fail "no cgroup for $id"
		srun silo delete --force "$id"
		assert_status 0
		[ ! -e "$STATE/$id" ] || fail "state of $id left"
		[ -z "$(find /sys/fs/cgroup -mindepth 1 -type d -name "$id")" ] || fail "cgroup of $id left"
	done
	srun silo delete --force "$ID-missing"
	assert_status 0
}
