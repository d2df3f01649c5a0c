#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/exec.sh: how fast is `exec` into a running container?  (issue 5)
#
# Starts one container per runtime (silo-oci, runc, crun: whichever are
# installed) from the same default spec as bench/start.sh, its process
# sleeping, then times N sequential `RUNTIME exec ID /bin/true` per runtime,
# rounds rotated and paired, next to a plain fork+exec of busybox true.  It
# also counts the mount events an exec causes in the runtime's mount
# namespace (findmnt --poll while execs run): a cheap exec makes none.
# Reuses bench/start.sh's set-up and clean-up (sourced); every container,
# cgroup and temp file is removed on exit, Ctrl-C included.  A benchmark, not
# a test: it never fails on slow figures.
#
#   bench/exec.sh [--quick] [--help]
#   knobs (environment): N=50 ROUNDS=11 MOUNT_EXECS=20
#                        RUNTIMES="silo-oci runc crun" SILO_OCI=... RUNC=runc CRUN=crun
#                        BUSYBOX=/bin/busybox CGROUP_PARENT=<deepest own cgroup>
#                        CONFIG_JQ=<jq filter applied to every config.json>
set -euo pipefail

EXEC_SELF=$(readlink -f "$0")
# shellcheck source=bench/start.sh
. "$(dirname "$EXEC_SELF")/start.sh"

exec_usage() {
	sed -n '3,20p' "$EXEC_SELF" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

exec_parse_args() {
	VIEW=hidden
	QUICK=0
	for a in "$@"; do
		case $a in
		--quick) QUICK=1 ;;
		-h|--help) exec_usage 0 ;;
		*) echo "exec.sh: unknown argument $a" >&2; exec_usage 2 ;;
		esac
	done
	if [ "$QUICK" = 1 ]; then
		N=${N:-20} ROUNDS=${ROUNDS:-5}
	fi
	N=${N:-50}
	ROUNDS=${ROUNDS:-11}
	COLD_ROUNDS=0
	MOUNT_EXECS=${MOUNT_EXECS:-20}
	RUNTIMES=${RUNTIMES:-silo-oci runc crun}
	SILO_OCI=${SILO_OCI:-$REPO/build/src/oci/silo-oci}
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	case "$N$ROUNDS$MOUNT_EXECS" in *[!0-9]*) die "N, ROUNDS and MOUNT_EXECS must be integers" ;; esac
	[ "$N" -ge 1 ] && [ "$ROUNDS" -ge 1 ] || die "N and ROUNDS must be at least 1"
	command -v jq >/dev/null || die "jq is missing (apt-get install jq)"
	command -v findmnt >/dev/null || die "findmnt (util-linux) is missing"
}

