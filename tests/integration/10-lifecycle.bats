#!/usr/bin/env bats
# create / start / state / kill / delete / run / list and the state JSON.

load helpers

@test "lifecycle: run returns the container's exit status and removes the container" {
	args /probe exit 42
	run_ctr
	assert_status 42
	srun silo state "$ID"
	assert_error "does not exist"
	[ ! -e "$STATE/$ID" ] || fail "state dir left after run"
}

@test "lifecycle: run of /probe true exits 0" {
	run_ctr
	assert_status 0
}

@test "lifecycle: run returns 128+N when the container dies by signal N" {
	args /probe kill-self 9
	run_ctr
	assert_status 137
	args /probe kill-self 11
	run_ctr
	assert_status 139
}

@test "lifecycle: create leaves a created container blocked on exec.fifo before the payload" {
	args /probe write /started yes
	create_ctr
	assert_status 0
	[ "$(state_field status)" = created ] || fail "status $(state_field status)"
	[ -p "$STATE/$ID/exec.fifo" ] || fail "no exec.fifo"
	pid=$(ctr_pid)
	[ "$pid" -gt 0 ] && kill -0 "$pid" || fail "init $pid not alive"
	sleep 0.3
	[ ! -e "$ROOTFS/started" ] || fail "payload ran before start"
	srun silo start "$ID"
	assert_status 0
	wait_for "$ROOTFS/started"
	wait_status stopped
	[ ! -e "$STATE/$ID/exec.fifo" ] || fail "exec.fifo left after start"
	[ "$(state_field pid)" = 0 ] || fail "stopped pid is $(state_field pid)"
	srun silo delete "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "lifecycle: start makes it running, kill stops it, delete removes it" {
	args /probe pause
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	wait_for "$T/$ID.out" ready
	[ "$(state_field status)" = running ] || fail "not running"
	[ ! -e "$STATE/$ID/exec.fifo" ] || fail "exec.fifo left while running"
	pid=$(ctr_pid)
	kill -0 "$pid"
	srun silo kill "$ID"
	assert_status 0
	wait_status stopped
	grep -qx 'signal 15' "$T/$ID.out" || fail "default signal was not SIGTERM: $(ctr_output)"
	! kill -0 "$pid" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "init still alive"
	srun silo delete "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ]
}

@test "lifecycle: start of a running container fails" {
	args /probe pause
	create_ctr
	srun silo start "$ID"
	assert_status 0
	srun silo start "$ID"
	assert_error
}

@test "lifecycle: kill accepts KILL, SIGKILL, 9 and names like USR1" {
	args /probe pause
	create_ctr
	srun silo start "$ID"
	wait_for "$T/$ID.out" ready
	srun silo kill "$ID" USR1
	assert_status 0
	wait_for "$T/$ID.out" '^signal 10$'
	srun silo kill "$ID" SIGUSR2
	assert_status 0
	wait_for "$T/$ID.out" '^signal 12$'
	srun silo kill "$ID" 1
	assert_status 0
	wait_for "$T/$ID.out" '^signal 1$'
	srun silo kill "$ID" KILL
	assert_status 0
	wait_status stopped

	for sig in SIGKILL 9; do
		srun silo delete "$ID"
		assert_status 0
		create_ctr
		srun silo start "$ID"
		wait_for "$T/$ID.out" ready
		srun silo kill "$ID" "$sig"
		assert_status 0
		wait_status stopped
	done
}

@test "lifecycle: kill of a stopped container says it is not running" {
	create_ctr
	srun silo start "$ID"
	wait_status stopped
	srun silo kill "$ID" KILL
	assert_error "container not running"
}

@test "lifecycle: kill with an unknown signal fails" {
	args /probe pause
	create_ctr
	srun silo kill "$ID" SIGNOPE
	[ "$status" -ne 0 ] || fail "unknown signal accepted"
	[ "$(state_field status)" = created ] || fail "container disturbed"
}

@test "lifecycle: delete of a running container fails, delete --force kills it" {
	args /probe pause
	create_ctr
	srun silo start "$ID"
	wait_for "$T/$ID.out" ready
	pid=$(ctr_pid)
	srun silo delete "$ID"
	assert_error
	kill -0 "$pid" || fail "delete without --force killed the container"
	srun silo delete --force "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
	for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ] || fail "process survived"
}

