#!/usr/bin/env bats
# linux.seccomp: the profile is compiled by the runtime (or taken from its
# cache under <root>/.cache/seccomp) and installed in the container before the
# payload runs.  The payload here is tests/helpers/sysc.c (/sysc), which makes
# one RAW syscall and prints "ok N" or "err ENAME", so libc cannot hide what
# the filter answered.  Profiles start from fixtures/seccomp-docker.json, a
# flattened Docker default profile (x86_64, x86, x32).

load helpers

# The raw-syscall helper: from the meson build when it made one, else built here.
sysc_binary() {
	if [ -n "${SILO_SYSC:-}" ]; then echo "$SILO_SYSC"; return; fi
	if [ -x "$REPO/build/tests/silo-sysc" ]; then echo "$REPO/build/tests/silo-sysc"; return; fi
	_helper_binary silo-sysc "$REPO/tests/helpers/sysc.c" -static
}

# Put /sysc in the rootfs and the Docker-shaped profile in config.json.
docker_profile() {
	local sysc
	sysc=$(sysc_binary) || return 1
	cp "$sysc" "$ROOTFS/sysc"
	cfg --slurpfile p "$FIXTURES/seccomp-docker.json" '.linux.seccomp = $p[0]'
}

# Remove syscall names from every rule of the profile.
drop_names() {
	local json
	json=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	cfg --argjson d "$json" '.linux.seccomp.syscalls |= map(.names -= $d)'
}

# Append one rule (a JSON object) to the profile.
add_rule() {
	cfg --argjson r "$1" '.linux.seccomp.syscalls += [$r]'
}

# A small profile that names nothing newer than rseq (334 on x86_64): what a
# static glibc program, execve and a runtime's last steps before it (runc
# checks /proc/self/fd with fstatfs, Go's runtime threads) need; nothing else.
old_profile() {
	local sysc
	sysc=$(sysc_binary) || return 1
	cp "$sysc" "$ROOTFS/sysc"
	cfg '.linux.seccomp = {
		"defaultAction": "SCMP_ACT_ERRNO",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [{
			"action": "SCMP_ACT_ALLOW",
			"names": ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq",
				  "prlimit64", "mprotect", "mmap", "munmap", "readlink", "readlinkat", "getrandom",
				  "newfstatat", "fstat", "write", "writev", "read", "exit", "exit_group", "uname",
				  "ioctl", "close", "fcntl", "getpid", "rt_sigaction", "rt_sigprocmask",
				  "rt_sigreturn", "futex", "openat", "lseek", "dup2", "dup3", "fstatfs",
				  "getdents64", "sigaltstack", "gettid", "tgkill", "madvise", "clone",
				  "nanosleep", "sched_yield", "getppid", "epoll_ctl", "epoll_pwait", "fchdir"]
		}]}'
}

cache_dir() { echo "$STATE/.cache/seccomp"; }

@test "seccomp: docker profile, denied mkdir/chmod fail with EPERM, the rest works" {
	docker_profile
	drop_names mkdir mkdirat chmod fchmodat fchmodat2
	args /bin/sh -c '/sysc mkdir /tmp/d; /sysc chmod /tmp 511; /sysc getpid; echo done'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "err EPERM" ] || fail "mkdir: ${lines[0]}"
	[ "${lines[1]}" = "err EPERM" ] || fail "chmod: ${lines[1]}"
	[[ "${lines[2]}" == "ok "* ]] || fail "getpid: ${lines[2]}"
	[ "${lines[3]}" = done ] || fail "sh: ${lines[3]}"
	[ ! -e "$ROOTFS/tmp/d" ] || fail "mkdir happened"
}

@test "seccomp: defaultErrnoRet is what unlisted syscalls return" {
	docker_profile
	drop_names mkdir mkdirat
	cfg '.linux.seccomp.defaultErrnoRet = 6'
	args /sysc mkdir /tmp/d
	run_ctr
	assert_status 0
	[ "$output" = "err ENXIO" ] || fail "mkdir: $output"
}

@test "seccomp: errnoRet of a rule" {
	docker_profile
	drop_names mkdir
	add_rule '{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}'
	args /sysc mkdir /tmp/d
	run_ctr
	assert_status 0
	[ "$output" = "err EACCES" ] || fail "mkdir: $output"
}