# One sleeping container per runtime; the timed items are execs into them.
exec_write_items() {
	local rt bin var
	: >"$T/items"
	: >"$T/containers"
	for rt in "${SELECTED[@]}"; do
		var=BIN_${rt//-/_}
		bin=${!var}
		write_config "$T/bundle-$rt" "$CG_BASE/$rt"
		jq '.process.args = ["/bin/sleep", "1000000"]' "$T/bundle-$rt/config.json" >"$T/c.json"
		mv "$T/c.json" "$T/bundle-$rt/config.json"
		mkdir -p "$T/state/$rt"
		printf '%s\t%s --root %s run -d -b %s %s\n' "$rt" "$bin" "$T/state/$rt" \
			"$T/bundle-$rt" "$TAG-$$-$rt" >>"$T/containers"
		printf '%s\t%s --root %s exec %s /bin/true\n' "$rt" "$bin" "$T/state/$rt" \
			"$TAG-$$-$rt" >>"$T/items"
	done
	printf 'true\t%s\n' "$T/rootfs/bin/true" >>"$T/items"
}

# Mount events in this mount namespace while $MOUNT_EXECS execs run.
count_mount_events() {
	local cmd=$1 poll i
	findmnt --poll -o ACTION,TARGET -n >"$T/mnt.events" 2>/dev/null &
	poll=$!
	sleep 0.3
	for ((i = 0; i < MOUNT_EXECS; i++)); do
		# shellcheck disable=SC2086
		$cmd </dev/null >/dev/null 2>&1 || true
	done
	sleep 0.3
	kill "$poll" 2>/dev/null || true
	wait "$poll" 2>/dev/null || true
	wc -l <"$T/mnt.events"
}

# Runs inside the measuring view (a private mount namespace, cgroup2 hidden).
exec_measure() {
	local names=() cmds=() name cmd i r k n_items out
	mkdir -p "$T/res"
	: >"$T/failed"
	while IFS=$'\t' read -r name cmd; do
		# shellcheck disable=SC2086
		if ! $cmd </dev/null >/dev/null 2>"$T/log.$name"; then
			echo "$name" >>"$T/failed"
			note "$name failed to start its container, dropped: $(head -n 1 "$T/log.$name")"
		fi
	done <"$T/containers"
	while IFS=$'\t' read -r name cmd; do
		names+=("$name")
		cmds+=("$cmd")
	done <"$T/items"
	n_items=${#names[@]}
	for i in "${!names[@]}"; do
		grep -qx "${names[$i]}" "$T/failed" && continue
		# shellcheck disable=SC2086
		if ! "$T/runloop" -n 2 -- ${cmds[$i]} >/dev/null 2>>"$T/log.${names[$i]}"; then
			echo "${names[$i]}" >>"$T/failed"
			note "${names[$i]} failed to exec, dropped: $(tail -n 1 "$T/log.${names[$i]}")"
		fi
	done
	echo "measuring: $ROUNDS rounds x $N execs per item..." >&2
	for ((r = 0; r < ROUNDS; r++)); do
		for ((k = 0; k < n_items; k++)); do
			i=$(((k + r) % n_items))
			grep -qx "${names[$i]}" "$T/failed" && continue
			# shellcheck disable=SC2086
			out=$("$T/runloop" -n "$N" -- ${cmds[$i]} 2>>"$T/log.${names[$i]}") ||
				die "${names[$i]} failed in round $((r + 1)): $(tail -n 3 "$T/log.${names[$i]}")"
			echo "$out" >>"$T/res/warm.${names[$i]}"
		done
	done
	echo "counting mount events: $MOUNT_EXECS execs per runtime..." >&2
	for i in "${!names[@]}"; do
		[ "${names[$i]}" = true ] && continue
		grep -qx "${names[$i]}" "$T/failed" && continue
		count_mount_events "${cmds[$i]}" >"$T/res/mounts.${names[$i]}"
	done
}

exec_inner_main() {
	T=$1
	# shellcheck disable=SC1091
	. "$T/env"
	if mountpoint -q /sys/fs/cgroup/unified; then
		umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified in the private namespace"
	fi
	exec_measure
}

exec_report() {
	local name warm lo hi cpu rc rcc rr rrc mounts
	local d=$((N * 1000000))
	echo
	echo "== exec into a running container: N=$N per round, $ROUNDS rounds, view: $VIEW =="
	echo "kernel $(uname -r), $(nproc) cpus, load before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	[ -z "${CONFIG_JQ:-}" ] || echo "spec variant (CONFIG_JQ, all runtimes): $CONFIG_JQ"
	for rt in "${SELECTED[@]}"; do
		bin=BIN_${rt//-/_}
		echo "$rt: ${!bin} ($("${!bin}" --version 2>/dev/null | head -n 1))"
	done
	echo
	printf '%-10s %18s %10s %16s %16s %14s\n' runtime "warm ms/exec" "cpu ms" \
		"/crun wall(cpu)" "/runc wall(cpu)" "mounts/exec"
	while IFS=$'\t' read -r name _; do
		if [ ! -s "$T/res/warm.$name" ]; then
			printf '%-10s %s\n' "$name" "(failed or not measured: $(head -n 1 "$T/log.$name" 2>/dev/null))"
			continue
		fi
		warm=$(col_median "$T/res/warm.$name" 1 "$d")
		lo=$(awk -v d="$d" '{ print $1 / d }' "$T/res/warm.$name" | sort -g | head -n 1)
		hi=$(awk -v d="$d" '{ print $1 / d }' "$T/res/warm.$name" | sort -g | tail -n 1)
		cpu=$(col_median "$T/res/warm.$name" 3 "$d")
		rc=$(paired_ratio warm "$name" crun 1); rcc=$(paired_ratio warm "$name" crun 3)
		rr=$(paired_ratio warm "$name" runc 1); rrc=$(paired_ratio warm "$name" runc 3)
		mounts=-
		[ -s "$T/res/mounts.$name" ] &&
			mounts=$(awk -v n="$MOUNT_EXECS" '{ printf "%.1f", $1 / n }' "$T/res/mounts.$name")
		printf '%-10s %18s %10s %16s %16s %14s\n' "$name" \
			"$(fmt "$warm" %.2f) ($(fmt "$lo" %.1f)-$(fmt "$hi" %.1f))" "$(fmt "$cpu" %.2f)" \
			"$(fmt "$rc" %.2f) ($(fmt "$rcc" %.2f))" "$(fmt "$rr" %.2f) ($(fmt "$rrc" %.2f))" "$mounts"
	done <"$T/items"
	echo
	echo "warm: median over rounds of loop wall / N (range over rounds); cpu = user+sys of the"
	echo "children; ratios: median of per-round (paired) ratios; mounts/exec: findmnt --poll events"
	echo "in the runtimes' mount namespace per exec; true = fork+exec of busybox true."
	if [ -s "$T/res/warm.silo-oci" ] && [ -s "$T/res/warm.crun" ]; then
		rc=$(paired_ratio warm silo-oci crun 1)
		echo
		echo "RESULT: silo-oci/crun exec $(fmt "$rc" %.2f): <= 0.5x crun" \
			"$(awk -v v="$rc" 'BEGIN { print (v <= 0.5) ? "met" : "NOT met" }');" \
			"mount events per silo-oci exec: $(awk -v n="$MOUNT_EXECS" '{ printf "%.1f", $1 / n }' "$T/res/mounts.silo-oci")"
	fi
}

exec_main() {
	exec_parse_args "$@"
	bench_prepare cleanup
	exec_write_items
	{
		declare -p N ROUNDS MOUNT_EXECS VIEW TAG
		for rt in "${SELECTED[@]}"; do declare -p "BIN_${rt//-/_}"; done
	} >"$T/env"
	echo "bench dir $T, cgroups under $CG_BASE" >&2
	unshare -m --propagation private bash "$EXEC_SELF" --inner "$T"
	exec_report
}

if [ "${1:-}" = --inner ]; then
	exec_inner_main "$2"
else
	exec_main "$@"
fi
