#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# exec: a new process in a running container.  It must join every namespace
# and the cgroup of the container, get the init's treatment (user, groups,
# caps, rlimits, no_new_privs, seccomp), report failures with runc's wording
# and exit 255 (runc's exec status for "could not start"), and leave nothing
# behind.  runc (SILO_OCI=/usr/sbin/runc) passes the tests it supports.

load helpers

# start_ctr [CONFIG-EDIT]: run $ID detached, its init sleeping; sets $PID.
start_ctr() {
	args /bin/sleep 1000
	[ $# -eq 0 ] || cfg "$@"
	srun silo run -d --bundle "$BUNDLE" "$ID"
	assert_status 0
	PID=$(ctr_pid)
	[ -n "$PID" ] && [ "$PID" != 0 ] || fail "no init pid"
}

# An exec that could not start: exit 255, and for silo one stderr line that
# has every FIXED-STRING.
assert_exec_error() {
	local s
	[ "$status" -eq 255 ] || fail "expected exit 255, got $status (stderr: $stderr)" || return 1
	is_silo || return 0
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one stderr line: $stderr" || return 1
	for s in "$@"; do
		grep -qF -- "$s" <<<"$stderr" || fail "stderr lacks '$s': $stderr" || return 1
	done
}

# The host pids in the container's cgroup (pids controller), sorted.
cgroup_pids() {
	local dir
	dir=/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" { print $3 }' "/proc/$PID/cgroup")
	[ -d "$dir" ] || dir=/sys/fs/cgroup/unified$(awk -F: '$1 == "0" { print $3 }' "/proc/$PID/cgroup")
	sort -n "$dir/cgroup.procs"
}

write_process() { # JSON -> $T/process.json
	echo "$1" >"$T/process.json"
}

@test "exec: exit status is the process's, 128+N on signal N; options end at the id" {
	start_ctr
	# sh's -c is the command's flag, not exec's --cap (-c).
	srun silo exec "$ID" sh -c 'exit 42'
	assert_status 42
	srun silo exec "$ID" sh -c 'kill -9 $$'
	assert_status 137
	if is_silo; then
		# "--" after the id (runc >= 1.2's synopsis; 1.1.5 takes it for the command)
		srun silo exec "$ID" -- /probe true
		assert_status 0
	fi
	srun silo exec "$ID" /bin/echo -e hello
	assert_status 0
	[ "$output" = hello ] || fail "output: $output"
}

@test "exec: joins every namespace of the container (pid, mnt, net, ipc, uts, cgroup)" {
	start_ctr
	srun silo exec "$ID" /probe ns
	assert_status 0
	for n in pid mnt net ipc uts cgroup user; do
		want=$(readlink "/proc/$PID/ns/$n")
		got=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$output")
		[ "$got" = "$want" ] || fail "$n: exec has $got, the init $want"
	done
	[ "$(readlink "/proc/$PID/ns/pid")" != "$(host_ns pid)" ] || fail "the container shares the host pid ns"
	# In the container's pid namespace: its parent is outside (ppid 0), pid 1 is the init.
	srun silo exec "$ID" /bin/grep PPid /proc/self/status
	assert_status 0
	grep -qE '^PPid:\s+0$' <<<"$output" || fail "ppid: $output"
	srun silo exec "$ID" /bin/cat /proc/1/cmdline
	assert_output_has "/bin/sleep"
	srun silo exec "$ID" /probe hostname
	[ "$output" = silo ]
}

@test "exec: joins the user and time namespaces too" {
	skip_if_runc "runc 1.1.5 has no time namespace support"
	start_ctr '.linux.namespaces += [{"type": "user"}, {"type": "time"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
	     | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	srun silo exec "$ID" /bin/sh -c '/probe ns; /probe ids'
	assert_status 0
	for n in user time pid mnt net; do
		want=$(readlink "/proc/$PID/ns/$n")
		got=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$output")
		[ "$got" = "$want" ] || fail "$n: exec has $got, the init $want"
	done
	assert_output_has "uid=0 gid=0 euid=0 egid=0"
	# Seen from the host, the process runs as the mapped root.
	srun silo exec -d --pid-file "$T/exec.pid" "$ID" /bin/sleep 100
	assert_status 0
	grep -qE '^Uid:\s+200000\s' "/proc/$(cat "$T/exec.pid")/status" || fail "host uid"
}

@test "exec: the process joins the container's cgroup" {
	start_ctr
	srun silo exec -d --pid-file "$T/exec.pid" "$ID" /bin/sleep 100
	assert_status 0
	epid=$(cat "$T/exec.pid")
	[ "$(cat "/proc/$epid/cgroup")" = "$(cat "/proc/$PID/cgroup")" ] ||
		fail "cgroups differ: $(cat "/proc/$epid/cgroup") vs $(cat "/proc/$PID/cgroup")"
	cgroup_pids | grep -qx "$epid" || fail "$epid not in the container's cgroup: $(cgroup_pids)"
}

@test "exec: --detach returns while the process runs and reports its host pid in --pid-file" {
	start_ctr
	srun silo exec -d --pid-file "$T/exec.pid" "$ID" /bin/sh -c 'echo $$ > /tmp/inner; exec sleep 100'
	assert_status 0
	epid=$(cat "$T/exec.pid")
	[ -d "/proc/$epid" ] || fail "pid $epid is not running"
	[ "$(readlink "/proc/$epid/ns/pid")" = "$(readlink "/proc/$PID/ns/pid")" ] || fail "not in the container's pid ns"
	wait_for "$ROOTFS/tmp/inner"
	inner=$(cat "$ROOTFS/tmp/inner")
	grep -qE "^NSpid:\s+$epid\s+$inner$" "/proc/$epid/status" || fail "NSpid: $(grep NSpid "/proc/$epid/status")"
}

@test "exec: env, cwd, user and additional gids from the flags, on top of config.json" {
	start_ctr
	srun silo exec -e FOO=bar -e X=1 --cwd /tmp -u 1000:1000 -g 2000 -g 65534 "$ID" \
		/bin/sh -c '/probe env; /probe cwd; /probe ids'
	assert_status 0
	assert_output_has "FOO=bar"
	assert_output_has "X=1"
	assert_output_has "TERM=xterm"        # the config's env stays
	grep -qx /tmp <<<"$output" || fail "cwd: $output"
	assert_output_has "uid=1000 gid=1000 euid=1000 egid=1000 groups=2000,65534"
	# -u UID alone keeps the config's gid.
	srun silo exec -u 1000 "$ID" /probe ids
	assert_output_has "uid=1000 gid=0 euid=1000 egid=0"
}

@test "exec: --user must be numeric UID[:GID]" {
	start_ctr
	srun silo exec -u nobody "$ID" /probe ids
	[ "$status" -ne 0 ] || fail "a user name was accepted"
	is_silo && assert_usage_error
	srun silo exec -u 1:x "$ID" /probe ids
	[ "$status" -ne 0 ] || fail "gid x was accepted"
}

@test "exec: capabilities are the config's; --cap adds bounding/effective/permitted, never inheritable or ambient" {
	start_ctr
	srun silo exec "$ID" /probe caps
	assert_status 0
	grep -qE '^CapEff:\s+0000000020000420$' <<<"$output" || fail "config caps: $output"
	srun silo exec --cap CAP_SYS_ADMIN --cap CAP_NET_RAW "$ID" /probe caps
	assert_status 0
	# + SYS_ADMIN (21) and NET_RAW (13)
	grep -qE '^CapEff:\s+0000000020202420$' <<<"$output" || fail "eff: $output"
	grep -qE '^CapBnd:\s+0000000020202420$' <<<"$output" || fail "bnd: $output"
	grep -qE '^CapPrm:\s+0000000020202420$' <<<"$output" || fail "prm: $output"
	grep -qE '^CapInh:\s+0000000000000000$' <<<"$output" || fail "inh: $output"
	grep -qE '^CapAmb:\s+0000000000000000$' <<<"$output" || fail "amb: $output"
	# runc only warns about an unknown name; silo refuses it.
	is_silo || return 0
	srun silo exec --cap CAP_NOPE "$ID" /probe caps
	[ "$status" -ne 0 ] || fail "an unknown capability was accepted"
}

@test "exec: no_new_privs from the config, or --no-new-privs" {
	start_ctr '.process.noNewPrivileges = false'
	srun silo exec "$ID" /bin/grep NoNewPrivs /proc/self/status
	grep -qE 'NoNewPrivs:\s+0' <<<"$output" || fail "config says no: $output"
	srun silo exec --no-new-privs "$ID" /bin/grep NoNewPrivs /proc/self/status
	grep -qE 'NoNewPrivs:\s+1' <<<"$output" || fail "--no-new-privs: $output"
}

@test "exec: the config's rlimits apply" {
	start_ctr '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 333, "hard": 444}]'
	srun silo exec "$ID" /probe limits
	assert_status 0
	grep -qE '^RLIMIT_NOFILE 333 444$|nofile.*333.*444' <<<"$output" || fail "limits: $output"
}

@test "exec: the container's seccomp filter applies" {
	start_ctr '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
	            "syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	srun silo exec "$ID" /bin/grep -E '^Seccomp:' /proc/self/status
	grep -qE 'Seccomp:\s+2' <<<"$output" || fail "no filter: $output"
	srun silo exec "$ID" /bin/mkdir /tmp/d
	[ "$status" -ne 0 ] || fail "mkdir was allowed"
	[ ! -e "$ROOTFS/tmp/d" ]
}

@test "exec: -p process.json gives the whole process; caps and rlimits left out come from the config" {
	start_ctr '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 333, "hard": 444}]'
	write_process '{"terminal": false, "args": ["/bin/sh", "-c", "/probe env; /probe cwd; /probe ids; /probe caps; /probe limits"],
		"cwd": "/tmp", "env": ["ONLY=this"], "user": {"uid": 5, "gid": 6, "additionalGids": [7, 8]}}'
	srun silo exec -p "$T/process.json" "$ID"
	assert_status 0
	assert_output_has "ONLY=this"
	assert_output_lacks "TERM=xterm"
	grep -qx /tmp <<<"$output" || fail "cwd: $output"
	assert_output_has "uid=5 gid=6 euid=5 egid=6 groups=7,8"
	# runc 1.1.5 leaves the runtime's own limits here; silo applies the config's.
	if is_silo; then
		grep -qE '^RLIMIT_NOFILE 333 444$' <<<"$output" || fail "limits: $output"
	fi
	# uid 5: the config's caps are the bounding set, nothing effective.
	grep -qE '^CapBnd:\s+0000000020000420$' <<<"$output" || fail "bounding: $output"
	write_process '{"args": ["/probe", "caps"], "cwd": "/", "user": {"uid": 0, "gid": 0},
		"capabilities": {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}}'
	srun silo exec -p "$T/process.json" "$ID"
	assert_status 0
	grep -qE '^CapEff:\s+0000000000000020$' <<<"$output" || fail "file caps: $output"
}

