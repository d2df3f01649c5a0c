# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup for the bats integration suite of silo-oci.
#
# Every test gets a throwaway directory /tmp/silo-test-XXXXXX ($T) holding a
# bundle ($BUNDLE: rootfs = the static probe + a static busybox, config.json
# from fixtures/config.json), a private state root ($STATE) and a container id
# ($ID, also the RELATIVE cgroupsPath, so the container's cgroups live under
# this test process's own cgroup).  teardown() force-deletes every container the
# test made and then FAILS the test if anything was left behind: a state dir, a
# cgroup dir named after the test, a mount under $T, a process whose root is
# under $T.  Then it cleans up whatever was left so the machine stays clean.
#
# Environment:
#   SILO_OCI      runtime binary (default <repo>/build/src/oci/silo-oci);
#                 SILO_OCI=/usr/sbin/runc runs the suite against runc
#   SILO_PROBE    static probe (default <repo>/build/tests/silo-probe, else
#                 compiled on the fly with cc -static)
#   SILO_RECVTTY  console-socket receiver (default <repo>/build/tests/silo-recvtty)
#   SILO_TIMEOUT  seconds one runtime call may take (default 30)

REPO=${SILO_REPO:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
SILO_OCI=${SILO_OCI:-$REPO/build/src/oci/silo-oci}
SILO_TIMEOUT=${SILO_TIMEOUT:-30}
FIXTURES=$REPO/tests/integration/fixtures

# --- tools -----------------------------------------------------------------

# Build a test helper from source when the meson build did not provide one
# (e.g. while the runtime itself does not link yet).
_helper_binary() { # NAME SOURCE EXTRA_CFLAGS...
	local name=$1 src=$2 out
	shift 2
	out=$BATS_RUN_TMPDIR/$name
	if [ ! -x "$out" ]; then
		cc -std=gnu11 -D_GNU_SOURCE -O2 "$@" -o "$out.tmp" "$src" || return 1
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

probe_binary() {
	if [ -n "${SILO_PROBE:-}" ]; then echo "$SILO_PROBE"; return; fi
	if [ -x "$REPO/build/tests/silo-probe" ]; then echo "$REPO/build/tests/silo-probe"; return; fi
	_helper_binary silo-probe "$REPO/tests/probe/probe.c" -static
}

recvtty_binary() {
	if [ -n "${SILO_RECVTTY:-}" ]; then echo "$SILO_RECVTTY"; return; fi
	if [ -x "$REPO/build/tests/silo-recvtty" ]; then echo "$REPO/build/tests/silo-recvtty"; return; fi
	_helper_binary silo-recvtty "$REPO/tests/helpers/recvtty.c"
}

# Which runtime is under test: silo, runc or crun (from the first line of
# --version).  Tests of silo-specific wording assert the text only for silo.
runtime_flavor() {
	local first
	first=$("$SILO_OCI" --version 2>/dev/null | head -n1)
	case "$first" in
	"runc version"*) echo runc ;;
	"crun version"*) echo crun ;;
	*) echo silo ;;
	esac
}
is_silo() { [ "$FLAVOR" = silo ]; }
# For features the reference runtime on this machine (Debian's runc 1.1.5)
# lacks: skipped there, asserted for silo.
skip_if_runc() { [ "$FLAVOR" != runc ] || skip "$1"; }

# A template rootfs, built once per bats run and copied into each bundle.
template_rootfs() {
	local tpl=$BATS_RUN_TMPDIR/rootfs-template probe busybox a
	if [ -d "$tpl" ]; then echo "$tpl"; return; fi
	probe=$(probe_binary) || return 1
	busybox=$(command -v busybox) || { echo "busybox-static is not installed" >&2; return 1; }
	file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked' &&
		{ echo "$busybox is not static (install busybox-static)" >&2; return 1; }
	mkdir -p "$tpl.tmp"/{bin,etc,proc,sys,dev,tmp,root,var}
	cp "$probe" "$tpl.tmp/probe"
	ln -s ../probe "$tpl.tmp/bin/probe"
	cp "$busybox" "$tpl.tmp/bin/busybox"
	for a in $("$busybox" --list); do
		[ -e "$tpl.tmp/bin/$a" ] || ln -s busybox "$tpl.tmp/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nsilo:x:1000:1000:silo:/tmp:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tpl.tmp/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\nsilo:x:1000:\nextra:x:2000:\nnogroup:x:65534:\n' >"$tpl.tmp/etc/group"
	echo silo >"$tpl.tmp/etc/hostname"
	chmod 1777 "$tpl.tmp/tmp"
	mv "$tpl.tmp" "$tpl"
	echo "$tpl"
}

