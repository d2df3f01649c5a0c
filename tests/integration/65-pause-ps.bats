#!/usr/bin/env bats
# pause, resume and ps: the container's processes through its cgroup.

load helpers

# The process state letter of a host pid ("S", "R", "D", ...).
pstate() { awk '{ print $3 }' "/proc/$1/stat"; }

start_pausing_ctr() {
	args /bin/sh -c 'sleep 1000 & exec /probe pause'
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	wait_for "$T/$ID.out" ready
}

@test "pause freezes the container, state says paused; resume thaws it" {
	start_pausing_ctr
	srun silo pause "$ID"
	assert_status 0
	[ "$(state_field status)" = paused ] || fail "state is $(state_field status)"
	# a frozen process does not handle signals until thawed
	kill -USR1 "$(ctr_pid)"
	sleep 0.3
	! grep -qx 'signal 10' "$T/$ID.out" || fail "the paused init handled a signal"
	srun silo resume "$ID"
	assert_status 0
	[ "$(state_field status)" = running ] || fail "state is $(state_field status) after resume"
	wait_for "$T/$ID.out" 'signal 10'
}

@test "pause of a paused container and resume of a running one fail clearly" {
	start_pausing_ctr
	srun silo resume "$ID"
	assert_error "container not paused"
	srun silo pause "$ID"
	assert_status 0
	srun silo pause "$ID"
	assert_error "container not running"
	srun silo resume "$ID"
	assert_status 0
}

@test "delete --force of a paused container kills it and removes everything" {
	start_pausing_ctr
	srun silo pause "$ID"
	assert_status 0
	srun silo delete --force "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "ps --format json lists the host pids of every process of the container" {
	start_pausing_ctr
	srun silo ps --format json "$ID"
	assert_status 0
	init=$(ctr_pid)
	jq -e --argjson p "$init" 'index($p) != null' <<<"$output" >/dev/null || fail "init $init not in $output"
	[ "$(jq length <<<"$output")" -eq 2 ] || fail "expected the init and its sleep: $output"
	want=$(cat "/proc/$init/cgroup")   # every hierarchy on v1, the one line on v2
	for p in $(jq -r '.[]' <<<"$output"); do
		[ "$(cat "/proc/$p/cgroup")" = "$want" ] || fail "pid $p is not in the container's cgroup"
	done
}

@test "ps prints ps(1)'s header and only the container's processes" {
	start_pausing_ctr
	srun silo ps "$ID"
	assert_status 0
	[[ "${lines[0]}" == *PID* ]] || fail "no header: $output"
	[ "${#lines[@]}" -eq 3 ] || fail "expected a header and 2 processes: $output"
	grep -q 'probe pause' <<<"$output" || fail "the init is missing: $output"
	srun silo ps "$ID" -- -o pid,comm
	assert_status 0
	[ "${lines[0]}" = "    PID COMMAND" ] || [[ "${lines[0]}" == *PID*COMMAND* ]] || fail "ps options not passed: $output"
}

@test "ps of a stopped container says it is not running" {
	args /probe true
	create_ctr
	srun silo start "$ID"
	wait_status stopped
	srun silo ps --format json "$ID"
	assert_error "container not running"
}
