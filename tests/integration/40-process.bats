#!/usr/bin/env bats
# The payload process: args, env, cwd, user, umask, rlimits, no_new_privs,
# capabilities, oom_score_adj, sysctl.

load helpers

@test "process: args reach the payload unchanged" {
	echo content >"$ROOTFS/etc/with space"
	args /probe cat "/etc/with space"
	run_ctr
	assert_status 0
	[ "$output" = content ]
}

@test "process: env is exactly the configured environment" {
	cfg '.process.env = ["PATH=/bin", "A=1", "B=two words", "EMPTY="]'
	args /probe env
	run_ctr
	assert_status 0
	for kv in PATH=/bin A=1 "B=two words" EMPTY=; do
		grep -qxF -- "$kv" <<<"$output" || fail "missing $kv: $output"
	done
	# Nothing leaks in from the runtime's own environment.
	! grep -q '^BATS_' <<<"$output" || fail "runtime environment leaked: $output"
	[ "${#lines[@]}" -le 5 ] || fail "extra variables: $output"
}

@test "process: the payload is looked up in the configured PATH" {
	cfg '.process.env = ["PATH=/nowhere:/bin"]'
	args probe pid
	run_ctr
	assert_status 0
	[ "$output" = "pid=1 ppid=0" ]
}

@test "process: cwd is honoured" {
	mkdir -p "$ROOTFS/srv/work"
	cfg '.process.cwd = "/srv/work"'
	args /probe cwd
	run_ctr
	assert_status 0
	[ "$output" = /srv/work ]
}

@test "process: uid, gid and additionalGids" {
	requires_real_root "uids, gids and setgroups beyond 0"
	cfg '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [2000, 3000]}'
	args /probe ids
	run_ctr
	assert_status 0
	[ "$output" = "uid=1000 gid=1000 euid=1000 egid=1000 groups=2000,3000" ] || fail "$output"
}

@test "process: a user without additionalGids has no supplementary groups" {
	requires_real_root "uids and gids beyond 0"
	cfg '.process.user = {"uid": 65534, "gid": 65534}'
	args /probe ids
	run_ctr
	assert_status 0
	[ "$output" = "uid=65534 gid=65534 euid=65534 egid=65534 groups=" ] || fail "$output"
}

@test "process: user.umask" {
	cfg '.process.user.umask = 63'
	args /bin/sh -c '/probe umask; /probe write /tmp/f x; /probe stat /tmp/f'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = 0077 ] || fail "umask ${lines[0]}"
	[[ "${lines[2]}" == "type=f mode=0600 "* ]] || fail "file mode: ${lines[2]}"
}

@test "process: rlimits are set and read back" {
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 100, "hard": 200},
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
		{"type": "RLIMIT_NPROC", "soft": 500, "hard": 600}]'
	args /probe limits
	run_ctr
	assert_status 0
	grep -qx 'RLIMIT_NOFILE 100 200' <<<"$output" || fail "$output"
	grep -qx 'RLIMIT_CORE 0 4096' <<<"$output" || fail "$output"
	grep -qx 'RLIMIT_NPROC 500 600' <<<"$output" || fail "$output"
}