@test "seccomp: an argument condition (personality only with arg0 == 0)" {
	docker_profile
	drop_names personality
	cfg '.linux.seccomp.syscalls |= map(select(.names != []))'
	add_rule '{"names": ["personality"], "action": "SCMP_ACT_ALLOW",
		   "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}'
	args /bin/sh -c '/sysc personality 0; /sysc personality 0xffffffff'
	run_ctr
	assert_status 0
	[[ "${lines[0]}" == "ok "* ]] || fail "personality(0): ${lines[0]}"
	[ "${lines[1]}" = "err EPERM" ] || fail "personality(0xffffffff): ${lines[1]}"
}

@test "seccomp: SCMP_ACT_KILL kills the process (128 + SIGSYS)" {
	docker_profile
	drop_names mkdir
	add_rule '{"names": ["mkdir"], "action": "SCMP_ACT_KILL"}'
	args /sysc mkdir /tmp/d
	run_ctr
	assert_status 159
	[ ! -e "$ROOTFS/tmp/d" ] || fail "mkdir happened"
}

@test "seccomp: an unknown syscall name is skipped" {
	docker_profile
	add_rule '{"names": ["silo_no_such_syscall", "getpid"], "action": "SCMP_ACT_ALLOW"}'
	args /sysc getpid
	run_ctr
	assert_status 0
	[[ "$output" == "ok "* ]] || fail "getpid: $output"
}

@test "seccomp: an unknown architecture is refused at create, named" {
	docker_profile
	cfg '.linux.seccomp.architectures += ["SCMP_ARCH_FOO"]'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error linux.seccomp.architectures '"SCMP_ARCH_FOO"'
	[ ! -e "$STATE/$ID" ] || fail "state dir left after a failed create"
}

# --- SCMP_ACT_NOTIFY and linux.seccomp.listenerPath --------------------------
# The agent is tests/helpers/seccomp-agent.c: it writes each
# ContainerProcessState it receives to $T/agent/state.N and answers mkdir /
# mkdirat with ETXTBSY, any other notified syscall with "continue".

agent_binary() {
	if [ -n "${SILO_SECCOMP_AGENT:-}" ]; then echo "$SILO_SECCOMP_AGENT"; return; fi
	if [ -x "$REPO/build/tests/silo-seccomp-agent" ]; then echo "$REPO/build/tests/silo-seccomp-agent"; return; fi
	_helper_binary silo-seccomp-agent "$REPO/tests/helpers/seccomp-agent.c"
}

# start_agent [MODE]: the agent in the background, $AGENT_PID.
start_agent() {
	local bin
	bin=$(agent_binary) || return 1
	mkdir -p "$T/agent"
	"$bin" "$T/agent.sock" "$T/agent" "$@" </dev/null >"$T/agent.log" 2>&1 3>&- 4>&- 5>&- &
	AGENT_PID=$!
	BG_PIDS+=("$AGENT_PID")
	wait_for "$T/agent.sock"
}

# The agent has exited (it is our child: wait reaps it).
agent_gone() {
	wait "$AGENT_PID" 2>/dev/null || true
	! kill -0 "$AGENT_PID" 2>/dev/null
}

# notify_profile NAME...: the Docker profile with NAME... notified, the
# agent's socket as listenerPath.
notify_profile() {
	local n
	docker_profile || return 1
	drop_names "$@"
	for n in "$@"; do add_rule "{\"names\": [\"$n\"], \"action\": \"SCMP_ACT_NOTIFY\"}"; done
	cfg --arg p "$T/agent.sock" '.linux.seccomp.listenerPath = $p |
		.linux.seccomp.listenerMetadata = "ntf-meta"'
}

