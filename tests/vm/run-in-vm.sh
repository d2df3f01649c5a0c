#!/bin/bash
# tests/vm/run-in-vm.sh 'COMMAND' [ARG...]
#
# The project's own copy of the team's shared VM runner (docs: cgroup2-vm.md),
# kept here so that the tests do not depend on anything outside the repo.
# Same behaviour and knobs; tests/cgroup2-vm.sh is the entry point the test
# suites use.
#
# Boot a throwaway QEMU VM (Debian kernel, cgroup v2 only) whose root is this
# machine's / (9p, read-only) under a tmpfs overlay (writable, discarded),
# run COMMAND there with bash (cwd = current dir), stream its stdout/stderr
# here, and exit with its exit status.  One argument = a shell command line;
# several arguments = an argv (each word quoted).
#
# Environment knobs (all optional):
#   VM_KERNEL    kernel image      (default: newest /boot/vmlinuz-* with /lib/modules/<ver>)
#   VM_ACCEL     kvm|tcg|auto      (auto: kvm if /dev/kvm is usable AND the CPU shows vmx/svm)
#   VM_MEM       guest RAM         (default 2G)
#   VM_CPUS      guest vCPUs       (default: nproc)
#   VM_TIMEOUT   seconds           (default 3600; on expiry exit 124)
#   VM_SHARE     host dir mounted read-write at the same path in the guest
#                (default ${TMPDIR:-/tmp}/silo-vm/share; exported to the command as $VM_SHARE)
#   VM_RW        extra host dirs, space-separated, mounted read-write (same path)
#   VM_TMPFS     guest paths to cover with a fresh tmpfs (e.g. /var/lib/containerd,
#                useful where overlayfs must not be stacked on the overlay root)
#   VM_UPPER_SIZE size of the tmpfs holding the overlay's writes (default 75%)
#   VM_DEBUG=1   kernel messages + init trace on stderr; keeps the run dir
#   VM_CACHE     where the initramfs is cached (default ${TMPDIR:-/tmp}/silo-vm/cache)
# Exit status: the command's; 124 timeout; 125 the VM failed before reporting one.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 'COMMAND' [ARG...]" >&2; exit 2; }
if [ $# -eq 1 ]; then CMD=$1; else CMD=$(printf '%q ' "$@"); fi

# ---------------------------------------------------------------- settings
pick_kernel() {
  local k v best=
  for k in /boot/vmlinuz-*; do
    v=${k#/boot/vmlinuz-}
    [ -d "/lib/modules/$v" ] && best=$k
  done
  echo "$best"
}
KERNEL=${VM_KERNEL:-$(pick_kernel)}
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || { echo "run-in-vm: no kernel (apt-get install linux-image-amd64)" >&2; exit 125; }
KVER=${VM_KVER:-$(basename "$KERNEL" | sed "s/^vmlinu[xz]-//")}
MEM=${VM_MEM:-2G}
CPUS=${VM_CPUS:-$(nproc)}
TIMEOUT=${VM_TIMEOUT:-3600}
SHARE=${VM_SHARE:-${TMPDIR:-/tmp}/silo-vm/share}
CACHE=${VM_CACHE:-${TMPDIR:-/tmp}/silo-vm/cache}
UPPER=${VM_UPPER_SIZE:-75%}
DEBUG=${VM_DEBUG:-0}
ACCEL=${VM_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then
  ACCEL=tcg
  if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then ACCEL=kvm; fi
fi
case $ACCEL in
  kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
  tcg) ACCEL_ARGS=(-accel tcg,thread=multi,tb-size=256 -cpu max) ;;
  *) echo "run-in-vm: VM_ACCEL must be kvm, tcg or auto" >&2; exit 2 ;;
esac
mkdir -p "$SHARE" "$CACHE"
SHARE=$(cd "$SHARE" && pwd -P)

# Under TCG, decompressing the bzImage inside the emulated CPU costs ~2.5 s. Debian's
# kernel has CONFIG_PVH=y, so qemu can boot the uncompressed ELF vmlinux directly:
# extract it once (the xz stream inside the bzImage) into the cache.
is_elf() { [ "$(od -An -tx1 -N4 "$1" | tr -d ' ')" = 7f454c46 ]; }
BOOT=$KERNEL
if [ "${VM_PVH:-1}" = 1 ] && grep -qs '^CONFIG_PVH=y' "/boot/config-$KVER" && ! is_elf "$KERNEL"; then
  VMLINUX=$CACHE/vmlinux-$KVER
  if [ ! -s "$VMLINUX" ] || [ "$KERNEL" -nt "$VMLINUX" ]; then
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$KERNEL" | head -n1 | cut -d: -f1 || true)
    if [ -n "$off" ] && xz -dcq --single-stream < <(tail -c +$((off + 1)) "$KERNEL") > "$VMLINUX.$$" 2>/dev/null &&
       is_elf "$VMLINUX.$$"; then
      mv "$VMLINUX.$$" "$VMLINUX"
    else
      rm -f "$VMLINUX.$$"
    fi
  fi
  [ -s "$VMLINUX" ] && BOOT=$VMLINUX
fi

# ---------------------------------------------------------------- initramfs
STAGE1='#!/bin/busybox sh
# stage 1, PID 1 in the initramfs: assemble the root, then switch_root.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
arg() { for w in $(cat /proc/cmdline); do case "$w" in "vm.$1="*) echo "${w#*=}";; esac; done; }
die() { echo "vm-init: $*" >/dev/console; poweroff -f; }
for m in $(cat /modules.list); do insmod "/modules/$m" || echo "vm-init: insmod $m failed" >/dev/console; done
O9P="trans=virtio,version=9p2000.L,msize=$(arg msize)"
mkdir -p /lower /rw /newroot
mount -t 9p -o "$O9P,ro,cache=loose" hostroot /lower || die "cannot mount the host root"
mount -t tmpfs -o "mode=755,size=$(arg upper)" upper /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work,xino=off overlay /newroot || die "overlay failed"
mount -t tmpfs -o mode=755,nosuid,nodev run /newroot/run
mkdir -p /newroot/run/vm/ctl
cp /bin/busybox /stage2 /newroot/run/vm/
mount -t 9p -o "$O9P,cache=none" vmctl /newroot/run/vm/ctl || die "cannot mount the control dir"
i=0
while IFS= read -r d; do
  [ -n "$d" ] || continue
  mkdir -p "/newroot$d"
  mount -t 9p -o "$O9P,cache=mmap" "rw$i" "/newroot$d" || echo "vm-init: cannot mount rw$i at $d" >/dev/console
  i=$((i+1))