@test "exec: -p with a bad process.json names the file and field; -p with a command is a usage error" {
	start_ctr
	write_process '{"args": [], "cwd": "/", "user": {"uid": 0, "gid": 0}}'
	srun silo exec -p "$T/process.json" "$ID"
	assert_exec_error "process.json" "process.args"
	write_process '{"args": ["/probe", "true"], "cwd": "relative", "user": {"uid": 0, "gid": 0}}'
	srun silo exec -p "$T/process.json" "$ID"
	assert_exec_error "process.cwd"
	is_silo || skip "wording and usage checks of silo"
	srun silo exec -p "$T/process.json" "$ID" /probe true
	assert_usage_error
	srun silo exec "$ID"
	assert_usage_error
}

@test "exec: a missing executable, a bad cwd or a bad user fail with runc's wording, exit 255" {
	start_ctr
	srun silo exec "$ID" nosuchcmd
	assert_exec_error 'exec: "nosuchcmd": executable file not found in $PATH'
	srun silo exec "$ID" /nosuch
	assert_exec_error '/nosuch' 'no such file or directory'
	srun silo exec "$ID" /etc
	assert_exec_error 'permission denied'
	srun silo exec --cwd /nonexistent "$ID" /probe true
	assert_exec_error 'chdir to cwd ("/nonexistent")' 'no such file or directory'
	# Nothing was left: only the init is in the cgroup.
	[ "$(cgroup_pids)" = "$PID" ] || fail "processes left: $(cgroup_pids)"
}

