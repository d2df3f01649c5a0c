#!/usr/bin/env bats
# Failures: each gives one clear line on stderr (exit 1) and leaves nothing
# behind (the teardown checks state dirs, cgroups, mounts and processes).
# The wording follows runc where engines match on it (docker maps 126/127
# from "permission denied", "executable file not found", "no such file or
# directory").

load helpers

@test "errors: a missing binary names it and says no such file or directory" {
	args /nonexistent
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error 'exec: "/nonexistent": stat /nonexistent: no such file or directory'
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "errors: a binary not in PATH says executable file not found in \$PATH" {
	args nope
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error 'exec: "nope": executable file not found in $PATH'
}

@test "errors: a file that is not executable says permission denied" {
	args /etc/passwd
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error '"/etc/passwd"' 'permission denied'
}

@test "errors: a directory as the binary fails" {
	args /etc
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error '"/etc"'
}

@test "errors: the run command fails the same way and removes the container" {
	args /nonexistent
	run_ctr
	assert_error 'exec: "/nonexistent": stat /nonexistent: no such file or directory'
	srun silo state "$ID"
	assert_error "does not exist"
}

@test "errors: a missing cwd names it and says no such file or directory" {
	skip_if_runc "runc creates a missing cwd"
	cfg '.process.cwd = "/no/such/dir"'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "/no/such/dir" "no such file or directory"
}

@test "errors: a cwd that is a file fails, naming it" {
	cfg '.process.cwd = "/etc/passwd"'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "/etc/passwd" "not a directory"
}

@test "errors: a missing rootfs names its path" {
	rm -rf "$ROOTFS"
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "$ROOTFS" "no such file or directory"
}

@test "errors: a missing config.json names it" {
	rm "$BUNDLE/config.json"
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "config.json" "no such file or directory"
}

@test "errors: a missing bundle directory fails" {
	srun silo create --bundle "$T/nonexistent-bundle" "$ID"
	assert_error "$T/nonexistent-bundle"
}

@test "errors: malformed config.json gives the position of the syntax error" {
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$BUNDLE/config.json"
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error
	if is_silo; then
		# After "silo-oci: " and the command's own "create: ", if any.
		[[ "$stderr" =~ ^silo-oci:\ ([a-z]+:\ )?config\.json ]] || fail "does not start with config.json: $stderr"
		grep -qE '3:[0-9]+' <<<"$stderr" || fail "no line:column: $stderr"
	fi
}

@test "errors: a field of the wrong type names the field path" {
	cfg '.process.args = "not-an-array"'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "process.args"
}

@test "errors: empty process.args is refused" {
	cfg '.process.args = []'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "process.args"
}

@test "errors: a bind mount of a missing source names it" {
	cfg '.mounts += [{"destination": "/mnt/x", "type": "bind", "source": "/nonexistent-silo-source", "options": ["bind"]}]'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "/nonexistent-silo-source" "no such file or directory"
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "errors: a bad linux.resources.cpu.cpus list is refused at create, named, leaving nothing" {
	# "9-2" is a descending range: the kernel would refuse it at the write,
	# silo refuses it while parsing, before a cgroup or state dir exists.
	cfg '.linux.resources.cpu = {"cpus": "0,9-2"}'
	srun silo create --bundle "$BUNDLE" "$ID"
	if is_silo; then
		assert_error 'linux.resources.cpu.cpus: "0,9-2"' "range 9-2" "ends before it starts"
	else
		[ "$status" -ne 0 ] || fail "a descending cpu range was accepted"
	fi
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
	[ -z "$(_leaked_cgroups)" ] || fail "cgroup left: $(_leaked_cgroups)"
	cfg '.linux.resources.cpu = {"mems": "0-x"}'
	srun silo create --bundle "$BUNDLE" "$ID"
	is_silo && assert_error 'linux.resources.cpu.mems: "0-x"'
	[ "$status" -ne 0 ] || fail "mems 0-x was accepted"
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "errors: an unknown namespace type names it" {
	cfg '.linux.namespaces += [{"type": "bogus"}]'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "bogus"
}

@test "errors: a uid the process may not take fails without leaks" {
	cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["/probe", "write", "/root-only/x", "y"]'
	mkdir -m 700 "$ROOTFS/root-only"
	run_ctr
	assert_status 1
	grep -q 'EACCES' <<<"$stderr" || fail "not EACCES: $stderr"
}