@test "seccomp notify: the agent gets the process state and the fd, the payload its answer" {
	start_agent
	notify_profile mkdir
	args /sysc mkdir /ntf-dir
	create_ctr
	assert_status 0
	# Sent during create, before the payload can run.
	[ -s "$T/agent/state.1" ] || fail "no state received: $(cat "$T/agent.log")"
	local pid st
	pid=$(ctr_pid)
	st=$T/agent/state.1
	[ "$(jq -r .ociVersion "$st")" = "$(jq -r .ociVersion "$BUNDLE/config.json")" ] || fail "ociVersion: $(cat "$st")"
	[ "$(jq -c .fds "$st")" = '["seccompFd"]' ] || fail "fds: $(cat "$st")"
	[ "$(jq -r .pid "$st")" = "$pid" ] || fail "pid $pid: $(cat "$st")"
	[ "$(jq -r .metadata "$st")" = ntf-meta ] || fail "metadata: $(cat "$st")"
	[ "$(jq -r .state.id "$st")" = "$ID" ] || fail "state.id: $(cat "$st")"
	[ "$(jq -r .state.pid "$st")" = "$pid" ] || fail "state.pid: $(cat "$st")"
	[ "$(jq -r .state.bundle "$st")" = "$BUNDLE" ] || fail "state.bundle: $(cat "$st")"
	srun silo start "$ID"
	assert_status 0
	wait_status stopped
	[ "$(ctr_output)" = "err ETXTBSY" ] || fail "mkdir: $(ctr_output)"
	[ ! -e "$ROOTFS/ntf-dir" ] || fail "the agent's answer was not applied"
	grep -qx "83 $pid" "$T/agent/log" || fail "agent log: $(cat "$T/agent/log")"
}

@test "seccomp notify: run, with and without noNewPrivileges; continue runs the syscall" {
	start_agent
	notify_profile getpid mkdir
	args /sysc getpid
	run_ctr
	assert_status 0
	[ "$output" = "ok 1" ] || fail "getpid (continued): $output"
	# Without no_new_privs the filter loads before the capabilities go;
	# WAIT_KILLABLE_RECV is passed on with a listener.
	cfg '.process.noNewPrivileges = false | .linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	args /sysc mkdir /ntf-dir
	run_ctr
	assert_status 0
	[ "$output" = "err ETXTBSY" ] || fail "mkdir without no_new_privs: $output"
	[ -s "$T/agent/state.2" ] || fail "second state missing"
	grep -q "^39 " "$T/agent/log" || fail "getpid not seen: $(cat "$T/agent/log")"
}

@test "seccomp notify: exec'd processes send their fd too" {
	start_agent
	notify_profile mkdir
	args /bin/sleep 1000
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	wait_status running
	srun silo exec "$ID" /sysc mkdir /ntf-exec
	assert_status 0
	[ "$output" = "err ETXTBSY" ] || fail "exec mkdir: $output"
	local st=$T/agent/state.2
	[ -s "$st" ] || fail "no state for the exec: $(ls "$T/agent")"
	[ "$(jq -r .state.status "$st")" = running ] || fail "status: $(cat "$st")"
	[ "$(jq -r .state.pid "$st")" = "$(ctr_pid)" ] || fail "state.pid: $(cat "$st")"
	[ "$(jq -r .pid "$st")" != "$(ctr_pid)" ] || fail "pid is the init's: $(cat "$st")"
	[ "$(jq -c .fds "$st")" = '["seccompFd"]' ] || fail "fds: $(cat "$st")"
}

@test "seccomp notify: SCMP_ACT_NOTIFY without listenerPath is refused at create" {
	docker_profile
	drop_names mkdir
	add_rule '{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "linux.seccomp.syscalls" "listenerPath"
	[ ! -e "$STATE/$ID" ] || fail "state dir left after a failed create"
}

@test "seccomp notify: NOTIFY on sendmsg (the fd handoff) is refused at create" {
	skip_if_runc "runc refuses write, not sendmsg"
	notify_profile sendmsg
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "linux.seccomp.syscalls" "sendmsg"
	[ ! -e "$STATE/$ID" ] || fail "state dir left after a failed create"
}

@test "seccomp notify: a listenerPath nobody listens on fails create, nothing left" {
	notify_profile mkdir
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "listenerPath" "$T/agent.sock"
	[ ! -e "$STATE/$ID" ] || fail "state dir left after a failed create"
}

@test "seccomp notify: a listenerPath without NOTIFY rules is fine" {
	docker_profile
	cfg '.linux.seccomp.listenerPath = "/nonexistent/ntf.sock"'
	args /sysc getpid
	run_ctr
	assert_status 0
	[ "$output" = "ok 1" ] || fail "getpid: $output"
}

# --- plan 19: the listener is gone ------------------------------------------
# When the last reference to the listener fd closes, the kernel fails every
# notified syscall of that filter (pending or future) with ENOSYS.  So the
# runtime must hold no copy of the fd once it is handed over (run's parent
# and the container's init included), or the payload would block forever;
# srun's timeout ($SILO_TIMEOUT) turns such a hang into a failure.