# tests/run.sh's rootless pass (docs/security.md plan 35) runs part of the
# suite as root inside `unshare -r --mount`: uid 0 of a user namespace that
# maps only the host's 0, with no privilege over the host.  A test that
# needs the real root (other ids mapped, mknod, `ip netns`, setgroups) says
# so with requires_real_root REASON and is skipped there.
in_user_namespace() {
	[ "$(tr -s ' \n' ' ' </proc/self/uid_map)" != " 0 0 4294967295 " ]
}
requires_real_root() { ! in_user_namespace || skip "rootless pass: needs the real root ($1)"; }

# --- per-test setup and the leak checking teardown ----------------------------

setup() {
	[ "$(id -u)" = 0 ] || skip "the integration suite needs root"
	[ -x "$SILO_OCI" ] || { echo "runtime $SILO_OCI is missing (set SILO_OCI)" >&2; return 1; }
	FLAVOR=$(runtime_flavor)
	T=$(mktemp -d /tmp/silo-test-XXXXXX)
	chmod 755 "$T" # reachable by the mapped root of a user namespace
	BUNDLE=$T/bundle
	STATE=$T/state
	ROOTFS=$BUNDLE/rootfs
	BASE=silo-test-$$-$BATS_TEST_NUMBER
	ID=$BASE
	CONTAINERS=()
	NETNS=()
	BG_PIDS=()
	mkdir -p "$BUNDLE"
	local tpl
	tpl=$(template_rootfs) || return 1
	cp -a "$tpl" "$ROOTFS"
	jq --arg cg "$ID" '.linux.cgroupsPath = $cg' "$FIXTURES/config.json" >"$BUNDLE/config.json"
	track "$ID"
}

# Remember a container id for the teardown (every id a test uses).
track() {
	local c
	for c in "${CONTAINERS[@]}"; do [ "$c" = "$1" ] && return 0; done
	CONTAINERS+=("$1")
}

# Processes left by this test: members of a cgroup named after it, processes
# whose command line names $T (a runtime or init still holding the bundle or
# state root) and processes whose executable lies under $T (the tests' hooks).
# Three forks in all; `sort -u` waits for them, so they do not see themselves.
_leaked_pids() {
	local pid state
	{
		grep -lE -- "/$BASE(-[^/]*)?(/|$)" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3
		ps -eo pid=,args= | awk -v t="$T/" 'index($0, t) { print $1 }'
		find /proc -maxdepth 2 -path '/proc/[0-9]*/exe' -lname "$T/*" 2>/dev/null | cut -d/ -f3
	} | sort -un | while read -r pid; do
		[ -r "/proc/$pid/status" ] || continue
		state=$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
		[ -n "$state" ] && [ "$state" != Z ] && echo "$pid"
	done
}

# find fails when a directory goes away under it (other tests' cgroups
# come and go all the time): that is no leak of ours.
_leaked_cgroups() {
	find /sys/fs/cgroup -mindepth 1 -type d \( -name "$BASE" -o -name "$BASE-*" \) 2>/dev/null || true
}

_leaked_mounts() {
	awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo
}

