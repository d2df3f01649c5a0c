#!/usr/bin/env bats
# Robustness of the runtime's own bookkeeping (../shared/docs/security.md §6,
# plan items 24, 25, 26, 27, 31, 32 and 12): racing creates of one id, a runtime killed
# in the middle of create or start, and stdio reopened through a hostile
# /dev/null.  Each test is named after the plan item it guards; each also
# gets the suite's teardown, which fails it if anything was left behind.

load helpers

# The suite's teardown, after thawing any sub-cgroup a test froze inside its
# containers' cgroups (plan 27): should the runtime leave one frozen, its
# processes could not be killed and the teardown could not clean up.
eval "$(declare -f teardown | sed '1s/^teardown/suite_teardown/')"
teardown() {
	local d
	if [ -n "${BASE:-}" ]; then
		for d in $(find /sys/fs/cgroup -mindepth 2 -type d -path "*/$BASE*/*" 2>/dev/null); do
			[ -e "$d/freezer.state" ] && echo THAWED >"$d/freezer.state" 2>/dev/null
			[ -e "$d/cgroup.freeze" ] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
		done
	fi
	suite_teardown
}

# pid, state, parent, cgroup (pids) and command line of each process given
# (that may be gone by now).
describe_pids() { # PID...
	local x st cg cmd
	for x in "$@"; do
		st=$(awk '{ print "state", $3, "ppid", $4 }' "/proc/$x/stat" 2>/dev/null) || true
		cg=$(grep ':pids:' "/proc/$x/cgroup" 2>/dev/null) || true
		cmd=$(tr '\0' ' ' <"/proc/$x/cmdline" 2>/dev/null) || true
		echo "$x $st $cg $cmd"
	done
}

# No state dir, cgroup, mount or process of this test is left right now
# (after a `delete --force`; killed processes get a moment to go away).
assert_nothing_left() { # WHAT
	local deadline=$((SECONDS + 5)) p c
	while :; do
		p=$(_leaked_pids) || true
		c=$(_leaked_cgroups) || true
		[ -n "$p$c" ] && [ "$SECONDS" -lt "$deadline" ] || break
		sleep 0.2
	done
	[ ! -e "$STATE/$ID" ] || fail "$1: state dir left: $(ls -la "$STATE/$ID")" || return 1
	[ -z "$p" ] || fail "$1: process left: $(describe_pids $p)" || return 1
	[ -z "$c" ] || fail "$1: cgroup left: $c" || return 1
	p=$(_leaked_mounts) || true
	[ -z "$p" ] || fail "$1: mount left: $p" || return 1
}

# `state` of a container the runtime was killed on: either a clean one-line
# error, or JSON with a known status whose pid (if any) agrees with it.
assert_state_consistent() { # WHAT
	local st pid
	srun silo state "$ID"
	STATE_SEEN=error
	if [ "$status" -ne 0 ]; then
		[ "$status" -eq 1 ] || fail "$1: state exited $status: $stderr" || return 1
		is_silo || return 0
		[ "${#stderr_lines[@]}" -eq 1 ] && [[ "${stderr_lines[0]}" == "silo-oci: "* ]] ||
			fail "$1: state failed without one clean error line: $stderr" || return 1
		return 0
	fi
	read -r st pid < <(jq -r '"\(.status) \(.pid)"' <<<"$output") ||
		fail "$1: state printed no JSON: $output" || return 1
	STATE_SEEN=$st
	case "$st" in
	creating | created | running | paused)
		# A live status names a live process (0 only while creating).
		if [ "$st" != creating ]; then
			[ "$pid" -gt 0 ] && kill -0 "$pid" 2>/dev/null ||
				fail "$1: status $st but pid $pid is not alive" || return 1
		fi
		;;
	stopped) ;;
	*) fail "$1: unknown status '$st': $output" || return 1 ;;
	esac
}

# The runtime, started directly in the background so that $! is its own pid
# (not a wrapper's); stdio to files under $T.
runtime_bg() { # OUT-PREFIX ARGS...
	local out=$1
	shift
	"$SILO_OCI" --root "$STATE" "$@" </dev/null >"$out.out" 2>"$out.err" 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	RT_PID=$!
}