@test "seccomp plan 19: the agent exits after taking the fd: run's notified syscall fails with ENOSYS, no hang" {
	start_agent exit-on-fd
	notify_profile mkdir
	args /bin/sh -c '/sysc mkdir /ntf-dir; /sysc getpid'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "err ENOSYS" ] || fail "mkdir with the listener gone: ${lines[0]}"
	[ "${lines[1]}" = "ok 1" ] || fail "getpid: ${lines[1]}"
	[ ! -e "$ROOTFS/ntf-dir" ] || fail "mkdir happened"
	[ -s "$T/agent/state.1" ] || fail "the agent got no state: $(cat "$T/agent.log")"
	grep -q "^exit-on-fd " "$T/agent/log" || fail "agent log: $(cat "$T/agent/log")"
	agent_gone || fail "the agent is still running"
}

@test "seccomp plan 19: the agent is killed between create and start: ENOSYS, delete leaves nothing" {
	start_agent
	notify_profile mkdir
	args /bin/sh -c '/sysc mkdir /ntf-dir; /sysc getpid; echo end'
	create_ctr
	assert_status 0
	[ -s "$T/agent/state.1" ] || fail "no state received: $(cat "$T/agent.log")"
	kill -9 "$AGENT_PID"
	agent_gone || fail "the agent survived SIGKILL"
	srun silo start "$ID"
	assert_status 0
	wait_status stopped
	mapfile -t lines < <(ctr_output)
	[ "${lines[0]}" = "err ENOSYS" ] || fail "mkdir with the agent killed: $(ctr_output)"
	[[ "${lines[1]}" == "ok "* ]] && [ "${lines[2]}" = end ] || fail "output: $(ctr_output)"
	[ ! -e "$ROOTFS/ntf-dir" ] || fail "mkdir happened"
	[ ! -s "$T/agent/log" ] || fail "the killed agent answered: $(cat "$T/agent/log")"
	srun silo delete "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "state dir left after delete"
}

@test "seccomp plan 19: the agent exits with a notification in flight: the blocked syscall fails with ENOSYS" {
	start_agent exit-on-notify
	notify_profile mkdir
	args /bin/sh -c '/sysc mkdir /ntf-dir; echo end'
	run_ctr
	assert_status 0
	[ "$output" = "$(printf 'err ENOSYS\nend')" ] || fail "output: $output"
	[ ! -e "$ROOTFS/ntf-dir" ] || fail "mkdir happened"
	grep -q "^unanswered 83 " "$T/agent/log" || fail "the agent saw no mkdir: $(cat "$T/agent/log" 2>&1)"
	agent_gone || fail "the agent is still running"
}

@test "seccomp: syscalls newer than the profile get ENOSYS, older unlisted ones EPERM" {
	old_profile
	args /sysc clone3
	run_ctr
	assert_status 0
	[ "$output" = "err ENOSYS" ] || fail "clone3: $output"
	args /sysc 1000
	run_ctr
	[ "$output" = "err ENOSYS" ] || fail "syscall 1000: $output"
	args /sysc mkdir /tmp/d
	run_ctr
	[ "$output" = "err EPERM" ] || fail "mkdir: $output"
	args /sysc getpid
	run_ctr
	[[ "$output" == "ok "* ]] || fail "getpid: $output"
}

@test "seccomp: /proc/self/status shows the filter and no_new_privs" {
	docker_profile
	args /bin/sh -c '/probe status Seccomp; /probe status NoNewPrivs; /probe status Seccomp_filters'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = 2 ] || fail "Seccomp: ${lines[0]}"
	[ "${lines[1]}" = 1 ] || fail "NoNewPrivs: ${lines[1]}"
	[ "${lines[2]}" = 1 ] || fail "Seccomp_filters: ${lines[2]} (one filter expected)"
}

@test "seccomp: without noNewPrivileges the filter is still installed" {
	docker_profile
	cfg '.process.noNewPrivileges = false'
	drop_names mkdir mkdirat
	args /bin/sh -c '/probe status Seccomp; /probe status NoNewPrivs; /sysc mkdir /tmp/d'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = 2 ] || fail "Seccomp: ${lines[0]}"
	[ "${lines[1]}" = 0 ] || fail "NoNewPrivs: ${lines[1]}"
	[ "${lines[2]}" = "err EPERM" ] || fail "mkdir: ${lines[2]}"
}

