#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# containerd 1.6 (ctr -> containerd-shim-runc-v2) with the runtime under test
# given per container (`ctr run --runc-binary $SILO_OCI --runc-root ...`).  A
# standalone containerd is started by setup_file with its root, state and
# socket under $ENG and stopped by teardown_file.  The calls each scenario
# makes are listed in /work/shared/docs/engines.md §5.3.  Every test ends by
# removing its tasks and containers and failing on leftovers: a state dir in
# the runtime's root, a cgroup under /eng-ctr, a mount, a shim.
#
# SILO_OCI=/usr/sbin/runc runs the same tests against runc.

load ../engines/engines
bats_require_minimum_version 1.5.0

IMG=localhost/bb:latest

setup_file() {
	[ "$(id -u)" = 0 ] || skip "the engine tests need root"
	eng_init
	eng_snapshot
	eng_ctrd_start
}

teardown_file() {
	[ -n "${ENG:-}" ] || return 0
	eng_ctrd_stop
	eng_restore_host
	eng_remove_workdir
}

setup() {
	eng_mark "$CR_ROOT"
}

teardown() {
	local c
	for c in $(cr containers ls -q 2>/dev/null); do
		cr task rm -f "$c" >/dev/null 2>&1
		cr containers rm "$c" >/dev/null 2>&1
	done
	eng_leftovers "$CR_ROOT" "$CR_CG"
}

out() { echo "# $*: status $status, output: $output" >&2; }

# The status of task NAME: RUNNING, STOPPED, PAUSED...
task_status() { cr task ls | awk -v n="$1" '$1 == n { print $3 }'; }
task_procs_ge() { [ "$(cr task ps "$1" | tail -n +2 | wc -l)" -ge "$2" ]; } # NAME N
task_is() { [ "$(task_status "$1")" = "$2" ]; } # NAME STATUS

# Whether FILE exists in the rootfs of task NAME (seen from the host).
cr_file() { # NAME FILE
	local pid
	pid=$(cr task ls | awk -v n="$1" '$1 == n { print $2 }')
	[ -n "$pid" ] && [ -e "/proc/$pid/root$2" ]
}

@test "containerd: ctr run --rm echo" {
	run cr_run --rm $IMG eng-cd-echo echo hello-from-ctr
	out ctr run
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-ctr ]
	# the shim's own fds (a socket on 3) must not reach the container
	run cr_run --rm $IMG eng-cd-fds ls /proc/self/fd
	out ls fd
	[ "$(echo $output)" = "0 1 2 3" ]
}

@test "containerd: exit codes pass through; a missing binary fails the run" {
	run -0 cr_run --rm $IMG eng-cd-0 true
	run -3 cr_run --rm $IMG eng-cd-3 sh -c 'exit 3'
	run cr_run --rm $IMG eng-cd-127 /nonexistent
	out /nonexistent
	[ "$status" -ne 0 ]
	[[ "$output" == *"/nonexistent"* ]]
	cr containers rm eng-cd-127 2>/dev/null || true
}

@test "containerd: run -d, task kill, task rm; task rm -f of a running task" {
	run cr_run -d --null-io $IMG eng-cd-d sh -c 'trap "exit 42" TERM; echo ready >/tmp/ready; while :; do sleep 0.1; done'
	out run -d
	[ "$status" -eq 0 ]
	[ "$(task_status eng-cd-d)" = RUNNING ]
	eng_wait 10 cr_file eng-cd-d /tmp/ready
	run cr task kill eng-cd-d
	out task kill
	[ "$status" -eq 0 ]
	eng_wait 10 task_is eng-cd-d STOPPED
	run cr task rm eng-cd-d
	out task rm
	[ "$status" -eq 0 ]
	[[ "$output" == *"exit code 42"* ]] # ctr warns about a non-zero exit

	# a running task: task rm -f kills (kill --all 9) and deletes it
	run cr_run -d --null-io $IMG eng-cd-f sleep 1000
	[ "$status" -eq 0 ]
	run cr task rm -f eng-cd-f
	out task rm -f
	[ "$status" -eq 0 ]
	run cr task ls -q
	[[ "$output" != *eng-cd-f* ]]
	cr containers rm eng-cd-d eng-cd-f
}

@test "containerd: task exec, exit code, task exec -t" {
	run cr_run -d --null-io $IMG eng-cd-x sleep 1000
	[ "$status" -eq 0 ]
	run cr task exec --exec-id e1 eng-cd-x echo exec-ok
	out task exec
	[ "$status" -eq 0 ]
	[ "$output" = exec-ok ]
	run -5 cr task exec --exec-id e2 eng-cd-x sh -c 'exit 5'
	# ctr sends only "terminal": true in process.json and --console-socket
	run eng_tty "ctr --address $ENG/ctrd/containerd.sock --namespace eng task exec -t --exec-id e3 eng-cd-x tty"
	out task exec -t
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* ]]
}

@test "containerd: task kill --all ends every process of the task" {
	run cr_run -d --null-io $IMG eng-cd-all sh -c 'sleep 1000 & sleep 1000 & wait'
	[ "$status" -eq 0 ]
	eng_wait 10 task_procs_ge eng-cd-all 3
	run cr task kill --all -s SIGKILL eng-cd-all
	out task kill --all
	[ "$status" -eq 0 ]
	eng_wait 10 task_is eng-cd-all STOPPED
	run cr task rm eng-cd-all
	[ "$status" -eq 0 ]
	cr containers rm eng-cd-all
}

@test "containerd: ctr run -t --rm with a tty" {
	run eng_tty "ctr --address $ENG/ctrd/containerd.sock --namespace eng run -t --rm --runc-binary $ENG_RT --runc-root ${CR_ROOT%/*} --cgroup /$CR_CG/eng-cd-tty $IMG eng-cd-tty sh -c 'tty; exit 4'"
	out run -t
	[ "$status" -eq 4 ]
	[[ "$output" == *"/dev/pts/0"* ]]
}
