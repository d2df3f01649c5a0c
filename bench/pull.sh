#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/pull.sh: how fast does silo pull and unpack an image, and make a bundle?
#
#   1. pull + unpack: a multi-layer image (busybox + three layers of the
#      host's /usr: perl, python3, include; ~210 MB unpacked, gzip) from a
#      local docker-registry on 127.0.0.1, into an empty store, against
#      `skopeo copy docker://… oci:…` + `umoci unpack` of the same image (the
#      pair that does the same work: fetch, verify digests, unpack).  Both
#      verify every digest; silo also fsyncs its blobs and syncs each layer.
#   2. `silo bundle` of the already unpacked image (config.json + overlay
#      mount), N times, each followed by an untimed `silo bundle --rm`.
#
# Rounds alternate the order of the contenders; medians are printed with the
# ratio silo / pair.  A benchmark, not a test: it fails only when it cannot
# measure (not root, a tool missing, a pull failing).
#
# Environment: PORT (15050), ROUNDS (5), N (50 bundles), W (work dir, default
# /tmp/silo-bench-pull; the built image layout is kept there between runs),
# SILO (default build/src/cli/silo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
SILO=${SILO:-$PWD/build/src/cli/silo}
PORT=${PORT:-15050}
ROUNDS=${ROUNDS:-5}
N=${N:-50}
W=${W:-/tmp/silo-bench-pull}
IMG=127.0.0.1:$PORT/bench/multi:1

[ "$(id -u)" = 0 ] || { echo "bench/pull.sh: run as root (layers keep their owners)" >&2; exit 1; }
for t in docker-registry skopeo umoci jq curl busybox; do
	command -v "$t" >/dev/null || { echo "bench/pull.sh: $t is missing (scripts/install-deps.sh)" >&2; exit 1; }
done
[ -x "$SILO" ] || { echo "bench/pull.sh: $SILO is missing (ninja -C build)" >&2; exit 1; }

mkdir -p "$W"
REG=$W/reg
# --- the image (kept between runs) -------------------------------------------
if [ ! -f "$W/oci/index.json" ] || ! jq -e '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "bench")' "$W/oci/index.json" >/dev/null; then
	echo "== building the bench image (once)"
	rm -rf "$W/oci" "$W/b"
	umoci init --layout "$W/oci"
	umoci new --image "$W/oci:bench"
	umoci unpack --image "$W/oci:bench" "$W/b" >/dev/null
	mkdir -p "$W/b/rootfs/bin"
	cp "$(command -v busybox)" "$W/b/rootfs/bin/busybox"
	ln -s busybox "$W/b/rootfs/bin/sh"
	umoci repack --image "$W/oci:bench" "$W/b" >/dev/null
	rm -rf "$W/b"
	# one layer per directory, each made by unpack + copy + repack (umoci
	# 0.4.7's `insert` wrote a truncated tar for /usr/include here)
	for d in /usr/share/perl /usr/lib/python3 /usr/include; do
		[ -d "$d" ] || continue
		umoci unpack --image "$W/oci:bench" "$W/b" >/dev/null
		mkdir -p "$W/b/rootfs$(dirname "$d")"
		cp -a "$d" "$W/b/rootfs$d"
		umoci repack --image "$W/oci:bench" "$W/b" >/dev/null
		rm -rf "$W/b"
	done
	umoci config --image "$W/oci:bench" --config.cmd=/bin/sh
fi

# --- the registry ------------------------------------------------------------
rm -rf "$REG"
mkdir -p "$REG"
cat >"$REG/config.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $REG/data}
http:
  addr: 127.0.0.1:$PORT
YML
docker-registry serve "$REG/config.yml" >"$REG/log" 2>&1 &
REG_PID=$!
cleanup() {
	kill "$REG_PID" 2>/dev/null || true
	wait "$REG_PID" 2>/dev/null || true
	"$SILO" --root "$W/store" bundle --rm "$W/bundle" >/dev/null 2>&1 || true
	rm -rf "$W/store" "$W/pair" "$W/pairb" "$W/bundle" "$REG"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/v2/" >/dev/null && break; sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$W/oci:bench" "docker://$IMG"
layers=$(skopeo inspect --tls-verify=false --raw "docker://$IMG" | jq '.layers | length')
csize=$(skopeo inspect --tls-verify=false --raw "docker://$IMG" | jq '[.layers[].size] | add')
echo "== image $IMG: $layers layers, $((csize / 1000000)) MB compressed"

now() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1000000 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

run_silo() {
	rm -rf "$W/store"
	"$SILO" --root "$W/store" images -q >/dev/null    # the store and its built-in image, untimed
	sync
	local t0 t1
	t0=$(now)
	"$SILO" --root "$W/store" pull -q "$IMG" >/dev/null
	t1=$(now)
	ms "$t0" "$t1" >>"$W/silo.times"
}

run_pair() {
	rm -rf "$W/pair" "$W/pairb"
	sync
	local t0 t1
	t0=$(now)
	skopeo copy -q --src-tls-verify=false "docker://$IMG" "oci:$W/pair:bench"
	umoci unpack --image "$W/pair:bench" "$W/pairb" >/dev/null
	t1=$(now)
	ms "$t0" "$t1" >>"$W/pair.times"
}

: >"$W/silo.times"
: >"$W/pair.times"
echo "== pull + unpack, $ROUNDS rounds (load: $(cut -d' ' -f1-3 /proc/loadavg))"
run_silo    # warm-up: the registry's caches, the page cache of the blobs
run_pair
: >"$W/silo.times"
: >"$W/pair.times"
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then run_silo; run_pair; else run_pair; run_silo; fi
	printf '  round %d: silo %s ms, skopeo+umoci %s ms\n' "$r" "$(tail -n1 "$W/silo.times")" "$(tail -n1 "$W/pair.times")"
done
s=$(median <"$W/silo.times")
p=$(median <"$W/pair.times")
printf '%-28s %10s ms\n' "silo pull (median)" "$s" "skopeo copy + umoci unpack" "$p"
echo "ratio silo / pair: $(awk -v s="$s" -v p="$p" 'BEGIN { printf "%.2f", s / p }')"

echo "== silo bundle of the unpacked image, N=$N (each followed by an untimed bundle --rm)"
: >"$W/bundle.times"
for _ in $(seq "$N"); do
	t0=$(now)
	"$SILO" --root "$W/store" bundle "$IMG" "$W/bundle"
	t1=$(now)
	ms "$t0" "$t1" >>"$W/bundle.times"
	"$SILO" --root "$W/store" bundle --rm "$W/bundle"
done
printf 'silo bundle: median %s ms, min %s ms\n' "$(median <"$W/bundle.times")" "$(sort -n "$W/bundle.times" | head -n1)"
