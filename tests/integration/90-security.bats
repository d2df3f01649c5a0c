#!/usr/bin/env bats
# Escape classes of runc, crun and others (../shared/docs/security.md), each
# test named after the CVE class it guards and driven through the real binary.
# Every test also gets the suite's teardown: nothing may be left behind.

load helpers

# A file tree on the host, outside the rootfs, that must stay as it is.
outside_snapshot() { find "$1" -printf '%y %m %s %p\n' | sort; }

@test "CVE-2024-21626 class: process.cwd through a leaked fd (/proc/self/fd/N) never reaches the host" {
	is_silo || skip "runc 1.1.5 checks this differently"
	for n in 3 4 5 6 7 8 9 10; do
		cfg --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		args /bin/sh -c 'pwd; ls ..'
		create_ctr --id "$ID-$n"
		if [ "$status" -eq 0 ]; then
			srun silo start "$ID-$n"
			wait_status stopped "$ID-$n"
			out=$(ctr_output "$ID-$n")
			# The host root holds this test's bundle dir; the container's does not.
			! grep -q "container_info.json\|^boot$" <<<"$out" || fail "fd $n: the payload saw the host: $out"
			[[ "$out" != "(unreachable)"* ]] || fail "fd $n: cwd outside the root: $out"
			srun silo delete --force "$ID-$n"
		else
			grep -q 'chdir to cwd' <<<"$stderr" || fail "fd $n: unexpected failure: $stderr"
		fi
	done
}

@test "CVE-2021-30465 class: a mount destination under a symlink to a host dir lands inside the rootfs" {
	mkdir -p "$T/hostdir"
	ln -s "$T/hostdir" "$ROOTFS/a"
	cfg '.mounts += [{"destination": "/a/b", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	args /probe mounts
	run_ctr
	[ -z "$(ls -A "$T/hostdir")" ] || fail "the host dir was written: $(ls -A "$T/hostdir")"
	if [ "$status" -eq 0 ]; then
		[ -d "$ROOTFS$T/hostdir/b" ] || fail "the mount point was not made inside the rootfs"
	fi
}

@test "CVE-2026-41579 class: a rootfs whose /dev is a symlink to the outside fails and leaves the outside untouched" {
	mkdir -p "$T/outside"
	echo marker >"$T/outside/ptmx"
	before=$(outside_snapshot "$T/outside")
	rm -rf "$ROOTFS/dev"
	ln -s "$T/outside" "$ROOTFS/dev"
	args /probe true
	run_ctr
	[ "$status" -ne 0 ] || fail "a symlinked /dev was accepted"
	[ "$(outside_snapshot "$T/outside")" = "$before" ] || fail "the outside dir changed: $(ls -la "$T/outside")"
	[ "$(cat "$T/outside/ptmx")" = marker ] || fail "the marker was overwritten"
}

@test "CVE-2023-27561 class: /proc that is a symlink in the rootfs is refused" {
	rm -rf "$ROOTFS/proc"
	mkdir -p "$ROOTFS/bad-proc"
	ln -s /bad-proc "$ROOTFS/proc"
	args /probe true
	run_ctr
	assert_error "/proc" "symlink"
	[ -z "$(ls -A "$ROOTFS/bad-proc")" ] || fail "something was mounted through the symlink"
}

@test "CVE-2025-31133 class: an image's /dev/null symlink never stands in for the null device" {
	is_silo || skip "runc 1.1.5 predates the fix"
	# No /dev tmpfs: the image's own /dev is used, with a hostile null.
	cfg 'del(.mounts[] | select(.destination == "/dev"))'
	mkdir -p "$ROOTFS/dev"
	rm -f "$ROOTFS/dev/null"
	ln -s /etc/hostname "$ROOTFS/dev/null"
	echo image-hostname >"$ROOTFS/etc/hostname"
	args /probe stat /dev/null
	run_ctr
	if [ "$status" -eq 0 ]; then
		grep -q 'type=c .*rdev=1:3' <<<"$output" || fail "/dev/null is not the null device: $output"
	fi
	[ "$(cat "$ROOTFS/etc/hostname")" = image-hostname ] || fail "the symlink target was changed"
	# the masked files are empty, not the image's file
	cfg '.process.args = ["/probe", "cat", "/proc/kcore"]'
	run_ctr
	[ -z "$output" ] || fail "a masked path shows content: $output"
}

