#!/bin/bash
# Install what silo needs (Debian 12 packages), build it, and run a container
# from a built-in busybox bundle that shows its isolation: its own pid 1,
# hostname, mount table, and a network namespace with only lo.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
if [ -f build/build.ninja ]; then
	meson setup --reconfigure build >/dev/null
else
	meson setup build >/dev/null
fi
ninja -C build >/dev/null

bundle=${SILO_DEMO_BUNDLE:-/tmp/silo-demo}
rm -rf "$bundle"
./scripts/busybox-bundle.sh "$bundle" >/dev/null

echo "== silo-oci run --bundle $bundle demo"
exec ./build/src/oci/silo-oci run --bundle "$bundle" "demo-$$"
