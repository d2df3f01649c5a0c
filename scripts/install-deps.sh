#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# install-deps.sh: install with apt-get everything silo's build, tests,
# benchmarks and cgroup-v2 VM tests need on Debian 12.  Idempotent: when every
# package is already installed it only checks (dpkg-query) and returns.
#
# linux-image-amd64 only provides /boot/vmlinuz-* and /lib/modules for the
# throwaway VM of tests/cgroup2-vm.sh; inside a container it is harmless (no
# boot loader gets installed; the initramfs build just writes to /boot).
set -euo pipefail

packages=(
	# build
	build-essential meson ninja-build pkg-config libjansson-dev libseccomp-dev libcmocka-dev
	# integration tests
	bats jq busybox-static iproute2 util-linux procps file coreutils
	# benchmarks and reference runtimes
	runc crun hyperfine
	# cgroup-v2 VM tests (tests/cgroup2-vm.sh)
	qemu-system-x86 linux-image-amd64 kmod cpio xz-utils gzip
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
apt-get -o DPkg::Lock::Timeout=600 update -q
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
