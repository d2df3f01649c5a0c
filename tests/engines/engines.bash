# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/engines/engines.bash: the setup shared by the engine integration tests
# (tests/integration/2xx-*.bats) and by tests/engines/setup.sh.  It runs
# podman, docker and containerd from Debian 12 on this kind of machine (no
# systemd, cgroup v1 hybrid, no CAP_SYS_RESOURCE) with silo-oci as their
# runtime, following /work/shared/docs/engines.md:
#   - everything an engine writes lives under one temp dir $ENG (storage, run
#     roots, sockets, configs, the runtime's --root for docker and ctr; podman
#     passes no --root, so there the runtime keeps its state in its default
#     root); daemons are started by eng_docker_start / eng_ctrd_start and
#     stopped by the matching _stop;
#   - the image is a busybox-static rootfs packed into a tar here and imported
#     (no registry, no internet);
#   - cgroups go under /eng-podman, /eng-docker, /eng-ctr (absolute: podman
#     and the shims resolve a relative parent against their own cgroup);
#   - eng_snapshot / eng_restore_host record and undo what the engines leave
#     on the host (links, iptables chains, ip_forward, cgroup parents, mounts).
# One engine run at a time per host: the bridges (eng-pm0 10.231.0.0/24,
# eng-dock0 10.232.0.0/24) and the ports (127.0.0.1:8080, :15201) are fixed.
#
# Environment:
#   SILO_OCI   runtime under test (default <repo>/build/src/oci/silo-oci);
#              SILO_OCI=/usr/sbin/runc validates the tests against runc
#   ENG        the work dir (default: made by eng_init under /tmp, eng-XXXXXX)
#   ENG_STORAGE=vfs  copying storage drivers (vfs, native) instead of overlay
#              (the default when $ENG is on overlayfs)

