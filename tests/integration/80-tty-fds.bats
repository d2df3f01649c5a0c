#!/usr/bin/env bats
# Terminals through --console-socket, and the fds a container inherits:
# stdio, --preserve-fds, LISTEN_FDS, and nothing else.

load helpers

@test "tty: the pty master arrives on the console socket; inside, stdio is /dev/pts/0" {
	start_recvtty --winsize 40x100
	cfg '.process.terminal = true'
	args /bin/sh -c '/probe isatty 0; /probe isatty 1; /probe isatty 2; /probe ttyname 0; /probe stat /dev/console; /probe winsize'
	create_ctr --console-socket "$T/console.sock"
	assert_status 0
	wait_for "$T/tty.info"
	grep -qE '^ptn [0-9]+$' "$T/tty.info" || fail "not a pty master: $(cat "$T/tty.info")"
	srun silo start "$ID"
	assert_status 0
	wait_status stopped
	out=$(wait_recvtty)
	mapfile -t l <<<"$out"
	[ "${l[0]}" = 1 ] && [ "${l[1]}" = 1 ] && [ "${l[2]}" = 1 ] || fail "stdio not a tty: $out"
	[ "${l[3]}" = /dev/pts/0 ] || fail "ttyname: ${l[3]}"
	[[ "${l[4]}" == type=c*rdev=136:* ]] || fail "/dev/console: ${l[4]}"
	[ "${l[5]}" = "40 100" ] || fail "winsize set on the master before start: ${l[5]}"
}

@test "tty: input written to the master reaches the container" {
	start_recvtty --input $'hello silo\n'
	cfg '.process.terminal = true'
	args /bin/sh -c 'read line; echo "got:$line"'
	create_ctr --console-socket "$T/console.sock"
	assert_status 0
	wait_for "$T/tty.info"
	srun silo start "$ID"
	wait_status stopped
	out=$(wait_recvtty)
	grep -qx 'got:hello silo' <<<"$out" || fail "tty output: $out"
}

@test "tty: terminal without --console-socket fails the create" {
	cfg '.process.terminal = true'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "console-socket"
}

@test "tty: a console socket nobody listens on fails the create" {
	cfg '.process.terminal = true'
	srun silo create --bundle "$BUNDLE" --console-socket "$T/nobody.sock" "$ID"
	assert_error "$T/nobody.sock"
}

@test "fds: a created container gets the caller's stdio and no other fd (CVE-2024-21626 class)" {
	echo data >"$T/fd7"
	args /probe fds
	KEEP_FDS=7 create_ctr 7<"$T/fd7"
	assert_status 0
	srun silo start "$ID"
	wait_status stopped
	out=$(ctr_output)
	[ "$(cut -d' ' -f1 <<<"$out" | tr '\n' ' ')" = "0 1 2 " ] || fail "fds inside: $out"
	grep -qx '0 /dev/null' <<<"$out" || fail "stdin is not the caller's /dev/null: $out"
	grep -qE "^1 .*/$ID.out$" <<<"$out" || fail "stdout is not the caller's: $out"
	grep -qE "^2 .*/$ID.err$" <<<"$out" || fail "stderr is not the caller's: $out"
	! grep -q '/proc$\|exec.fifo\|state' <<<"$out" || fail "a runtime fd leaked: $out"
}

@test "fds: run closes the caller's other fds too (CVE-2024-21626 class)" {
	echo data >"$T/fd7"
	args /probe fds
	KEEP_FDS=7 srun silo run --bundle "$BUNDLE" "$ID" 7<"$T/fd7"
	assert_status 0
	[ "$(cut -d' ' -f1 <<<"$output" | tr '\n' ' ')" = "0 1 2 " ] || fail "fds inside: $output"
}

@test "fds: --preserve-fds passes fds 3.. into the container" {
	: >"$T/fd3"
	echo four >"$T/fd4"
	args /bin/sh -c '/probe fds; /probe fdwrite 3 hello-from-3; read x <&4; echo "fd4:$x"'
	KEEP_FDS="3 4 7" srun silo run --preserve-fds 2 --bundle "$BUNDLE" "$ID" 3>"$T/fd3" 4<"$T/fd4" 7<"$T/fd4"
	assert_status 0
	grep -qE "^3 .*/fd3$" <<<"$output" || fail "fd 3 missing: $output"
	grep -qE "^4 .*/fd4$" <<<"$output" || fail "fd 4 missing: $output"
	! grep -qE '^7 ' <<<"$output" || fail "fd 7 (not preserved) leaked: $output"
	[ "$(cat "$T/fd3")" = hello-from-3 ] || fail "write through fd 3 lost"
	grep -qx 'fd4:four' <<<"$output" || fail "read through fd 4 failed: $output"
}

