#!/usr/bin/env bats
# SPDX-License-Identifier: LGPL-2.1-or-later
# docker 20.10 (dockerd -> containerd 1.6 -> containerd-shim-runc-v2) with the
# runtime under test registered in daemon.json as "silo" (`docker run
# --runtime silo`).  dockerd is started by setup_file with its own data root,
# exec root and socket under $ENG and stopped by teardown_file.  The calls
# each scenario makes are listed in /work/shared/docs/engines.md §5.2: every
# call carries --root <exec-root>/runtime-runc/moby, the container's network
# namespace is made by the runtime and set up by docker's prestart hook.
# Every test ends by removing its containers and failing on leftovers: a
# state dir in that root, a cgroup under /eng-docker, a mount, a shim.
#
# SILO_OCI=/usr/sbin/runc runs the same tests against runc.

load ../engines/engines
bats_require_minimum_version 1.5.0

setup_file() {
	[ "$(id -u)" = 0 ] || skip "the engine tests need root"
	eng_init
	eng_snapshot
	eng_docker_start
}

teardown_file() {
	[ -n "${ENG:-}" ] || return 0
	eng_docker_stop
	eng_restore_host
	eng_remove_workdir
}

setup() {
	eng_mark "$DK_ROOT"
}

teardown() {
	local ids
	ids=$(dk ps -aq)
	[ -z "$ids" ] || dk rm -f $ids >/dev/null 2>&1
	eng_leftovers "$DK_ROOT" "$DK_CG"
}

out() { echo "# $*: status $status, output: $output" >&2; }

# The host cgroup file FILE (v1 CONTROLLER/FILE) of container NAME's init.
ctr_cgroup_file() { # NAME CONTROLLER FILE
	local pid path
	pid=$(dk inspect -f '{{.State.Pid}}' "$1") || return 1
	path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' "/proc/$pid/cgroup")
	cat "/sys/fs/cgroup/$2$path/$3"
}

@test "docker: run --rm echo" {
	run dk_run --rm bb echo hello-from-docker
	out docker run
	[ "$status" -eq 0 ]
	[ "$output" = hello-from-docker ]
	run bash -c 'echo piped-stdin | /usr/bin/docker -H "unix://$1/docker/docker.sock" run --runtime silo --rm -i bb cat' _ "$ENG"
	out run -i
	[ "$status" -eq 0 ]
	[ "$output" = piped-stdin ]
	# the shim's own fds (a socket on 3) must not reach the container
	run dk_run --rm bb ls /proc/self/fd
	out ls fd
	[ "$(echo $output)" = "0 1 2 3" ]
}

@test "docker: --device makes the node and allows it" {
	run dk_run --rm --device /dev/null:/dev/eng-null bb sh -c 'ls -l /dev/eng-null | cut -c1-10; echo x >/dev/eng-null && echo written'
	out --device
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "crw-rw-rw- written" ]
}

@test "docker: exit codes 0, 3, 127 (missing binary), 126 (not executable)" {
	run -0 dk_run --rm bb true
	run -3 dk_run --rm bb sh -c 'exit 3'
	run -127 dk_run --rm bb /nonexistent
	out /nonexistent
	run -126 dk_run --rm bb /etc/passwd
	out /etc/passwd
}

@test "docker: run -d, stop (TERM handled; TERM ignored then KILL after -t), rm" {
	run dk_run -d --name eng-dk-term bb sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	eng_wait 10 sh -c "/usr/bin/docker -H unix://$ENG/docker/docker.sock logs eng-dk-term | grep -q ready"
	run dk stop -t 30 eng-dk-term
	out stop
	[ "$status" -eq 0 ]
	run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' eng-dk-term
	[ "$output" = "exited 42" ]

	run dk_run -d --name eng-dk-kill bb sleep 1000
	[ "$status" -eq 0 ]
	run dk stop -t 1 eng-dk-kill
	out stop
	[ "$status" -eq 0 ]
	run dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' eng-dk-kill
	out inspect
	[ "$output" = "exited 137" ]
	run dk rm eng-dk-term eng-dk-kill
	[ "$status" -eq 0 ]
}

@test "docker: exec, exec with exit code, exec -it with a tty" {
	run dk_run -d --name eng-dk-exec bb sleep 1000
	[ "$status" -eq 0 ]
	run dk exec eng-dk-exec echo exec-ok
	out exec
	[ "$status" -eq 0 ]
	[ "$output" = exec-ok ]
	run -5 dk exec eng-dk-exec sh -c 'exit 5'
	# docker sends only "terminal": true in process.json, no --tty
	run eng_tty "/usr/bin/docker -H unix://$ENG/docker/docker.sock exec -it eng-dk-exec tty"
	out exec -it
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/"* ]]
	run dk stop -t 1 eng-dk-exec
	[ "$status" -eq 0 ]
}

@test "docker: run -it --rm with a tty" {
	run eng_tty "/usr/bin/docker -H unix://$ENG/docker/docker.sock run --runtime silo -it --rm bb sh -c 'tty; exit 4'"
	out run -it
	[ "$status" -eq 4 ]
	[[ "$output" == *"/dev/pts/0"* ]]
}

LIMITS='for f in memory/memory.limit_in_bytes:memory.max pids/pids.max:pids.max cpu/cpu.cfs_quota_us:cpu.max; do
	v1=${f%%:*}; v2=${f#*:}
	cat /sys/fs/cgroup/$v1 2>/dev/null || cut -d" " -f1 /sys/fs/cgroup/$v2; done'

@test "docker: --memory, --pids-limit, --cpus are read back inside" {
	run dk_run --rm --memory 64m --pids-limit 20 --cpus 0.5 bb sh -c "$LIMITS"
	out run
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "67108864 20 50000" ]
}