@test "CVE-2022-29162 class: no inheritable or ambient capability unless the config asks" {
	args /probe caps
	run_ctr
	assert_status 0
	assert_output_has "CapInh: 0000000000000000"
	assert_output_has "CapAmb: 0000000000000000"
	assert_output_has "CapBnd: 0000000020000420"
}

@test "CVE-2022-29162 class: an unknown capability name is refused, not ignored" {
	is_silo || skip "runc warns and goes on"
	cfg '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'
	args /probe true
	run_ctr
	assert_error "CAP_NOT_A_CAP"
}

# --- racing swappers ------------------------------------------------------------
# A host process swaps a directory of the rootfs with a symlink to a host
# path (renameat2 RENAME_EXCHANGE in a tight loop, tests/helpers/swap.c) while
# containers are run one after another: the attacker's shared volume of the
# CVEs.  Whatever each run does (fail with an error, or succeed with the
# mount inside the rootfs), the host path must stay as it was.  A fixed number
# of runs, not a time budget.
RACE_RUNS=${SILO_RACE_RUNS:-25}

swap_binary() {
	if [ -n "${SILO_SWAP:-}" ]; then echo "$SILO_SWAP"; return; fi
	if [ -x "$REPO/build/tests/silo-swap" ]; then echo "$REPO/build/tests/silo-swap"; return; fi
	_helper_binary silo-swap "$REPO/tests/helpers/swap.c"
}

# start_swapper A B: swap paths A and B until the teardown (or stop_swapper).
start_swapper() {
	local bin
	bin=$(swap_binary) || return 1
	"$bin" "$1" "$2" </dev/null >"$T/swap.log" 2>&1 3>&- 4>&- 5>&- &
	SWAP_PID=$!
	BG_PIDS+=("$SWAP_PID")
	wait_for "$T/swap.log" racing
}

stop_swapper() {
	kill "$SWAP_PID" 2>/dev/null
	wait "$SWAP_PID" 2>/dev/null || true
}

# A host dir with one canary file: its snapshot must never change.
make_canary_dir() { # DIR
	mkdir -p "$1"
	echo canary >"$1/canary"
	CANARY_BEFORE=$(outside_snapshot "$1")
}

assert_canary_dir() { # DIR
	[ "$(outside_snapshot "$1")" = "$CANARY_BEFORE" ] || fail "host dir $1 changed: $(find "$1" -printf '%y %p\n')"
	[ "$(cat "$1/canary")" = canary ] || fail "host canary overwritten: $(cat "$1/canary")"
	! awk -v d="$1" 'index($5, d) == 1' /proc/self/mountinfo | grep -q . || fail "a mount appeared under host $1"
}

# race_runs CHECK-FN: run the container RACE_RUNS times; CHECK-FN judges each
# successful run's $output (a failed run must be a clean one-line error).
race_runs() {
	local i ok=0
	for ((i = 0; i < RACE_RUNS; i++)); do
		run_ctr
		if [ "$status" -eq 0 ]; then
			ok=$((ok + 1))
			"$1" || return 1
		else
			[ "$status" -eq 1 ] || fail "run $i: exit $status: $stderr" || return 1
			is_silo || continue
			[[ "$stderr" == "silo-oci: "* ]] || fail "run $i: unexpected stderr: $stderr" || return 1
		fi
	done
	echo "# $ok of $RACE_RUNS runs succeeded" >&2
}

race_ok_mount() { grep -q '^tmpfs-in-rootfs$' <<<"$output" || fail "payload did not see its tmpfs: $output (stderr: $stderr)"; }

@test "CVE-2021-30465 class (race): a mount destination swapped with a symlink to a host dir never mounts on the host" {
	make_canary_dir "$T/hostdir"
	mkdir -p "$ROOTFS/vol/a" "$T/src"
	echo data >"$T/src/data"
	ln -s "$T/hostdir" "$ROOTFS/vol/evil"
	cfg --arg s "$T/src" '.mounts += [
		{"destination": "/vol/a/b", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
		{"destination": "/vol/a/c", "type": "bind", "source": $s, "options": ["rbind", "rw"]}]'
	# The payload writes through both mounts: had either landed on the host
	# dir, the canary snapshot would change.  The racer keeps renaming while
	# the payload runs, so the mounted directory may be under either name.
	args /bin/sh -c 'for i in 1 2 3 4 5 6; do for d in /vol/a /vol/evil; do
			(echo pwned >$d/b/x) 2>&- && echo tmpfs-in-rootfs
			(echo pwned >$d/canary) 2>&-
		done; done; true'
	start_swapper "$ROOTFS/vol/a" "$ROOTFS/vol/evil"
	race_runs race_ok_mount
	stop_swapper
	assert_canary_dir "$T/hostdir"
}

