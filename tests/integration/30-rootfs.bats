#!/usr/bin/env bats
# The container's filesystem: root, mounts and their flags, /dev, masked and
# read-only paths, pivot and propagation.

load helpers

# The super options (field after " - TYPE SOURCE") and the per-mount options
# (field 6) of mount point $1 in $output (from `probe mounts`).
mnt_opts() { mountinfo_line "$1" | awk '{ print $6 }'; }
mnt_type() { mountinfo_line "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }'; }
mnt_super() { mountinfo_line "$1" | awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 3); exit } }'; }
has_opt() { tr ',' '\n' <<<"$1" | grep -qx -- "$2"; }

@test "rootfs: root.readonly makes / read-only" {
	cfg '.root.readonly = true'
	args /probe write /newfile x
	run_ctr
	assert_status 1
	grep -q 'EROFS' <<<"$stderr" || fail "not EROFS: $stderr"
	[ ! -e "$ROOTFS/newfile" ]
}

@test "rootfs: a writable root is writable" {
	args /probe write /newfile x
	run_ctr
	assert_status 0
	[ "$(cat "$ROOTFS/newfile")" = x ]
}

@test "rootfs: bind mount with ro, nosuid, nodev, noexec shows the flags" {
	mkdir "$T/src"
	echo hello >"$T/src/file"
	cfg --arg s "$T/src" '.mounts += [{"destination": "/mnt/ro", "type": "bind", "source": $s,
		"options": ["rbind", "ro", "nosuid", "nodev", "noexec"]}]'
	args /bin/sh -c '/probe mounts; /probe cat /mnt/ro/file; /probe write /mnt/ro/new x'
	run_ctr
	assert_status 1
	opts=$(mnt_opts /mnt/ro)
	[ -n "$opts" ] || fail "no mount at /mnt/ro"
	for o in ro nosuid nodev noexec; do has_opt "$opts" "$o" || fail "/mnt/ro lacks $o: $opts"; done
	grep -qx hello <<<"$output" || fail "cannot read through the bind"
	grep -q 'write /mnt/ro/new: EROFS' <<<"$stderr" || fail "write did not fail with EROFS: $stderr"
	[ ! -e "$T/src/new" ]
	# The missing destination was created inside the rootfs.
	[ -d "$ROOTFS/mnt/ro" ] || fail "destination not created in the rootfs"
}

@test "rootfs: a read-write bind mount writes through to the host" {
	mkdir "$T/src"
	cfg --arg s "$T/src" '.mounts += [{"destination": "/data", "type": "bind", "source": $s, "options": ["bind"]}]'
	args /probe write /data/out written
	run_ctr
	assert_status 0
	[ "$(cat "$T/src/out")" = written ]
}

@test "rootfs: a bind mount of a single file" {
	echo filecontent >"$T/onefile"
	cfg --arg s "$T/onefile" '.mounts += [{"destination": "/etc/onefile", "type": "bind", "source": $s, "options": ["bind", "ro"]}]'
	args /probe cat /etc/onefile
	run_ctr
	assert_status 0
	[ "$output" = filecontent ]
}

@test "rootfs: missing destinations are created inside the rootfs, never through a symlink outside (CVE-2024-45310 class)" {
	mkdir "$T/outside"
	ln -s "$T/outside" "$ROOTFS/escape"
	cfg '.mounts += [{"destination": "/escape/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	args /probe true
	run_ctr
	[ ! -e "$T/outside/sub" ] || fail "the runtime followed a rootfs symlink to the host"
	# A runtime may refuse, or resolve the link inside the rootfs.
	if [ "$status" -eq 0 ]; then
		[ -d "$ROOTFS$T/outside/sub" ] || fail "destination not created under the rootfs"
	fi
}

@test "rootfs: tmpfs with size= and mode=" {
	cfg '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "nodev", "size=1m", "mode=1770"]}]'
	args /bin/sh -c '/probe mounts; /probe stat /scratch'
	run_ctr
	assert_status 0
	[ "$(mnt_type /scratch)" = tmpfs ] || fail "type $(mnt_type /scratch)"
	super=$(mnt_super /scratch)
	has_opt "$super" size=1024k || fail "size: $super"
	has_opt "$super" mode=1770 || fail "mode: $super"
	has_opt "$(mnt_opts /scratch)" nosuid || fail "nosuid missing"
	grep -q '^type=d mode=1770 ' <<<"$output" || fail "stat: $(grep type= <<<"$output")"
}