@test "seccomp: busybox sh runs under the docker profile" {
	docker_profile
	args /bin/sh -c 'echo hello; ls / >/dev/null && cat /etc/hostname; x=$(echo sub); echo $x; sleep 0.1 &
		wait; echo end'
	run_ctr
	assert_status 0
	[ "$output" = "$(printf 'hello\nsilo\nsub\nend')" ] || fail "output: $output"
}

@test "seccomp: the compiled profile is cached, a corrupted cache file is replaced" {
	is_silo || skip "the cache is silo's"
	docker_profile
	drop_names mkdir mkdirat
	args /sysc mkdir /tmp/d
	run_ctr
	assert_status 0
	[ "$output" = "err EPERM" ] || fail "first run: $output"
	dir=$(cache_dir)
	[ -d "$dir" ] || fail "no cache directory $dir"
	[ "$(stat -c %a "$dir")" = 700 ] || fail "cache dir mode $(stat -c %a "$dir")"
	files=("$dir"/*.bpf)
	[ "${#files[@]}" -eq 1 ] && [ -f "${files[0]}" ] || fail "cache files: ${files[*]}"
	f=${files[0]}
	[ "$(stat -c %a "$f")" = 600 ] || fail "cache file mode $(stat -c %a "$f")"
	good=$T/good.bpf
	cp "$f" "$good"
	ino=$(stat -c %i "$f")

	# Second run: a hit, the file is read, not rewritten.
	run_ctr
	assert_status 0
	[ "$output" = "err EPERM" ] || fail "second run: $output"
	[ "$(stat -c %i "$f")" = "$ino" ] || fail "cache file rewritten on a hit"
	[ "$(ls "$dir" | wc -l)" = 1 ] || fail "more cache files: $(ls "$dir")"

	# Corrupt the program in place: a BPF "ret ALLOW" everywhere would open
	# the filter if the file were trusted.
	printf '\x06\x00\x00\x00\x00\x00\xff\x7f%.0s' $(seq 16) |
		dd of="$f" bs=1 seek=200 conv=notrunc status=none
	run_ctr
	assert_status 0
	[ "$output" = "err EPERM" ] || fail "run after corruption: $output (corrupted cache trusted?)"
	cmp -s "$f" "$good" || fail "corrupted cache file not replaced"
	[ "$(stat -c %i "$f")" != "$ino" ] || fail "cache file not replaced (same inode)"

	# A truncated file: ignored and replaced as well.
	truncate -s 50 "$f"
	run_ctr
	assert_status 0
	[ "$output" = "err EPERM" ] || fail "run after truncation: $output"
	cmp -s "$f" "$good" || fail "truncated cache file not replaced"
}

@test "seccomp: different profiles get different cache files" {
	is_silo || skip "the cache is silo's"
	docker_profile
	args /sysc getpid
	run_ctr
	assert_status 0
	drop_names mkdir
	run_ctr
	assert_status 0
	[ "$(ls "$(cache_dir)" | wc -l)" = 2 ] || fail "cache files: $(ls "$(cache_dir)")"
}

# On a hit the parser skips the section's syscall rules (parse_seccomp): a
# section that differs from a cached one in one rule must still be refused,
# named, whether the cache is cold or holds its valid twin.  $1: a jq filter
# that spoils the last rule; $2...: what the error must name.  The twin's
# valueTwo is 18446744073709551615 (written with sed: jq would make it a
# double), which jansson holds as the int64 -1, like a valueTwo written -1
# (refused): the last case.
bad_rule_cold_and_warm() {
	local spoil=$1 n
	shift
	docker_profile
	args /sysc getpid
	add_rule '{"names": ["getpid"], "action": "SCMP_ACT_ALLOW",
		   "args": [{"index": 1, "value": 0, "valueTwo": 7340032, "op": "SCMP_CMP_EQ"}]}'
	n=$(jq '.linux.seccomp.syscalls | length - 1' "$BUNDLE/config.json")
	sed 's/7340032/18446744073709551615/' "$BUNDLE/config.json" >"$T/good.json"
	cfg "$spoil"
	sed 's/7340032/18446744073709551615/' "$BUNDLE/config.json" >"$T/bad.json"
	cmp -s "$T/bad.json" "$T/good.json" && fail "the filter $spoil changed nothing"
	cp "$T/bad.json" "$BUNDLE/config.json"
	rm -rf "$(cache_dir)"

	# cold: nothing cached
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "linux.seccomp.syscalls[$n]" "$@"
	[ ! -e "$STATE/$ID" ] || fail "state dir left after a refused create (cold)"
	[ -z "$(ls -A "$(cache_dir)" 2>/dev/null)" ] || fail "a refused profile was cached: $(ls "$(cache_dir)")"

	# warm: the valid twin runs and is cached, then the bad one again
	cp "$T/good.json" "$BUNDLE/config.json"
	run_ctr
	assert_status 0
	[[ "$output" == "ok "* ]] || fail "the valid twin: $output"
	run_ctr
	assert_status 0
	[ "$(ls "$(cache_dir)" | wc -l)" = 1 ] || fail "cache files: $(ls "$(cache_dir)")"
	cp "$T/bad.json" "$BUNDLE/config.json"
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "linux.seccomp.syscalls[$n]" "$@"
	[ ! -e "$STATE/$ID" ] || fail "state dir left after a refused create (warm)"
	[ "$(ls "$(cache_dir)" | wc -l)" = 1 ] || fail "a refused profile was cached: $(ls "$(cache_dir)")"
}

@test "seccomp: a bad rule is refused at create, cold and warm cache: unknown operator" {
	is_silo || skip "the cache is silo's"
	bad_rule_cold_and_warm '.linux.seccomp.syscalls[-1].args[0].op = "SCMP_CMP_BOGUS"' \
		'.args[0].op' '"SCMP_CMP_BOGUS"'
}

@test "seccomp: a bad rule is refused at create, cold and warm cache: argument index out of range" {
	is_silo || skip "the cache is silo's"
	bad_rule_cold_and_warm '.linux.seccomp.syscalls[-1].args[0].index = 6' '.args[0].index' 'at most 5'
}

@test "seccomp: a bad rule is refused at create, cold and warm cache: errnoRet out of range" {
	is_silo || skip "the cache is silo's"
	bad_rule_cold_and_warm '.linux.seccomp.syscalls[-1] += {"action": "SCMP_ACT_ERRNO", "errnoRet": 5000}' \
		'errnoRet 5000 is out of range'
}

@test "seccomp: a bad rule is refused at create, cold and warm cache: empty names" {
	is_silo || skip "the cache is silo's"
	bad_rule_cold_and_warm '.linux.seccomp.syscalls[-1].names = []' '.names' 'non-empty'
}

@test "seccomp: a bad rule is refused at create, cold and warm cache: uint64 written -1 after 2^64-1" {
	is_silo || skip "the cache is silo's"
	bad_rule_cold_and_warm '.linux.seccomp.syscalls[-1].args[0].valueTwo = -1' \
		'.args[0].valueTwo' 'must be a non-negative integer, not -1'
}

@test "seccomp: another profile's cache file under this profile's name is not used" {
	is_silo || skip "the cache is silo's"
	docker_profile
	args /sysc mkdir /tmp/d
	run_ctr
	assert_status 0
	[ "$output" = "ok 0" ] || fail "docker profile, mkdir: $output"
	mapfile -t a < <(ls "$(cache_dir)")
	[ "${#a[@]}" -eq 1 ] || fail "cache files: ${a[*]}"
	drop_names mkdir mkdirat
	run_ctr
	assert_status 0
	[ "$output" = "err EPERM" ] || fail "without mkdir: $output"
	mapfile -t b < <(ls "$(cache_dir)" | grep -vxF "${a[0]}")
	[ "${#b[@]}" -eq 1 ] || fail "cache files: $(ls "$(cache_dir)")"
	f=$(cache_dir)/${b[0]}
	cp "$f" "$T/good.bpf"
	# A well-formed file, checksum and all, with the other profile's key
	# (and a program that allows mkdir): a hit would open the filter.
	cp "$(cache_dir)/${a[0]}" "$f"
	run_ctr
	assert_status 0
	[ "$output" = "err EPERM" ] || fail "foreign cache file trusted: $output"
	cmp -s "$f" "$T/good.bpf" || fail "foreign cache file not replaced by the compiled program"
}

# --- plan 18: the Docker and Podman default profiles ------------------------
# Both flattened for x86_64 as the front ends hand them to a runtime:
# fixtures/seccomp-docker.json (Docker: EPERM default, clone3 → ENOSYS,
# clone without namespace flags, socket without AF_ALG/AF_VSOCK) and
# fixtures/seccomp-podman.json (made by fixtures/seccomp-podman.jq from
# Debian 12's containers-common: ENOSYS default, clone3, unshare and every
# socket family allowed, NETLINK_AUDIT → EINVAL without CAP_AUDIT_WRITE).
# Each expectation below is what that fixture says; the checks that a
# profile lets a call through compare with the same call made unfiltered.

# use_profile docker|podman: /sysc in the rootfs, the profile in config.json.
use_profile() {
	local sysc
	sysc=$(sysc_binary) || return 1
	cp "$sysc" "$ROOTFS/sysc"
	[ -f "$FIXTURES/seccomp-$1.json" ] || fail "no fixture seccomp-$1.json"
	cfg --slurpfile p "$FIXTURES/seccomp-$1.json" '.linux.seccomp = $p[0]'
}

# The i386 program: from the meson build, else assembled here, else nothing.
i386_binary() {
	if [ -x "$REPO/build/tests/silo-i386-hello" ]; then echo "$REPO/build/tests/silo-i386-hello"; return; fi
	local out=$BATS_RUN_TMPDIR/silo-i386-hello
	if [ ! -x "$out" ]; then
		as --32 -o "$out.o" "$REPO/tests/helpers/i386-hello.s" 2>/dev/null &&
			ld -m elf_i386 -o "$out.tmp" "$out.o" 2>/dev/null && mv "$out.tmp" "$out" || return 1
	fi
	echo "$out"
}

# "ok N" → "ok": a syscall's answer without the fd number.
norm() { sed 's/^ok .*/ok/'; }

# What the kernel answers this call with no filter (the test's own process).
unfiltered() { "$(sysc_binary)" "$@" | norm; }

profile_runs_busybox() {
	use_profile "$1"
	args /bin/sh -c 'echo hello; ls / >/dev/null && cat /etc/hostname; x=$(echo sub); echo $x; sleep 0.1 &
		wait; echo end'
	run_ctr
	assert_status 0
	[ "$output" = "$(printf 'hello\nsilo\nsub\nend')" ] || fail "output: $output"
}

# (the docker profile: "busybox sh runs under the docker profile" above)
@test "seccomp plan 18: busybox sh runs under the podman profile" {
	profile_runs_busybox podman
}

@test "seccomp plan 18: docker profile: clone3 gets ENOSYS, a glibc thread still starts (clone fallback)" {
	use_profile docker
	jq -e '.syscalls[] | select(.names | index("clone3")) | select(.action == "SCMP_ACT_ERRNO" and .errnoRet == 38)' \
		"$FIXTURES/seccomp-docker.json" >/dev/null || fail "the fixture no longer maps clone3 to ENOSYS"
	args /bin/sh -c '/sysc clone3; /sysc thread'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "err ENOSYS" ] || fail "clone3: ${lines[0]}"
	[ "${lines[1]}" = "ok thread" ] || fail "pthread_create: ${lines[1]}"
}

@test "seccomp plan 18: podman profile: clone3 reaches the kernel, a glibc thread starts" {
	use_profile podman
	# clone3(NULL, 0): the kernel's answer is EINVAL (size too small); a
	# filter that caught it would say ENOSYS (the default) or EPERM.
	[ "$(unfiltered clone3)" = "err EINVAL" ] || skip "this kernel answers clone3(NULL, 0) with $(unfiltered clone3)"
	args /bin/sh -c '/sysc clone3; /sysc thread'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "err EINVAL" ] || fail "clone3: ${lines[0]}"
	[ "${lines[1]}" = "ok thread" ] || fail "pthread_create: ${lines[1]}"
}

