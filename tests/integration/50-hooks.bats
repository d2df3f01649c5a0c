#!/usr/bin/env bats
# OCI hooks: all six kinds run, in order, with the state on stdin, their args
# and env; a failing or slow hook fails the create and leaves nothing.

load helpers

# One script serves every hook.  It runs on the host (prestart, createRuntime,
# createContainer, poststart, poststop) and inside the container
# (startContainer, as /hook.sh with busybox), so it only uses sh and cat.
# Usage: hook.sh NAME DIR [EXTRA]: saves stdin to DIR/hook-NAME.json and
# appends "NAME extra=EXTRA env=$SILO_HOOK_ENV" to DIR/hooks.log.
write_hook_script() {
	cat >"$ROOTFS/hook.sh" <<-'EOF'
	#!/bin/sh
	name=$1 dir=$2 extra=$3
	cat >"$dir/hook-$name.json"
	echo "$name extra=$extra env=${SILO_HOOK_ENV:-unset}" >>"$dir/hooks.log"
	EOF
	chmod 755 "$ROOTFS/hook.sh"
}

# hook KIND PATH DIR: a hook entry for config.json.
add_hook() {
	cfg --arg k "$1" --arg p "$2" --arg d "$3" \
		'.hooks[$k] += [{"path": $p, "args": ["hook.sh", $k, $d, "x y"], "env": ["PATH=/usr/bin:/bin", "SILO_HOOK_ENV=hello"]}]'
}

@test "hooks: all six hooks run in order with state, args and env" {
	write_hook_script
	for k in prestart createRuntime createContainer poststart poststop; do
		add_hook "$k" "$ROOTFS/hook.sh" "$ROOTFS"
	done
	add_hook startContainer /hook.sh /
	args /probe write /payload-ran yes
	create_ctr
	assert_status 0
	after_create=$(cut -d' ' -f1 "$ROOTFS/hooks.log" | tr '\n' ' ')
	# runc 1.1.5 runs poststart during create (fixed in runc 1.2).
	[ "$after_create" = "prestart createRuntime createContainer " ] ||
		{ [ "$FLAVOR" = runc ] && [ "$after_create" = "prestart createRuntime createContainer poststart " ]; } ||
		fail "hooks after create: $after_create"
	[ ! -e "$ROOTFS/payload-ran" ]
	srun silo start "$ID"
	assert_status 0
	wait_status stopped
	[ -e "$ROOTFS/payload-ran" ]
	srun silo delete "$ID"
	assert_status 0
	order=$(cut -d' ' -f1 "$ROOTFS/hooks.log" | tr '\n' ' ')
	if is_silo; then
		[ "$order" = "prestart createRuntime createContainer startContainer poststart poststop " ] ||
			fail "order: $order"
	else # runc 1.1.5 runs poststart before the container's startContainer hook
		[[ "$order" =~ ^prestart\ createRuntime\ createContainer\ (startContainer\ poststart|poststart\ startContainer)\ poststop\ $ ]] ||
			fail "order: $order"
	fi
	! grep -v ' extra=x y env=hello$' "$ROOTFS/hooks.log" || fail "args or env not passed"
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		f=$ROOTFS/hook-$k.json
		jq -e . "$f" >/dev/null || fail "$k: stdin was not JSON: $(cat "$f")"
		[ "$(jq -r .id "$f")" = "$ID" ] || fail "$k: id $(jq -r .id "$f")"
		[ "$(jq -r .bundle "$f")" = "$BUNDLE" ] || fail "$k: bundle $(jq -r .bundle "$f")"
		jq -e '.ociVersion and (.status | IN("creating", "created", "running", "stopped"))' "$f" >/dev/null ||
			fail "$k: $(cat "$f")"
		[ "$k" = poststop ] || [ "$(jq -r .pid "$f")" -gt 0 ] || fail "$k: pid $(jq -r .pid "$f")"
	done
}

@test "hooks: prestart runs in the runtime namespace once the container's netns exists" {
	cat >"$T/netns-hook.sh" <<-EOF
	#!/bin/sh
	pid=\$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
	readlink /proc/\$pid/ns/net >"$T/hook-netns"
	readlink /proc/self/ns/mnt >"$T/hook-mntns"
	EOF
	chmod 755 "$T/netns-hook.sh"
	cfg --arg p "$T/netns-hook.sh" '.hooks.prestart = [{"path": $p}]'
	args /probe pause
	create_ctr
	assert_status 0
	pid=$(ctr_pid)
	[ "$(cat "$T/hook-netns")" = "$(readlink "/proc/$pid/ns/net")" ] || fail "hook saw another netns"
	[ "$(cat "$T/hook-mntns")" = "$(host_ns mnt)" ] || fail "prestart did not run in the runtime's mount namespace"
}

@test "hooks: a failing createRuntime hook fails the create and leaves nothing" {
	cfg '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
	srun silo create --bundle "$BUNDLE" "$ID"
	assert_error "createRuntime"
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "hooks: a hook exceeding its timeout fails the create with a clear error" {
	# The hook is a copy of busybox running `sleep`, so a leftover is easy to spot.
	cp "$ROOTFS/bin/busybox" "$T/slowhook"
	cfg --arg p "$T/slowhook" '.hooks.createRuntime = [{"path": $p, "args": ["sleep", "30"], "timeout": 1}]'
	start=$SECONDS
	srun silo create --bundle "$BUNDLE" "$ID"
	[ $((SECONDS - start)) -lt 15 ] || fail "the timeout was not enforced"
	assert_error "createRuntime"
	if is_silo; then grep -qiE 'timed out|timeout' <<<"$stderr" || fail "no timeout in: $stderr"; fi
	sleep 0.5
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/exe" 2>/dev/null)" != "$T/slowhook" ] || fail "hook process ${p#/proc/} left running"
	done
}

@test "hooks: a failing poststop hook does not keep delete from removing the container" {
	cfg '.hooks.poststop = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 1"]}]'
	create_ctr
	srun silo start "$ID"
	wait_status stopped
	srun silo delete "$ID"
	[ ! -e "$STATE/$ID" ] || fail "state dir left"
}

@test "hooks: a failing startContainer hook fails start itself, with the hook's output" {
	is_silo || skip "runc 1.1.5 returns success from start and the init exits"
	cfg '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "echo boom >&2; exit 4"]}]'
	args /probe true
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_error "startContainer" "exit status 4" "boom"
	wait_status stopped
}

@test "hooks: start returns (and poststart runs) only once the payload is executing" {
	# A slow startContainer hook: start must wait for it and for the execve.
	cfg '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "sleep 0.3"]}]'
	args /probe sleep 5
	create_ctr
	assert_status 0
	srun silo start "$ID"
	assert_status 0
	cmdline=$(tr '\0' ' ' <"/proc/$(ctr_pid)/cmdline")
	[[ "$cmdline" == "/probe sleep 5 " ]] || fail "start returned before the payload ran: $cmdline"
	srun silo kill "$ID" KILL
	wait_status stopped
}
