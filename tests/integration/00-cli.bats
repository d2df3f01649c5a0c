#!/usr/bin/env bats
# Command line surface: --version, features, spec, usage errors, errors for
# unknown ids, id validation, --log JSON.

load helpers

@test "cli: --version prints the runtime name and version on its first line" {
	srun silo --version
	assert_status 0
	if is_silo; then
		[[ "${lines[0]}" == "silo-oci version "* ]] || fail "first line: ${lines[0]}"
	fi
	[[ "${lines[0]}" =~ version\ [0-9] ]] || fail "no version number: ${lines[0]}"
	grep -q '^spec: 1\.' <<<"$output" || fail "no spec: line"
}

@test "cli: features prints JSON listing the namespaces, time included" {
	srun silo features
	assert_status 0
	jq -e . <<<"$output" >/dev/null || fail "not JSON: $output"
	jq -e '.ociVersionMin and .ociVersionMax' <<<"$output" >/dev/null || fail "no ociVersionMin/Max"
	for ns in pid network ipc uts mount user cgroup; do
		jq -e --arg n "$ns" '.linux.namespaces | index($n)' <<<"$output" >/dev/null || fail "namespace $ns missing"
	done
	# runc 1.1 has no time namespace support; silo must list it.
	[ "$FLAVOR" = runc ] || jq -e '.linux.namespaces | index("time")' <<<"$output" >/dev/null ||
		fail "namespace time missing"
	jq -e '.hooks | index("createRuntime")' <<<"$output" >/dev/null || fail "hooks lack createRuntime"
}

@test "cli: spec writes a valid config.json and refuses to overwrite it" {
	mkdir "$T/spec"
	srun silo spec --bundle "$T/spec"
	assert_status 0
	jq -e '.ociVersion and (.process.args | length > 0) and .root.path' "$T/spec/config.json" >/dev/null ||
		fail "bad spec: $(cat "$T/spec/config.json")"
	echo '{"mine":1}' >"$T/spec/config.json"
	srun silo spec --bundle "$T/spec"
	assert_error
	[ "$(cat "$T/spec/config.json")" = '{"mine":1}' ] || fail "config.json was overwritten"
}

@test "cli: an unknown command is a usage error" {
	srun silo frobnicate
	assert_usage_error
}

@test "cli: an unknown flag is a usage error and creates nothing" {
	srun silo create --no-such-flag --bundle "$BUNDLE" "$ID"
	assert_usage_error
	[ ! -e "$STATE/$ID" ] || fail "state dir made"
}

@test "cli: state without an id is a usage error" {
	srun silo state
	assert_usage_error
}

@test "cli: state of a missing container says it does not exist" {
	srun silo state "$ID"
	assert_error "container \"$ID\" does not exist"
	[ -z "$output" ]
}

@test "cli: start, kill and delete of a missing container say it does not exist" {
	for cmd in start kill delete; do
		srun silo "$cmd" "$ID"
		assert_error "container \"$ID\" does not exist"
	done
}

@test "cli: delete --force of a missing container succeeds" {
	srun silo delete --force "$ID"
	assert_status 0
	srun silo delete -f "$ID"
	assert_status 0
}

@test "cli: invalid container ids are refused before anything is made" {
	for bad in "a/b" ".." "../x" "a b" "."; do
		srun silo create --bundle "$BUNDLE" "$bad"
		assert_error "invalid container id \"$bad\""
	done
	[ ! -e "$T/x" ] && [ ! -e "$T/a" ] || fail "something was created outside the state root"
}

@test "cli: create of an existing id fails and leaves the first container alone" {
	args /probe pause
	create_ctr
	assert_status 0
	pid=$(ctr_pid)
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "container \"$ID\" already exists"
	[ "$(state_field status)" = created ] || fail "first container disturbed"
	[ "$(ctr_pid)" = "$pid" ] || fail "pid changed"
}

@test "cli: --log with --log-format json writes exactly one error object on a failed create" {
	args /nonexistent
	srun silo --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_status 1
	[ -s "$T/log.json" ] || fail "log file empty"
	jq -se 'length == 1' "$T/log.json" >/dev/null || fail "not exactly one JSON object: $(cat "$T/log.json")"
	jq -se '.[0].level == "error" and (.[0].msg | length > 0) and (.[0].time | length > 0)' "$T/log.json" \
		>/dev/null || fail "bad log object: $(cat "$T/log.json")"
	jq -re '.msg' "$T/log.json" | grep -q nonexistent || fail "msg does not name the binary"
}

@test "cli: the --flag=value forms and -b DIR parse" {
	srun silo --log="$T/log.json" --log-format=json run -b "$BUNDLE" "$ID"
	assert_status 0
	srun timeout 60 "$SILO_OCI" --root="$STATE" run --bundle="$BUNDLE" "$ID"
	assert_status 0
}