@test "exec: a user the user namespace cannot map fails, named" {
	start_ctr '.linux.namespaces += [{"type": "user"}]
	     | .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
	     | .linux.gidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
	     | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	srun silo exec -u 70000:0 "$ID" /probe ids
	assert_exec_error "70000"
	[ "$(cgroup_pids)" = "$PID" ] || fail "processes left: $(cgroup_pids)"
}

@test "exec: --pid-file is not left behind when the exec fails" {
	start_ctr
	srun silo exec -d --pid-file "$T/exec.pid" "$ID" /nosuch
	assert_exec_error
	[ ! -e "$T/exec.pid" ] || fail "pid file left"
}

@test "exec: an unknown container, a stopped one, a paused one" {
	srun silo exec nosuch-ctr /probe true
	assert_exec_error 'does not exist'
	start_ctr
	srun silo pause "$ID"
	assert_status 0
	srun silo exec "$ID" /probe true
	assert_exec_error "cannot exec in a paused container"
	skip_if_runc "runc 1.1.5 has no --ignore-paused"
	# --ignore-paused: the process starts, frozen until resume.
	srun silo exec -d --ignore-paused --pid-file "$T/exec.pid" "$ID" /bin/sh -c 'echo ran > /tmp/ran'
	assert_status 0
	epid=$(cat "$T/exec.pid")
	sleep 0.2
	[ ! -e "$ROOTFS/tmp/ran" ] || fail "ran while paused"
	srun silo resume "$ID"
	assert_status 0
	wait_for "$ROOTFS/tmp/ran" ran
	srun silo kill "$ID" KILL
	wait_status stopped
	srun silo exec "$ID" /probe true
	assert_exec_error "cannot exec in a stopped container"
}

