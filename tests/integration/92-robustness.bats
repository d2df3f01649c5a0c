#!/usr/bin/env bats
# Robustness of the runtime's own bookkeeping (../shared/docs/security.md §6,
# plan items 24, 25, 32 and 12): racing creates of one id, a runtime killed
# in the middle of create or start, and stdio reopened through a hostile
# /dev/null.  Each test is named after the plan item it guards; each also
# gets the suite's teardown, which fails it if anything was left behind.

load helpers

# No state dir, cgroup, mount or process of this test is left right now
# (after a `delete --force`; killed processes get a moment to go away).
assert_nothing_left() { # WHAT
	local deadline=$((SECONDS + 5)) p
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ -z "$(_leaked_pids)" ] && [ -z "$(_leaked_cgroups)" ] && break
		sleep 0.2
	done
	[ ! -e "$STATE/$ID" ] || fail "$1: state dir left: $(ls -la "$STATE/$ID")" || return 1
	p=$(_leaked_pids)
	[ -z "$p" ] || fail "$1: process left: $(for x in $p; do tr '\0' ' ' <"/proc/$x/cmdline"; echo; done)" || return 1
	p=$(_leaked_cgroups)
	[ -z "$p" ] || fail "$1: cgroup left: $p" || return 1
	p=$(_leaked_mounts)
	[ -z "$p" ] || fail "$1: mount left: $p" || return 1
}

# `state` of a container the runtime was killed on: either a clean one-line
# error, or JSON with a known status whose pid (if any) agrees with it.
assert_state_consistent() { # WHAT
	local st pid
	srun silo state "$ID"
	if [ "$status" -ne 0 ]; then
		[ "$status" -eq 1 ] || fail "$1: state exited $status: $stderr" || return 1
		is_silo || return 0
		[ "${#stderr_lines[@]}" -eq 1 ] && [[ "${stderr_lines[0]}" == "silo-oci: "* ]] ||
			fail "$1: state failed without one clean error line: $stderr" || return 1
		return 0
	fi
	st=$(jq -r .status <<<"$output") || fail "$1: state printed no JSON: $output" || return 1
	pid=$(jq -r .pid <<<"$output")
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

@test "plan 24 (state atomicity): create SIGKILLed at 15 short delays: state errors cleanly or is consistent, delete --force leaves nothing" {
	args /probe sleep 100
	local i d
	# Spread over the whole create (no timing assumption: any point will do,
	# including before it starts and after it is done).
	for i in $(seq 0 14); do
		d=$(awk -v i="$i" -v r="$RANDOM" 'BEGIN { printf "%.3f", i * 0.02 + (r % 20) / 1000 }')
		runtime_bg "$T/create-$i" create --bundle "$BUNDLE" "$ID"
		sleep "$d"
		kill -9 "$RT_PID" 2>/dev/null || true
		wait "$RT_PID" || true
		assert_state_consistent "iteration $i (delay $d s)"
		srun silo delete --force "$ID"
		[ "$status" -eq 0 ] || fail "iteration $i (delay $d s): delete --force failed: $stderr"
		assert_nothing_left "iteration $i (delay $d s)"
	done
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
	p=$(_leaked_pids)
	[ -z "$p" ] || fail "$1: $(wc -w <<<"$p") processes left: $(head -c 300 <<<"$p")" || return 1
	p=$(_leaked_cgroups)
	[ -z "$p" ] || fail "$1: $(wc -l <<<"$p") cgroups left: $(head -n 5 <<<"$p")" || return 1
	p=$(_leaked_mounts)
	[ -z "$p" ] || fail "$1: mounts left: $(head -n 5 <<<"$p")" || return 1
}

@test "plan 26 (concurrent creates): 400 distinct containers, 24 at a time, share a rootfs, bind sources and new mountpoints: all succeed; parallel delete --force leaves nothing" {
	# SILO_TEST_CONCURRENT_N / _PAR change the count and the parallelism.
	local n=${SILO_TEST_CONCURRENT_N:-400} par=${SILO_TEST_CONCURRENT_PAR:-24} i bad=() st
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