@test "seccomp plan 18: unshare(CLONE_NEWUSER) is denied by docker's profile, podman's leaves it to the kernel" {
	use_profile docker
	args /bin/sh -c '/sysc unshare 0x10000000; /sysc clone 0x10000011 0 0 0 0'
	run_ctr
	assert_status 0
	# unshare is not listed (EPERM default); clone with CLONE_NEWUSER fails
	# the MASKED_EQ condition (EPERM)
	[ "${lines[0]}" = "err EPERM" ] || fail "docker unshare(CLONE_NEWUSER): ${lines[0]}"
	[ "${lines[1]}" = "err EPERM" ] || fail "docker clone(CLONE_NEWUSER|SIGCHLD): ${lines[1]}"

	use_profile podman
	args /bin/sh -c '/sysc unshare 0x10000000; /probe status Seccomp'
	run_ctr
	assert_status 0
	# podman's profile allows unshare unconditionally: the kernel lets a
	# single-threaded process with a mapped uid make a user namespace
	[ "${lines[0]}" = "ok 0" ] || fail "podman unshare(CLONE_NEWUSER): ${lines[0]}"
	[ "${lines[1]}" = 2 ] || fail "no filter under podman's profile: ${lines[1]}"
}

@test "seccomp plan 18: socket(AF_ALG) and socket(AF_VSOCK): denied by docker's profile, allowed by podman's" {
	local alg vsock
	alg=$(unfiltered socket 38 5 0)
	vsock=$(unfiltered socket 40 1 0)
	[ "$alg" != "err EPERM" ] && [ "$vsock" != "err EPERM" ] ||
		skip "the kernel itself refuses with EPERM here (AF_ALG: $alg, AF_VSOCK: $vsock)"
	use_profile docker
	args /bin/sh -c '/sysc socket 38 5 0; /sysc socket 40 1 0; /sysc socket 1 1 0; /sysc socket 16 3 9'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "err EPERM" ] || fail "docker AF_ALG: ${lines[0]}"
	[ "${lines[1]}" = "err EPERM" ] || fail "docker AF_VSOCK: ${lines[1]}"
	[[ "${lines[2]}" == "ok "* ]] || fail "docker AF_UNIX: ${lines[2]}"
	[[ "${lines[3]}" == "ok "* ]] || fail "docker AF_NETLINK/NETLINK_AUDIT: ${lines[3]}"

	use_profile podman
	run_ctr
	assert_status 0
	[ "$(norm <<<"${lines[0]}")" = "$alg" ] || fail "podman AF_ALG: ${lines[0]}, unfiltered: $alg"
	[ "$(norm <<<"${lines[1]}")" = "$vsock" ] || fail "podman AF_VSOCK: ${lines[1]}, unfiltered: $vsock"
	[[ "${lines[2]}" == "ok "* ]] || fail "podman AF_UNIX: ${lines[2]}"
	# without CAP_AUDIT_WRITE (not a podman default) the audit socket gets EINVAL
	[ "${lines[3]}" = "err EINVAL" ] || fail "podman AF_NETLINK/NETLINK_AUDIT: ${lines[3]}"
}

