#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/start.sh: how fast does a container start?  (issue 2, docs/perf.md)
#
# Times N sequential `RUNTIME run` of a busybox bundle executing /bin/true for
# silo-oci, runc and crun (whichever are installed), next to the floor program
# (bench/floor.c: only the kernel work of a start) and a plain fork+exec of
# busybox true, and prints per-container medians, CPU time, peak RSS and the
# ratio of each to crun and to runc.  Everything it builds lives in one temp
# dir; every container, cgroup and temp file it makes is removed on exit,
# Ctrl-C included.  A benchmark, not a test: it never fails on slow figures.
#
#   bench/start.sh [--quick] [--hybrid] [--help]
#   knobs (environment): N=20 ROUNDS=11 COLD_ROUNDS=$ROUNDS
#                        RUNTIMES="silo-oci runc crun"
#                        SILO_OCI=<repo>/build/src/oci/silo-oci RUNC=runc CRUN=crun
#                        BUSYBOX=/bin/busybox CGROUP_PARENT=<deepest own cgroup>
#                        CONFIG_JQ=<jq filter applied to every config.json (variants)>
#
# Views: by default every runtime runs in ONE private mount namespace with
# /sys/fs/cgroup/unified unmounted (crun 1.8.1 refuses the hybrid layout,
# docs/engines.md T1; the others get the same view for a fair comparison).
# --hybrid runs silo-oci and runc in the host's normal (hybrid) view instead.
set -euo pipefail

TAG=silo-bench
SELF=$(readlink -f "$0")
BENCH_DIR=$(dirname "$SELF")
REPO=$(dirname "$BENCH_DIR")
COLD_SLEEP_MS=50
RSS_RUNS=5

die() { echo "start.sh: $*" >&2; exit 1; }
note() { echo "note: $*" >&2; }

# ---------------------------------------------------------------- helpers ---

# median of the numbers on stdin (one per line)
median() {
	sort -g | awk '{ a[NR] = $1 }
		END { if (NR == 0) { print "nan"; exit }
		      if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# run "$@" in a fresh private mount namespace with the cgroup2 mount hidden
# (only used for set-up and clean-up; the measurements share one namespace)
in_hidden_ns() {
	unshare -m --propagation private sh -c \
		'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$@"' sh "$@"
}

# every cgroup hierarchy's mount point, in this mount namespace
cgroup_mounts() {
	findmnt -rn -t cgroup,cgroup2 -o TARGET
}

# the binary behind a runtime name, or nothing
runtime_bin() {
	case $1 in
	silo-oci) [ -x "$SILO_OCI" ] && echo "$SILO_OCI" ;;
	runc) command -v "${RUNC:-runc}" ;;
	crun) command -v "${CRUN:-crun}" ;;
	esac
	return 0
}

# ------------------------------------------------------------------ set-up ---

usage() {
	sed -n '3,24p' "$SELF" | sed 's/^# \{0,1\}//'
	exit "${1:-0}"
}

parse_args() {
	VIEW=hidden
	QUICK=0
	for a in "$@"; do
		case $a in
		--quick) QUICK=1 ;;
		--hybrid) VIEW=hybrid ;;
		-h|--help) usage 0 ;;
		*) echo "start.sh: unknown argument $a" >&2; usage 2 ;;
		esac
	done
	if [ "$QUICK" = 1 ]; then
		N=${N:-10} ROUNDS=${ROUNDS:-5} COLD_ROUNDS=${COLD_ROUNDS:-3}
	fi
	N=${N:-20}
	ROUNDS=${ROUNDS:-11}
	COLD_ROUNDS=${COLD_ROUNDS:-$ROUNDS}
	RUNTIMES=${RUNTIMES:-silo-oci runc crun}
	SILO_OCI=${SILO_OCI:-$REPO/build/src/oci/silo-oci}
	BUSYBOX=${BUSYBOX:-/bin/busybox}
	case "$N$ROUNDS$COLD_ROUNDS" in *[!0-9]*) die "N, ROUNDS and COLD_ROUNDS must be integers" ;; esac
	[ "$N" -ge 1 ] && [ "$ROUNDS" -ge 1 ] || die "N and ROUNDS must be at least 1"
}

