# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# tests/hardening.sh: stage 5 of tests/run.sh (sourced by it; it uses run.sh's
# run_bats, note_fail, passed/failed, RUN_TMP, REPO, bats_args and files).
#
#   a. fuzz smoke: every libFuzzer harness of fuzz/ (fuzz/fuzz_NAME.c, built
#      as fuzz-NAME, listed in fuzz/meson.build; built with clang in
#      $SILO_FUZZ_BUILD_DIR, default build-fuzz) runs for $SILO_FUZZ_SECONDS
#      (default 15) on a scratch copy of its committed corpus fuzz/corpus/<name>
#      (so crashes found earlier, committed there, are replayed first).  One
#      result per harness; a crash, leak or timeout fails it and its input is
#      kept under $SILO_FUZZ_ARTIFACTS (default /tmp/silo-fuzz-artifacts).
#   b. sanitizer pass: the integration suite against silo-oci built with
#      ASan+UBSan in $SILO_ASAN_BUILD_DIR (default build-asan: -Dstatic=false,
#      since the sanitizer runtimes need a dynamic binary; -Dwerror=false,
#      since GCC's -Wformat-overflow gives false positives on instrumented
#      code).  halt_on_error makes any report fatal to the process that hit it,
#      and every report goes to a file under one log directory, which is
#      checked afterwards: the runtime's forked children (the init, hooks'
#      parents) are instrumented too, and their exit status alone is not
#      always seen by a test.  A child that hits a report after pivot_root
#      cannot reach the log directory: the report goes to the container's
#      stderr (a file under the test's dir) and the process exits 86;
#      helpers.bash's teardown copies any file of the test holding a report
#      into the log directory (SILO_SANITIZER_LOGDIR).  Leak checking is off
#      (a CLI that exits right away frees nothing on purpose; LSan also needs
#      ptrace, which the runtime's non-dumpable processes refuse).
#      Files: $SILO_ASAN_FILES (default: $BATS_FILES when set, else
#      silo-oci's own tests/integration/NN-*.bats; the front end's 1NN and the
#      engines' 2NN files drive other binaries).
#   c. forced fallbacks: $SILO_NOSYS_FILES (default 10-lifecycle 20-namespaces
#      30-rootfs 40-process 80-tty-fds 85-exec 90-security) with the runtime
#      started through tests/helpers/nosys.c, so openat2, clone3, fsopen/fsconfig/
#      fsmount/fspick/move_mount/open_tree/mount_setattr and close_range fail
#      with ENOSYS in the kernel.
#
# SILO_TEST_FUZZ=0, SILO_TEST_ASAN=0, SILO_TEST_NOSYS=0 skip a part.  Each
# part prints how long it took.

hardening_build() { # LABEL DIR SETUP-ARGS...: meson setup (once) + ninja; 0 when built
	local label=$1 dir=$2
	shift 2
	case "$dir" in /*) ;; *) dir=$REPO/$dir ;; esac
	if [ ! -f "$dir/build.ninja" ]; then
		if ! meson setup "$dir" "$@" >"$RUN_TMP/$label-setup.log" 2>&1; then
			tail -n 30 "$RUN_TMP/$label-setup.log"
			note_fail "$label: meson setup"
			return 1
		fi
	fi
	if ! ninja -C "$dir" >"$RUN_TMP/$label-ninja.log" 2>&1; then
		tail -n 40 "$RUN_TMP/$label-ninja.log"
		note_fail "$label: build"
		return 1
	fi
}

hardening_fuzz() {
	local dir=${SILO_FUZZ_BUILD_DIR:-build-fuzz} art=${SILO_FUZZ_ARTIFACTS:-/tmp/silo-fuzz-artifacts}
	local secs=${SILO_FUZZ_SECONDS:-15} h name work start=$SECONDS
	echo "== fuzz smoke (${secs}s per harness)"
	case "$dir" in /*) ;; *) dir=$REPO/$dir ;; esac
	command -v clang >/dev/null || { note_fail "fuzz: clang is not installed"; return; }
	CC=clang hardening_build fuzz "$dir" -Dfuzz=true -Dtests=false || return
	mkdir -p "$art"
	# every harness source is built (a file left out of fuzz/meson.build would
	# otherwise never run)
	for h in fuzz/fuzz_*.c; do
		name=${h#fuzz/fuzz_}
		name=${name%.c}
		[ -x "$dir/fuzz/fuzz-$name" ] || note_fail "fuzz: $h is not built (missing from fuzz/meson.build?)"
	done
	for h in "$dir"/fuzz/fuzz-*; do
		[ -f "$h" ] && [ -x "$h" ] || continue
		name=${h##*/fuzz-}
		work=$RUN_TMP/fuzz-$name
		mkdir -p "$work"
		[ -d "fuzz/corpus/$name" ] || { note_fail "fuzz: $name has no corpus in fuzz/corpus/$name"; continue; }
		if "$h" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$art/$name-" "$work" "fuzz/corpus/$name" >"$work.log" 2>&1; then
			passed=$((passed + 1))
			echo "ok fuzz-$name ($(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$work.log" | grep -oE '[0-9]+$') runs)"
		else
			tail -n 40 "$work.log"
			note_fail "fuzz: $name crashed (input under $art/$name-*)"
		fi
	done
	echo "(fuzz smoke: $((SECONDS - start)) s)"
}