ENG_REPO=${ENG_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# --- the runtime and the work dir ---------------------------------------------

eng_init() {
	ENG_RT=${SILO_OCI:-$ENG_REPO/build/src/oci/silo-oci}
	case "$ENG_RT" in /*) ;; *) ENG_RT=$ENG_REPO/$ENG_RT ;; esac
	[ -x "$ENG_RT" ] || { echo "runtime $ENG_RT is missing (build it or set SILO_OCI)" >&2; return 1; }
	if [ -z "${ENG:-}" ]; then
		ENG=$(mktemp -d /tmp/eng-XXXXXX) || return 1
	fi
	mkdir -p "$ENG"
	chmod 755 "$ENG"
	# Image storage: overlay, unless $ENG itself is on overlayfs (a CI
	# container), where the engines need their copying drivers.
	if [ "${ENG_STORAGE:-}" = vfs ] || [ "$(stat -f -c %T "$ENG")" = overlayfs ]; then
		ENG_PM_DRIVER=vfs ENG_DK_DRIVER=vfs CONTAINERD_SNAPSHOTTER=native
	else
		ENG_PM_DRIVER=overlay ENG_DK_DRIVER=overlay2 CONTAINERD_SNAPSHOTTER=overlayfs
	fi
	export ENG ENG_RT ENG_PM_DRIVER ENG_DK_DRIVER CONTAINERD_SNAPSHOTTER
	eng_image_tar
}

# The runtime's default state root (where it keeps state without --root).
eng_default_root() {
	case "$("$ENG_RT" --version 2>/dev/null | head -n1)" in
	"runc version"*) echo /run/runc ;;
	"crun version"*) echo /run/crun ;;
	*) echo /run/silo-oci ;;
	esac
}

# Tools an engine needs; a missing one fails the caller with the reason.
eng_require() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || command -v "$b" >/dev/null 2>&1 ||
			{ echo "$b is missing: run scripts/install-deps.sh" >&2; return 1; }
	done
}

# The busybox rootfs, as $ENG/bb.tar (root:root, /bin/* applets, httpd docroot).
eng_image_tar() {
	local r=$ENG/rootfs busybox a
	[ -s "$ENG/bb.tar" ] && return 0
	busybox=$(command -v busybox) || { echo "busybox-static is not installed" >&2; return 1; }
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,root,var/www,usr/bin}
	cp "$busybox" "$r/bin/busybox"
	for a in $("$busybox" --list); do
		[ -e "$r/bin/$a" ] || ln -s busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\ntty:x:5:\nnogroup:x:65534:\n' >"$r/etc/group"
	echo 'hello from eng httpd' >"$r/var/www/index.html"
	chmod 1777 "$r/tmp"
	tar --owner=0 --group=0 -C "$r" -cf "$ENG/bb.tar.tmp" . && mv "$ENG/bb.tar.tmp" "$ENG/bb.tar"
	rm -rf "$r"
}

# --- host snapshot and restore ------------------------------------------------

# What the engines may change on the host, recorded before they start.
eng_snapshot() {
	ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort >"$ENG/host.links"
	cat /proc/sys/net/ipv4/ip_forward >"$ENG/host.ip_forward"
	ls /run/netns 2>/dev/null | sort >"$ENG/host.netns"
	[ -e /var/lib/containers ] && touch "$ENG/host.has-var-lib-containers"
	return 0
}

# Chains named like PATTERN (an ERE), in iptables TABLE, with the
# binary $1 (iptables or ip6tables).
_eng_chains() { # BIN TABLE PATTERN
	"$1" -w -t "$2" -S 2>/dev/null | awk -v p="$3" '$1 == "-N" && $2 ~ p { print $2 }'
}

# Remove the iptables chains an engine added (names matching the ERE) and
# every rule that jumps to them, in all tables, IPv4 and IPv6.
eng_iptables_cleanup() { # PATTERN
	local pat=$1 bin table chain rule
	for bin in iptables ip6tables; do
		command -v "$bin" >/dev/null || continue
		for table in filter nat mangle raw; do
			local chains
			chains=$(_eng_chains "$bin" "$table" "$pat")
			[ -n "$chains" ] || continue
			# rules in other chains jumping to ours
			"$bin" -w -t "$table" -S 2>/dev/null | awk -v p="$pat" '
				$1 == "-A" && $2 !~ p { for (i = 3; i < NF; i++) if (($i == "-j" || $i == "-g") && $(i + 1) ~ p) { print; break } }' |
				while read -r rule; do
					eval "\"$bin\" -w -t \"$table\" ${rule/#-A/-D}"
				done
			for chain in $chains; do "$bin" -w -t "$table" -F "$chain"; done
			for chain in $chains; do "$bin" -w -t "$table" -X "$chain"; done
		done
	done
}

# Put the host back: links the engines made, their iptables chains,
# ip_forward, netns files, podman's blob cache.
eng_restore_host() {
	local l
	[ -s "$ENG/host.links" ] || return 0
	# new links: our bridges, and veths still enslaved to them (others' are
	# not ours to touch)
	for l in $(ip -o link show | awk -F': ' '{ print $2 }' | sed 's/@.*//' | sort | comm -13 "$ENG/host.links" -); do
		case "$l" in
		eng-*) ip link delete "$l" 2>/dev/null ;;
		veth*) ip -o link show "$l" 2>/dev/null | grep -q ' master eng-' && ip link delete "$l" 2>/dev/null ;;
		esac
	done
	eng_iptables_cleanup '^(DOCKER|NETAVARK|ENG-)'
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$(cat "$ENG/host.ip_forward")" ] ||
		cat "$ENG/host.ip_forward" >/proc/sys/net/ipv4/ip_forward
	for l in $(ls /run/netns 2>/dev/null | sort | comm -13 "$ENG/host.netns" -); do
		case "$l" in netns-*) ip netns delete "$l" 2>/dev/null ;; esac
	done
	[ -e "$ENG/host.has-var-lib-containers" ] || rm -rf /var/lib/containers
}

# Mounts under $ENG (the engines' storage), one per line.
eng_mounts() { awk -v t="$ENG/" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort; }

# Unmount everything under $ENG and remove it.
eng_remove_workdir() {
	local m
	[ -n "${ENG:-}" ] && [ -d "$ENG" ] || return 0
	for m in $(eng_mounts | sort -r); do umount "$m" 2>/dev/null || umount -l "$m"; done
	rm -rf "$ENG"
}

# --- leftovers of containers ----------------------------------------------------

# Cgroup directories below the engine cgroup parent NAME, in any hierarchy,
# but for <parent>/conmon, where podman keeps its conmons (made once, never
# removed by podman).
eng_cgroups_below() { # PARENT-NAME
	find /sys/fs/cgroup -mindepth 2 -type d -path "*/$1/*" ! -path "*/$1/conmon" 2>/dev/null
}