@test "lifecycle: delete --force of a created container removes it" {
	args /probe pause
	create_ctr
	srun silo delete --force "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ]
}

@test "lifecycle: state JSON has the runc fields" {
	args /probe pause
	cfg '.annotations = {"org.silo.test": "yes"}'
	create_ctr
	srun silo state "$ID"
	assert_status 0
	jq -e . <<<"$output" >/dev/null || fail "not JSON"
	[ "$(jq -r .id <<<"$output")" = "$ID" ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .pid <<<"$output")" -gt 0 ]
	[ "$(jq -r .bundle <<<"$output")" = "$BUNDLE" ] || fail "bundle $(jq -r .bundle <<<"$output")"
	[ "$(jq -r .rootfs <<<"$output")" = "$ROOTFS" ] || fail "rootfs $(jq -r .rootfs <<<"$output")"
	[ "$(jq -r .ociVersion <<<"$output")" = 1.0.2-dev ] || fail "ociVersion"
	jq -r .created <<<"$output" | grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?(Z|[+-][0-9:]+)$' ||
		fail "created is not RFC 3339: $(jq -r .created <<<"$output")"
	jq -e 'has("owner")' <<<"$output" >/dev/null || fail "no owner"
	[ "$(jq -r '.annotations["org.silo.test"]' <<<"$output")" = yes ] || fail "annotations missing"
}

@test "lifecycle: state has no annotations key when none are set" {
	create_ctr
	srun silo state "$ID"
	jq -e '(.annotations // {}) | length == 0' <<<"$output" >/dev/null || fail "unexpected annotations"
}

@test "lifecycle: --pid-file gets the host pid of the init at create" {
	args /probe pause
	create_ctr --pid-file "$T/ctr.pid"
	assert_status 0
	[ -s "$T/ctr.pid" ] || fail "pid file empty"
	pid=$(cat "$T/ctr.pid")
	[[ "$pid" =~ ^[0-9]+$ ]] || fail "pid file holds '$pid'"
	[ "$pid" = "$(ctr_pid)" ] || fail "pid file $pid, state $(ctr_pid)"
	kill -0 "$pid"
	# The host pid, not the one inside the container's pid namespace.
	[ "$pid" != 1 ]
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(host_ns pid)" ] || fail "not in a new pid namespace"
}

@test "lifecycle: run --detach returns while the container runs" {
	args /probe pause
	track "$ID"
	silo run --detach --bundle "$BUNDLE" "$ID" >"$T/$ID.out" 2>"$T/$ID.err" </dev/null
	wait_for "$T/$ID.out" ready
	[ "$(state_field status)" = running ] || fail "not running"
	srun silo kill "$ID" KILL
	wait_status stopped
	srun silo delete "$ID"
	assert_status 0
}

@test "lifecycle: list shows containers as a table, as JSON and quietly" {
	args /probe pause
	create_ctr
	# Each container needs a cgroup of its own.
	cfg --arg cg "$BASE-b" '.linux.cgroupsPath = $cg'
	create_ctr --id "$BASE-b"
	srun silo start "$BASE-b"
	wait_for "$T/$BASE-b.out" ready
	srun silo list
	assert_status 0
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER ]] || fail "header: ${lines[0]}"
	grep -qE "^$ID +[0-9]+ +created +$BUNDLE " <<<"$output" || fail "no created row"
	grep -qE "^$BASE-b +[0-9]+ +running +$BUNDLE " <<<"$output" || fail "no running row"
	srun silo list --format json
	assert_status 0
	[ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .status' <<<"$output")" = created ]
	[ "$(jq -r --arg id "$BASE-b" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
	[ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .bundle' <<<"$output")" = "$BUNDLE" ]
	[ "$(jq -r --arg id "$ID" '.[] | select(.id == $id) | .pid' <<<"$output")" = "$(ctr_pid)" ]
	srun silo list -q
	assert_status 0
	[ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "$ID $BASE-b " ] || fail "list -q: $output"
}

@test "lifecycle: list of an empty root prints only the header; -q nothing" {
	srun silo list -q
	assert_status 0
	[ -z "$output" ]
	srun silo list --format json
	assert_status 0
	[ "$(jq -r 'length' <<<"$output")" = 0 ] || [ "$output" = null ] || fail "json: $output"
}