@test "exec: into a created container" {
	args /probe true
	create_ctr
	assert_status 0
	srun silo exec "$ID" /probe hostname
	assert_status 0
	[ "$output" = silo ]
}

@test "exec: no zombie is left under the caller or in the container" {
	start_ctr
	srun silo exec "$ID" /bin/sh -c 'exit 3'
	assert_status 3
	srun silo exec "$ID" /nosuch
	assert_exec_error
	srun silo exec "$ID" /bin/ps -o pid,stat,args
	assert_status 0
	! awk '$2 ~ /^Z/' <<<"$output" | grep -q . || fail "zombie in the container: $output"
	# Besides the init, only the ps of that exec ever was in the cgroup.
	[ "$(cgroup_pids)" = "$PID" ] || fail "processes left: $(cgroup_pids)"
}

@test "exec: --tty without --console-socket in the foreground copies the pty" {
	skip_if_runc "runc 1.1.5 needs a terminal on its own stdin for this"
	start_ctr
	srun silo exec -t "$ID" /bin/sh -c '/probe isatty 0; /probe isatty 1; /probe ttyname 1'
	assert_status 0
	grep -q '^1' <<<"$output" || fail "not a tty: $output"
	grep -q '/dev/pts/' <<<"$output" || fail "ttyname: $output"
	srun silo exec "$ID" /probe isatty 1
	grep -q '^0' <<<"$output" || fail "a tty without --tty: $output"
}

