#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/seccomp.sh: what does a seccomp profile add to a container start?
# (issue 4, docs/perf.md §3: crun 1.8.1 compiles the profile on every start)
#
# Times N sequential `RUNTIME run` of the busybox bundle of bench/start.sh
# executing /bin/true, for silo-oci and crun, with Docker's default profile
# (tests/integration/fixtures/seccomp-docker.json, flattened for x86_64):
#   warm  the runtime's compiled-filter cache is filled (silo-oci: a hit
#         under <root>/.cache/seccomp on every start);
#   cold  the cache dir is removed before each start (runloop -p, untimed),
#         so every start compiles the profile and writes the cache again;
#   nosec the same bundle without linux.seccomp (the baseline of the cost).
# Items are interleaved: every round runs each item once, in a rotated
# order, and ratios are the median of the per-round (paired) ratios
# silo-oci/crun of wall and CPU time (user+sys).  Reuses bench/start.sh's
# set-up and clean-up (sourced): crun 1.8.1 refuses this host's hybrid cgroup
# layout, so everything runs in one private mount namespace with
# /sys/fs/cgroup/unified unmounted, as start.sh does.  Every container,
# cgroup and temp file is removed on exit, Ctrl-C included.  A benchmark,
# not a test: it never fails on slow figures.
#
#   bench/seccomp.sh [--quick] [--help]
#   knobs (environment): N=20 ROUNDS=11 RUNTIMES="silo-oci crun"
#                        PROFILE=<repo>/tests/integration/fixtures/seccomp-docker.json
#                        SILO_OCI=<repo>/build/src/oci/silo-oci CRUN=crun
#                        BUSYBOX=/bin/busybox CGROUP_PARENT=<deepest own cgroup>
#                        CONFIG_JQ=<jq filter applied to every config.json>
set -euo pipefail

SC_SELF=$(readlink -f "$0")
# shellcheck source=bench/start.sh
. "$(dirname "$SC_SELF")/start.sh"
TAG=silo-bench-sc
VARIANTS="warm cold nosec"

sc_usage() {
	sed -n '3,28p' "$SC_SELF" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

sc_parse_args() {
	VIEW=hidden
	QUICK=0
	for a in "$@"; do
		case $a in
		--quick) QUICK=1 ;;
		-h|--help) sc_usage 0 ;;
		*) echo "seccomp.sh: unknown argument $a" >&2; sc_usage 2 ;;
		esac
	done
	if [ "$QUICK" = 1 ]; then
		N=${N:-10} ROUNDS=${ROUNDS:-5}
	fi
	N=${N:-20}
	ROUNDS=${ROUNDS:-11}
	COLD_ROUNDS=0
	RUNTIMES=${RUNTIMES:-silo-oci crun}
	SILO_OCI=${SILO_OCI:-$REPO/build/src/oci/silo-oci}
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	PROFILE=${PROFILE:-$REPO/tests/integration/fixtures/seccomp-docker.json}
	case "$N$ROUNDS" in *[!0-9]*) die "N and ROUNDS must be integers" ;; esac
	[ "$N" -ge 1 ] && [ "$ROUNDS" -ge 1 ] || die "N and ROUNDS must be at least 1"
	command -v jq >/dev/null || die "jq is missing (apt-get install jq)"
	jq -e '.defaultAction' "$PROFILE" >/dev/null 2>&1 || die "PROFILE $PROFILE is not a linux.seccomp object"
}