@test "CVE-2024-45310 class (race): mount points created under a swapped parent are never created on the host" {
	make_canary_dir "$T/canary"
	mkdir -p "$ROOTFS/race"
	ln -s "$T/canary" "$ROOTFS/race-evil"
	args /bin/sh -c 'echo tmpfs-in-rootfs'
	start_swapper "$ROOTFS/race" "$ROOTFS/race-evil"
	local i
	for ((i = 0; i < RACE_RUNS; i++)); do
		# A new destination each run, so every run has directories to make.
		cfg --arg d "/race/d$i/e/f" '.mounts |= map(select(.destination | startswith("/race") | not))
			| .mounts += [{"destination": $d, "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
		run_ctr
		[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || fail "run $i: exit $status: $stderr"
	done
	stop_swapper
	assert_canary_dir "$T/canary"
}

race_ok_masked() {
	[ -z "$(grep -v '^end$' <<<"$output")" ] || fail "a masked path shows content or is writable: $output"
	grep -q '^end$' <<<"$output" || fail "payload did not finish: $output"
}

@test "CVE-2025-31133 class (race): /dev/null swapped with a symlink never stands in for the null device when masking" {
	is_silo || skip "runc 1.1.5 predates the fix"
	cfg 'del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/pts" or .destination == "/dev/shm" or .destination == "/dev/mqueue"))
		| .linux.maskedPaths += ["/etc/secret", "/etc/secretdir"]'
	mkdir -p "$ROOTFS/dev" "$ROOTFS/etc/secretdir"
	rm -f "$ROOTFS/dev/null"
	mknod -m 666 "$ROOTFS/dev/null" c 1 3
	echo secret >"$ROOTFS/etc/secret"
	echo secret >"$ROOTFS/etc/secretdir/f"
	echo image-hostname >"$ROOTFS/etc/hostname"
	# What a bind of the image's "null" would expose and let the payload write.
	ln -s /etc/hostname "$ROOTFS/dev/null-evil"
	# Every line but "end" is a defect: masked content, or a writable mask.
	# (No 2>/dev/null: the racer keeps swapping while the payload runs.)
	args /bin/sh -c 'cat /etc/secret /etc/secretdir/f /proc/kcore 2>&-
		(echo pwned >/etc/secret) 2>&- && echo "masked file writable"
		echo end'
	start_swapper "$ROOTFS/dev/null" "$ROOTFS/dev/null-evil"
	race_runs race_ok_masked
	stop_swapper
	[ "$(cat "$ROOTFS/etc/hostname")" = image-hostname ] || fail "the symlink target was written"
	[ "$(cat "$ROOTFS/etc/secret")" = secret ] || fail "the masked file was written"
}

race_ok_proc() {
	! grep -q unmasked <<<"$output" || fail "a masked path shows content: $output"
	grep -q '^proc-ok$' <<<"$output" || fail "no procfs in the rootfs in a successful run: $output"
	grep -q '^sys-ok$' <<<"$output" || fail "no sysfs in the rootfs in a successful run: $output"
}

@test "CVE-2019-19921 / CVE-2025-52881 class (race): /proc and /sys swapped with symlinks to host dirs never mount there" {
	make_canary_dir "$T/hostproc"
	ln -s "$T/hostproc" "$ROOTFS/proc-evil"
	# The racer keeps renaming while the payload runs: the mounted directory
	# may be under either name by then (the other name is the symlink, which
	# leads nowhere inside the container).
	# A few rounds, so that one of them finds the directory under a name.
	args /bin/sh -c 'for i in 1 2 3 4 5 6; do
			for d in /proc /proc-evil; do [ "$(stat -f -c %T $d/ 2>&-)" = proc ] && echo proc-ok
				[ -n "$(head -c1 $d/timer_list 2>&-)" ] && echo "unmasked $d/timer_list"; done
			for d in /sys /sys-evil; do [ "$(stat -f -c %T $d/ 2>&-)" = sysfs ] && echo sys-ok; done
		done; true'
	start_swapper "$ROOTFS/proc" "$ROOTFS/proc-evil"
	race_runs race_ok_proc
	stop_swapper
	assert_canary_dir "$T/hostproc"

	ln -s "$T/hostproc" "$ROOTFS/sys-evil"
	start_swapper "$ROOTFS/sys" "$ROOTFS/sys-evil"
	race_runs race_ok_proc
	stop_swapper
	assert_canary_dir "$T/hostproc"
}

# --- sysctl and /proc writes ------------------------------------------------------

@test "CVE-2022-0811 class: a sysctl outside the container's namespaces is refused, naming the key" {
	before=$(cat /proc/sys/kernel/core_pattern)
	cfg '.linux.sysctl = {"kernel.core_pattern": "|/bin/evil"}'
	args /probe true
	run_ctr
	assert_error "kernel.core_pattern"
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ] || fail "host core_pattern changed"
	# kernel.hostname needs the container's own uts namespace
	cfg '.linux.sysctl = {"kernel.hostname": "evil"} | .linux.namespaces |= map(select(.type != "uts"))'
	run_ctr
	assert_error "kernel.hostname" "uts"
	cfg '.linux.sysctl = {"fs.mqueue.msg_max": "20"} | .linux.namespaces |= map(select(.type != "ipc"))'
	run_ctr
	assert_error "fs.mqueue.msg_max" "ipc"
}

@test "CVE-2022-0811 class: sysctl values with '+', '=' or a newline and odd keys are refused; the host keeps its values" {
	is_silo || skip "silo's own rule"
	shm=$(cat /proc/sys/kernel/shm_rmid_forced)
	core=$(cat /proc/sys/kernel/core_pattern)
	args /probe true
	for v in '1+kernel.core_pattern=|/bin/evil' $'1\nkernel.core_pattern=|/bin/evil' '1=2'; do
		cfg --arg v "$v" '.linux.sysctl = {"kernel.shm_rmid_forced": $v}'
		run_ctr
		assert_error "kernel.shm_rmid_forced" "not a plain sysctl value"
	done
	for k in 'kernel.shm_rmid_forced=1+kernel.core_pattern' 'net.ipv4.conf.all/../../../kernel/core_pattern' 'net.ipv4 .ip_forward'; do
		cfg --arg k "$k" '.linux.sysctl = {($k): "1"}'
		run_ctr
		assert_error "not a sysctl name"
	done
	[ "$(cat /proc/sys/kernel/shm_rmid_forced)" = "$shm" ] || fail "host shm_rmid_forced changed"
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$core" ] || fail "host core_pattern changed"
	# the namespaced ones still work
	cfg 'del(.hostname) | .linux.sysctl = {"kernel.shm_rmid_forced": "1", "kernel.hostname": "sysctl-host", "net.ipv4.ip_local_port_range": "2000 3000"}'
	args /bin/sh -c 'cat /proc/sys/kernel/shm_rmid_forced /proc/sys/net/ipv4/ip_local_port_range; hostname'
	run_ctr
	assert_status 0
	assert_output_has "sysctl-host"
	grep -qE '^2000[[:space:]]+3000$' <<<"$output" || fail "port range not set: $output"
}

@test "CVE-2019-16884 class: sysctl, oomScoreAdj and LSM writes refuse a /proc that is not a procfs root" {
	is_silo || skip "silo's own check"
	# /proc is a tmpfs holding a fake sys/ tree: the write would land there.
	cfg '.mounts |= map(if .destination == "/proc" then {"destination": "/proc", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]} else . end)
		| .linux.maskedPaths = [] | .linux.readonlyPaths = []'
	cfg '.linux.sysctl = {"kernel.shm_rmid_forced": "1"}'
	args /probe true
	run_ctr
	assert_error "/proc"
	cfg 'del(.linux.sysctl) | .process.oomScoreAdj = 100'
	run_ctr
	assert_error "/proc"
	# /proc is the container's procfs, but a createContainer hook (in the
	# container's mount namespace, before pivot_root) put a tmpfs holding a
	# fake shm_rmid_forced over /proc/sys/kernel: the config's own mounts
	# cannot do that (refused above), a hostile mount propagated in could.
	cfg --arg r "$ROOTFS" 'del(.process.oomScoreAdj) | .mounts |= map(select(.destination != "/proc"))
		| .mounts = [{"destination": "/proc", "type": "proc", "source": "proc"}] + .mounts
		| .linux.sysctl = {"kernel.shm_rmid_forced": "1"}
		| .hooks = {"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c",
			("mount -t tmpfs tmpfs " + $r + "/proc/sys/kernel && echo fake >" + $r + "/proc/sys/kernel/shm_rmid_forced")]}]}'
	run_ctr
	assert_error "kernel.shm_rmid_forced" "/proc/sys/kernel/shm_rmid_forced"
}