@test "rootfs: proc, sysfs, mqueue, devpts and shm are mounted" {
	args /probe mounts
	run_ctr
	assert_status 0
	[ "$(mnt_type /proc)" = proc ] || fail "/proc"
	[ "$(mnt_type /sys)" = sysfs ] || fail "/sys"
	has_opt "$(mnt_opts /sys)" ro || fail "/sys is not read-only"
	[ "$(mnt_type /dev/mqueue)" = mqueue ] || fail "/dev/mqueue"
	[ "$(mnt_type /dev/pts)" = devpts ] || fail "/dev/pts"
	[ "$(mnt_type /dev/shm)" = tmpfs ] || fail "/dev/shm"
	[ "$(mnt_type /dev)" = tmpfs ] || fail "/dev"
	# The rootfs is the root, and no host mount leaked in.
	! grep -qE ' /(work|home|boot) ' <<<"$output" || fail "host mounts visible"
}

@test "rootfs: /sys/fs/cgroup is read-only and shows the container's own cgroup" {
	args /bin/sh -c '/probe mounts; /probe ls /sys/fs/cgroup;
		procs=/sys/fs/cgroup/pids/cgroup.procs; [ -e /sys/fs/cgroup/cgroup.procs ] && procs=/sys/fs/cgroup/cgroup.procs
		/probe cat $procs; /probe write $procs 1; /probe write /sys/fs/cgroup/silo-test-x x'
	run_ctr
	grep -q 'write /sys/fs/cgroup/[a-z/]*cgroup.procs: EROFS' <<<"$stderr" || fail "cgroup.procs writable: $stderr"
	# runc leaves the v1 tmpfs at /sys/fs/cgroup writable; silo mounts it read-only.
	! is_silo || grep -q 'write /sys/fs/cgroup/silo-test-x: EROFS' <<<"$stderr" ||
		fail "/sys/fs/cgroup writable: $stderr"
	# pid 1 (the shell) is in the cgroup shown: the container's own.
	grep -qx 1 <<<"$output" || fail "cgroup.procs does not hold pid 1: $output"
	if [ -d /sys/fs/cgroup/pids ]; then
		grep -qx pids <<<"$output" || fail "no pids controller dir"
		grep -qx memory <<<"$output" || fail "no memory controller dir"
	fi
}

@test "rootfs: default /dev nodes with the right numbers" {
	args /bin/sh -c 'for d in null zero full random urandom tty; do /probe stat /dev/$d; done;
		for l in ptmx fd stdin stdout stderr; do /probe readlink /dev/$l; done;
		/probe stat /dev/shm; /probe stat /dev/pts; /probe write /dev/null x; /probe write /dev/full x'
	run_ctr
	expect=("c 1:3" "c 1:5" "c 1:7" "c 1:8" "c 1:9" "c 5:0")
	for i in 0 1 2 3 4 5; do
		set -- ${expect[$i]}
		[[ "${lines[$i]}" == "type=$1 mode=0666 "*"rdev=$2 "* ]] || fail "node $i: ${lines[$i]}"
	done
	[ "${lines[6]}" = pts/ptmx ] || [ "${lines[6]}" = /dev/pts/ptmx ] || fail "ptmx -> ${lines[6]}"
	[ "${lines[7]}" = /proc/self/fd ] || fail "fd -> ${lines[7]}"
	[ "${lines[8]}" = /proc/self/fd/0 ] || fail "stdin -> ${lines[8]}"
	[ "${lines[9]}" = /proc/self/fd/1 ] || fail "stdout -> ${lines[9]}"
	[ "${lines[10]}" = /proc/self/fd/2 ] || fail "stderr -> ${lines[10]}"
	[[ "${lines[11]}" == type=d* ]] || fail "shm: ${lines[11]}"
	[[ "${lines[12]}" == type=d* ]] || fail "pts: ${lines[12]}"
	# The default nodes are usable (allowed in the devices cgroup).
	[ "${lines[13]}" = ok ] || fail "write /dev/null: ${lines[13]} $stderr"
	grep -q 'write /dev/full: ENOSPC' <<<"$stderr" || fail "write /dev/full: $stderr"
}

@test "rootfs: linux.devices creates a node with its mode and owner" {
	requires_real_root "mknod of a device the host lacks"
	cfg '.linux.devices = [{"path": "/dev/silo-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 416, "uid": 1000, "gid": 2000}]
	     | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	args /probe stat /dev/silo-null
	run_ctr
	assert_status 0
	[[ "${lines[0]}" == "type=c mode=0640 uid=1000 gid=2000 rdev=1:3 "* ]] || fail "${lines[0]}"
}

