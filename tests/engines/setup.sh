#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/engines/setup.sh: podman, docker and containerd set up by hand the way
# the engine tests (tests/integration/2NN-*.bats) set them up, to try a
# scenario or debug a failing test.  Idempotent: `up` reuses a running daemon
# and an imported image.
#
#   ENG=/tmp/eng-dev tests/engines/setup.sh up     # configs, image, daemons
#   eval "$(ENG=/tmp/eng-dev tests/engines/setup.sh env)"
#   pm_run --rm localhost/bb echo hi; dk_run --rm bb echo hi; cr_run --rm localhost/bb:latest c1 echo hi
#   ENG=/tmp/eng-dev tests/engines/setup.sh down   # stop, clean the host, rm -rf $ENG
#
# SILO_OCI picks the runtime (default: this tree's build/src/oci/silo-oci).
# `env` prints the variables and functions (pm, dk, cr, ...) for a shell.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=engines.bash
. "$here/engines.bash"

[ "$(id -u)" = 0 ] || { echo "setup.sh: run as root" >&2; exit 1; }
: "${ENG:?set ENG to a work dir, e.g. ENG=/tmp/eng-dev}"

case "${1:-}" in
up)
	eng_init || exit 1
	[ -e "$ENG/host.links" ] || eng_snapshot
	eng_podman_setup && eng_docker_start && eng_ctrd_start || exit 1
	echo "engines up under $ENG; runtime $ENG_RT"
	;;
env)
	eng_init >/dev/null || exit 1
	printf 'export ENG=%q ENG_RT=%q PM_ROOT=%q PM_CG=eng-podman DK_CG=eng-docker DK_ROOT=%q CR_CG=eng-ctr CR_ROOT=%q\n' \
		"$ENG" "$ENG_RT" "$(eng_default_root)" "$ENG/docker/run/runtime-runc/moby" "$ENG/ctrd/rt/eng"
	printf 'export CONTAINERS_CONF=%q CONTAINERS_STORAGE_CONF=%q\n' \
		"$ENG/podman/containers.conf" "$ENG/podman/storage.conf"
	printf '. %q\n' "$here/engines.bash"
	;;
down)
	[ -d "$ENG" ] || exit 0
	ENG_RT=${SILO_OCI:-$ENG_REPO/build/src/oci/silo-oci}
	export ENG ENG_RT
	if [ -e "$ENG/podman/containers.conf" ]; then
		export CONTAINERS_CONF=$ENG/podman/containers.conf CONTAINERS_STORAGE_CONF=$ENG/podman/storage.conf
		PM_ROOT=$(eng_default_root) PM_CG=eng-podman eng_podman_cleanup
	fi
	eng_docker_stop
	eng_ctrd_stop
	eng_restore_host
	eng_remove_workdir
	echo "engines down, $ENG removed"
	;;
*)
	sed -n '3,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