# --- the runtime's binary (CVE-2019-5736) and the init before execve --------------

runtime_sum() { sha256sum <"$SILO_OCI_BIN" | cut -d' ' -f1; }

# The binary under test, even when $SILO_OCI is a wrapper script (the
# forced-fallback pass runs it through tests/helpers/nosys.c).
runtime_bin() {
	local b=$SILO_OCI
	if head -c2 "$b" | grep -q '#!'; then b=$(grep -o '[^ ]*silo-oci[^ ]*' "$b" | tail -n1); b=${b//\'/}; fi
	echo "$b"
}

@test "CVE-2019-5736 class: the payload cannot be the runtime's own binary, directly or as a #! interpreter" {
	is_silo || skip "runc re-execs from a sealed copy instead"
	SILO_OCI_BIN=$(runtime_bin)
	before=$(runtime_sum)
	printf '#!/proc/self/exe\n' >"$ROOTFS/evil"
	printf '#! /evil\n' >"$ROOTFS/evil2"
	chmod 755 "$ROOTFS/evil" "$ROOTFS/evil2"
	for a in /proc/self/exe /evil /evil2; do
		args "$a"
		create_ctr --id "$ID-x"
		[ "$status" -eq 1 ] || fail "$a: create exit $status"
		grep -q "is the runtime's own binary" <<<"$stderr" || fail "$a: unexpected error: $stderr"
		[ ! -e "$STATE/$ID-x" ] || fail "$a: state left behind"
	done
	[ "$(runtime_sum)" = "$before" ] || fail "the runtime binary changed"
}

sysc_binary() {
	if [ -n "${SILO_SYSC:-}" ]; then echo "$SILO_SYSC"; return; fi
	if [ -x "$REPO/build/tests/silo-sysc" ]; then echo "$REPO/build/tests/silo-sysc"; return; fi
	_helper_binary silo-sysc "$REPO/tests/helpers/sysc.c" -static
}

@test "CVE-2019-5736 / CVE-2016-9962 class: a created init is not dumpable: its exe, fds and memory are out of reach of the container" {
	is_silo || skip "runc's init differs"
	[ "$(uname -m)" = x86_64 ] || skip "raw ptrace number for x86_64 only"
	SILO_OCI_BIN=$(runtime_bin)
	want=$(stat -L -c '%d:%i' "$SILO_OCI_BIN")
	before=$(runtime_sum)
	# A: a pid namespace to share; B: an init waiting in "created" (its
	# capabilities already dropped to the container's) in A's pid namespace.
	args /probe sleep 100
	create_ctr --id "$ID-a"
	srun silo start "$ID-a"
	pid_a=$(ctr_pid "$ID-a")
	cfg --arg p "/proc/$pid_a/ns/pid" --arg cg "$ID-b" '.linux.cgroupsPath = $cg
		| .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)'
	args /probe true
	create_ctr --id "$ID-b"
	assert_status 0
	# C, in the same pid namespace with the same capabilities and uid,
	# looks at every process it sees: the runtime's inode never shows up,
	# and neither fd/ nor mem of B's init opens.
	args /bin/sh -c 'for p in /proc/[0-9]*; do
			[ "$p" = /proc/$$ ] && continue
			stat -L -c "exe %d:%i $p" $p/exe 2>/dev/null
			for f in $p/fd/*; do readlink $f >/dev/null 2>&1 && echo "fd readable $f"; done
			head -c1 $p/mem >/dev/null 2>&1 && echo "mem readable $p"
			[ "$(cat $p/comm)" = silo-oci ] && echo "ptrace $p $(/sysc 101 16 ${p#/proc/} 0 0)"
			echo "seen $p $(cat $p/comm)"
		done'
	# PTRACE_ATTACH (16) through the raw syscall (101 on x86_64).
	cp "$(sysc_binary)" "$ROOTFS/sysc"
	cfg --arg cg "$ID-c" '.linux.cgroupsPath = $cg'
	run_ctr
	assert_status 0
	pid_b=$(ctr_pid "$ID-b")
	grep -q "^seen .* silo-oci" <<<"$output" || fail "C did not see B's init: $output"
	! grep -q "exe $want " <<<"$output" || fail "the runtime's binary was reachable: $output"
	grep -q "^ptrace /proc/[0-9]* err EPERM$" <<<"$output" || fail "PTRACE_ATTACH of B's init was not refused: $output"
	# (A's own payload, /proc/1, is an ordinary process by now)
	! grep "readable" <<<"$output" | grep -qEv "readable /proc/1(/|$)" || fail "$(grep readable <<<"$output")"
	[ "$(runtime_sum)" = "$before" ] || fail "the runtime binary changed"
	# B still runs normally.
	srun silo start "$ID-b"
	assert_status 0
}

@test "CVE-2025-52565 class (race): /dev/console swapped with a symlink never gets the pty bound elsewhere" {
	is_silo || skip "runc 1.1.5 predates the fix"
	local bin i ok=0
	bin=$(recvtty_binary)
	# The image's own /dev (no tmpfs), with a real console file and a
	# symlink to a file the bind must never cover.
	cfg 'del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/shm" or .destination == "/dev/mqueue"))
		| .process.terminal = true'
	mkdir -p "$ROOTFS/dev/pts"
	rm -f "$ROOTFS/dev/null" "$ROOTFS/dev/console"
	mknod -m 666 "$ROOTFS/dev/null" c 1 3
	touch "$ROOTFS/dev/console"
	echo image-hostname >"$ROOTFS/etc/hostname"
	ln -s /etc/hostname "$ROOTFS/dev/console-evil"
	args /bin/sh -c '[ -c /etc/hostname ] && echo "pty bound over /etc/hostname"; [ -t 1 ] && echo tty-ok'
	start_swapper "$ROOTFS/dev/console" "$ROOTFS/dev/console-evil"
	for ((i = 0; i < RACE_RUNS; i++)); do
		rm -f "$T/console.sock" "$T/tty.out"
		"$bin" --mode null --out "$T/tty.out" --timeout 30 "$T/console.sock" </dev/null >"$T/recvtty.log" 2>&1 3>&- 4>&- 5>&- &
		BG_PIDS+=("$!")
		wait_for "$T/console.sock" || return 1
		srun silo run --bundle "$BUNDLE" --console-socket "$T/console.sock" "$ID"
		wait "$!" 2>/dev/null || true
		out=$(cat "$T/tty.out" 2>/dev/null | tr -d '\r' || true)
		if [ "$status" -eq 0 ]; then
			ok=$((ok + 1))
			! grep -q "pty bound" <<<"$out" || fail "run $i: $out" || return 1
			grep -q tty-ok <<<"$out" || fail "run $i: stdout is not the pty: $out" || return 1
		else
			[ "$status" -eq 1 ] && [[ "$stderr" == "silo-oci: "* ]] || fail "run $i: exit $status: $stderr" || return 1
		fi
	done
	stop_swapper
	echo "# $ok of $RACE_RUNS runs succeeded" >&2
	[ "$(cat "$ROOTFS/etc/hostname")" = image-hostname ] || fail "the symlink target changed"
}

@test "CVE-2019-5736 class: exec cannot run the runtime's own binary in the container either" {
	is_silo || skip "runc re-execs from a sealed copy instead"
	SILO_OCI_BIN=$(runtime_bin)
	before=$(runtime_sum)
	printf '#!/proc/self/exe\n' >"$ROOTFS/evil"
	chmod 755 "$ROOTFS/evil"
	args /probe sleep 100
	create_ctr
	srun silo start "$ID"
	assert_status 0
	for a in /proc/self/exe /evil; do
		srun silo exec "$ID" "$a"
		[ "$status" -ne 0 ] || fail "exec $a ran"
		grep -q "is the runtime's own binary" <<<"$stderr" || fail "exec $a: unexpected error: $stderr"
	done
	[ "$(runtime_sum)" = "$before" ] || fail "the runtime binary changed"
}