# listen_run ARGS...: the runtime with LISTEN_FDS=1 and LISTEN_PID set to its
# own pid (the sd_listen_fds convention), fd 3 open on $T/l3.
listen_run() {
	: >"$T/l3"
	srun env LISTEN_FDS=1 bash -c 'exec 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; export LISTEN_PID=$$; exec "$@"' \
		_ "$SILO_OCI" --root "$STATE" "$@" 3>"$T/l3"
}

@test "fds: LISTEN_FDS passes the sockets and sets LISTEN_FDS and LISTEN_PID" {
	args /probe env
	listen_run run --bundle "$BUNDLE" "$ID"
	assert_status 0
	grep -qx 'LISTEN_FDS=1' <<<"$output" || fail "LISTEN_FDS: $output"
	grep -qx 'LISTEN_PID=1' <<<"$output" || fail "LISTEN_PID: $output"
	args /probe fds
	listen_run run --bundle "$BUNDLE" "$ID"
	assert_status 0
	grep -qE "^3 .*/l3$" <<<"$output" || fail "fd 3 missing: $output"
	args /probe fdwrite 3 via-listen-fd
	listen_run run --bundle "$BUNDLE" "$ID"
	assert_status 0
	[ "$(cat "$T/l3")" = via-listen-fd ]
}

@test "fds: --pidfd-socket of create sends a pidfd of the container's process" {
	skip_if_runc "runc 1.1.5 has no --pidfd-socket"
	start_recvtty
	args /bin/sleep 100
	create_ctr --pidfd-socket "$T/console.sock"
	assert_status 0
	wait "$RECVTTY_PID" || true
	grep -qx 'target anon_inode:\[pidfd\]' "$T/tty.info" || fail "not a pidfd: $(cat "$T/tty.info")"
}

# notify_listen N: the caller's NOTIFY_SOCKET ($T/host-notify.sock), served by
# the probe on the host; it prints the first N datagrams into $T/notify.out.
notify_listen() {
	"$(probe_binary)" notify-listen "$T/host-notify.sock" "$1" >"$T/notify.out" 2>&1 3>&- 4>&- 5>&- &
	NOTIFY_PID=$!
	BG_PIDS+=("$NOTIFY_PID")
	wait_for "$T/notify.out" listening
}

@test "notify: READY=1 reaches the caller's NOTIFY_SOCKET through start, with MAINPID, once the container sends it" {
	skip_if_runc "runc's wording of the relayed message differs"
	notify_listen 2
	args /bin/sh -c 'echo "sock=$NOTIFY_SOCKET"; /probe notify STATUS=warming; echo before > /tmp/ready; /probe notify READY=1; sleep 100'
	NOTIFY_SOCKET=$T/host-notify.sock create_ctr
	assert_status 0
	# Not before start: the container has not run yet.
	[ "$(wc -l <"$T/notify.out")" = 1 ] || fail "relayed before start: $(cat "$T/notify.out")"
	NOTIFY_SOCKET=$T/host-notify.sock srun silo start "$ID"
	assert_status 0
	# start returned only once READY=1 went through.
	[ -e "$ROOTFS/tmp/ready" ] || fail "start returned before the container was ready"
	wait "$NOTIFY_PID" || fail "listener: $(cat "$T/notify.out")"
	grep -qx 'STATUS=warming' "$T/notify.out" || fail "STATUS not relayed: $(cat "$T/notify.out")"
	grep -qx "MAINPID=$(ctr_pid)|READY=1" "$T/notify.out" || fail "READY: $(cat "$T/notify.out")"
	grep -qx 'sock=/run/notify/notify.sock' "$T/$ID.out" || fail "container env: $(ctr_output)"
}

@test "notify: run relays READY=1 as well; the socket dir goes with the container" {
	skip_if_runc "runc's wording of the relayed message differs"
	notify_listen 1
	args /bin/sh -c '/probe notify READY=1; sleep 100'
	NOTIFY_SOCKET=$T/host-notify.sock srun silo run -d --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait "$NOTIFY_PID" || fail "listener: $(cat "$T/notify.out")"
	grep -qx "MAINPID=$(ctr_pid)|READY=1" "$T/notify.out" || fail "READY: $(cat "$T/notify.out")"
	[ -d "$STATE/$ID/notify" ] || fail "no notify dir"
	srun silo delete -f "$ID"
	assert_status 0
	[ ! -e "$STATE/$ID" ] || fail "state dir left: $(ls -R "$STATE/$ID")"
}

@test "notify: without NOTIFY_SOCKET the container gets no notify mount" {
	args /bin/sh -c 'echo "sock=$NOTIFY_SOCKET"; /probe mounts'
	srun env -u NOTIFY_SOCKET "$SILO_OCI" --root "$STATE" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_output_has "sock="
	assert_output_lacks "sock=/"
	assert_output_lacks "/run/notify"
}