# Processes naming $ENG in their command line, other than the daemons this
# suite started (conmon, shims, a runtime still running, a stuck engine call).
eng_procs() {
	local p daemons=" $(cat "$ENG"/*.daemon.pid 2>/dev/null | tr '\n' ' ') "
	for p in $(pgrep -f -- "$ENG/"); do
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
		case "$daemons" in *" $p "*) continue ;; esac
		[ "$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)" = Z ] && continue
		[ -e "/proc/$p" ] && echo "$p"
	done
}

# Before a scenario: remember what is in the runtime's state root and which
# mounts exist under $ENG.
eng_mark() { # ROOT
	ls "$1" 2>/dev/null | sort >"$ENG/mark.root"
	eng_mounts >"$ENG/mark.mounts"
}

# After a scenario (its containers removed): fail with one line per problem
# when something was left: a new state dir in the runtime's ROOT, a cgroup
# under the engine's parent, a new mount under $ENG, a process naming $ENG.
# Waits up to 10 s for conmon / shims to finish.
eng_leftovers() { # ROOT CGPARENT
	local root=$1 cg=$2 problems=() p
	local deadline=$((SECONDS + 10))
	while :; do
		problems=()
		for p in $(ls "$root" 2>/dev/null | sort | comm -13 "$ENG/mark.root" -); do
			problems+=("state dir left: $root/$p")
		done
		for p in $(eng_cgroups_below "$cg"); do problems+=("cgroup left: $p"); done
		for p in $(eng_mounts | comm -13 "$ENG/mark.mounts" -); do problems+=("mount left: $p"); done
		for p in $(eng_procs); do
			problems+=("process left: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)")
		done
		[ ${#problems[@]} -eq 0 ] && return 0
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.3
	done
	printf 'LEAK: %s\n' "${problems[@]}" >&2
	return 1
}

# Remove the (empty) cgroup directories under the engine parent NAME and the
# parent itself, deepest first, in every hierarchy.
eng_cgroups_remove() { # PARENT-NAME
	local d
	for d in $(find /sys/fs/cgroup -mindepth 1 -type d -name "$1" 2>/dev/null); do
		find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
}

# --- waiting ----------------------------------------------------------------------

# eng_wait SECS CMD...: run CMD until it succeeds, at most SECS seconds.
eng_wait() {
	local deadline=$((SECONDS + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -ge "$deadline" ] && break
		sleep 0.2
	done
	echo "timed out waiting for: $*" >&2
	return 1
}

# Run CMD with a pty as its controlling terminal (24x80), the way a user at a
# terminal would; prints what the session printed, \r removed.
eng_tty() { # CMD (one shell string)
	local rc
	script -qec "stty rows 24 cols 80; $1" /dev/null </dev/null >"$ENG/tty.out"
	rc=$?
	tr -d '\r\0' <"$ENG/tty.out"
	return $rc
}

# An http GET with busybox's wget, printing the body.
# (busybox 1.35's wget -T crashes: timeout(1) bounds it instead.)
eng_http_get() { timeout 10 busybox wget -q -O - "$1"; }

# --- podman ---------------------------------------------------------------------

# Configuration, storage and run roots under $ENG/podman, the busybox image
# imported as localhost/bb.  `pm ARGS...` is podman with the runtime under
# test.  Podman passes no --root (and --runtime-flag root=... does not reach
# the `delete` of `podman container cleanup`), so the runtime's state lives in
# its default root, $PM_ROOT: the leak checks look only at the 64-hex
# container ids there.
eng_podman_setup() {
	eng_require podman conmon || return 1
	local d=$ENG/podman
	PM_ROOT=$(eng_default_root)
	PM_CG=eng-podman
	mkdir -p "$d/tmp" "$d/net"
	# CONTAINERS_CONF replaces Debian's containers.conf: its two settings are repeated.
	cat >"$d/containers.conf" <<-CONF
		[containers]
		default_capabilities = ["CHOWN","DAC_OVERRIDE","FOWNER","FSETID","KILL","NET_BIND_SERVICE","SETFCAP","SETGID","SETPCAP","SETUID","SYS_CHROOT"]
		default_sysctls = ["net.ipv4.ping_group_range=0 0"]
		log_driver = "k8s-file"
		# no CAP_SYS_RESOURCE here: podman's 1048576 would exceed the hard limits
		default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$d/events.log"
		tmp_dir = "$d/tmp"
		volume_path = "$d/volumes"
		runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "silo-oci"]
		[network]
		network_backend = "netavark"
		network_config_dir = "$d/net"
	CONF
	printf '[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n' \
		"$ENG_PM_DRIVER" "$d/storage" "$d/run" >"$d/storage.conf"
	export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf
	export PM_ROOT PM_CG
	if ! pm image exists localhost/bb:latest; then
		pm import --change 'CMD ["/bin/sh"]' "$ENG/bb.tar" localhost/bb:latest >/dev/null || return 1
	fi
	# The default network: our own bridge eng-pm0 (not podman0), no
	# aardvark-dns.  Made before default_network names it: podman would
	# otherwise make up an in-memory one on podman0.  Podman 4.3 has no
	# --interface-name: the bridge name is edited into the network file.
	if [ ! -e "$d/net/eng-net.json" ]; then
		pm network create --subnet 10.231.0.0/24 --disable-dns eng-net >/dev/null || return 1
		jq '.network_interface = "eng-pm0"' "$d/net/eng-net.json" >"$d/net/eng-net.json.new" &&
			mv "$d/net/eng-net.json.new" "$d/net/eng-net.json" || return 1
	fi
	echo 'default_network = "eng-net"' >>"$d/containers.conf" # ([network] is the last table)
}

pm() { podman --runtime "$ENG_RT" "$@"; }

# podman run with this suite's cgroup parent (absolute: with a relative one
# podman puts conmon in /<parent>/conmon and the runtime resolves the
# container's path against conmon's cgroup).
pm_run() { pm run --cgroup-parent "/$PM_CG" "$@"; }

eng_podman_cleanup() {
	[ -n "${PM_ROOT:-}" ] || return 0
	pm rm -af -t 0 >/dev/null 2>&1
	pm network rm -f eng-net >/dev/null 2>&1
	pm system reset -f >/dev/null 2>&1 # not needed for correctness: frees storage mounts
	eng_cgroups_remove "$PM_CG"
	eng_cgroups_remove libpod_parent
}

# --- daemons ----------------------------------------------------------------------

# eng_daemon NAME LOG CMD...: start CMD in the background under `tini -s`, a
# subreaper that reaps the shims the daemon double-forks (PID 1 of this
# machine never reaps orphans); tini's pid goes to $ENG/NAME.daemon.pid and a
# TERM to it reaches the daemon.
eng_daemon() {
	local name=$1 log=$2
	shift 2
	eng_require tini || return 1
	setsid tini -s -- "$@" </dev/null >"$log" 2>&1 3>&- 4>&- &
	echo $! >"$ENG/$name.daemon.pid"
}

# --- docker -----------------------------------------------------------------------

# dockerd (and the containerd it manages) with everything under $ENG/docker:
# data root, exec root, socket, pid file; cgroupfs with the parent
# /eng-docker; the silo-oci runtime registered as "silo" in daemon.json.  No
# iptables rules and no ip_forward change: the default bridge is eng-dock0,
# made here, and -p goes through docker-proxy.  "silo-debug" is the same
# runtime with runtimeArgs ["--debug"] (put before every call).  `dk ARGS...` is Debian's
# client (not a newer one in /usr/local/bin) on that socket; `dk_run` is
# `docker run --runtime silo`.
eng_docker_start() {
	eng_require /usr/sbin/dockerd /usr/bin/docker /usr/sbin/docker-proxy || return 1
	local d=$ENG/docker i
	DK_CG=eng-docker
	DK_ROOT=$d/run/runtime-runc/moby
	export DK_CG DK_ROOT
	if [ -s "$ENG/dockerd.daemon.pid" ] && kill -0 "$(cat "$ENG/dockerd.daemon.pid")" 2>/dev/null; then
		return 0
	fi
	mkdir -p "$d"
	if ! ip link show eng-dock0 >/dev/null 2>&1; then
		ip link add eng-dock0 type bridge &&
			ip addr add 10.232.0.1/24 dev eng-dock0 &&
			ip link set eng-dock0 up || return 1
	fi
	cat >"$d/daemon.json" <<-JSON
		{
			"data-root": "$d/data",
			"exec-root": "$d/run",
			"pidfile": "$d/dockerd.pid",
			"hosts": ["unix://$d/docker.sock"],
			"storage-driver": "$ENG_DK_DRIVER",
			"exec-opts": ["native.cgroupdriver=cgroupfs"],
			"cgroup-parent": "/$DK_CG",
			"bridge": "eng-dock0",
			"iptables": false,
			"ip-forward": false,
			"ip-masq": false,
			"userland-proxy": true,
			"runtimes": { "silo": { "path": "$ENG_RT" },
				"silo-debug": { "path": "$ENG_RT", "runtimeArgs": ["--debug"] } }
		}
	JSON
	eng_daemon dockerd "$d/dockerd.log" /usr/sbin/dockerd --config-file "$d/daemon.json"
	for i in $(seq 60); do
		dk version >/dev/null 2>&1 && break
		kill -0 "$(cat "$ENG/dockerd.daemon.pid")" 2>/dev/null || break
		sleep 0.5
	done
	dk version >/dev/null 2>&1 || { echo "dockerd did not start:" >&2; tail -n 20 "$d/dockerd.log" >&2; return 1; }
	# dockerd and the containerd it started (their command lines name $ENG)
	pgrep -P "$(cat "$ENG/dockerd.daemon.pid")" >"$ENG/dockerd-child.daemon.pid"
	pgrep -P "$(cat "$ENG/dockerd-child.daemon.pid")" -x containerd >"$ENG/dockerd-containerd.daemon.pid"
	if ! dk image inspect bb:latest >/dev/null 2>&1; then
		dk import --change 'CMD ["/bin/sh"]' "$ENG/bb.tar" bb:latest >/dev/null || return 1
	fi
}

dk() { /usr/bin/docker -H "unix://$ENG/docker/docker.sock" "$@"; }
dk_run() { dk run --runtime silo "$@"; }

# Remove every container, stop dockerd (TERM, then KILL after 30 s), remove
# its bridge and cgroup parent.
eng_docker_stop() {
	local pid i
	[ -s "$ENG/dockerd.daemon.pid" ] || return 0
	pid=$(cat "$ENG/dockerd.daemon.pid")
	if kill -0 "$pid" 2>/dev/null; then
		dk rm -f $(dk ps -aq) >/dev/null 2>&1
		kill -TERM "$pid"
		for i in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$pid" 2>/dev/null
	fi
	for pid in $(cat "$ENG/dockerd-child.daemon.pid" "$ENG/dockerd-containerd.daemon.pid" 2>/dev/null); do
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	done
	rm -f "$ENG"/dockerd*.daemon.pid
	ip link delete eng-dock0 2>/dev/null
	eng_cgroups_remove "${DK_CG:-eng-docker}"
	return 0
}

# --- containerd -------------------------------------------------------------------

# A standalone containerd (CRI plugin off) with root, state and socket under
# $ENG/ctrd, the image imported into namespace "eng" as localhost/bb:latest.
# `cr ARGS...` is ctr on that socket and namespace; `cr_run` is `ctr run` with
# the runtime under test (--runc-binary), a --runc-root under $ENG (the
# runtime's --root is then $CR_ROOT, .../rt/eng) and a cgroup under /eng-ctr.
eng_ctrd_start() {
	eng_require containerd ctr || return 1
	local d=$ENG/ctrd i
	CR_ROOT=$d/rt/eng # --runc-root $d/rt: ctr adds the namespace
	CR_CG=eng-ctr
	export CR_ROOT CR_CG
	if [ -s "$ENG/containerd.daemon.pid" ] && kill -0 "$(cat "$ENG/containerd.daemon.pid")" 2>/dev/null; then
		return 0
	fi
	mkdir -p "$CR_ROOT"
	cat >"$d/config.toml" <<-TOML
		version = 2
		root = "$d/root"
		state = "$d/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$d/containerd.sock"
		[ttrpc]
		  address = "$d/containerd.sock.ttrpc"
		[debug]
		  address = "$d/debug.sock"
	TOML
	eng_daemon containerd "$d/containerd.log" containerd --config "$d/config.toml"
	for i in $(seq 60); do
		cr version >/dev/null 2>&1 && break
		kill -0 "$(cat "$ENG/containerd.daemon.pid")" 2>/dev/null || break
		sleep 0.5
	done
	cr version >/dev/null 2>&1 || { echo "containerd did not start:" >&2; tail -n 20 "$d/containerd.log" >&2; return 1; }
	pgrep -P "$(cat "$ENG/containerd.daemon.pid")" >"$ENG/containerd-child.daemon.pid"
	if ! cr images check name==localhost/bb:latest | grep -q bb; then
		# ctr imports image archives, not rootfs tars: dockerd is not
		# needed for one, a podman-free OCI layout is built here.
		eng_oci_archive "$d/bb-oci.tar" localhost/bb:latest || return 1
		cr images import "$d/bb-oci.tar" >/dev/null || return 1
	fi
}

cr() { ctr --address "$ENG/ctrd/containerd.sock" --namespace eng "$@"; }

# ctr run with the runtime under test; the container NAME (the argument
# after the image) gets the cgroup /eng-ctr/NAME.
cr_run() {
	local args=() a name="" img_seen=0
	for a in "$@"; do
		args+=("$a")
		if [ "$img_seen" = 1 ] && [ -z "$name" ]; then name=$a; fi
		[ "$a" = localhost/bb:latest ] && img_seen=1
	done
	cr run --runc-binary "$ENG_RT" --runc-root "${CR_ROOT%/*}" --cgroup "/$CR_CG/$name" "${args[@]}"
}

# An OCI image layout tar of $ENG/bb.tar (one uncompressed layer), with the
# ref annotation REF, built with jq and sha256sum.
eng_oci_archive() { # OUT REF
	local out=$1 ref=$2 w=$ENG/oci-layout layer cfg man lsz csz msz
	rm -rf "$w"
	mkdir -p "$w/blobs/sha256"
	layer=$(sha256sum <"$ENG/bb.tar" | cut -d' ' -f1)
	cp "$ENG/bb.tar" "$w/blobs/sha256/$layer"
	lsz=$(stat -c %s "$ENG/bb.tar")
	jq -cn --arg l "sha256:$layer" '{architecture: "amd64", os: "linux",
		config: {Cmd: ["/bin/sh"], Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
		rootfs: {type: "layers", diff_ids: [$l]}}' >"$w/config.json"
	cfg=$(sha256sum <"$w/config.json" | cut -d' ' -f1)
	csz=$(stat -c %s "$w/config.json")
	mv "$w/config.json" "$w/blobs/sha256/$cfg"
	jq -cn --arg c "sha256:$cfg" --argjson cs "$csz" --arg l "sha256:$layer" --argjson ls "$lsz" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$w/manifest.json"
	man=$(sha256sum <"$w/manifest.json" | cut -d' ' -f1)
	msz=$(stat -c %s "$w/manifest.json")
	mv "$w/manifest.json" "$w/blobs/sha256/$man"
	jq -cn --arg m "sha256:$man" --argjson ms "$msz" --arg r "$ref" '{schemaVersion: 2,
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
			annotations: {"org.opencontainers.image.ref.name": $r}}]}' >"$w/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$w/oci-layout"
	tar -C "$w" -cf "$out" oci-layout index.json blobs && rm -rf "$w"
}

# Kill and remove every task and container, stop containerd, remove the
# cgroup parent.
eng_ctrd_stop() {
	local pid i c
	[ -s "$ENG/containerd.daemon.pid" ] || return 0
	pid=$(cat "$ENG/containerd.daemon.pid")
	if kill -0 "$pid" 2>/dev/null; then
		for c in $(cr containers ls -q 2>/dev/null); do
			cr task rm -f "$c" >/dev/null 2>&1
			cr containers rm "$c" >/dev/null 2>&1
		done
		kill -TERM "$pid"
		for i in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
		kill -KILL "$pid" 2>/dev/null
	fi
	for pid in $(cat "$ENG/containerd-child.daemon.pid" 2>/dev/null); do
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	done
	rm -f "$ENG"/containerd*.daemon.pid
	eng_cgroups_remove "${CR_CG:-eng-ctr}"
	return 0
}