@test "plan 25 (duplicate create): 20 parallel creates of one id: one wins, the others say it exists, state.json always parses" {
	args /probe sleep 100
	local i pids=() rc ok=0 exists=0 others=()
	# A reader that parses state.json as often as it can while they race.
	(
		bad=0 seen=0
		while [ ! -e "$T/race.done" ]; do
			if s=$(cat "$STATE/$ID/state.json" 2>/dev/null); then
				seen=$((seen + 1))
				jq -e .id <<<"$s" >/dev/null 2>&1 || { bad=$((bad + 1)); printf '%s\n---\n' "$s" >>"$T/race.bad"; }
			fi
		done
		echo "$seen $bad" >"$T/race.reader"
	) </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- &
	reader=$!
	BG_PIDS+=("$reader")
	mkdir -p "$T/race"
	for i in $(seq 20); do
		runtime_bg "$T/race/$i" create --bundle "$BUNDLE" "$ID"
		pids+=("$RT_PID")
	done
	for i in $(seq 20); do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		if [ "$rc" -eq 0 ]; then
			ok=$((ok + 1))
		elif [ "$rc" -eq 1 ] && grep -q "already exists" "$T/race/$i.err"; then
			exists=$((exists + 1))
			if is_silo; then
				[ "$(wc -l <"$T/race/$i.err")" -eq 1 ] || others+=("$i: more than one line: $(cat "$T/race/$i.err")")
			fi
		else
			others+=("$i: exit $rc: $(cat "$T/race/$i.err")")
		fi
	done
	touch "$T/race.done"
	wait "$reader"
	echo "# $ok won, $exists said it exists; reader: $(cat "$T/race.reader")" >&2
	[ ${#others[@]} -eq 0 ] || fail "unexpected results: ${others[*]}"
	[ "$ok" -eq 1 ] || fail "$ok creates succeeded, not exactly one"
	[ "$exists" -eq 19 ] || fail "$exists creates said the container exists, not 19"
	# (the winner's state.json exists before race.done: it read at least once)
	[ "$(cut -d' ' -f1 "$T/race.reader")" -gt 0 ] || fail "the reader never read state.json"
	[ ! -e "$T/race.bad" ] || fail "state.json did not parse while they raced: $(cat "$T/race.bad")"
	# The winner's container is whole: created, its init alive, it starts.
	[ "$(state_field status)" = created ] || fail "status after the race: $(state_field status)"
	kill -0 "$(ctr_pid)" || fail "the winner's init is gone"
	srun silo start "$ID"
	assert_status 0
	wait_status running
	srun silo delete --force "$ID"
	assert_status 0
	assert_nothing_left "after delete"
}

# A host hook that records its parent (the runtime that runs it) and then
# waits as long as that parent lives: killing the runtime ends it too.
write_block_hook() {
	cat >"$T/block.sh" <<-'EOF'
	#!/bin/sh
	cat >/dev/null
	echo "$PPID" >"$1.tmp" && mv "$1.tmp" "$1"
	while kill -0 "$PPID" 2>/dev/null; do sleep 0.1; done
	EOF
	chmod 755 "$T/block.sh"
}

@test "plan 32 (runtime crash mid-create): create SIGKILLed in a createRuntime hook while the init waits: state is consistent, delete --force cleans all" {
	write_block_hook
	cfg --arg p "$T/block.sh" --arg m "$T/hook.ppid" \
		'.hooks.createRuntime = [{"path": $p, "args": ["block.sh", $m]}]'
	args /probe sleep 100
	runtime_bg "$T/create" create --bundle "$BUNDLE" "$ID"
	create_pid=$RT_PID
	wait_for "$T/hook.ppid" '^[0-9]+$' 20
	# The init exists by now (the hook gets its pid) and waits for the runtime.
	kill -9 "$(cat "$T/hook.ppid")" "$create_pid" 2>/dev/null || true
	wait "$create_pid" || true
	assert_state_consistent "after the kill"
	srun silo delete --force "$ID"
	assert_status 0
	assert_nothing_left "after delete --force"
}

@test "plan 32 (runtime crash mid-start): start SIGKILLed in a poststart hook: state is consistent, delete --force cleans all" {
	write_block_hook
	cfg --arg p "$T/block.sh" --arg m "$T/hook.ppid" \
		'.hooks.poststart = [{"path": $p, "args": ["block.sh", $m]}]'
	args /probe sleep 100
	create_ctr
	assert_status 0
	runtime_bg "$T/start" start "$ID"
	start_pid=$RT_PID
	wait_for "$T/hook.ppid" '^[0-9]+$' 20
	kill -9 "$(cat "$T/hook.ppid")" "$start_pid" 2>/dev/null || true
	wait "$start_pid" || true
	assert_state_consistent "after the kill"
	srun silo delete --force "$ID"
	assert_status 0
	assert_nothing_left "after delete --force"
}

@test "plan 24 (state atomicity): create SIGKILLed at random delays (40, SILO_TEST_KILL_ITERATIONS): state errors cleanly or is consistent, delete --force leaves nothing" {
	args /probe sleep 100
	# (fewer under the sanitizers, whose runtime is several times slower)
	local i d n=${SILO_TEST_KILL_ITERATIONS:-$([ -n "${SILO_SANITIZER_LOGDIR:-}" ] && echo 15 || echo 40)} t0 span seen=()
	# The delays are uniform over 1.2 times the quickest of 3 whole creates
	# here, measured first (no timing assumption: any point will do,
	# including before it starts and after it is done; the measure only
	# keeps most kills inside the create on fast and slow machines alike).
	span=1000000
	for i in 1 2 3; do
		t0=$EPOCHREALTIME
		runtime_bg "$T/calibrate" create --bundle "$BUNDLE" "$ID"
		wait "$RT_PID" || fail "create failed: $(cat "$T/calibrate.err")"
		span=$(awk -v a="$t0" -v b="$EPOCHREALTIME" -v s="$span" 'BEGIN { t = int((b - a) * 1200); if (t < 10) t = 10; print (t < s ? t : s) }')
		srun silo delete --force "$ID"
		assert_status 0
	done
	echo "# quickest create: $((span * 5 / 6)) ms; $n kills at 0-$span ms" >&2
	for i in $(seq "$n"); do
		d=$(awk -v r="$RANDOM" -v s="$span" 'BEGIN { printf "%.3f", (r % s) / 1000 }')
		runtime_bg "$T/create-$i" create --bundle "$BUNDLE" "$ID"
		sleep "$d"
		kill -9 "$RT_PID" 2>/dev/null || true
		wait "$RT_PID" || true
		assert_state_consistent "iteration $i (delay $d s)"
		seen+=("$STATE_SEEN")
		srun silo delete --force "$ID"
		[ "$status" -eq 0 ] || fail "iteration $i (delay $d s): delete --force failed: $stderr"
		assert_nothing_left "iteration $i (delay $d s)"
	done
	echo "# state after the kills: $(printf '%s\n' "${seen[@]}" | sort | uniq -c | tr -s ' \n' ' ')" >&2
	# The id is usable again afterwards.
	create_ctr
	assert_status 0
	srun silo delete --force "$ID"
	assert_status 0
}

@test "crun CVE-2026-88265 class (plan 12): stdio /dev/null with the rootfs's dev/null a symlink to a host-like path, no /dev tmpfs" {
	is_silo || skip "runc 1.1.5 predates the fix"
	cfg 'del(.mounts[] | select(.destination == "/dev" or (.destination | startswith("/dev/"))))'
	# A host-like path, absolute, inside the rootfs, and the real host's twin.
	mkdir -p "$ROOTFS/dev" "$ROOTFS$T/hostlike"
	echo victim >"$ROOTFS$T/hostlike/file"
	chown 1234:1234 "$ROOTFS$T/hostlike/file"
	chmod 600 "$ROOTFS$T/hostlike/file"
	mkdir -p "$T/hostlike"
	echo host-victim >"$T/hostlike/file"
	chown 4321:4321 "$T/hostlike/file"
	chmod 640 "$T/hostlike/file"
	rm -f "$ROOTFS/dev/null"
	ln -s "$T/hostlike/file" "$ROOTFS/dev/null"
	before_in=$(stat -c '%u:%g %a %s' "$ROOTFS$T/hostlike/file")
	before_host=$(stat -c '%u:%g %a %s' "$T/hostlike/file")
	before_null=$(stat -c '%u:%g %a %t:%T' /dev/null)
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	args /probe sleep 100
	# Looked at from the host (a shell in the container would redirect its
	# own fds to write them down): the created init's stdio, then the
	# payload's, are the null device.
	rc=0
	silo create --bundle "$BUNDLE" "$ID" </dev/null >/dev/null 2>/dev/null || rc=$?
	echo "# create -> $rc" >&2
	if [ "$rc" -eq 0 ]; then
		pid=$(ctr_pid)
		for f in 0 1 2; do
			[ "$(stat -L -c '%F %t:%T' "/proc/$pid/fd/$f")" = "character special file 1:3" ] ||
				fail "the init's fd $f is not the null device: $(stat -L -c '%F %t:%T %n' "/proc/$pid/fd/$f")"
		done
		srun silo start "$ID"
		assert_status 0
		wait_status running
		for f in 0 1 2; do
			[ "$(stat -L -c '%F %t:%T' "/proc/$pid/fd/$f")" = "character special file 1:3" ] ||
				fail "the payload's fd $f is not the null device: $(stat -L -c '%F %t:%T %n' "/proc/$pid/fd/$f")"
		done
		srun silo delete --force "$ID"
		assert_status 0
	else
		# (its stderr is /dev/null too: only the status tells)
		[ "$rc" -eq 1 ] || fail "create exited $rc"
	fi
	[ "$(stat -c '%u:%g %a %s' "$ROOTFS$T/hostlike/file")" = "$before_in" ] ||
		fail "the symlink target in the rootfs changed: $(stat -c '%u:%g %a %s' "$ROOTFS$T/hostlike/file")"
	[ "$(cat "$ROOTFS$T/hostlike/file")" = victim ] || fail "the rootfs target was written"
	[ "$(stat -c '%u:%g %a %s' "$T/hostlike/file")" = "$before_host" ] ||
		fail "the host file changed: $(stat -c '%u:%g %a %s' "$T/hostlike/file")"
	[ "$(cat "$T/hostlike/file")" = host-victim ] || fail "the host file was written"
	# The runtime's stdio, the host's /dev/null, was not chowned to the user.
	[ "$(stat -c '%u:%g %a %t:%T' /dev/null)" = "$before_null" ] || fail "the host /dev/null changed: $(stat -c '%u:%g %a %t:%T' /dev/null)"
}

sysc_binary() {
	if [ -n "${SILO_SYSC:-}" ]; then echo "$SILO_SYSC"; return; fi
	if [ -x "$REPO/build/tests/silo-sysc" ]; then echo "$REPO/build/tests/silo-sysc"; return; fi
	_helper_binary silo-sysc "$REPO/tests/helpers/sysc.c" -static
}

@test "CVE-2016-9962 class (plan 13, exec): a process joining through exec is not dumpable before its execve" {
	skip_if_runc "runc 1.1.5 has no --ignore-paused"
	[ "$(uname -m)" = x86_64 ] || skip "raw ptrace number for x86_64 only"
	# A runs and is paused; an exec --ignore-paused into it joins A's
	# namespaces and cgroup and stays frozen there just before its execve:
	# a fixed point at which to look at it, not a race.
	args /probe sleep 100
	create_ctr --id "$ID-a"
	assert_status 0
	srun silo start "$ID-a"
	assert_status 0
	pid_a=$(ctr_pid "$ID-a")
	srun silo pause "$ID-a"
	assert_status 0
	srun silo exec -d --ignore-paused --pid-file "$T/exec.pid" "$ID-a" /probe true
	assert_status 0
	epid=$(cat "$T/exec.pid")
	# Still the runtime's forked child, not yet the payload.
	[ "$(cat "/proc/$epid/comm")" = silo-oci ] || fail "the exec process is not waiting before execve: $(cat "/proc/$epid/comm")"
	want=$(stat -L -c '%d:%i' "/proc/$epid/exe")
	# C, in A's pid namespace with the same capabilities and uid, looks at
	# every process it sees: the waiting one's exe, fds and memory stay shut
	# and PTRACE_ATTACH (16, raw syscall 101 on x86_64) is refused.
	cfg --arg p "/proc/$pid_a/ns/pid" --arg cg "$ID-c" '.linux.cgroupsPath = $cg
		| .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)'
	# The control: A's own payload (pid 1 there, dumpable) does attach, so
	# a refusal below is the dumpable flag's doing, not a missing capability.
	args /bin/sh -c 'echo "control $(/sysc 101 16 1 0 0)"; for p in /proc/[0-9]*; do
			[ "$p" = /proc/$$ ] && continue
			[ "$(cat $p/comm 2>/dev/null)" = silo-oci ] || continue
			stat -L -c "exe %d:%i $p" $p/exe 2>/dev/null
			for f in $p/fd/*; do readlink $f >/dev/null 2>&1 && echo "fd readable $f"; done
			head -c1 $p/mem >/dev/null 2>&1 && echo "mem readable $p"
			echo "ptrace $p $(/sysc 101 16 ${p#/proc/} 0 0)"
		done'
	cp "$(sysc_binary)" "$ROOTFS/sysc"
	create_ctr --id "$ID-c"
	assert_status 0
	srun silo start "$ID-c"
	assert_status 0
	wait_status stopped "$ID-c"
	out=$(ctr_output "$ID-c")
	echo "# C saw: $out" >&2
	grep -q "^control ok 0$" <<<"$out" || fail "the control attach to A's payload failed: $out"
	grep -q "^ptrace /proc/[0-9]* err EPERM$" <<<"$out" || fail "C did not see the exec process or PTRACE_ATTACH was not refused: $out"
	! grep -q "^ptrace .* ok" <<<"$out" || fail "PTRACE_ATTACH succeeded: $out"
	! grep -q "exe $want " <<<"$out" || fail "the runtime's binary was reachable: $out"
	! grep -q "readable" <<<"$out" || fail "$(grep readable <<<"$out")"
	# Released, it runs its payload normally.
	srun silo resume "$ID-a"
	assert_status 0
	for i in $(seq 100); do [ "$(cat "/proc/$epid/comm" 2>/dev/null)" != silo-oci ] && break; sleep 0.1; done
	[ "$(cat "/proc/$epid/comm" 2>/dev/null)" != silo-oci ] || fail "the exec process never ran its payload"
}

# --- plan 26: many distinct containers at once ---------------------------------

# The one runtime call of a worker: create or delete --force container $2 of
# the batch in $1 (xargs runs it); its exit status goes to $1/$2.<verb>.rc.
write_batch_worker() {
	cat >"$T/worker.sh" <<-'EOF'
	#!/bin/sh
	dir=$1 i=$2 verb=$3 rc=0
	shift 3
	if [ "$verb" = create ]; then
		"$SILO_OCI" --root "$STATE" create --bundle "$dir/b$i" "$BASE-c$i" \
			</dev/null >"$dir/b$i/out" 2>"$dir/b$i/err" || rc=$?
	else
		"$SILO_OCI" --root "$STATE" delete --force "$BASE-c$i" \
			</dev/null >/dev/null 2>"$dir/b$i/del.err" || rc=$?
	fi
	echo "$rc" >"$dir/b$i/$verb.rc"
	EOF
	chmod 755 "$T/worker.sh"
}

# Every state dir, cgroup, mount and process of containers $BASE-c* is gone.
assert_batch_gone() { # WHAT
	local deadline=$((SECONDS + 10)) p
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ -z "$(_leaked_pids)" ] && [ -z "$(_leaked_cgroups)" ] && break
		sleep 0.2
	done
	p=$(ls "$STATE")
	[ -z "$p" ] || fail "$1: $(wc -w <<<"$p") state dirs left: $(head -c 300 <<<"$p")" || return 1
	p=$(_leaked_pids) || true
	[ -z "$p" ] || fail "$1: $(wc -w <<<"$p") processes left: $(head -c 300 <<<"$p")" || return 1
	p=$(_leaked_cgroups) || true
	[ -z "$p" ] || fail "$1: $(wc -l <<<"$p") cgroups left: $(head -n 5 <<<"$p")" || return 1
	p=$(_leaked_mounts) || true
	[ -z "$p" ] || fail "$1: mounts left: $(head -n 5 <<<"$p")" || return 1
}

@test "plan 26 (concurrent creates): 400 distinct containers, 24 at a time, share a rootfs, bind sources and new mountpoints: all succeed; parallel delete --force leaves nothing" {
	# SILO_TEST_CONCURRENT_N / _PAR change the count and the parallelism.
	# (100 under the sanitizers, whose runtime is several times slower)
	local n=${SILO_TEST_CONCURRENT_N:-$([ -n "${SILO_SANITIZER_LOGDIR:-}" ] && echo 100 || echo 400)}
	local par=${SILO_TEST_CONCURRENT_PAR:-24} i bad=() st
	mkdir -p "$T/shared-src/sub" "$STATE"
	echo shared >"$T/shared-file"
	# Every container binds the same sources onto mountpoints that do not
	# exist yet in the one rootfs they all use: a common one, and per group
	# of 16 consecutive ids (so the whole run, not just its first batch,
	# races on making mountpoint dirs and files: runc#4543's EEXIST).
	cfg --arg r "$ROOTFS" --arg s "$T/shared-src" --arg f "$T/shared-file" '.root.path = $r
		| .mounts += [
			{"destination": "/mnt/common/deep/dir", "type": "bind", "source": $s, "options": ["rbind", "ro"]},
			{"destination": "/mnt/gGROUP/dir", "type": "bind", "source": $s, "options": ["rbind"]},
			{"destination": "/mnt/gGROUP/sub/file", "type": "bind", "source": $f, "options": ["bind", "ro"]},
			{"destination": "/mnt/gGROUP/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}]
		| .linux.cgroupsPath = "CGPATH"'
	args /probe pause
	for i in $(seq 0 $((n - 1))); do
		mkdir "$T/b$i"
		sed -e "s/GROUP/$((i / 16))/g" -e "s/CGPATH/$BASE-c$i/" "$BUNDLE/config.json" >"$T/b$i/config.json"
	done
	write_batch_worker
	export SILO_OCI STATE BASE
	seq 0 $((n - 1)) | xargs -P "$par" -I{} "$T/worker.sh" "$T" {} create 3>&- 4>&- 5>&-
	for i in $(seq 0 $((n - 1))); do
		[ "$(cat "$T/b$i/create.rc" 2>/dev/null)" = 0 ] ||
			bad+=("c$i: exit $(cat "$T/b$i/create.rc" 2>/dev/null): $(cat "$T/b$i/err")")
	done
	# Every container is there at once, created, its init alive.
	st=$(silo list --format json | jq -r --arg b "$BASE-c" '[.[] | select(.id | startswith($b)) | select(.status == "created")] | length')
	echo "# $n creates, $par at a time: ${#bad[@]} failed; $st listed as created" >&2
	seq 0 $((n - 1)) | xargs -P "$par" -I{} "$T/worker.sh" "$T" {} delete 3>&- 4>&- 5>&-
	[ ${#bad[@]} -eq 0 ] || fail "${#bad[@]} creates failed: $(printf '%s\n' "${bad[@]}" | head -n 10)"
	[ "$st" = "$n" ] || fail "list shows $st of $n containers created"
	for i in $(seq 0 $((n - 1))); do
		[ "$(cat "$T/b$i/delete.rc" 2>/dev/null)" = 0 ] ||
			bad+=("c$i: exit $(cat "$T/b$i/delete.rc" 2>/dev/null): $(cat "$T/b$i/del.err")")
	done
	[ ${#bad[@]} -eq 0 ] || fail "${#bad[@]} delete --force failed: $(printf '%s\n' "${bad[@]}" | head -n 10)"
	assert_batch_gone "after the parallel delete --force"
	# The shared rootfs got the mountpoints, and nothing was mounted over it on the host.
	[ -d "$ROOTFS/mnt/common/deep/dir" ] && [ -f "$ROOTFS/mnt/g0/sub/file" ] || fail "mountpoints missing"
	[ -z "$(ls -A "$ROOTFS/mnt/g0/dir")" ] || fail "a bind is still visible on the host"
}

# --- plan 31: pid reuse ---------------------------------------------------------

# The scenario of plan 31, run as pid 1 of a private pid namespace (bash
# reaps the orphaned inits there, and /proc/sys/kernel/ns_last_pid is that
# namespace's own): an init dies, a decoy `sleep` of ours gets its pid, and
# no runtime call may signal the decoy.  One line per check: "ok ..." or
# "FAIL ...".
write_reuse_script() {
	cat >"$T/reuse.sh" <<-'EOF'
	#!/bin/bash
	rt() { "$SILO_OCI" --root "$STATE" "$@" </dev/null 2>>"$T/reuse.err"; }
	decoy_alive() { # WHAT
		if [ -d "/proc/$decoy" ] && [ "$(awk '{ print $3 }' "/proc/$decoy/stat")" != Z ] &&
			[ "$(cat "/proc/$decoy/comm")" = sleep ]; then echo "ok decoy alive after $1"
		else echo "FAIL the decoy (pid $decoy) was signalled by: $1"; fi
	}
	stopped() { # ID WHAT
		local s
		s=$(rt state "$1" | jq -c '[.status, .pid]')
		[ "$s" = '["stopped",0]' ] && echo "ok $2: state stopped" || echo "FAIL $2: state says $s, not stopped with pid 0"
	}
	# The init of container ID dies, the decoy takes its pid.
	reuse() { # ID
		local pid start i
		pid=$(jq -r .pid "$STATE/$1/state.json")
		start=$(jq -r .startTime "$STATE/$1/state.json")
		[ "$pid" -gt 1 ] && [ "$start" -gt 0 ] || { echo "FAIL $1: state.json has pid $pid startTime $start"; exit 1; }
		[ "$(cut -d' ' -f22 "/proc/$pid/stat")" = "$start" ] || echo "FAIL $1: startTime $start is not the init's"
		kill -9 "$pid" 2>/dev/null
		for i in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
		[ ! -d "/proc/$pid" ] || { echo "FAIL $1: init $pid was not reaped"; exit 1; }
		stopped "$1" "$1 init gone"
		# A clock tick (10 ms) apart from the init's start, so that the start
		# time tells them apart (it always is by now; this makes it certain).
		while [ "$(cut -d' ' -f22 /proc/self/stat)" = "$start" ]; do sleep 0.01; done
		for i in 1 2 3; do
			# (no fork between the write and the sleep's: it gets pid + 1)
			echo $((pid - 1)) >/proc/sys/kernel/ns_last_pid
			sleep 1000 &
			decoy=$!
			[ "$decoy" = "$pid" ] && break
			kill "$decoy"
		done
		[ "$decoy" = "$pid" ] || { echo "FAIL $1: the decoy got pid $decoy, not $pid"; exit 1; }
		echo "ok $1: decoy $decoy has the dead init's pid"
	}
	# Whatever happens, the containers go while their pids still mean what
	# state.json says (here, not in the host's pid namespace).
	trap 'rt delete --force "$ID-a"; rt delete --force "$ID-b"' EXIT
	# A: created (own pid namespace), its init killed.
	rt create --bundle "$BUNDLE" "$ID-a" >/dev/null || { echo "FAIL create a"; exit 1; }
	reuse "$ID-a"
	stopped "$ID-a" "a with the decoy"
	for sig in KILL TERM; do
		rt kill "$ID-a" $sig && echo "FAIL a: kill $sig succeeded"
		decoy_alive "kill $sig"
	done
	rt kill --all "$ID-a" KILL
	decoy_alive "kill --all KILL"
	rt exec "$ID-a" /probe true && echo "FAIL a: exec succeeded"
	decoy_alive "exec"
	stopped "$ID-a" "a after kill"
	rt delete "$ID-a" || echo "FAIL a: delete of the stopped container failed"
	decoy_alive "delete"
	kill "$decoy"
	# B: running, no pid namespace (the runtime's), its init killed.
	rt create --bundle "$T/bundle-b" "$ID-b" >/dev/null || { echo "FAIL create b"; exit 1; }
	rt start "$ID-b" || { echo "FAIL start b"; exit 1; }
	reuse "$ID-b"
	stopped "$ID-b" "b with the decoy"
	rt kill "$ID-b" KILL && echo "FAIL b: kill KILL succeeded"
	decoy_alive "kill KILL (b)"
	rt kill --all "$ID-b" KILL
	decoy_alive "kill --all KILL (b)"
	rt delete --force "$ID-b" || echo "FAIL b: delete --force failed"
	decoy_alive "delete --force (b)"
	[ ! -e "$STATE/$ID-b" ] || echo "FAIL b: state dir left"
	kill "$decoy"
	echo done
	EOF
	chmod 755 "$T/reuse.sh"
}

@test "plan 31 (pid reuse): in a private pid namespace a decoy takes a dead init's pid: kill, kill --all, exec, state, delete and delete --force never signal it" {
	command -v unshare >/dev/null || skip "no unshare"
	args /probe pause
	mkdir -p "$T/bundle-b"
	jq --arg r "$ROOTFS" --arg cg "$ID-b" '.root.path = $r | .linux.cgroupsPath = $cg
		| .linux.namespaces |= map(select(.type != "pid"))' "$BUNDLE/config.json" >"$T/bundle-b/config.json"
	cfg --arg cg "$ID-a" '.linux.cgroupsPath = $cg'
	track "$ID-a"
	track "$ID-b"
	write_reuse_script
	srun env SILO_OCI="$SILO_OCI" STATE="$STATE" BUNDLE="$BUNDLE" T="$T" ID="$ID" \
		timeout -k 5 120 unshare --pid --fork --mount-proc --kill-child "$T/reuse.sh"
	echo "# runtime errors (expected ones included): $(cat "$T/reuse.err")" >&2
	assert_status 0
	! grep -q '^FAIL' <<<"$output" || fail "$(grep '^FAIL' <<<"$output")"
	[ "${lines[-1]}" = done ] || fail "the scenario did not finish: $output"
	[ "$(grep -c "^ok decoy alive" <<<"$output")" -eq 8 ] || fail "not every check ran: $output"
}

# --- plan 27: delete --force in every state ---------------------------------------

# Every cgroup dir (all hierarchies, sub-cgroups included) of container ID.
ctr_cgroups() { find /sys/fs/cgroup -mindepth 1 -type d -path "*/$1" 2>/dev/null; }

# Every process listed in the cgroups of container ID, sub-cgroups included.
ctr_procs() {
	local d
	for d in $(ctr_cgroups "$1"); do find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null; done | sort -un
}

# The live (not zombie) ones among PIDs.
live_pids() {
	local p s
	for p in "$@"; do
		s=$(awk '{ print $3 }' "/proc/$p/stat" 2>/dev/null) || continue
		[ -n "$s" ] && [ "$s" != Z ] && echo "$p"
	done
	return 0
}

# A container started from the current config, its payload ready.
start_matrix_ctr() { # ID
	cfg --arg cg "$1" '.linux.cgroupsPath = $cg'
	create_ctr --id "$1"
	assert_status 0
	srun silo start "$1"
	assert_status 0
}

@test "plan 27 (delete --force matrix): created, running, paused, stopped, missing, host pid namespace with the init gone and 5 left, frozen and busy sub-cgroups: exit 0, processes gone, cgroups removed" {
	local id pids left d ids=(created running paused stopped hostpid subcg) n
	args /bin/sh -c 'sleep 1000 & sleep 1000 & exec /probe pause'
	cfg --arg cg "$ID-created" '.linux.cgroupsPath = $cg'
	create_ctr --id "$ID-created"
	assert_status 0
	start_matrix_ctr "$ID-running"
	start_matrix_ctr "$ID-paused"
	start_matrix_ctr "$ID-subcg"
	# No pid namespace: its init's death leaves its 5 children running.
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	args /bin/sh -c 'for i in 1 2 3 4 5; do sleep 1000 & done; exec /probe pause'
	start_matrix_ctr "$ID-hostpid"
	args /probe true
	start_matrix_ctr "$ID-stopped"
	for id in running paused subcg hostpid; do wait_for "$T/$ID-$id.out" ready; done
	srun silo pause "$ID-paused"
	assert_status 0
	wait_status stopped "$ID-stopped"
	# hostpid: its init killed from here; state says stopped, 5 are left.
	kill -9 "$(ctr_pid "$ID-hostpid")"
	wait_status stopped "$ID-hostpid"
	[ "$(live_pids $(ctr_procs "$ID-hostpid") | wc -l)" -eq 5 ] ||
		fail "hostpid: not 5 processes left: $(describe_pids $(ctr_procs "$ID-hostpid"))"
	# subcg: in every hierarchy a sub-cgroup with a nested one, one of the
	# sleeps moved into it; the freezer's (v2: the sub-cgroup) frozen on its own.
	pids=($(live_pids $(ctr_procs "$ID-subcg")))
	[ "${#pids[@]}" -eq 3 ] || fail "subcg: not 3 processes: ${pids[*]}"
	n=0
	for d in $(ctr_cgroups "$ID-subcg"); do
		mkdir -p "$d/sub/nested"
		[ -e "$d/cgroup.procs" ] || continue
		# (v1 cpuset: a child takes no task before it has cpus and mems;
		# v2 has no such rule, and no tasks file)
		for f in cpuset.cpus cpuset.mems; do
			[ -e "$d/tasks" ] && [ -e "$d/$f" ] || continue
			cat "$d/$f" >"$d/sub/$f"
			cat "$d/$f" >"$d/sub/nested/$f"
		done
		echo "${pids[1]}" >"$d/sub/cgroup.procs"
		echo "${pids[2]}" >"$d/sub/nested/cgroup.procs"
		n=$((n + 1))
		if [ -e "$d/sub/freezer.state" ]; then
			echo FROZEN >"$d/sub/freezer.state"
		elif [ -e "$d/sub/cgroup.freeze" ]; then
			echo 1 >"$d/sub/cgroup.freeze"
		fi
	done
	[ "$n" -ge 1 ] || fail "subcg: no cgroup to make sub-cgroups in"
	echo "# sub-cgroups in $n hierarchies" >&2
	for id in "${ids[@]}"; do
		pids=($(ctr_procs "$ID-$id"))
		[ -n "$(ctr_cgroups "$ID-$id")" ] || fail "$id: no cgroup before the delete"
		srun silo delete --force "$ID-$id"
		[ "$status" -eq 0 ] || fail "$id: delete --force exited $status: $stderr"
		[ ! -e "$STATE/$ID-$id" ] || fail "$id: state dir left"
		for _ in $(seq 50); do
			left=$(live_pids "${pids[@]}")
			[ -z "$left" ] && break
			sleep 0.1
		done
		[ -z "$left" ] || fail "$id: processes left: $(describe_pids $left)"
		[ -z "$(ctr_cgroups "$ID-$id")" ] || fail "$id: cgroups left: $(ctr_cgroups "$ID-$id")"
	done
	srun silo delete --force "$ID-missing"
	assert_status 0
	[ -z "$(ctr_cgroups "$ID-missing")" ] && [ ! -e "$STATE/$ID-missing" ] || fail "delete --force of a missing id made something"
}