teardown() {
	[ -n "${T:-}" ] || return 0
	local c p problems=()
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for c in "${CONTAINERS[@]}"; do
		timeout -k 5 "$SILO_TIMEOUT" "$SILO_OCI" --root "$STATE" delete --force "$c" \
			</dev/null >/dev/null 2>&1 3>&- 4>&- 5>&-
	done
	# Give killed processes a moment to disappear and cgroups to be removable.
	local deadline=$((SECONDS + 5))
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ -z "$(_leaked_pids)" ] && [ -z "$(_leaked_cgroups)" ] && break
		sleep 0.2
	done
	for c in "${CONTAINERS[@]}"; do
		[ -e "$STATE/$c" ] && problems+=("state dir left: $STATE/$c")
	done
	for p in $(_leaked_pids); do problems+=("process left: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"); done
	for p in $(_leaked_cgroups); do problems+=("cgroup left: $p"); done
	for p in $(_leaked_mounts); do problems+=("mount left: $p"); done
	for c in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$BASE(-|$)"); do
		case " ${NETNS[*]} " in *" $c "*) ;; *) problems+=("netns left: $c") ;; esac
	done

	# Clean up whatever leaked, so one broken test does not poison the next.
	for p in $(_leaked_pids); do kill -9 "$p" 2>/dev/null; done
	sleep 0.1
	for p in $(_leaked_cgroups | sort -r); do rmdir "$p" 2>/dev/null; done
	for p in $(_leaked_mounts | sort -r); do umount -l "$p" 2>/dev/null; done
	for c in "${NETNS[@]}" $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$BASE(-|$)"); do
		ip netns delete "$c" 2>/dev/null
	done
	# The sanitizer pass (tests/hardening.sh): a report from a runtime child
	# after pivot_root cannot reach the log directory and goes to the
	# container's stderr instead; keep any such output for the stage to fail.
	if [ -n "${SILO_SANITIZER_LOGDIR:-}" ]; then
		for p in $(grep -rlsE 'ERROR: AddressSanitizer|runtime error: |SUMMARY: UndefinedBehaviorSanitizer' \
			--exclude-dir=rootfs "$T"); do
			cp "$p" "$SILO_SANITIZER_LOGDIR/test-$BATS_TEST_NUMBER-${p##*/}.$$" 2>/dev/null
		done
	fi
	rm -rf "$T"

	if [ ${#problems[@]} -gt 0 ]; then
		printf 'LEAK: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# --- running the runtime ------------------------------------------------------

# silo ARGS...: the runtime with this test's state root.  Inherited fds above 2
# (bats's own) are closed unless listed in $KEEP_FDS, so a runtime that leaks
# them into a container cannot hang the suite.  Bounded by $SILO_TIMEOUT.
silo() {
	(
		local fd
		for fd in 3 4 5 6 7 8 9; do
			case " ${KEEP_FDS:-} " in *" $fd "*) ;; *) eval "exec $fd>&-" ;; esac
		done
		exec timeout -k 5 "$SILO_TIMEOUT" "$SILO_OCI" --root "$STATE" "$@"
	)
}

# srun CMD...: like bats' run, but stdout and stderr go through files (a
# container that keeps a pipe open would hang `run`).  Sets $status, $output
# (stdout), $lines, $stderr, $stderr_lines.
srun() {
	local rc=0
	"$@" >"$T/srun.out" 2>"$T/srun.err" </dev/null || rc=$?
	status=$rc
	output=$(cat "$T/srun.out")
	stderr=$(cat "$T/srun.err")
	mapfile -t lines <"$T/srun.out"
	mapfile -t stderr_lines <"$T/srun.err"
	# Show what happened when the test fails.
	echo "# cmd: $* -> status $status" >&2
	[ -n "$output" ] && echo "# stdout: $output" >&2
	[ -n "$stderr" ] && echo "# stderr: $stderr" >&2
	return 0
}

# run_ctr [FLAGS...]: `run` the bundle in the foreground as $ID, output captured.
run_ctr() {
	srun silo run --bundle "$BUNDLE" "$@" "$ID"
}

# create_ctr [FLAGS...] [--id ID]: `create` a container; its stdio (and the
# runtime's) go to $T/<id>.out and $T/<id>.err.  Sets $status like srun.
create_ctr() {
	local id=$ID args=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--id) id=$2; shift 2 ;;
		*) args+=("$1"); shift ;;
		esac
	done
	track "$id"
	status=0
	silo create --bundle "$BUNDLE" "${args[@]}" "$id" >"$T/$id.out" 2>"$T/$id.err" </dev/null || status=$?
	output=$(cat "$T/$id.out")
	stderr=$(cat "$T/$id.err")
	echo "# create $id -> status $status; stderr: $stderr" >&2
}

# Output written by container ID (default $ID) since its create.
ctr_output() { cat "$T/${1:-$ID}.out"; }