check_tools() {
	[ "$(id -u)" = 0 ] || die "must run as root (containers, cgroups, mount namespaces)"
	command -v unshare >/dev/null || die "unshare (util-linux) is missing"
	command -v cc >/dev/null || die "cc is missing (apt-get install gcc)"
	[ -z "${CONFIG_JQ:-}" ] || command -v jq >/dev/null || die "CONFIG_JQ needs jq (apt-get install jq)"
	[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing (apt-get install busybox-static)"
	# a dynamic busybox would fail inside the rootfs, which has no libc
	if head -c 8192 "$BUSYBOX" | grep -qa 'ld-linux'; then
		die "$BUSYBOX is dynamically linked (apt-get install busybox-static, or set BUSYBOX)"
	fi
	if [ ! -x /usr/bin/time ]; then
		note "/usr/bin/time is missing: apt-get install -y time"
		apt-get install -y time >/dev/null 2>&1 || true
	fi
	[ -x /usr/bin/time ] || note "/usr/bin/time unavailable: peak RSS comes from wait4() instead"
}

# Pick the runtimes to run: missing ones are skipped with a note.
select_runtimes() {
	SELECTED=()
	for rt in $RUNTIMES; do
		local bin
		bin=$(runtime_bin "$rt")
		if [ -z "$bin" ]; then
			note "$rt: not installed or unknown (silo-oci: $SILO_OCI), skipped"
			continue
		fi
		if [ "$VIEW" = hybrid ] && [ "$rt" = crun ]; then
			note "crun: skipped in the hybrid view (crun 1.8.1 refuses hybrid cgroups, engines.md T1)"
			continue
		fi
		SELECTED+=("$rt")
		eval "BIN_${rt//-/_}=\$bin"
	done
}

# The cgroup below which every container goes.  Runtimes disagree on a
# relative cgroupsPath (runc and silo-oci: below the caller's cgroup in each
# hierarchy; crun 1.8.1: below each hierarchy's root), so the bundle gets an
# absolute path below the caller's deepest cgroup; this is below the caller's
# own cgroup in every hierarchy provided the others are its ancestors.
pick_cgroup_base() {
	local deepest=/ p
	if [ -z "${CGROUP_PARENT:-}" ]; then
		while IFS=: read -r _ _ p; do
			[ ${#p} -gt ${#deepest} ] && deepest=$p
		done </proc/self/cgroup
		while IFS=: read -r _ _ p; do
			[[ $deepest/ == "${p%/}/"* ]] ||
				die "own cgroups are not nested ($p vs $deepest): set CGROUP_PARENT"
		done </proc/self/cgroup
		CGROUP_PARENT=$deepest
	fi
	case $CGROUP_PARENT in /*) ;; *) die "CGROUP_PARENT must be absolute" ;; esac
	case $CGROUP_PARENT in *..*) die "CGROUP_PARENT must not contain .." ;; esac
	CG_BASE=${CGROUP_PARENT%/}/$TAG-$$
}

# Which ancestors of CG_BASE do not exist yet: the runtimes will create them
# (mkdir -p), so clean-up removes them again, and only them.
record_new_ancestors() {
	local rel=${CGROUP_PARENT#/} prefix="" comp h
	: >"$T/new-ancestors"
	: >"$T/new-ancestors-hidden"
	[ -n "$rel" ] || return 0
	IFS=/ read -ra comps <<<"$rel"
	for comp in "${comps[@]}"; do
		prefix=${prefix:+$prefix/}$comp
		for h in $(cgroup_mounts); do
			[ -e "$h/$prefix" ] || echo "$h/$prefix" >>"$T/new-ancestors"
		done
		echo "$prefix" >>"$T/ancestors"
	done
	# the same under the unified mount point as the hidden view sees it
	in_hidden_ns sh -c 'while read -r p; do [ -e "/sys/fs/cgroup/unified/$p" ] ||
		echo "/sys/fs/cgroup/unified/$p"; done' <"$T/ancestors" >"$T/new-ancestors-hidden"
	for h in $(cgroup_mounts); do
		[ ! -e "$h$CG_BASE" ] || die "$h$CG_BASE already exists"
	done
}

build_tools() {
	cc -O2 -Wall -Wextra -o "$T/floor" "$BENCH_DIR/floor.c"
	cc -O2 -Wall -Wextra -o "$T/runloop" "$BENCH_DIR/runloop.c"
}

build_rootfs() {
	local r=$T/rootfs a
	mkdir -p "$r"/{bin,dev,etc,proc,root,sys,tmp}
	cp "$BUSYBOX" "$r/bin/busybox"
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\n' >"$r/etc/group"
	chmod 1777 "$r/tmp"
}

# The default spec shape (`crun spec` / `runc spec`): default mounts, masked
# and readonly paths, pid/net/ipc/uts/mount namespaces, no seccomp; with
# args ["/bin/true"], no terminal, a read-only, absolute root.  Only
# cgroupsPath differs between the runtimes.
write_config() {
	local dir=$1 cgpath=$2
	mkdir -p "$dir"
	cat >"$dir/config.json" <<EOF
{
	"ociVersion": "1.0.0",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ "/bin/true" ],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"inheritable": [],
			"permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"ambient": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
		},
		"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
		"noNewPrivileges": true
	},
	"root": { "path": "$T/rootfs", "readonly": true },
	"hostname": "$TAG",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		  "options": [ "nosuid", "noexec", "nodev" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": [ "nosuid", "noexec", "nodev", "ro" ] },
		{ "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
		  "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] }
	],
	"linux": {
		"cgroupsPath": "$cgpath",
		"resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		"namespaces": [
			{ "type": "pid" }, { "type": "network" }, { "type": "ipc" },
			{ "type": "uts" }, { "type": "mount" }
		],
		"maskedPaths": [
			"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			"/proc/sched_debug", "/sys/firmware", "/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"
		]
	}
}
EOF
	if [ -n "${CONFIG_JQ:-}" ]; then
		jq "$CONFIG_JQ" "$dir/config.json" >"$dir/config.json.new" ||
			die "CONFIG_JQ: jq failed on $CONFIG_JQ"
		mv "$dir/config.json.new" "$dir/config.json"
	fi
}

# The timed items: name and command line, one per line in $T/items.
write_items() {
	local rt bin var
	: >"$T/items"
	for rt in "${SELECTED[@]}"; do
		var=BIN_${rt//-/_}
		bin=${!var}
		write_config "$T/bundle-$rt" "$CG_BASE/$rt"
		mkdir -p "$T/state/$rt"
		printf '%s\t%s --root %s run -b %s %s\n' "$rt" "$bin" "$T/state/$rt" \
			"$T/bundle-$rt" "$TAG-$$-$rt" >>"$T/items"
	done
	printf 'floor\t%s -q %s\n' "$T/floor" "$T/rootfs" >>"$T/items"
	# floor -c needs v1 memory, pids and cpu hierarchies, and its parent
	# cgroup in each
	if [ "$(stat -f -c %T /sys/fs/cgroup/{memory,pids,cpu} 2>/dev/null | sort -u)" = cgroupfs ]; then
		for h in memory pids cpu; do mkdir -p "/sys/fs/cgroup/$h$CG_BASE/floor"; done
		printf 'floor-c\t%s -q -c %s %s\n' "$T/floor" "${CG_BASE#/}/floor" "$T/rootfs" >>"$T/items"
	else
		note "floor-c: skipped (needs v1 memory, pids and cpu hierarchies)"
	fi
	printf 'true\t%s\n' "$T/rootfs/bin/true" >>"$T/items"
}

# --------------------------------------------------------------- clean-up ---

# Remove, in this order: containers an interrupt left behind, the cgroups
# below CG_BASE (and the ancestors the runtimes created), crun's plain files
# under the hidden unified mount point, the temp dir.  Idempotent; touches
# nothing that does not carry this run's name or that existed before it.
cleanup() {
	local rc=$? rt bin d h p
	set +e
	trap - EXIT INT TERM HUP
	[ "$rc" -ge 128 ] && echo "start.sh: interrupted, cleaning up" >&2
	[ -n "${T:-}" ] && [ -d "$T" ] || exit "$rc"
	for rt in "${SELECTED[@]:-}"; do
		[ -n "$rt" ] && [ -d "$T/state/$rt" ] || continue
		bin=BIN_${rt//-/_}
		for d in "$T/state/$rt"/*/; do
			[ -d "$d" ] || continue
			if [ "$VIEW" = hidden ]; then
				in_hidden_ns "${!bin}" --root "$T/state/$rt" delete -f "$(basename "$d")"
			else
				"${!bin}" --root "$T/state/$rt" delete -f "$(basename "$d")"
			fi
		done >/dev/null 2>&1
	done
	if [ -n "${CG_BASE:-}" ]; then
		for h in $(cgroup_mounts); do
			d=$h$CG_BASE
			[ -d "$d" ] || continue
			[ "$(stat -f -c %T "$d")" = tmpfs ] && continue   # not a cgroup: hidden-view junk
			# processes still in our cgroups are our containers' leftovers
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r p; do
				kill -9 "$p" 2>/dev/null
			done
			find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			sleep 0.1; find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
			[ -d "$d" ] && echo "start.sh: could not remove $d" >&2
		done
		# crun's junk: plain dirs and files on the /sys/fs/cgroup tmpfs,
		# under the unified mount point, visible only with it unmounted
		in_hidden_ns sh -c '
			d=/sys/fs/cgroup/unified/$1
			if [ -d "$d" ] && [ "$(stat -f -c %T "$d")" = tmpfs ]; then rm -rf "$d"; fi
			[ -d "$d" ] && echo "start.sh: could not remove hidden $d" >&2
			tac "$2" | while read -r p; do
				[ "$(stat -f -c %T "$p" 2>/dev/null)" = tmpfs ] && rmdir "$p" 2>/dev/null
			done; true' sh "${CG_BASE#/}" "$T/new-ancestors-hidden"
		[ -f "$T/new-ancestors" ] && tac "$T/new-ancestors" | while read -r p; do
			rmdir "$p" 2>/dev/null
		done
	fi
	case $T in /tmp/$TAG.*) rm -rf "$T" ;; esac
	exit "$rc"
}

# --------------------------------------------------------------- measuring ---

# Runs inside the measuring view (see main): warm-up, warm rounds, cold
# rounds, RSS.  Results go to $T/res/<kind>.<name>, one line per round.
measure() {
	local names=() cmds=() name cmd i r k n_items out
	while IFS=$'\t' read -r name cmd; do
		names+=("$name")
		cmds+=("$cmd")
	done <"$T/items"
	n_items=${#names[@]}
	mkdir -p "$T/res"

	# warm-up: page cache, and a clear verdict on a runtime that cannot run
	: >"$T/failed"
	for i in "${!names[@]}"; do
		# shellcheck disable=SC2086
		if ! "$T/runloop" -n 2 -- ${cmds[$i]} >/dev/null 2>"$T/log.${names[$i]}"; then
			echo "${names[$i]}" >>"$T/failed"
			note "${names[$i]} failed to run a container, dropped:"
			tail -n 5 "$T/log.${names[$i]}" | sed 's/^/    /' >&2
		fi
	done

	for kind in warm cold; do
		local rounds=$ROUNDS sleep=0
		[ "$kind" = cold ] && rounds=$COLD_ROUNDS sleep=$COLD_SLEEP_MS
		[ "$rounds" -ge 1 ] || continue
		echo "measuring $kind: $rounds rounds x $N starts per item..." >&2
		for ((r = 0; r < rounds; r++)); do
			# rotate the order every round so no item always follows another
			for ((k = 0; k < n_items; k++)); do
				i=$(((k + r) % n_items))
				grep -qx "${names[$i]}" "$T/failed" && continue
				# shellcheck disable=SC2086
				out=$("$T/runloop" -n "$N" -s "$sleep" -- ${cmds[$i]} 2>>"$T/log.${names[$i]}") ||
					die "${names[$i]} failed in the $kind round $((r + 1)): $(tail -n 3 "$T/log.${names[$i]}")"
				echo "$out" >>"$T/res/$kind.${names[$i]}"
			done
		done
	done

	echo "measuring peak RSS: $RSS_RUNS single starts per item..." >&2
	for i in "${!names[@]}"; do
		grep -qx "${names[$i]}" "$T/failed" && continue
		for ((r = 0; r < RSS_RUNS; r++)); do
			if [ -x /usr/bin/time ]; then
				# shellcheck disable=SC2086
				/usr/bin/time -f %M -o "$T/rss.out" ${cmds[$i]} </dev/null >/dev/null 2>>"$T/log.${names[$i]}"
				cat "$T/rss.out" >>"$T/res/rss.${names[$i]}"
			else
				# shellcheck disable=SC2086
				"$T/runloop" -n 1 -- ${cmds[$i]} | awk '{ print $4 }' >>"$T/res/rss.${names[$i]}"
			fi
		done
	done

	# the floor in-process (perf.md §3 table), three times, median taken later
	for r in 1 2 3; do
		"$T/floor" -n 200 "$T/rootfs" | awk '{ print $4 }' >>"$T/res/inproc.floor"
	done
}

# The measuring view: hidden = this process in its own private mount
# namespace with cgroup2 unmounted; hybrid = the host's view, as is.
inner_main() {
	T=$1
	# shellcheck disable=SC1091
	. "$T/env"
	if [ "$VIEW" = hidden ] && mountpoint -q /sys/fs/cgroup/unified; then
		umount /sys/fs/cgroup/unified || die "cannot unmount /sys/fs/cgroup/unified in the private namespace"
	fi
	measure
}

# ---------------------------------------------------------------- report ---

# per-round ratio x/ref of column c (1 = wall, 3 = cpu), median over rounds
paired_ratio() {
	local kind=$1 x=$2 ref=$3 c=$4
	[ -s "$T/res/$kind.$x" ] && [ -s "$T/res/$kind.$ref" ] || { echo nan; return; }
	paste -d' ' "$T/res/$kind.$x" "$T/res/$kind.$ref" |
		awk -v c="$c" '{ if ($(c + 4) > 0) print $c / $(c + 4) }' | median
}

col_median() {   # file column divisor
	[ -s "$1" ] || { echo nan; return; }
	awk -v c="$2" -v d="$3" '{ print $c / d }' "$1" | median
}

fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "nan" || v == "") print "-"; else printf f, v }'; }

# why a row has no figures: its first error line, from the warm-up
why_not() {
	if grep -qx "$1" "$T/failed" 2>/dev/null; then
		echo "(failed: $(grep -v '^runloop:' "$T/log.$1" | head -n 1))"
	elif cut -f1 "$T/items" | grep -qx "$1"; then
		echo "(not measured)"
	else
		echo "(not installed or not in RUNTIMES)"
	fi
}

report() {
	local name warm lo hi cold cpu rss rc rcc rr rrc base cratio
	local ns_per_ms=1000000
	base=$(col_median "$T/res/cold.true" 2 $((N * ns_per_ms)))
	echo
	echo "== container start: N=$N per round, $ROUNDS warm / $COLD_ROUNDS cold rounds, view: $VIEW =="
	echo "kernel $(uname -r), $(nproc) cpus, load before: $LOAD_BEFORE, after: $(cut -d' ' -f1-3 /proc/loadavg)"
	[ -z "${CONFIG_JQ:-}" ] || echo "spec variant (CONFIG_JQ, all runtimes): $CONFIG_JQ"
	for rt in "${SELECTED[@]}"; do
		bin=BIN_${rt//-/_}
		echo "$rt: ${!bin} ($("${!bin}" --version 2>/dev/null | head -n 1))"
	done
	echo
	printf '%-10s %18s %12s %10s %12s %16s %16s %10s\n' runtime "warm ms/ctr" "cold ms/st" \
		"cpu ms/ctr" "peak RSS KB" "/crun wall(cpu)" "/runc wall(cpu)" "cold/crun"
	while IFS=$'\t' read -r name _; do
		if [ ! -s "$T/res/warm.$name" ]; then
			printf '%-10s %s\n' "$name" "$(why_not "$name")"
			continue
		fi
		warm=$(col_median "$T/res/warm.$name" 1 $((N * ns_per_ms)))
		lo=$(awk -v d=$((N * ns_per_ms)) '{ print $1 / d }' "$T/res/warm.$name" | sort -g | head -n 1)
		hi=$(awk -v d=$((N * ns_per_ms)) '{ print $1 / d }' "$T/res/warm.$name" | sort -g | tail -n 1)
		cpu=$(col_median "$T/res/warm.$name" 3 $((N * ns_per_ms)))
		cold=$(col_median "$T/res/cold.$name" 2 $((N * ns_per_ms)))
		[ "$cold" != nan ] && [ "$base" != nan ] && cold=$(awk -v a="$cold" -v b="$base" 'BEGIN { print a - b }')
		rss=$([ -s "$T/res/rss.$name" ] && median <"$T/res/rss.$name" || echo nan)
		rc=$(paired_ratio warm "$name" crun 1); rcc=$(paired_ratio warm "$name" crun 3)
		rr=$(paired_ratio warm "$name" runc 1); rrc=$(paired_ratio warm "$name" runc 3)
		cratio=nan
		if [ -s "$T/res/cold.crun" ] && [ "$cold" != nan ]; then
			local ccold
			ccold=$(col_median "$T/res/cold.crun" 2 $((N * ns_per_ms)))
			cratio=$(awk -v a="$cold" -v b="$ccold" -v z="$base" 'BEGIN { if (b - z > 0) print a / (b - z); else print "nan" }')
		fi
		printf '%-10s %18s %12s %10s %12s %16s %16s %10s\n' "$name" \
			"$(fmt "$warm" %.2f) ($(fmt "$lo" %.1f)-$(fmt "$hi" %.1f))" \
			"$(fmt "$cold" %.2f)" "$(fmt "$cpu" %.2f)" "$(fmt "$rss" %.0f)" \
			"$(fmt "$rc" %.2f) ($(fmt "$rcc" %.2f))" "$(fmt "$rr" %.2f) ($(fmt "$rrc" %.2f))" \
			"$(fmt "$cratio" %.2f)"
	done <"$T/items"
	echo
	echo "floor in-process (200 iterations, median of 3): $(median <"$T/res/inproc.floor") us per start"
	echo "warm: median over rounds of loop wall / N (range over rounds); cpu = user+sys of the"
	echo "children; cold: start after ${COLD_SLEEP_MS} ms idle, minus a plain fork+exec of busybox true;"
	echo "ratios: median of per-round (paired) ratios; floor = kernel work only (bench/floor.c),"
	echo "floor-c = floor + 3 v1 cgroups; true = fork+exec of busybox true.  Quote ratios, not ms."
	verdict
}

verdict() {
	local r c rss ok_r ok_m
	echo
	if [ ! -s "$T/res/warm.silo-oci" ]; then
		echo "RESULT: silo-oci $(why_not silo-oci), targets not evaluated"
		return
	fi
	rss=$(median <"$T/res/rss.silo-oci")
	ok_m=$(awk -v v="$rss" 'BEGIN { print (v <= 2048) ? "met" : "NOT met" }')
	if [ ! -s "$T/res/warm.crun" ]; then
		r=$(paired_ratio warm silo-oci runc 1)
		c=$(paired_ratio warm silo-oci runc 3)
		echo "RESULT: silo-oci/runc warm $(fmt "$r" %.2f) (cpu $(fmt "$c" %.2f)), crun not measured;" \
			"peak RSS $rss KB: <= 2 MB $ok_m"
		return
	fi
	r=$(paired_ratio warm silo-oci crun 1)
	c=$(paired_ratio warm silo-oci crun 3)
	ok_r=$(awk -v v="$r" 'BEGIN { print (v <= 0.5) ? "met" : "NOT met" }')
	echo "RESULT: silo-oci/crun warm $(fmt "$r" %.2f) (cpu $(fmt "$c" %.2f)): <= 0.5x crun $ok_r;" \
		"peak RSS $rss KB: <= 2 MB $ok_m"
}

# ------------------------------------------------------------------- main ---

# The set-up every bench/*.sh shares: tools, runtimes, the temp dir $T with
# the clean-up function $1 on exit, the cgroup base, the helpers and the
# busybox rootfs.
bench_prepare() {
	check_tools
	select_runtimes
	LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
	T=$(mktemp -d "/tmp/$TAG.XXXXXX")
	trap "$1" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	pick_cgroup_base
	record_new_ancestors
	build_tools
	build_rootfs
}

main() {
	parse_args "$@"
	bench_prepare cleanup
	[ ${#SELECTED[@]} -gt 0 ] || note "no runtime to measure: only the floor and fork+exec rows"
	write_items
	{
		declare -p N ROUNDS COLD_ROUNDS RSS_RUNS COLD_SLEEP_MS VIEW TAG
		for rt in "${SELECTED[@]}"; do declare -p "BIN_${rt//-/_}"; done
	} >"$T/env"
	echo "bench dir $T, cgroups under $CG_BASE, view: $VIEW" >&2
	if [ "$VIEW" = hidden ]; then
		unshare -m --propagation private bash "$SELF" --inner "$T"
	else
		bash "$SELF" --inner "$T"
	fi
	report
}

# Sourced (bench/exec.sh reuses the helpers above): define, do not run.
if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	return 0
fi
if [ "${1:-}" = --inner ]; then
	inner_main "$2"
else
	main "$@"
fi
