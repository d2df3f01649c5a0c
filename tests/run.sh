#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/run.sh: the one command that runs silo's whole test suite.
#
#   1. build (meson setup when the build dir is missing, then ninja);
#   2. unit tests (meson test; cmocka cases are counted one by one);
#   3. the bats integration suite (tests/integration/NN-*.bats, and 1NN-*.bats for silo) against the
#      runtime in $SILO_OCI (default: the one just built);
#   3b. the rootless pass (docs/security.md plan 35): 10-lifecycle, 20-namespaces, 30-rootfs and
#      40-process again as root inside `unshare -r --mount` (uid 0 of a user namespace, no
#      privilege over the host), the tests that need the real root skipped with their reason
#      (requires_real_root in helpers.bash); 95-rootless.bats covers an unprivileged user;
#   4. the engine pass: tests/integration/2NN-*.bats run podman, docker and
#      containerd (Debian's) with the same runtime (tests/engines/engines.bash
#      starts and stops their daemons under a temp dir);
#   5. the cgroup-v2 pass: tests/integration/60-cgroups.bats, 65-pause-ps.bats,
#      66-update-events.bats and the delete --force matrix of 92-robustness.bats (plan 27)
#      inside a v2-only VM through tests/cgroup2-vm.sh, when that script exists;
#   6. hardening (tests/hardening.sh): a smoke run of every libFuzzer harness on its committed
#      corpus (one result per harness), the silo-oci suite (NN-*.bats) against an ASan+UBSan
#      build (any sanitizer report fails), and part of it with openat2, clone3, the new mount
#      API and close_range refused with ENOSYS by tests/helpers/nosys.c (the fallbacks).
#
# It ends with one line "N passed, M failed" and exits non-zero when anything
# failed (a build or VM failure counts as a failure).
#
# Environment:
#   SILO_BUILD_DIR  build directory (default build)
#   SILO_OCI        runtime under test (default $SILO_BUILD_DIR/src/oci/silo-oci);
#                   SILO_OCI=/usr/sbin/runc runs the integration suite against runc
#   SILO_TEST_VM=0  skip the VM pass (for quick local runs; CI runs it)
#   SILO_TEST_ENGINES=0  skip the engine pass (podman, docker, containerd)
#   SILO_TEST_UNIT=0, SILO_TEST_BATS=0  skip the unit or the integration pass
#   SILO_TEST_ROOTLESS=0  skip the rootless pass (also skipped when BATS_FILES is set)
#   SILO_TEST_FILTER  passed to bats --filter (a regex on test names)
#   BATS_FILES      integration files to run (default: tests/integration/NN-*.bats and 1NN-*.bats, then
#                   the engine pass runs tests/integration/2NN-*.bats); when set, only
#                   these files run, in the integration pass, and the engine pass is skipped
#   SILO_TEST_BATS_TIMEOUT  seconds for the whole integration pass (default 3000)
#   SILO_TEST_ENGINES_TIMEOUT  seconds for the engine pass (default 1200)
#   SILO_TEST_HARDENING=0  skip stage 6; SILO_TEST_FUZZ=0, SILO_TEST_ASAN=0, SILO_TEST_NOSYS=0
#                   skip one of its parts (more knobs in tests/hardening.sh)
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
BUILD=${SILO_BUILD_DIR:-build}
case "$BUILD" in /*) ;; *) BUILD=$REPO/$BUILD ;; esac

passed=0 failed=0 skipped=0
failures=()

note_fail() { failed=$((failed + 1)); failures+=("$1"); }

RUN_TMP=$(mktemp -d /tmp/silo-test-run.XXXXXX)
trap 'rm -rf "$RUN_TMP"' EXIT

# --- 1. build -------------------------------------------------------------------
echo "== build ($BUILD)"
build_ok=1
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" >"$RUN_TMP/setup.log" 2>&1 || { cat "$RUN_TMP/setup.log"; build_ok=0; }
fi
if [ "$build_ok" = 1 ]; then
	ninja -C "$BUILD" >"$RUN_TMP/ninja.log" 2>&1 || { tail -n 40 "$RUN_TMP/ninja.log"; build_ok=0; }
fi
[ "$build_ok" = 1 ] || note_fail "build"

export SILO_OCI=${SILO_OCI:-$BUILD/src/oci/silo-oci}
for pair in SILO_PROBE:silo-probe SILO_RECVTTY:silo-recvtty SILO_SYSC:silo-sysc SILO_SWAP:silo-swap \
	    SILO_SECCOMP_AGENT:silo-seccomp-agent; do
	var=${pair%%:*} bin=$BUILD/tests/${pair#*:}
	[ -n "${!var:-}" ] || { [ -x "$bin" ] && export "$var=$bin"; }
done

# --- 2. unit tests ------------------------------------------------------------
count_unit() { # testlog.json: cmocka counts when printed, else one per meson test
	jq -r '
		((.stdout // "") + (.stderr // "")) as $out
		| ([$out | scan("\\[  PASSED  \\] ([0-9]+) test") | .[0] | tonumber] | add // null) as $p
		| ([$out | scan("\\[  FAILED  \\] ([0-9]+) test") | .[0] | tonumber] | add // 0) as $f
		| if $p == null and $f == 0 then
			(if .result == "OK" then "1 0 " elif .result == "SKIP" then "0 0 " else "0 1 " end) + .name
		  else
			"\($p // 0) \(if .result != "OK" and $f == 0 then 1 else $f end) " + .name
		  end' "$1"
}

if [ "${SILO_TEST_UNIT:-1}" != 0 ] && [ "$build_ok" = 1 ]; then
	echo "== unit tests"
	meson test -C "$BUILD" --print-errorlogs
	log=$BUILD/meson-logs/testlog.json
	if [ -s "$log" ]; then
		while read -r p f name; do
			passed=$((passed + p))
			[ "$f" = 0 ] || { failed=$((failed + f)); failures+=("unit: $name ($f)"); }
		done < <(count_unit "$log")
	else
		echo "(no unit test log)"
	fi
fi

# --- 3. integration (and 4. the v2 VM) --------------------------------------
# run_bats LABEL CMD...: run a bats --tap command, echo it, count its results.
run_bats() {
	local label=$1 out=$RUN_TMP/$1.tap rc line
	shift
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	grep -qE '^1\.\.[0-9]+' "$out" || { note_fail "$label: bats did not run (status $rc)"; return; }
	while IFS= read -r line; do
		case "$line" in
		"not ok "*) note_fail "$label: ${line#not ok }" ;;
		"ok "*"# skip"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		esac
	done <"$out"
	local planned ran
	# (a pass may run bats more than once: every plan line counts)
	planned=$(grep -oE '^1\.\.[0-9]+' "$out" | cut -d. -f3 | awk '{ n += $1 } END { print n + 0 }')
	ran=$(grep -cE '^(not )?ok ' "$out")
	[ "$ran" -ge "$planned" ] || note_fail "$label: only $ran of $planned tests ran (status $rc)"
	[ "$rc" = 0 ] || grep -q '^not ok ' "$out" || [ "$ran" -lt "$planned" ] ||
		note_fail "$label: bats exited $rc"
}

bats_args=(--tap)
[ -z "${SILO_TEST_FILTER:-}" ] || bats_args+=(--filter "$SILO_TEST_FILTER")
if [ -n "${BATS_FILES:-}" ]; then
	read -r -a files <<<"$BATS_FILES"
else
	# NN-*: silo-oci; 1NN-*: the silo front end (images); 2NN-*: the engine pass below
	files=(tests/integration/[0-9][0-9]-*.bats tests/integration/1[0-9][0-9]-*.bats)
fi

if [ "${SILO_TEST_BATS:-1}" != 0 ]; then
	echo "== integration tests (runtime: $SILO_OCI)"
	mkdir -p "$RUN_TMP/bats"
	# A last-resort bound, so that a hanging runtime still gets a summary line.
	run_bats integration timeout -k 30 "${SILO_TEST_BATS_TIMEOUT:-3000}" \
		env TMPDIR="$RUN_TMP/bats" bats "${bats_args[@]}" "${files[@]}"
fi

# The rootless pass: part of the suite again inside a user namespace of our
# own, counted in the same totals ("rootless: ..." failures).
rootless_files="tests/integration/10-lifecycle.bats tests/integration/20-namespaces.bats
	tests/integration/30-rootfs.bats tests/integration/40-process.bats"
if [ "${SILO_TEST_ROOTLESS:-1}" != 0 ] && [ "${SILO_TEST_BATS:-1}" != 0 ] && [ -z "${BATS_FILES:-}" ]; then
	echo "== rootless pass: unshare -r --mount bats" $rootless_files
	if unshare -r --mount true 2>/dev/null; then
		mkdir -p "$RUN_TMP/rootless"
		# shellcheck disable=SC2086
		run_bats rootless timeout -k 30 "${SILO_TEST_ROOTLESS_TIMEOUT:-1200}" \
			env TMPDIR="$RUN_TMP/rootless" unshare -r --mount bats "${bats_args[@]}" $rootless_files
	else
		note_fail "rootless: this host refuses user namespaces (SILO_TEST_ROOTLESS=0 skips the pass)"
	fi
elif [ "${SILO_TEST_ROOTLESS:-1}" = 0 ]; then
	echo "== rootless pass skipped (SILO_TEST_ROOTLESS=0)"
fi

# podman, docker and containerd with the runtime under test: a pass of its own
# (daemons, more time), counted in the same totals.
if [ "${SILO_TEST_ENGINES:-1}" != 0 ] && [ -z "${BATS_FILES:-}" ]; then
	echo "== engine tests: podman, docker, containerd (runtime: $SILO_OCI)"
	mkdir -p "$RUN_TMP/engines"
	run_bats engines timeout -k 30 "${SILO_TEST_ENGINES_TIMEOUT:-1200}" \
		env TMPDIR="$RUN_TMP/engines" bats "${bats_args[@]}" tests/integration/2[0-9][0-9]-*.bats
elif [ "${SILO_TEST_ENGINES:-1}" = 0 ]; then
	echo "== engine tests skipped (SILO_TEST_ENGINES=0)"
fi

if [ -x tests/cgroup2-vm.sh ] && [ "${SILO_TEST_VM:-1}" != 0 ]; then
	vm_files="tests/integration/60-cgroups.bats tests/integration/65-pause-ps.bats tests/integration/66-update-events.bats"
	export VM_TIMEOUT=${VM_TIMEOUT:-3000}
	vm_cmd="mkdir -p /tmp/silo-test-vm && TMPDIR=/tmp/silo-test-vm bats ${bats_args[*]} $vm_files"
	# and the delete --force matrix (plan 27) on v2: cgroup.kill, frozen
	# sub-cgroups (cgroup.freeze), the leftovers of a host-pidns container
	if [ -z "${SILO_TEST_FILTER:-}" ]; then
		vm_files="$vm_files tests/integration/92-robustness.bats (plan 27)"
		vm_cmd="$vm_cmd; r=\$?; TMPDIR=/tmp/silo-test-vm bats --tap --filter 'plan 27' tests/integration/92-robustness.bats || r=1; exit \$r"
	fi
	echo "== cgroup v2 VM: $vm_files"
	run_bats cgroup-v2-vm tests/cgroup2-vm.sh "$vm_cmd"
	if ! grep -qE '^1\.\.[0-9]+' "$RUN_TMP/cgroup-v2-vm.tap"; then
		echo "!! the cgroup v2 VM pass did not run: see above (VM_DEBUG=1 shows the boot)" >&2
	fi
elif [ -x tests/cgroup2-vm.sh ]; then
	echo "== cgroup v2 VM pass skipped (SILO_TEST_VM=0)"
fi

# --- 6. hardening: fuzz smoke, sanitizer pass, forced fallbacks ----------------
if [ "${SILO_TEST_HARDENING:-1}" != 0 ] && [ "$build_ok" = 1 ]; then
	# shellcheck source=tests/hardening.sh
	. tests/hardening.sh
	hardening_main
fi

# --- summary --------------------------------------------------------------------
echo
if [ ${#failures[@]} -gt 0 ]; then
	echo "failures:"
	printf '  %s\n' "${failures[@]}"
fi
[ "$skipped" = 0 ] || echo "($skipped integration tests skipped)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