@test "rootfs: linux.devices fileMode may hold the node's type bits, as podman --device sends" {
	requires_real_root "mknod of a device the host lacks"
	# 8608 = S_IFCHR | 0640: podman copies the host node's whole st_mode
	cfg '.linux.devices = [{"path": "/dev/silo-null", "type": "c", "major": 1, "minor": 3,
		"fileMode": 8608, "uid": 0, "gid": 0}]
	     | .linux.resources.devices += [{"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	args /probe stat /dev/silo-null
	run_ctr
	assert_status 0
	[[ "${lines[0]}" == "type=c mode=0640 uid=0 gid=0 rdev=1:3 "* ]] || fail "${lines[0]}"
}

@test "rootfs: an rshared bind stays shared with rootfsPropagation shared (podman -v :rshared)" {
	mkdir -p "$T/vol"
	cfg --arg src "$T/vol" '.linux.rootfsPropagation = "shared"
		| .mounts += [{"destination": "/mnt", "type": "bind", "source": $src, "options": ["rshared", "rw", "rbind"]}]'
	args /bin/sh -c 'grep " /mnt " /proc/self/mountinfo'
	run_ctr
	assert_status 0
	[[ "$output" == *" shared:"* ]] || fail "/mnt is not shared: $output"
}

@test "rootfs: maskedPaths hide a file and a directory" {
	mkdir -p "$ROOTFS/etc/secret-dir"
	echo secret >"$ROOTFS/etc/secret-file"
	echo secret >"$ROOTFS/etc/secret-dir/inner"
	cfg '.linux.maskedPaths += ["/etc/secret-file", "/etc/secret-dir", "/etc/not-there"]'
	args /bin/sh -c 'echo "file:$(/probe cat /etc/secret-file)"; echo "dir:$(/probe ls /etc/secret-dir)"; /probe cat /proc/kcore | head -c 10 | wc -c'
	run_ctr
	assert_status 0
	[ "${lines[0]}" = "file:" ] || fail "masked file readable: ${lines[0]}"
	[ "${lines[1]}" = "dir:" ] || fail "masked dir listable: ${lines[1]}"
	[ "${lines[2]}" = 0 ] || fail "/proc/kcore not masked"
	[ "$(cat "$ROOTFS/etc/secret-file")" = secret ] || fail "the host file changed"
}

@test "rootfs: readonlyPaths cannot be written" {
	mkdir -p "$ROOTFS/etc/rodir"
	cfg '.linux.readonlyPaths += ["/etc/rodir"]'
	args /bin/sh -c '/probe write /etc/rodir/x y; /probe write /proc/sys/kernel/hostname x; /probe write /etc/rw ok'
	run_ctr
	grep -q 'write /etc/rodir/x: EROFS' <<<"$stderr" || fail "readonly path writable: $stderr"
	grep -q 'write /proc/sys/kernel/hostname: EROFS' <<<"$stderr" || fail "/proc/sys writable: $stderr"
	[ -e "$ROOTFS/etc/rw" ] || fail "the rest of the rootfs became read-only"
	[ ! -e "$ROOTFS/etc/rodir/x" ]
}

@test "rootfs: --no-pivot runs the container" {
	args /bin/sh -c 'echo "pid=$$"; /probe ls /'
	run_ctr --no-pivot
	assert_status 0
	[ "${lines[0]}" = "pid=1" ]
	grep -qx probe <<<"$output" || fail "root is not the rootfs: $output"
	! grep -qx work <<<"$output" || fail "host root visible"
}

@test "rootfs: rootfsPropagation private and shared" {
	cfg '.linux.rootfsPropagation = "private"'
	args /probe mounts
	run_ctr
	assert_status 0
	line=$(mountinfo_line /)
	[ -n "$line" ] || fail "no / mount"
	! grep -qE ' (shared|master):' <<<"$line" || fail "/ not private: $line"

	# runc 1.1.5 leaves / private here (newer runc tests for "shared").
	[ "$FLAVOR" != runc ] || return 0
	cfg '.linux.rootfsPropagation = "shared"'
	run_ctr
	assert_status 0
	line=$(mountinfo_line /)
	grep -q ' shared:' <<<"$line" || fail "/ not shared: $line"
}

@test "rootfs: a missing rootfs fails the create, naming the path" {
	rm -rf "$ROOTFS"
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "$ROOTFS" "no such file or directory"
}