# Three bundles and three state roots per runtime (one per variant), so the
# cold items' cache removal never touches the warm items' cache.  $T/items:
# NAME|PREP|COMMAND per line (PREP: runloop -p, empty for none).
sc_write_items() {
	local rt bin var v st
	: >"$T/items"
	: >"$T/roots"
	for rt in "${SELECTED[@]}"; do
		var=BIN_${rt//-/_}
		bin=${!var}
		for v in $VARIANTS; do
			write_config "$T/bundle-$rt-$v" "$CG_BASE/$rt-$v"
			if [ "$v" != nosec ]; then
				jq --slurpfile p "$PROFILE" '.linux.seccomp = $p[0]' \
					"$T/bundle-$rt-$v/config.json" >"$T/c.json"
				mv "$T/c.json" "$T/bundle-$rt-$v/config.json"
			fi
			st=$T/state/$rt-$v
			mkdir -p "$st"
			printf '%s\t%s\n' "$bin" "$st" >>"$T/roots"
			if [ "$v" = cold ]; then
				printf '%s|rm -rf %s/.cache|%s --root %s run -b %s %s\n' "$rt-$v" "$st" \
					"$bin" "$st" "$T/bundle-$rt-$v" "$TAG-$$-$rt-$v" >>"$T/items"
			else
				printf '%s||%s --root %s run -b %s %s\n' "$rt-$v" \
					"$bin" "$st" "$T/bundle-$rt-$v" "$TAG-$$-$rt-$v" >>"$T/items"
			fi
		done
	done
}

# start.sh's cleanup() knows one state root per runtime; ours are per
# variant: delete what an interrupt left there first.
sc_cleanup() {
	local rc=$? bin st d
	if [ -n "${T:-}" ] && [ -s "$T/roots" ]; then
		while IFS=$'\t' read -r bin st; do
			for d in "$st"/*/; do
				[ -d "$d" ] || continue
				in_hidden_ns "$bin" --root "$st" delete -f "$(basename "$d")" >/dev/null 2>&1 || true
			done
		done <"$T/roots"
	fi
	# cleanup reads $? on entry: hand it ours (in a || list, so set -e lets it pass)
	(exit "$rc") || cleanup
	cleanup
}

# Runs inside the measuring view (a private mount namespace, cgroup2 hidden).
sc_measure() {
	local names=() preps=() cmds=() name prep cmd i r k n_items out
	mkdir -p "$T/res"
	: >"$T/failed"
	while IFS='|' read -r name prep cmd; do
		names+=("$name")
		preps+=("$prep")
		cmds+=("$cmd")
	done <"$T/items"
	n_items=${#names[@]}
	# warm-up: fills the warm caches, and a clear verdict on a runtime
	# that cannot run the profile
	for i in "${!names[@]}"; do
		# shellcheck disable=SC2086
		if ! "$T/runloop" -n 2 ${preps[$i]:+-p "${preps[$i]}"} -- ${cmds[$i]} \
			>/dev/null 2>"$T/log.${names[$i]}"; then
			echo "${names[$i]}" >>"$T/failed"
			note "${names[$i]} failed to run a container, dropped:"
			tail -n 5 "$T/log.${names[$i]}" | sed 's/^/    /' >&2
		fi
	done
	for rt in "${SELECTED[@]}"; do
		find "$T/state/$rt-warm/.cache" -type f 2>/dev/null | sed "s|^|cache file ($rt warm): |" >&2 || true
	done
	echo "measuring: $ROUNDS rounds x $N starts per item..." >&2
	for ((r = 0; r < ROUNDS; r++)); do
		for ((k = 0; k < n_items; k++)); do
			i=$(((k + r) % n_items))
			grep -qx "${names[$i]}" "$T/failed" && continue
			# shellcheck disable=SC2086
			out=$("$T/runloop" -n "$N" ${preps[$i]:+-p "${preps[$i]}"} -- ${cmds[$i]} \
				2>>"$T/log.${names[$i]}") ||
				die "${names[$i]} failed in round $((r + 1)): $(tail -n 3 "$T/log.${names[$i]}")"
			echo "$out" >>"$T/res/warm.${names[$i]}"
		done
	done
}

sc_inner_main() {
	T=$1
	# shellcheck disable=SC1091
	. "$T/env"
	if mountpoint -q /sys/fs/cgroup/unified; then
		umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified in the private namespace"
	fi
	sc_measure
}

# per-round difference of column c (x - y) in ms per start, median over rounds
paired_diff() {
	local x=$1 y=$2 c=$3
	[ -s "$T/res/warm.$x" ] && [ -s "$T/res/warm.$y" ] || { echo nan; return; }
	paste -d' ' "$T/res/warm.$x" "$T/res/warm.$y" |
		awk -v c="$c" -v d=$((N * 1000000)) '{ print ($c - $(c + 4)) / d }' | median
}

sc_report() {
	local name warm lo hi cpu rc rcc d=$((N * 1000000)) v ref
	echo
	echo "== seccomp at container start: N=$N per round, $ROUNDS rounds, view: $VIEW =="
	echo "kernel $(uname -r), $(nproc) cpus, load before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "profile: $PROFILE ($(jq '[.syscalls[].names | length] | add' "$PROFILE") names in" \
		"$(jq '.syscalls | length' "$PROFILE") rules)"
	[ -z "${CONFIG_JQ:-}" ] || echo "spec variant (CONFIG_JQ, all runtimes): $CONFIG_JQ"
	for rt in "${SELECTED[@]}"; do
		bin=BIN_${rt//-/_}
		echo "$rt: ${!bin} ($("${!bin}" --version 2>/dev/null | head -n 1))"
	done
	echo
	printf '%-16s %18s %10s %18s %18s\n' item "wall ms/ctr" "cpu ms" "/crun wall(cpu)" "- nosec ms (cpu)"
	while IFS='|' read -r name _; do
		if [ ! -s "$T/res/warm.$name" ]; then
			printf '%-16s %s\n' "$name" "(failed or not measured: $(head -n 1 "$T/log.$name" 2>/dev/null))"
			continue
		fi
		warm=$(col_median "$T/res/warm.$name" 1 "$d")
		lo=$(awk -v d="$d" '{ print $1 / d }' "$T/res/warm.$name" | sort -g | head -n 1)
		hi=$(awk -v d="$d" '{ print $1 / d }' "$T/res/warm.$name" | sort -g | tail -n 1)
		cpu=$(col_median "$T/res/warm.$name" 3 "$d")
		v=${name##*-}
		ref=crun-$v
		rc=$(paired_ratio warm "$name" "$ref" 1); rcc=$(paired_ratio warm "$name" "$ref" 3)
		local dw=nan dc=nan
		if [ "$v" != nosec ]; then
			dw=$(paired_diff "$name" "${name%-*}-nosec" 1)
			dc=$(paired_diff "$name" "${name%-*}-nosec" 3)
		fi
		printf '%-16s %18s %10s %18s %18s\n' "$name" \
			"$(fmt "$warm" %.2f) ($(fmt "$lo" %.1f)-$(fmt "$hi" %.1f))" "$(fmt "$cpu" %.2f)" \
			"$(fmt "$rc" %.3f) ($(fmt "$rcc" %.3f))" "$(fmt "$dw" %.2f) ($(fmt "$dc" %.2f))"
	done <"$T/items"
	echo
	echo "wall: median over rounds of loop wall / N (range over rounds); cpu = user+sys of the"
	echo "children; /crun: median of per-round (paired) ratios to crun's item of the same variant;"
	echo "- nosec: median per-round difference to the same runtime without linux.seccomp."
	echo "cold = cache dir removed before each start (untimed).  Quote ratios, not ms."
	if [ -s "$T/res/warm.silo-oci-warm" ] && [ -s "$T/res/warm.crun-warm" ]; then
		rc=$(paired_ratio warm silo-oci-warm crun-warm 1)
		rcc=$(paired_ratio warm silo-oci-warm crun-warm 3)
		echo
		echo "RESULT: silo-oci/crun warm with the docker profile $(fmt "$rc" %.3f) (cpu $(fmt "$rcc" %.3f)):" \
			"<= 0.25x crun $(awk -v v="$rc" 'BEGIN { print (v <= 0.25) ? "met" : "NOT met" }');" \
			"cold $(fmt "$(paired_ratio warm silo-oci-cold crun-cold 1)" %.3f)" \
			"(cpu $(fmt "$(paired_ratio warm silo-oci-cold crun-cold 3)" %.3f))"
	fi
}

sc_main() {
	sc_parse_args "$@"
	bench_prepare sc_cleanup
	sc_write_items
	{
		declare -p N ROUNDS VIEW TAG SELECTED
		for rt in "${SELECTED[@]}"; do declare -p "BIN_${rt//-/_}"; done
	} >"$T/env"
	echo "bench dir $T, cgroups under $CG_BASE" >&2
	unshare -m --propagation private bash "$SC_SELF" --inner "$T"
	sc_report
}

if [ "${1:-}" = --inner ]; then
	sc_inner_main "$2"
else
	sc_main "$@"
fi