@test "seccomp plan 18: personality(PER_LINUX32) is allowed by both, other personas get the default errno" {
	use_profile docker
	args /bin/sh -c '/sysc personality 8; /sysc personality 6'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "ok 0" ] || fail "docker PER_LINUX32: ${lines[0]}"
	[ "${lines[1]}" = "err EPERM" ] || fail "docker persona 6: ${lines[1]}"
	use_profile podman
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "ok 0" ] || fail "podman PER_LINUX32: ${lines[0]}"
	[ "${lines[1]}" = "err ENOSYS" ] || fail "podman persona 6 (defaultErrnoRet 38): ${lines[1]}"
}

# An i386 program runs when the profile lists SCMP_ARCH_X86 and is killed at
# its first int 0x80 when it does not (libseccomp's bad-arch action).
i386_under() {
	local bin
	bin=$(i386_binary) || skip "cannot build an i386 binary here (as --32 / ld -m elf_i386)"
	"$bin" >/dev/null 2>&1 || skip "the kernel runs no i386 binaries (no IA32 emulation)"
	jq -e '.architectures | index("SCMP_ARCH_X86")' "$FIXTURES/seccomp-$1.json" >/dev/null ||
		fail "the $1 fixture lacks SCMP_ARCH_X86"
	use_profile "$1"
	cp "$bin" "$ROOTFS/i386"
	args /i386
	run_ctr
	assert_status 0
	[ "$output" = "i386 ok" ] || fail "$1 profile: $output"

	cfg '.linux.seccomp.architectures -= ["SCMP_ARCH_X86"]'
	args /bin/sh -c '/i386; echo "status $?"'
	run_ctr
	assert_status 0
	[ "$output" = "status 159" ] || fail "$1 profile without x86: $output"
}

@test "seccomp plan 18: an i386 binary runs under the docker profile, is killed without SCMP_ARCH_X86" {
	i386_under docker
}

@test "seccomp plan 18: an i386 binary runs under the podman profile, is killed without SCMP_ARCH_X86" {
	i386_under podman
}
