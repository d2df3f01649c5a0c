#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# install-deps.sh: install with apt-get everything silo's build, tests,
# benchmarks and cgroup-v2 VM tests need on Debian 12.  Idempotent: when every
# package is already installed it only checks (dpkg-query) and returns.
#
# linux-image-amd64 only provides /boot/vmlinuz-* and /lib/modules for the
# throwaway VM of tests/cgroup2-vm.sh; inside a container it is harmless (no
# boot loader gets installed; the initramfs build just writes to /boot).
#
# docker.io would start dockerd through its init script: while installing, a
# /usr/sbin/policy-rc.d that denies every start is put in place (when there
# is none), so no daemon starts; the engine tests start their own.
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config libjansson-dev libseccomp-dev libcmocka-dev
	# the silo front end's image store: tar/gzip/zstd, HTTP(S), sha256
	libarchive-dev libcurl4-openssl-dev libssl-dev
	# image tests and benchmarks: a local registry, image tools, the auth proxy
	docker-registry skopeo umoci zstd curl python3 openssl
	# integration tests
	bats jq busybox-static iproute2 util-linux procps file coreutils
	# benchmarks and reference runtimes
	runc crun hyperfine
	# cgroup-v2 VM tests (tests/cgroup2-vm.sh)
	qemu-system-x86 linux-image-amd64 kmod cpio xz-utils gzip
	# engine tests (tests/integration/2NN-*.bats): podman, docker, containerd
	podman conmon netavark docker.io containerd tini iptables
	# fuzzing and memory checking
	clang libclang-rt-14-dev valgrind
)

# One dpkg-query for all (unknown packages are simply not listed).
installed=" $(dpkg-query -W -f='${Package}=${db:Status-Status} ' "${packages[@]}" 2>/dev/null || true) "
missing=()
for p in "${packages[@]}"; do
	[[ "$installed" == *" $p=installed "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# install-deps.sh: no service starts while installing\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get -o DPkg::Lock::Timeout=600 update -q
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