@test "exec: --tty --console-socket sends the pty master; the caller's window size applies" {
	start_ctr
	start_recvtty --winsize 30x90
	srun silo exec -d -t --console-socket "$T/console.sock" "$ID" \
		/bin/sh -c 'sleep 0.5; /probe isatty 0; /probe ttyname 0; /probe winsize'
	assert_status 0
	wait "$RECVTTY_PID" || true
	grep -q '^ptn [0-9]' "$T/tty.info" || fail "not a pty master: $(cat "$T/tty.info")"
	out=$(tr -d '\r' <"$T/tty.out")
	grep -qx 1 <<<"$out" || fail "isatty: $out"
	grep -qx '/dev/pts/[0-9]*' <<<"$out" || fail "ttyname: $out"
	grep -qx '30 90' <<<"$out" || fail "winsize: $out"
}

@test "exec: \"terminal\": true in process.json allocates a pty without --tty (containerd); consoleSize applies" {
	start_ctr
	start_recvtty
	write_process '{"terminal": true, "consoleSize": {"height": 12, "width": 34}, "args": ["/probe", "winsize"],
		"cwd": "/", "user": {"uid": 0, "gid": 0}}'
	srun silo exec -d -p "$T/process.json" --console-socket "$T/console.sock" "$ID"
	assert_status 0
	wait "$RECVTTY_PID" || true
	out=$(tr -d '\r' <"$T/tty.out")
	grep -qx '12 34' <<<"$out" || fail "winsize: $out"
}

@test "exec: a detached terminal needs --console-socket; a console socket needs a terminal" {
	start_ctr
	srun silo exec -d -t "$ID" /probe true
	assert_exec_error "console-socket"
	srun silo exec -d --console-socket "$T/none.sock" "$ID" /probe true
	assert_exec_error "console"
}

@test "exec: --preserve-fds passes fds 3.., other inherited fds are closed" {
	start_ctr
	: >"$T/fd3"
	KEEP_FDS="3 7" srun silo exec --preserve-fds 1 "$ID" /bin/sh -c '/probe fds; /probe fdwrite 3 via-3' \
		3>"$T/fd3" 7>"$T/fd7"
	assert_status 0
	grep -qE "^3 .*/fd3$" <<<"$output" || fail "fd 3 missing: $output"
	! grep -qE '^7 ' <<<"$output" || fail "fd 7 (not preserved) leaked: $output"
	[ "$(cat "$T/fd3")" = via-3 ] || fail "write through fd 3 lost"
	KEEP_FDS="3" srun silo exec "$ID" /probe fds 3>"$T/fd3"
	! grep -qE '^3 ' <<<"$output" || fail "fd 3 leaked without --preserve-fds: $output"
}

@test "exec: LISTEN_FDS is not for exec, as in runc: no fd passed, no variable set" {
	start_ctr
	: >"$T/l3"
	srun env LISTEN_FDS=1 bash -c 'exec 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; export LISTEN_PID=$$; exec "$@"' \
		_ "$SILO_OCI" --root "$STATE" exec "$ID" /bin/sh -c '/probe env; /probe fds' 3>"$T/l3"
	assert_status 0
	assert_output_lacks "LISTEN_FDS"
	! grep -qE '^3 ' <<<"$output" || fail "fd 3 passed: $output"
}

@test "exec: --pidfd-socket receives a pidfd of the exec'd process" {
	skip_if_runc "runc 1.1.5 has no --pidfd-socket"
	start_ctr
	start_recvtty
	srun silo exec -d --pidfd-socket "$T/console.sock" --pid-file "$T/exec.pid" "$ID" /bin/sleep 100
	assert_status 0
	wait "$RECVTTY_PID" || true
	grep -qx 'target anon_inode:\[pidfd\]' "$T/tty.info" || fail "not a pidfd: $(cat "$T/tty.info")"
}