hardening_asan() {
	local dir=${SILO_ASAN_BUILD_DIR:-build-asan} logs=$RUN_TMP/sanitizer f start=$SECONDS
	local -a afiles
	if [ -n "${SILO_ASAN_FILES:-}" ]; then
		read -r -a afiles <<<"$SILO_ASAN_FILES"
	elif [ -n "${BATS_FILES:-}" ]; then
		afiles=("${files[@]}")
	else
		afiles=(tests/integration/[0-9][0-9]-*.bats)   # silo-oci's own files
	fi
	echo "== integration tests against an ASan+UBSan build (${afiles[*]})"
	case "$dir" in /*) ;; *) dir=$REPO/$dir ;; esac
	hardening_build asan "$dir" -Dstatic=false -Dtests=false -Db_sanitize=address,undefined \
		-Db_lundef=false -Dwerror=false -Dbuildtype=debugoptimized || return
	mkdir -p "$logs" "$RUN_TMP/bats-asan"
	run_bats asan timeout -k 30 "${SILO_TEST_BATS_TIMEOUT:-3000}" env TMPDIR="$RUN_TMP/bats-asan" \
		SILO_OCI="$dir/src/oci/silo-oci" SILO_SANITIZER_LOGDIR="$logs" \
		ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=0:log_path=$logs/asan" \
		UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86:log_path=$logs/ubsan" \
		bats "${bats_args[@]}" "${afiles[@]}"
	for f in "$logs"/*; do
		[ -e "$f" ] || continue
		echo "--- sanitizer report $f"
		head -n 60 "$f"
		note_fail "asan: sanitizer report ${f##*/}"
	done
	echo "(sanitizer pass: $((SECONDS - start)) s)"
}

hardening_nosys() {
	local nosys=$BUILD/tests/silo-nosys wrap=$RUN_TMP/silo-oci-nosys start=$SECONDS
	local -a nfiles=()
	local f
	for f in ${SILO_NOSYS_FILES:-10-lifecycle 20-namespaces 30-rootfs 40-process 80-tty-fds 85-exec 90-security}; do
		case "$f" in */*) nfiles+=("$f") ;; *) nfiles+=("tests/integration/$f.bats") ;; esac
	done
	echo "== integration tests with openat2, clone3, the new mount API and close_range refused (ENOSYS)"
	[ -x "$nosys" ] || { note_fail "nosys: $nosys was not built"; return; }
	# Refused in the kernel: the filter really answers ENOSYS (no env switch).
	if [ "$("$nosys" "$BUILD/tests/silo-sysc" clone3 0 0 2>&1)" != "err ENOSYS" ]; then
		note_fail "nosys: the filter does not refuse clone3"
		return
	fi
	printf '#!/bin/sh\nexec %q -- %q "$@"\n' "$nosys" "$SILO_OCI" >"$wrap"
	chmod 755 "$wrap"
	mkdir -p "$RUN_TMP/bats-nosys"
	run_bats nosys timeout -k 30 "${SILO_TEST_BATS_TIMEOUT:-3000}" env TMPDIR="$RUN_TMP/bats-nosys" \
		SILO_OCI="$wrap" bats "${bats_args[@]}" "${nfiles[@]}"
	echo "(forced-fallback pass: $((SECONDS - start)) s)"
}

hardening_main() {
	[ "${SILO_TEST_FUZZ:-1}" = 0 ] || hardening_fuzz
	[ "${SILO_TEST_ASAN:-1}" = 0 ] || hardening_asan
	[ "${SILO_TEST_NOSYS:-1}" = 0 ] || hardening_nosys
}