done < /newroot/run/vm/ctl/rwdirs
mount --move /proc /newroot/proc; mount --move /sys /newroot/sys; mount --move /dev /newroot/dev
exec switch_root /newroot /run/vm/busybox sh /run/vm/stage2
'
STAGE2='# stage 2, PID 1 in the final root (host / read-only + tmpfs overlay).
B=/run/vm/busybox; C=/run/vm/ctl
$B mount -t cgroup2 -o nsdelegate cgroup2 /sys/fs/cgroup
$B mkdir -p /dev/pts /dev/shm /dev/mqueue
$B mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
$B ln -sf pts/ptmx /dev/ptmx
$B mount -t tmpfs -o mode=1777,nosuid,nodev shm /dev/shm
$B mount -t mqueue mqueue /dev/mqueue 2>/dev/null
$B mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
$B mount -t bpf bpf /sys/fs/bpf 2>/dev/null
$B ln -sf /proc/self/fd /dev/fd
$B ln -sf /proc/self/fd/0 /dev/stdin; $B ln -sf /proc/self/fd/1 /dev/stdout; $B ln -sf /proc/self/fd/2 /dev/stderr
while IFS= read -r d; do [ -n "$d" ] && $B mkdir -p "$d" && $B mount -t tmpfs tmpfs "$d"; done < $C/tmpfs
$B hostname vm
$B ip link set lo up
for c in $($B cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control; done
OUT=/dev/console; ERR=/dev/console
for p in /sys/class/virtio-ports/*; do
  case "$($B cat $p/name 2>/dev/null)" in
    vm.stdout) OUT=/dev/${p##*/} ;;
    vm.stderr) ERR=/dev/${p##*/} ;;
  esac
done
[ -e $C/debug ] && echo "vm-init: ready at uptime $($B cut -d" " -f1 /proc/uptime)s" > /dev/console
/bin/bash $C/run.sh </dev/null >$OUT 2>$ERR
echo $? > $C/rc
[ -e $C/debug ] && echo "vm-init: done at uptime $($B cut -d" " -f1 /proc/uptime)s" > /dev/console
$B sync
$B poweroff -f
'
MODS="virtio_pci 9pnet_virtio 9p overlay virtio_console"
SIG=$(printf '%s\n' "$KERNEL" "$(stat -c %Y "$KERNEL")" "$MODS" "$STAGE1" "$STAGE2" | md5sum | cut -c1-12)
INITRD=$CACHE/initramfs-$KVER-$SIG.cpio.gz
if [ ! -s "$INITRD" ]; then
  BB=$(command -v busybox || true)
  [ -n "$BB" ] && ! ldd "$BB" >/dev/null 2>&1 ||
    { echo "run-in-vm: need a static busybox (apt-get install busybox-static)" >&2; exit 125; }
  T=$(mktemp -d "$CACHE/build.XXXXXX")
  mkdir -p "$T/bin" "$T/modules" "$T/proc" "$T/sys" "$T/dev"
  cp "$BB" "$T/bin/busybox"
  printf '%s' "$STAGE1" > "$T/init"; chmod 755 "$T/init"
  printf '%s' "$STAGE2" > "$T/stage2"
  : > "$T/modules.list"
  for m in $MODS; do
    # builtin modules print "builtin ..."; insmod lines carry the .ko path, in load order
    modprobe -S "$KVER" --show-depends "$m" | awk '$1=="insmod"{print $2}'
  done | awk '!seen[$0]++' | while read -r ko; do
    case $ko in
      *.ko) cp "$ko" "$T/modules/" ;;
      *.ko.xz) xz -dc "$ko" > "$T/modules/$(basename "$ko" .xz)"; ko=${ko%.xz} ;;
      *.ko.zst) zstd -qdc "$ko" > "$T/modules/$(basename "$ko" .zst)"; ko=${ko%.zst} ;;
    esac
    basename "$ko" >> "$T/modules.list"
  done
  (cd "$T" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp" && mv "$INITRD.tmp" "$INITRD"
  rm -rf "$T"
fi

# ---------------------------------------------------------------- per-run control dir
RUN=$(mktemp -d "${TMPDIR:-/tmp}/run-in-vm.XXXXXX")
cleanup() { [ "$DEBUG" = 1 ] && echo "run-in-vm: run dir kept: $RUN" >&2 || rm -rf "$RUN"; }
trap cleanup EXIT
RWDIRS=("$SHARE")
for d in ${VM_RW:-}; do RWDIRS+=("$(cd "$d" && pwd -P)"); done
printf '%s\n' "${RWDIRS[@]}" > "$RUN/rwdirs"
printf '%s\n' ${VM_TMPFS:-} > "$RUN/tmpfs"
[ "$DEBUG" = 1 ] && touch "$RUN/debug"
{
  # the caller's exported environment, minus what must not cross over
  export -p | grep -vE '^declare -x (BASH_[A-Z_]*|BASHOPTS|SHELLOPTS|SHLVL|PWD|OLDPWD|_|HOSTNAME|TERM|DISPLAY|SSH_[A-Z_]*|XDG_RUNTIME_DIR|DBUS_[A-Z_]*|INVOCATION_ID|JOURNAL_STREAM|NOTIFY_SOCKET|LISTEN_[A-Z]*)(=|$)' || true
  printf 'export VM_SHARE=%q\n' "$SHARE"
  printf 'cd -- %q 2>/dev/null || { echo "run-in-vm: cwd %q not visible in the guest, using /" >&2; cd /; }\n' "$PWD" "$PWD"
  printf '%s\n' "$CMD"
} > "$RUN/run.sh"

# ---------------------------------------------------------------- qemu
LOGLEVEL=1; [ "$DEBUG" = 1 ] && LOGLEVEL=7
APPEND="console=ttyS0 loglevel=$LOGLEVEL panic=-1 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1"
APPEND+=" tsc=reliable no_timer_check random.trust_cpu=on vm.msize=262144 vm.upper=$UPPER"
# The guest's stdout/stderr go to two virtio-serial ports whose host ends are file
# chardevs on qemu's own fds 1/2 (re-opened through /proc/self/fd). Not "-chardev
# stdio": qemu marks that port closed when its stdin hits EOF and guest writes then
# block forever. qemu's fds 1/2 are pipes to two cats, so re-opening never truncates
# or overwrites a caller's file, and works when the caller's stdout is a socket.
OUTDEV=(-chardev "file,id=out,path=/proc/self/fd/1,append=on")
ERRDEV=(-chardev "file,id=err,path=/proc/self/fd/2,append=on")
CONSOLE=(-serial "file:$RUN/console.log")
[ "$DEBUG" = 1 ] && CONSOLE=(-chardev "file,id=con,path=/proc/self/fd/2,append=on" -serial chardev:con)
FS=(-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap"
    -device "virtio-9p-pci,fsdev=root,mount_tag=hostroot"
    -fsdev "local,id=ctl,path=$RUN,security_model=none"
    -device "virtio-9p-pci,fsdev=ctl,mount_tag=vmctl")
for i in "${!RWDIRS[@]}"; do
  FS+=(-fsdev "local,id=rw$i,path=${RWDIRS[$i]},security_model=none,multidevs=remap"
       -device "virtio-9p-pci,fsdev=rw$i,mount_tag=rw$i")
done
QEMU=(qemu-system-x86_64 -machine q35 "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$CPUS"
  -nodefaults -no-user-config -display none -no-reboot
  -kernel "$BOOT" -initrd "$INITRD" -append "$APPEND"
  "${CONSOLE[@]}"
  -device virtio-serial-pci
  "${OUTDEV[@]}" -device virtserialport,chardev=out,name=vm.stdout
  "${ERRDEV[@]}" -device virtserialport,chardev=err,name=vm.stderr
  "${FS[@]}")
[ "$DEBUG" = 1 ] && echo "run-in-vm: accel=$ACCEL kernel=$BOOT initrd=$INITRD" >&2
trap 'echo "run-in-vm: interrupted" >&2; exit 130' INT TERM   # runs once qemu (same process group) is gone
set +e
{ timeout --foreground -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 1>&3 3>&- | cat >&2; } 3>&1 | cat
QRC=$?   # pipefail: qemu's (or timeout's) status
set -e
if [ -s "$RUN/rc" ]; then exit "$(cat "$RUN/rc")"; fi
if [ $QRC -eq 124 ]; then echo "run-in-vm: timed out after ${TIMEOUT}s" >&2; exit 124; fi
echo "run-in-vm: the VM ended without an exit status (qemu rc=$QRC); console (VM_DEBUG=1 shows more):" >&2
tail -n 40 "$RUN/console.log" >&2 2>/dev/null || true
exit 125