@test "exec: signals to a foreground exec reach the process" {
	start_ctr
	silo exec "$ID" /bin/sh -c 'trap "echo got-term > /tmp/term; exit 7" TERM; echo up > /tmp/up; while :; do sleep 0.1; done' \
		</dev/null >"$T/fg.out" 2>&1 &
	fg=$!
	wait_for "$ROOTFS/tmp/up"
	# The runtime itself (timeout's child) forwards what it gets.
	rpid=$(pgrep -P "$fg" -f "exec $ID" | head -n1)
	[ -z "$rpid" ] && rpid=$(pgrep -f -- "--root $STATE exec $ID" | head -n1)
	kill -TERM "$rpid"
	rc=0
	wait "$fg" || rc=$?
	[ "$rc" -eq 7 ] || fail "exit $rc: $(cat "$T/fg.out")"
	[ "$(cat "$ROOTFS/tmp/term")" = got-term ]
}

@test "exec: no mount appears on the host" {
	start_ctr
	before=$(wc -l </proc/self/mountinfo)
	srun silo exec "$ID" /probe true
	assert_status 0
	[ "$(wc -l </proc/self/mountinfo)" = "$before" ]
}

@test "exec: the process of a container made with --config comes from that file" {
	skip_if_runc "runc has no --config"
	jq '.process.env += ["FROM=other-config"] | .process.args = ["/bin/sleep", "1000"]' \
		"$BUNDLE/config.json" >"$T/other.json"
	srun silo run -d --config "$T/other.json" --bundle "$BUNDLE" "$ID"
	assert_status 0
	srun silo exec "$ID" /probe env
	assert_status 0
	assert_output_has "FROM=other-config"
}

@test "exec: --cgroup-manager disabled makes no cgroup; exec still joins the namespaces" {
	skip_if_runc "runc has no --cgroup-manager"
	args /bin/sleep 1000
	srun silo --cgroup-manager disabled run -d --bundle "$BUNDLE" "$ID"
	assert_status 0
	PID=$(ctr_pid)
	[ "$(cat "/proc/$PID/cgroup")" = "$(cat /proc/self/cgroup)" ] ||
		fail "the init moved: $(cat "/proc/$PID/cgroup")"
	[ -z "$(_leaked_cgroups)" ] || fail "cgroups made: $(_leaked_cgroups)"
	srun silo exec "$ID" /probe ns
	assert_status 0
	got=$(awk '$1 == "pid" { print $2 }' <<<"$output")
	[ "$got" = "$(readlink "/proc/$PID/ns/pid")" ] || fail "pid ns: $got"
	srun silo --cgroup-manager bogus state "$ID"
	assert_usage_error
}

@test "exec: the process has only stdio open, whatever the caller holds" {
	start_ctr
	KEEP_FDS="5 7" srun silo exec "$ID" /probe fds 5>"$T/fd5" 7>"$T/fd7"
	assert_status 0
	[ "$(awk '$1 >= 3' <<<"$output")" = "" ] || fail "fds leaked: $output"
}

@test "exec: --cwd through a magic link never reaches a runtime fd (CVE-2024-21626 class)" {
	start_ctr
	for cwd in /proc/self/fd/7 /proc/self/cwd /proc/1/cwd; do
		KEEP_FDS=7 srun silo exec --cwd "$cwd" "$ID" /probe cwd 7<"$T"
		if [ "$status" -eq 0 ]; then
			[[ "$output" == /* ]] && [[ "$output" != *unreachable* ]] || fail "$cwd: cwd $output"
			[[ "$output" != "$T"* ]] || fail "$cwd: the host's $output"
		else
			assert_exec_error
		fi
	done
}
