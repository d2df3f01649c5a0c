#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/cgroup.sh: what a container's cgroup costs through silo's cgroup
# manager, per phase (create, join, destroy), warm and cold, on this host's
# driver and, with --vm, on cgroup v2 inside the throwaway VM of
# tests/cgroup2-vm.sh (software-emulated there: compare phases within one
# driver, not absolute times across the two).
#
#   bench/cgroup.sh [--vm] [--quick]
#   knobs (environment): N=200 COLD_N=40 COLD_MS=50 BUILD=<repo>/build
#                        RESOURCES=<linux.resources JSON for create>
#
# It compiles bench/cgroup.c against $BUILD/src/lib/libsilo.a into a temp dir,
# runs it as root below the caller's own cgroup (every cgroup it makes is
# removed again), and prints one table per case.  A benchmark, not a test.
set -euo pipefail

SELF=$(readlink -f "$0")
REPO=$(dirname "$(dirname "$SELF")")
BUILD=${BUILD:-$REPO/build}
N=${N:-200}
COLD_N=${COLD_N:-40}
COLD_MS=${COLD_MS:-50}
VM=0

die() { echo "cgroup.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--vm) VM=1 ;;
	--quick) N=50 COLD_N=10 ;;
	--help|-h) sed -n '3,17p' "$SELF"; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || die "must run as root"
[ -f "$BUILD/src/lib/libsilo.a" ] || die "no $BUILD/src/lib/libsilo.a: build first (meson setup build && ninja -C build)"

TMP=$(mktemp -d /tmp/silo-cgbench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
cc -std=gnu11 -O2 -I"$REPO/src/lib" -o "$TMP/cgbench" "$REPO/bench/cgroup.c" \
	"$BUILD/src/lib/libsilo.a" $(pkg-config --libs jansson libseccomp) ||
	die "cannot compile bench/cgroup.c"

DEFAULT_RES='{"devices":[{"allow":false,"access":"rwm"}]}'
LIMITS_RES='{"devices":[{"allow":false,"access":"rwm"}],"memory":{"limit":67108864},"pids":{"limit":100},"cpu":{"shares":512,"quota":50000,"period":100000}}'

run_cases() { # BIN
	local bin=$1
	echo "== default spec resources (device rules only): warm"
	"$bin" -n "$N" -r "${RESOURCES:-$DEFAULT_RES}"
	echo "== default spec resources: cold"
	"$bin" -n "$COLD_N" -c "$COLD_MS" -r "${RESOURCES:-$DEFAULT_RES}"
	echo "== with memory, pids and cpu limits: warm"
	"$bin" -n "$N" -r "$LIMITS_RES"
}

echo "host: $(uname -r), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
if [ "$VM" = 1 ]; then
	# the VM sees the host's files read-only: the binary in $TMP is shared
	cp "$TMP/cgbench" "$TMP/cgbench-vm"
	cmd="echo \"vm: \$(uname -r), \$(nproc) cpus, \$(stat -fc %T /sys/fs/cgroup)\"; $(declare -f run_cases); N=$N COLD_N=$COLD_N COLD_MS=$COLD_MS DEFAULT_RES='$DEFAULT_RES' LIMITS_RES='$LIMITS_RES' run_cases $TMP/cgbench-vm"
	"$REPO/tests/cgroup2-vm.sh" "bash -c $(printf %q "$cmd")"
else
	echo "cgroup: $(stat -fc %T /sys/fs/cgroup) at /sys/fs/cgroup"
	run_cases "$TMP/cgbench"
fi
