#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# busybox-bundle.sh DIR [--template] [--args JSON] [--no-cgroups-path]
#
# Make an OCI bundle in DIR whose rootfs is a static busybox (from Debian's
# busybox-static) with its applets as symlinks, /etc/passwd, /etc/group and
# /etc/hostname.  config.json comes from `silo-oci spec` (the binary in
# $SILO_OCI, else build/src/oci/silo-oci), or from the hand-written runc-shaped
# template of the test suite with --template (or when silo-oci is not built).
#
# The process is a busybox shell script that shows the container's isolation:
# its own pid 1 and process list, its hostname, its mount table and a network
# namespace holding only lo.  --args JSON replaces it (e.g. '["sh"]').
#
# linux.cgroupsPath is set to the relative path "silo-demo-<basename DIR>", so
# the container's cgroup is made below the caller's own cgroup, not at the
# root of the hierarchy; --no-cgroups-path leaves the runtime's default.
set -euo pipefail

usage() { echo "usage: $0 DIR [--template] [--args JSON] [--no-cgroups-path]" >&2; exit 2; }

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir="" template=0 cgpath=1
args_json=""
while [ $# -gt 0 ]; do
	case "$1" in
	--template) template=1 ;;
	--no-cgroups-path) cgpath=0 ;;
	--args) [ $# -ge 2 ] || usage; args_json=$2; shift ;;
	-*) usage ;;
	*) [ -z "$dir" ] || usage; dir=$1 ;;
	esac
	shift
done
[ -n "$dir" ] || usage
command -v jq >/dev/null || { echo "$0: jq is required (apt-get install jq)" >&2; exit 1; }

busybox=$(command -v busybox || true)
if [ -z "$busybox" ] || file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
	echo "$0: a static busybox is required (apt-get install busybox-static)" >&2
	exit 1
fi
if [ -e "$dir/config.json" ] || [ -e "$dir/rootfs" ]; then
	echo "$0: $dir already holds a bundle" >&2
	exit 1
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
rootfs=$dir/rootfs
mkdir -p "$rootfs"/{bin,etc,proc,sys,dev,tmp,root,run,var}
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
for applet in $("$busybox" --list); do
	[ -e "$rootfs/bin/$applet" ] || ln -s busybox "$rootfs/bin/$applet"
done
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
echo silo-demo >"$rootfs/etc/hostname"

runtime=${SILO_OCI:-$HERE/build/src/oci/silo-oci}
if [ "$template" = 0 ] && [ -x "$runtime" ]; then
	"$runtime" spec --bundle "$dir"
else
	cp "$HERE/tests/integration/fixtures/config.json" "$dir/config.json"
fi

# The demo: everything it prints is this container's own view.
demo='echo "pid of this shell: $$"
echo "hostname: $(hostname)"
echo "processes:"; ps -o pid,comm | sed "s/^/  /"
echo "mounts:"; cut -d" " -f2,3 /proc/self/mounts | sed "s/^/  /"
echo "network interfaces:"; tail -n +3 /proc/net/dev | cut -d: -f1 | sed "s/^ */  /"'
[ -n "$args_json" ] || args_json=$(jq -cn --arg d "$demo" '["sh", "-c", $d]')

filter='.process.terminal = false | .process.args = $args | .hostname = "silo-demo" | .root.path = "rootfs"'
[ "$cgpath" = 0 ] || filter="$filter | .linux.cgroupsPath = \$cg"
jq --argjson args "$args_json" --arg cg "silo-demo-$(basename "$dir")" "$filter" \
	"$dir/config.json" >"$dir/config.json.new"
mv "$dir/config.json.new" "$dir/config.json"
echo "$dir"
