#!/usr/bin/env bats
# Escape classes of runc, crun and others (../shared/docs/security.md), each
# test named after the CVE class it guards and driven through the real binary.
# Every test also gets the suite's teardown: nothing may be left behind.

load helpers

# A file tree on the host, outside the rootfs, that must stay as it is.
outside_snapshot() { find "$1" -printf '%y %m %s %p\n' | sort; }

@test "CVE-2024-21626 class: process.cwd through a leaked fd (/proc/self/fd/N) never reaches the host" {
	is_silo || skip "runc 1.1.5 checks this differently"
	for n in 3 4 5 6 7 8 9 10; do
		cfg --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		args /bin/sh -c 'pwd; ls ..'
		create_ctr --id "$ID-$n"
		if [ "$status" -eq 0 ]; then
			srun silo start "$ID-$n"
			wait_status stopped "$ID-$n"
			out=$(ctr_output "$ID-$n")
			# The host root holds this test's bundle dir; the container's does not.
			! grep -q "container_info.json\|^boot$" <<<"$out" || fail "fd $n: the payload saw the host: $out"
			[[ "$out" != "(unreachable)"* ]] || fail "fd $n: cwd outside the root: $out"
			srun silo delete --force "$ID-$n"
		else
			grep -q 'chdir to cwd' <<<"$stderr" || fail "fd $n: unexpected failure: $stderr"
		fi
	done
}

@test "CVE-2021-30465 class: a mount destination under a symlink to a host dir lands inside the rootfs" {
	mkdir -p "$T/hostdir"
	ln -s "$T/hostdir" "$ROOTFS/a"
	cfg '.mounts += [{"destination": "/a/b", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	args /probe mounts
	run_ctr
	[ -z "$(ls -A "$T/hostdir")" ] || fail "the host dir was written: $(ls -A "$T/hostdir")"
	if [ "$status" -eq 0 ]; then
		[ -d "$ROOTFS$T/hostdir/b" ] || fail "the mount point was not made inside the rootfs"
	fi
}

@test "CVE-2026-41579 class: a rootfs whose /dev is a symlink to the outside fails and leaves the outside untouched" {
	mkdir -p "$T/outside"
	echo marker >"$T/outside/ptmx"
	before=$(outside_snapshot "$T/outside")
	rm -rf "$ROOTFS/dev"
	ln -s "$T/outside" "$ROOTFS/dev"
	args /probe true
	run_ctr
	[ "$status" -ne 0 ] || fail "a symlinked /dev was accepted"
	[ "$(outside_snapshot "$T/outside")" = "$before" ] || fail "the outside dir changed: $(ls -la "$T/outside")"
	[ "$(cat "$T/outside/ptmx")" = marker ] || fail "the marker was overwritten"
}

@test "CVE-2023-27561 class: /proc that is a symlink in the rootfs is refused" {
	rm -rf "$ROOTFS/proc"
	mkdir -p "$ROOTFS/bad-proc"
	ln -s /bad-proc "$ROOTFS/proc"
	args /probe true
	run_ctr
	assert_error "/proc" "symlink"
	[ -z "$(ls -A "$ROOTFS/bad-proc")" ] || fail "something was mounted through the symlink"
}

@test "CVE-2025-31133 class: an image's /dev/null symlink never stands in for the null device" {
	is_silo || skip "runc 1.1.5 predates the fix"
	# No /dev tmpfs: the image's own /dev is used, with a hostile null.
	cfg 'del(.mounts[] | select(.destination == "/dev"))'
	mkdir -p "$ROOTFS/dev"
	rm -f "$ROOTFS/dev/null"
	ln -s /etc/hostname "$ROOTFS/dev/null"
	echo image-hostname >"$ROOTFS/etc/hostname"
	args /probe stat /dev/null
	run_ctr
	if [ "$status" -eq 0 ]; then
		grep -q 'type=c .*rdev=1:3' <<<"$output" || fail "/dev/null is not the null device: $output"
	fi
	[ "$(cat "$ROOTFS/etc/hostname")" = image-hostname ] || fail "the symlink target was changed"
	# the masked files are empty, not the image's file
	cfg '.process.args = ["/probe", "cat", "/proc/kcore"]'
	run_ctr
	[ -z "$output" ] || fail "a masked path shows content: $output"
}

@test "CVE-2022-29162 class: no inheritable or ambient capability unless the config asks" {
	args /probe caps
	run_ctr
	assert_status 0
	assert_output_has "CapInh: 0000000000000000"
	assert_output_has "CapAmb: 0000000000000000"
	assert_output_has "CapBnd: 0000000020000420"
}

@test "CVE-2022-29162 class: an unknown capability name is refused, not ignored" {
	is_silo || skip "runc warns and goes on"
	cfg '.process.capabilities.bounding += ["CAP_NOT_A_CAP"]'
	args /probe true
	run_ctr
	assert_error "CAP_NOT_A_CAP"
}