# cfg JQ-ARGS...: edit config.json in place, e.g. cfg '.process.args = ["/probe","ids"]'
cfg() {
	jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new" && mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# args WORDS...: set process.args.
args() {
	local json='[]' a
	for a in "$@"; do json=$(jq -c --arg a "$a" '. + [$a]' <<<"$json"); done
	cfg --argjson a "$json" '.process.args = $a'
}

# The state JSON field of a container.
state_field() { # FIELD [ID]
	silo state "${2:-$ID}" 2>/dev/null | jq -r ".$1"
}

ctr_pid() { state_field pid "${1:-$ID}"; }

# Wait until container ID has STATUS (at most 10 s of wall time, however
# slow each `state` call is).
wait_status() { # STATUS [ID]
	local deadline=$((SECONDS + 10))
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ "$(state_field status "${2:-$ID}")" = "$1" ] && return 0
		sleep 0.1
	done
	echo "container ${2:-$ID} never reached status $1 (now: $(state_field status "${2:-$ID}"))" >&2
	return 1
}

# Wait until FILE exists and (optionally) contains PATTERN (grep -E), at most
# SECS seconds (default 10).
wait_for() { # FILE [PATTERN] [SECS]
	local deadline=$((SECONDS + ${3:-10}))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if [ -e "$1" ] && { [ -z "${2:-}" ] || grep -qE -- "$2" "$1"; }; then return 0; fi
		sleep 0.1
	done
	echo "timed out waiting for $1${2:+ to contain $2}" >&2
	return 1
}

# Readlink of a host namespace of ours, for comparisons.
host_ns() { readlink "/proc/self/ns/$1"; }

# make_netns SUFFIX: a named netns $BASE-SUFFIX, deleted by the teardown; its
# path is left in $NETNS_PATH (not echoed: a $(...) subshell would lose the
# teardown's record of it).
make_netns() {
	local name=$BASE-$1
	ip netns add "$name" || return 1
	NETNS+=("$name")
	NETNS_PATH=/var/run/netns/$name
}

# --- console sockets (80-tty-fds, 85-exec) ------------------------------------

# Start silo-recvtty on $T/console.sock in the background; its pty output
# goes to $T/tty.out, facts about the received fd to $T/tty.info.
start_recvtty() {
	local bin
	bin=$(recvtty_binary)
	"$bin" --mode null --out "$T/tty.out" --info "$T/tty.info" --timeout 60 "$@" "$T/console.sock" \
		</dev/null >"$T/recvtty.log" 2>&1 3>&- 4>&- 5>&- &
	RECVTTY_PID=$!
	BG_PIDS+=("$RECVTTY_PID")
	wait_for "$T/console.sock"
}

# Wait for silo-recvtty to see the pty close (the container is gone).
wait_recvtty() {
	local i
	for i in $(seq 100); do kill -0 "$RECVTTY_PID" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$RECVTTY_PID" 2>/dev/null || fail "recvtty still waiting: $(cat "$T/recvtty.log")"
	tr -d '\r' <"$T/tty.out"
}

# --- assertions -----------------------------------------------------------------

fail() { echo "FAIL: $*" >&2; return 1; }

assert_status() { [ "$status" -eq "$1" ] || fail "expected status $1, got $status"; }

assert_output_has() { # FIXED-STRING (in stdout)
	grep -qF -- "$1" <<<"$output" || fail "stdout lacks '$1': $output"
}

assert_output_lacks() {
	! grep -qF -- "$1" <<<"$output" || fail "stdout has '$1': $output"
}

# A runtime error: exit 1 and, for silo, exactly one stderr line
# "silo-oci: <message>" that contains every FIXED-STRING given.  Other
# runtimes word their errors differently: only the exit status is checked.
assert_error() {
	local s
	[ "$status" -eq 1 ] || fail "expected exit 1, got $status (stderr: $stderr)" || return 1
	is_silo || return 0
	[ "${#stderr_lines[@]}" -eq 1 ] || fail "expected one stderr line, got ${#stderr_lines[@]}: $stderr" || return 1
	[[ "${stderr_lines[0]}" == "silo-oci: "* ]] || fail "stderr does not start with 'silo-oci: ': $stderr" || return 1
	for s in "$@"; do
		grep -qF -- "$s" <<<"$stderr" || fail "stderr lacks '$s': $stderr" || return 1
	done
}

# Like assert_error for a usage error: exit 2.
assert_usage_error() {
	[ "$status" -eq 2 ] || { is_silo || [ "$status" -ne 0 ]; } || fail "expected exit 2, got $status" || return 1
	is_silo || return 0
	[ "$status" -eq 2 ] || fail "expected exit 2, got $status"
}

# The mountinfo line (from `probe mounts` output in $output) for mount point $1.
mountinfo_line() { awk -v m="$1" '$5 == m' <<<"$output" | tail -n1; }