@test "docker: update --memory --memory-swap --cpus --pids-limit (needs silo-oci update)" {
	run dk_run -d --name eng-dk-upd --memory 64m --cpus 0.5 bb sleep 1000
	[ "$status" -eq 0 ]
	[ "$(ctr_cgroup_file eng-dk-upd memory memory.limit_in_bytes)" = 67108864 ]
	run dk update --memory 128m --memory-swap 256m --cpus 1 --pids-limit 30 eng-dk-upd
	out update
	[ "$status" -eq 0 ]
	[ "$(ctr_cgroup_file eng-dk-upd memory memory.limit_in_bytes)" = 134217728 ]
	[ "$(ctr_cgroup_file eng-dk-upd cpu cpu.cfs_quota_us)" = 100000 ]
	[ "$(ctr_cgroup_file eng-dk-upd pids pids.max)" = 30 ]
}

@test "docker: pause, unpause, top (ps --format json)" {
	run dk_run -d --name eng-dk-pause bb sleep 1000
	[ "$status" -eq 0 ]
	run dk pause eng-dk-pause
	out pause
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.Status}}' eng-dk-pause)" = paused ]
	[ "$(ctr_cgroup_file eng-dk-pause freezer freezer.state)" = FROZEN ]
	run dk unpause eng-dk-pause
	out unpause
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.Status}}' eng-dk-pause)" = running ]
	[ "$(ctr_cgroup_file eng-dk-pause freezer freezer.state)" = THAWED ]
	run dk top eng-dk-pause
	out top
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 1000"* ]]
}

@test "docker: kill -s USR1 reaches the container, kill ends it" {
	run dk_run -d --name eng-dk-usr1 bb sh -c 'trap "echo got-usr1" USR1; echo ready; while :; do sleep 0.1; done'
	[ "$status" -eq 0 ]
	eng_wait 10 sh -c "/usr/bin/docker -H unix://$ENG/docker/docker.sock logs eng-dk-usr1 | grep -q ready"
	run dk kill -s USR1 eng-dk-usr1
	out kill
	[ "$status" -eq 0 ]
	eng_wait 10 sh -c "/usr/bin/docker -H unix://$ENG/docker/docker.sock logs eng-dk-usr1 | grep -q got-usr1"
	[ "$(dk inspect -f '{{.State.Status}}' eng-dk-usr1)" = running ]
	run dk kill eng-dk-usr1
	[ "$status" -eq 0 ]
	run dk wait eng-dk-usr1
	[ "$output" = 137 ]
}

@test "docker: the prestart hook sets up the network; -p 8080:80 with busybox httpd answers on 127.0.0.1" {
	run dk_run --rm bb ip -4 -o addr show eth0
	out ip addr
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.232.0."* ]]
	run dk_run -d --name eng-dk-web -p 127.0.0.1:8080:80 bb httpd -f -p 80 -h /var/www
	out run -p
	[ "$status" -eq 0 ]
	eng_wait 20 eng_http_get http://127.0.0.1:8080/
	run eng_http_get http://127.0.0.1:8080/
	[ "$output" = "hello from eng httpd" ]
}

@test "docker: --pid=host container stops (kill --all)" {
	run dk_run -d --name eng-dk-hostpid --pid=host bb sh -c 'echo ready; exec sleep 1000'
	[ "$status" -eq 0 ]
	eng_wait 10 sh -c "/usr/bin/docker -H unix://$ENG/docker/docker.sock logs eng-dk-hostpid | grep -q ready"
	run dk stop -t 5 eng-dk-hostpid
	out stop
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.Status}}' eng-dk-hostpid)" = exited ]
}

@test "docker: restart gives a new init" {
	run dk_run -d --name eng-dk-restart bb sleep 1000
	[ "$status" -eq 0 ]
	local pid1 pid2
	pid1=$(dk inspect -f '{{.State.Pid}}' eng-dk-restart)
	run dk restart -t 1 eng-dk-restart
	out restart
	[ "$status" -eq 0 ]
	pid2=$(dk inspect -f '{{.State.Pid}}' eng-dk-restart)
	[ "$(dk inspect -f '{{.State.Status}}' eng-dk-restart)" = running ]
	[ "$pid2" -gt 0 ] && [ "$pid2" != "$pid1" ]
}

@test "docker: --init runs the command under docker-init" {
	run dk_run --rm --init bb sh -c 'cat /proc/1/cmdline | tr "\0" " "; echo; echo "sh is pid $$"'
	out run --init
	[ "$status" -eq 0 ]
	[[ "$output" == *"docker-init -- sh -c"* ]]
	[[ "$output" != *"sh is pid 1"* ]]
}

@test "docker: runtimeArgs --debug before every call: run, a failing create still exits 127, exec" {
	run dk run --runtime silo-debug --rm bb echo debug-run
	out run
	[ "$status" -eq 0 ]
	[ "$output" = debug-run ]
	run -127 dk run --runtime silo-debug --rm bb /nonexistent
	out /nonexistent
	[[ "$output" == *"no such file or directory"* ]]
	run dk run --runtime silo-debug -d --name eng-dk-debug bb sleep 1000
	[ "$status" -eq 0 ]
	run dk exec eng-dk-debug echo debug-exec
	out exec
	[ "$output" = debug-exec ]
}