@test "process: an rlimit above the allowed hard limit fails, naming the rlimit" {
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || skip "RLIMIT_NOFILE hard limit is unlimited here"
	# Raising a hard limit needs CAP_SYS_RESOURCE, which this machine lacks.
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	(( (16#$bnd >> 24) & 1 )) && skip "CAP_SYS_RESOURCE is available: the hard limit can be raised"
	cfg --argjson h $((hard + 10000)) '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": $h}]'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "RLIMIT_NOFILE"
}

@test "process: noNewPrivileges" {
	args /probe status NoNewPrivs
	run_ctr
	assert_status 0
	[ "$output" = 1 ]
	cfg '.process.noNewPrivileges = false'
	run_ctr
	assert_status 0
	[ "$output" = 0 ]
}

@test "process: the five capability sets of root read back as exact masks" {
	args /probe caps
	run_ctr
	assert_status 0
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29).
	grep -qx 'CapBnd: 0000000020000420' <<<"$output" || fail "$output"
	grep -qx 'CapPrm: 0000000020000420' <<<"$output" || fail "$output"
	grep -qx 'CapEff: 0000000020000420' <<<"$output" || fail "$output"
	grep -qx 'CapInh: 0000000000000000' <<<"$output" || fail "$output"
	grep -qx 'CapAmb: 0000000000000000' <<<"$output" || fail "$output"
}

@test "process: capability sets of a non-root user, ambient included" {
	requires_real_root "uids and gids beyond 0"
	# For a non-root user exec keeps only the ambient set in permitted and
	# effective; inheritable and bounding are kept as configured.
	cfg '.process.user = {"uid": 1000, "gid": 1000}
	     | .process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_CHOWN", "CAP_KILL"],
		"effective": ["CAP_CHOWN", "CAP_KILL"],
		"inheritable": ["CAP_CHOWN", "CAP_KILL"],
		"ambient": ["CAP_KILL"]}'
	args /probe caps
	run_ctr
	assert_status 0
	grep -qx 'CapBnd: 0000000000000421' <<<"$output" || fail "$output"
	grep -qx 'CapInh: 0000000000000021' <<<"$output" || fail "$output"
	grep -qx 'CapAmb: 0000000000000020' <<<"$output" || fail "$output"
	grep -qx 'CapPrm: 0000000000000020' <<<"$output" || fail "$output"
	grep -qx 'CapEff: 0000000000000020' <<<"$output" || fail "$output"
}

@test "process: ambient capabilities outside the inheritable set are skipped, as runc does" {
	# `runc spec` (1.1) lists the three default capabilities as ambient with no
	# inheritable set: the kernel refuses to raise them, and runc goes on.
	cfg '.process.capabilities.ambient = .process.capabilities.bounding'
	args /probe caps
	run_ctr
	assert_status 0
	grep -qx 'CapAmb: 0000000000000000' <<<"$output" || fail "$output"
	grep -qx 'CapEff: 0000000020000420' <<<"$output" || fail "$output"
}

@test "process: no capabilities at all" {
	cfg 'del(.process.capabilities)'
	args /probe caps
	run_ctr
	assert_status 0
	for set in CapBnd CapPrm CapEff CapAmb CapInh; do
		grep -qx "$set: 0000000000000000" <<<"$output" || fail "$output"
	done
}

@test "process: an unknown capability name fails the create, naming it" {
	skip_if_runc "runc 1.1.5 only warns about unknown capabilities"
	cfg '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "CAP_NOT_A_CAP"
}

@test "process: oomScoreAdj" {
	cfg '.process.oomScoreAdj = 123'
	args /probe oom
	run_ctr
	assert_status 0
	[ "$output" = 123 ]
}

@test "process: sysctl in the container's net and ipc namespaces" {
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shmmax=$(cat /proc/sys/kernel/shmmax)
	want_fwd=$((1 - host_fwd))
	cfg --arg f "$want_fwd" '.linux.sysctl = {"net.ipv4.ip_forward": $f, "kernel.shmmax": "12345678"}'
	args /bin/sh -c '/probe sysctl net.ipv4.ip_forward; /probe sysctl kernel.shmmax'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "$want_fwd" ] || fail "ip_forward ${lines[0]}"
	[ "${lines[1]}" = 12345678 ] || fail "shmmax ${lines[1]}"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] || fail "host ip_forward changed"
	[ "$(cat /proc/sys/kernel/shmmax)" = "$host_shmmax" ] || fail "host shmmax changed"
}

@test "process: a net sysctl without a network namespace is refused" {
	# The host's own value: even a runtime that wrongly applies it changes nothing.
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	cfg --arg f "$host_fwd" '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": $f}'

	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "net.ipv4.ip_forward"
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] || fail "host ip_forward changed"
}
