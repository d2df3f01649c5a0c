#!/bin/bash
# tests/cgroup2-vm.sh 'COMMAND' [ARG...]
#
# Run COMMAND in a throwaway QEMU VM whose only cgroup hierarchy is cgroup v2
# (/sys/fs/cgroup is cgroup2fs, every controller enabled in the root), over
# this machine's root filesystem (read-only, with a discarded tmpfs overlay),
# in the current directory, with the caller's exported environment.  Used to
# test the v2 code paths on hosts that run cgroup v1, e.g.
#
#   tests/cgroup2-vm.sh 'bats tests/integration'
#
# It never skips: when the VM cannot start (missing qemu, kernel or static
# busybox, boot failure, no status back) it says why and exits non-zero.
# Exit status: COMMAND's; 124 on timeout; 125 when the VM failed; 2 on usage.
#
# Knobs (environment): those of tests/vm/run-in-vm.sh (VM_TIMEOUT, default
# here 1800 s; VM_MEM, VM_CPUS, VM_ACCEL, VM_SHARE, VM_RW, VM_TMPFS,
# VM_DEBUG=1, ...).  Packages: apt-get install --no-install-recommends
# qemu-system-x86 linux-image-amd64 busybox-static
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
RUNNER=$HERE/vm/run-in-vm.sh

die() { echo "cgroup2-vm: $*" >&2; exit 125; }

[ $# -ge 1 ] || { echo "usage: $0 'COMMAND' [ARG...]" >&2; exit 2; }
if [ $# -eq 1 ]; then CMD=$1; else CMD=$(printf '%q ' "$@"); fi

# Say plainly what is missing rather than letting the runner fail later.
[ -x "$RUNNER" ] || die "$RUNNER is missing or not executable"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
ls /boot/vmlinuz-* >/dev/null 2>&1 || die "no kernel in /boot (apt-get install linux-image-amd64)"
for t in busybox modprobe cpio gzip xz; do
	command -v "$t" >/dev/null || die "$t not found (busybox-static, kmod, cpio, gzip, xz-utils)"
done
[ "$(id -u)" = 0 ] || die "must run as root (9p shares the host root as root)"

export VM_TIMEOUT=${VM_TIMEOUT:-1800}

# Inside: refuse to run COMMAND unless this really is a v2-only host, so a
# broken boot can never pass as a v1 run.
GUARD='t=$(stat -fc %T /sys/fs/cgroup 2>/dev/null)
if [ "$t" != cgroup2fs ]; then echo "cgroup2-vm: /sys/fs/cgroup is ${t:-missing}, not cgroup2fs" >&2; exit 125; fi
if awk '\''$3 == "cgroup" { found = 1 } END { exit !found }'\'' /proc/self/mounts; then echo "cgroup2-vm: a cgroup v1 hierarchy is mounted" >&2; exit 125; fi
'

"$RUNNER" "$GUARD$CMD"
rc=$?
case $rc in
	124) echo "cgroup2-vm: timed out after ${VM_TIMEOUT}s" >&2 ;;
	125) echo "cgroup2-vm: status 125: the VM failed to start, is not v2-only, or gave no status (see above; VM_DEBUG=1 shows the boot)" >&2 ;;
esac
exit $rc
