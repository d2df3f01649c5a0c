#!/usr/bin/env bats
# The image store without a registry: the built-in silo/busybox image, images,
# inspect, tag, rmi, load (docker-archive and OCI archives made by skopeo),
# save, prune, safe unpacking of hostile layers, and bundles that silo-oci runs.

load image-helpers

setup_file() {
	[ "$(id -u)" = 0 ] || skip "the image tests need root"
	export LAYOUT=$BATS_FILE_TMPDIR/oci
	img_build_layout "$LAYOUT" >/dev/null
	skopeo copy -q "oci:$LAYOUT:bb2" "docker-archive:$BATS_FILE_TMPDIR/bb2-docker.tar:test/busybox:bb2"
	skopeo copy -q "oci:$LAYOUT:bb3" "oci-archive:$BATS_FILE_TMPDIR/bb3-oci.tar:test/busybox:bb3"
	skopeo copy -q "oci:$LAYOUT:bb1" "docker-archive:$BATS_FILE_TMPDIR/bb1-docker.tar:test/busybox:bb1"
}

setup() {
	[ "$(id -u)" = 0 ] || skip "the image tests need root"
	[ -x "$SILO" ] || { echo "silo binary $SILO is missing" >&2; return 1; }
	T=$(mktemp -d /tmp/img-test-XXXXXX)
	STORE=$T/store
	BUNDLES=()
}

teardown() {
	[ -n "${T:-}" ] || return 0
	local b m problems=()
	for b in "${BUNDLES[@]}"; do "$SILO" --root "$STORE" bundle --rm "$b" >/dev/null 2>&1 || true; done
	for m in $(awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		problems+=("mount left: $m")
		umount -l "$m"
	done
	rm -rf "$T"
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'LEAK: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# A listing of everything the store trusts (refs, records, blobs, layers).
store_snapshot() {
	{
		cat "$STORE/refs.json" 2>/dev/null
		ls "$STORE/images" "$STORE/blobs/sha256" "$STORE/layers" 2>/dev/null
	} | sha256sum
}

# Run a bundle with silo-oci; its output in $output.
run_bundle() {
	local dir=$1 id=img-$$-$BATS_TEST_NUMBER
	jq --arg cg "$id" '.linux.cgroupsPath = $cg' "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
	run timeout 30 "$SILO_OCI" --root "$T/state" run --bundle "$dir" "$id" </dev/null
}

@test "silo --help, silo COMMAND --help and usage errors" {
	run "$SILO" --help
	[ "$status" -eq 0 ]
	for c in images pull load save rmi tag inspect bundle "image prune"; do
		[[ "$output" == *"$c"* ]] || { echo "no $c in: $output"; return 1; }
	done
	run "$SILO" images --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: silo images"* ]]
	run "$SILO" image prune --help
	[ "$status" -eq 0 ]
	run "$SILO" --root "$STORE" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown command "frobnicate"'* ]]
	run "$SILO" --root "$STORE" images --bogus
	[ "$status" -eq 2 ]
	run "$SILO" --root "$STORE" tag onlyone
	[ "$status" -eq 2 ]
}

@test "the first command makes the built-in silo/busybox image: images, -q, --format json, inspect" {
	run silo images
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[[ "${lines[1]}" =~ ^silo/busybox\ +latest\ +[0-9a-f]{12}\ + ]]
	run silo images -q
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	local id=$output
	run silo images --format json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .Repository)" = silo/busybox ]
	[ "$(echo "$output" | jq -r .ID)" = "$id" ]
	run silo inspect silo/busybox
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c '.[0].Config.Cmd')" = '["sh"]' ]
	[ "$(echo "$output" | jq -r '.[0].Id')" = "sha256:$id"* ] || [[ "$(echo "$output" | jq -r '.[0].Id')" == sha256:$id* ]]
	[ "$(echo "$output" | jq -r '.[0].RepoTags[0]')" = silo/busybox:latest ]
	# a real image: a gzip layer blob, a config and a manifest, all verified by name
	local m
	m=$(jq -r .manifest "$STORE"/images/*.json)
	[ "$(sha256sum "$STORE/blobs/sha256/${m#sha256:}" | cut -c1-64)" = "${m#sha256:}" ]
	jq -e '.layers[0].mediaType == "application/vnd.oci.image.layer.v1.tar+gzip"' "$STORE/blobs/sha256/${m#sha256:}"
	# the same busybox gives the same image in another store
	run "$SILO" --root "$T/store2" images -q
	[ "$output" = "$id" ]
	# removed, it stays removed
	run silo rmi silo/busybox
	[ "$status" -eq 0 ]
	run silo images -q
	[ "$output" = "" ]
}

@test "silo bundle of silo/busybox runs under silo-oci: sh reads its stdin" {
	run silo bundle silo/busybox "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	findmnt -n -o FSTYPE "$T/b/rootfs" | grep -qx overlay
	jq -e '.process.args == ["sh"] and .root.path == "rootfs" and (.process.env | index("HOME=/root"))' "$T/b/config.json"
	jq '.process.args = ["sh", "-c", "echo hello from $(cat /etc/passwd | head -c 4); touch /new"] | .linux.cgroupsPath = "img-b"' \
		"$T/b/config.json" >"$T/b/c.json" && mv "$T/b/c.json" "$T/b/config.json"
	run timeout 30 "$SILO_OCI" --root "$T/state" run --bundle "$T/b" "img-$$-b" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "hello from root" ]
	# the write went to the bundle's upper dir, not to the shared layer
	[ -e "$T/b/.silo/upper/new" ]
	! ls "$STORE"/layers/*/new 2>/dev/null
	run silo bundle silo/busybox "$T/b"
	[ "$status" -eq 1 ]
	[[ "$output" == *"already holds a bundle"* ]]
	run silo bundle --rm "$T/b"
	[ "$status" -eq 0 ]
	! findmnt "$T/b/rootfs"
	[ ! -e "$T/b/config.json" ]
}

@test "tag, names normalised like docker's, and rmi untags before it deletes" {
	silo images -q >/dev/null
	run silo tag silo/busybox busybox
	[ "$status" -eq 0 ]
	run silo tag busybox:latest example.com:5000/team/tool:v1
	[ "$status" -eq 0 ]
	run silo images
	echo "$output"
	[[ "$output" =~ $'\n'busybox\ +latest ]]
	[[ "$output" =~ example.com:5000/team/tool\ +v1 ]]
	# busybox = docker.io/library/busybox:latest
	run silo inspect docker.io/library/busybox:latest
	[ "$status" -eq 0 ]
	run silo tag busybox 'Bad/Name'
	[ "$status" -eq 1 ]
	[[ "$output" == *"repository name must be lowercase"* ]]
	run silo tag busybox 'x@sha256:abc'
	[ "$status" -eq 1 ]
	# an id with several names needs -f
	local id
	id=$(silo images -q | head -n1)
	run silo rmi "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"referenced by 3 names"* ]]
	run silo rmi busybox
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: docker.io/library/busybox:latest" ]
	run silo images -q
	[ "$output" = "$id" ]
	run silo rmi -f "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted: sha256:$id"* ]]
	run silo images -q
	[ "$output" = "" ]
	run silo inspect nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such image: nosuch"* ]]
}

@test "rmi refuses an image a bundle uses, unless -f" {
	run silo bundle silo/busybox "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	run silo rmi silo/busybox
	[ "$status" -eq 1 ]
	[[ "$output" == *"in use by the bundle $T/b"* ]]
	silo images | grep -q silo/busybox
	silo bundle --rm "$T/b"
	run silo rmi silo/busybox
	[ "$status" -eq 0 ]
}

@test "load a docker-archive made by skopeo: whiteouts become overlay whiteouts" {
	run silo load -i "$BATS_FILE_TMPDIR/bb2-docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: test/busybox:bb2" ]
	silo images | grep -E '^test/busybox +bb2 '
	# the REPOSITORY[:TAG] filter, normalised like the names
	run silo images -q docker.io/test/busybox:bb2
	[ "$output" = "$(silo inspect test/busybox:bb2 | jq -r '.[0].Id' | cut -c8-19)" ]
	run silo images -q test/busybox:nosuch
	[ "$output" = "" ]
	[ "$(silo images test/busybox | wc -l)" -eq 2 ]
	run silo bundle test/busybox:bb2 "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	[ ! -e "$T/b/rootfs/etc/motd" ]
	[ "$(ls "$T/b/rootfs/data/keep")" = c ]
	# in the top layer: 0/0 character devices
	local top
	top=$(jq -r '.layers[1]' "$STORE"/images/$(silo inspect test/busybox:bb2 | jq -r '.[0].Id' | cut -d: -f2).json)
	[ "$(stat -c '%F %t:%T' "$STORE/layers/${top#sha256:}/etc/motd")" = "character special file 0:0" ]
}

@test "load the old docker save layout: Layers named <id>/layer.tar" {
	local x=$T/x
	mkdir "$x"
	tar -xf "$BATS_FILE_TMPDIR/bb2-docker.tar" -C "$x"
	# docker before 25 named each layer by its legacy directory
	local l d
	for d in "$x"/*/; do
		l=$(readlink "$d/layer.tar")
		rm "$d/layer.tar"
		mv "$d/$l" "$d/layer.tar"
		jq --arg old "${l#../}" --arg new "$(basename "$d")/layer.tar" \
			'.[0].Layers |= map(if . == $old then $new else . end)' "$x/manifest.json" >"$x/m.json"
		mv "$x/m.json" "$x/manifest.json"
	done
	jq -e '.[0].Layers | all(endswith("/layer.tar"))' "$x/manifest.json"
	tar -cf "$T/old.tar" -C "$x" .
	run silo load -i "$T/old.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: test/busybox:bb2" ]
	run silo bundle test/busybox:bb2 "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	[ "$(ls "$T/b/rootfs/data/keep")" = c ]
}

@test "load an OCI archive from stdin: a zstd layer with an opaque directory" {
	run silo load <"$BATS_FILE_TMPDIR/bb3-oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: test/busybox:bb3" ]
	run silo bundle test/busybox:bb3 "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	[ "$(ls "$T/b/rootfs/data/keep")" = z ]
	[ "$(cat "$T/b/rootfs/etc/motd")" = "layer 1" ]
	local top
	top=$(jq -r '.layers[1]' "$STORE"/images/$(silo inspect test/busybox:bb3 | jq -r '.[0].Id' | cut -d: -f2).json)
	[ "$(getfattr --only-values -n trusted.overlay.opaque "$STORE/layers/${top#sha256:}/data/keep" 2>/dev/null ||
		python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$STORE/layers/${top#sha256:}/data/keep")" = y ]
}

@test "bundle --copy (no overlay) gives the same tree: whiteouts and opaque dirs applied" {
	silo load -i "$BATS_FILE_TMPDIR/bb2-docker.tar"
	silo load -i "$BATS_FILE_TMPDIR/bb3-oci.tar"
	run silo bundle --copy test/busybox:bb2 "$T/c2"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/c2")
	run silo bundle --copy test/busybox:bb3 "$T/c3"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/c3")
	! findmnt "$T/c2/rootfs"
	[ ! -e "$T/c2/rootfs/etc/motd" ]
	[ "$(ls "$T/c2/rootfs/data/keep")" = c ]
	[ "$(ls "$T/c3/rootfs/data/keep")" = z ]
	[ -x "$T/c3/rootfs/bin/busybox" ]
	run_bundle "$T/c3"
	[ "$status" -eq 0 ]
	[ "$output" = z ]
	# where overlayfs is missing the copy is the fallback (forced here)
	run env SILO_TEST_NO_OVERLAY=1 "$SILO" --root "$STORE" bundle test/busybox:bb2 "$T/f2"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/f2")
	! findmnt "$T/f2/rootfs"
	[ "$(ls "$T/f2/rootfs/data/keep")" = c ]
	[ ! -e "$T/f2/rootfs/etc/motd" ]
}

@test "silo bundle + silo-oci run: the image's Cmd with its Env, WorkingDir and ports" {
	silo load -i "$BATS_FILE_TMPDIR/bb1-docker.tar"
	run silo bundle test/busybox:bb1 "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	jq -e '.process.cwd == "/www" and (.process.env | index("FOO=bar")) and
		.annotations["org.opencontainers.image.exposedPorts"] == "80/tcp" and
		.annotations["org.opencontainers.image.ref.name"] == "docker.io/test/busybox:bb1"' "$T/b/config.json"
	run_bundle "$T/b"
	[ "$status" -eq 0 ]
	[ "$output" = "cwd=/www foo=bar user=0" ]
}

@test "a tampered docker-archive is refused and nothing is stored" {
	silo images -q >/dev/null
	local before x=$T/x
	before=$(store_snapshot)
	mkdir "$x"
	tar -xf "$BATS_FILE_TMPDIR/bb1-docker.tar" -C "$x"
	# flip one byte of busybox inside the layer tar (same size: only the digest tells)
	local layer off
	layer=$x/$(jq -r '.[0].Layers[0]' "$x/manifest.json")
	off=$(grep -obUa 'BusyBox' "$layer" | head -n1 | cut -d: -f1)
	printf 'X' | dd of="$layer" bs=1 seek="$off" conv=notrunc status=none
	tar -cf "$T/bad.tar" -C "$x" .
	run silo load -i "$T/bad.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"diff_id mismatch"* ]]
	[ "$(store_snapshot)" = "$before" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	! silo images | grep -q test/busybox
}

@test "a tampered layer among several (unpacked in parallel) fails the load and names nothing" {
	silo images -q >/dev/null
	local x=$T/x layer off bad
	mkdir "$x"
	tar -xf "$BATS_FILE_TMPDIR/bb2-docker.tar" -C "$x"
	layer=$x/$(jq -r '.[0].Layers[0]' "$x/manifest.json")
	bad=$(jq -r '.rootfs.diff_ids[0]' "$x/$(jq -r '.[0].Config' "$x/manifest.json")")
	off=$(grep -obUa 'BusyBox' "$layer" | head -n1 | cut -d: -f1)
	printf 'X' | dd of="$layer" bs=1 seek="$off" conv=notrunc status=none
	tar -cf "$T/bad.tar" -C "$x" .
	run silo load -i "$T/bad.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"diff_id mismatch"* ]]
	[ ! -e "$STORE/layers/${bad#sha256:}" ]
	! ls -a "$STORE/layers" | grep -q '^\.tmp'
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ "$(ls "$STORE/images" | wc -l)" -eq 1 ]
	! grep -q test/busybox "$STORE/refs.json"
	# the intact archive still loads
	run silo load -i "$BATS_FILE_TMPDIR/bb2-docker.tar"
	[ "$status" -eq 0 ]
}

@test "a tampered OCI archive blob is refused: digest mismatch, nothing stored" {
	silo images -q >/dev/null
	local before x=$T/x cfg
	before=$(store_snapshot)
	mkdir "$x"
	tar -xf "$BATS_FILE_TMPDIR/bb3-oci.tar" -C "$x"
	m=$(jq -r '.manifests[0].digest' "$x/index.json")
	cfg=$(jq -r .config.digest "$x/blobs/sha256/${m#sha256:}")
	sed -i 's/ls \/data\/keep/ls \/data\/KEEP/' "$x/blobs/sha256/${cfg#sha256:}"
	tar -cf "$T/bad.tar" -C "$x" .
	run silo load -i "$T/bad.tar"
	[ "$status" -eq 1 ]
	echo "$output"
	[[ "$output" == *"digest mismatch"* ]]
	[ "$(store_snapshot)" = "$before" ]
}

# A docker-archive whose one layer holds the given hostile entries (python's
# tarfile writes any name).  $1 = archive, $2 = outside dir, $3 = "dotdot" to
# include a ../ entry.
make_hostile() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import hashlib, io, json, sys, tarfile
out, outside, dotdot = sys.argv[1], sys.argv[2], sys.argv[3]
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=b"pwned\n", kind=tarfile.REGTYPE, link=""):
        i = tarfile.TarInfo(name); i.type = kind; i.linkname = link; i.mode = 0o644
        i.size = len(data) if kind == tarfile.REGTYPE else 0
        t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    add("bin", kind=tarfile.DIRTYPE)
    add(outside.lstrip("/") + "/abs-in-layer")         # relative form, for comparison
    add(outside + "/absolute")                          # absolute path
    add("evil", kind=tarfile.SYMTYPE, link=outside)     # a symlink out ...
    add("evil/through-symlink")                         # ... then a file through it
    add("up", kind=tarfile.SYMTYPE, link="../../../../../../..")
    add("up" + outside + "/through-dotdot-symlink")
    if dotdot:
        add("../../../../../../.." + outside + "/dotdot")
        add("hl", kind=tarfile.LNKTYPE, link="../../../../etc/passwd")
raw = layer.getvalue()
diff = "sha256:" + hashlib.sha256(raw).hexdigest()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
                  "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
man = json.dumps([{"Config": "config.json", "RepoTags": ["hostile:latest"], "Layers": ["layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in (("layer.tar", raw), ("config.json", cfg), ("manifest.json", man)):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
}

@test "a hostile layer never writes outside its directory" {
	local outside=$T/outside
	mkdir "$outside"
	make_hostile "$T/dotdot.tar" "$outside" dotdot
	run silo load -i "$T/dotdot.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"leaves the layer directory"* ]]
	[ -z "$(ls -A "$outside")" ]
	! silo images | grep -q hostile
	# without ../ entries: absolute paths and symlinks resolve inside the layer
	make_hostile "$T/abs.tar" "$outside"
	run silo load -i "$T/abs.tar"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$outside")" ]
	local layer
	layer=$STORE/layers/$(jq -r '.layers[0]' "$STORE"/images/$(silo inspect hostile | jq -r '.[0].Id' | cut -d: -f2).json | cut -d: -f2)
	[ -f "$layer$outside/absolute" ]
	[ -f "$layer$outside/abs-in-layer" ]
	[ -f "$layer$outside/through-symlink" ]
	[ -f "$layer$outside/through-dotdot-symlink" ]
	[ "$(readlink "$layer/evil")" = "$outside" ]
	[ -z "$(ls -A "$outside")" ]
}

@test "unpacking keeps owners, modes, times, device nodes, fifos, hard links and xattrs" {
	python3 - "$T/meta.tar" <<'PY'
import hashlib, io, json, sys, tarfile
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w", format=tarfile.PAX_FORMAT) as t:
    def add(name, kind=tarfile.REGTYPE, data=b"", **kw):
        i = tarfile.TarInfo(name); i.type = kind; i.mtime = 1234567890
        for k, v in kw.items(): setattr(i, k, v)
        i.size = len(data) if kind == tarfile.REGTYPE else 0
        t.addfile(i, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    add("dev", tarfile.DIRTYPE, mode=0o755)
    add("dev/null", tarfile.CHRTYPE, mode=0o666, devmajor=1, devminor=3)
    add("dev/sda", tarfile.BLKTYPE, mode=0o660, devmajor=8, devminor=0, gid=6)
    add("fifo", tarfile.FIFOTYPE, mode=0o600)
    add("priv", tarfile.DIRTYPE, mode=0o700, uid=7, gid=7)
    add("suid", data=b"#!/bin/sh\n", mode=0o4755, uid=1234, gid=5678)
    add("hard", tarfile.LNKTYPE, linkname="suid")
    add("xattr", data=b"x", mode=0o644, pax_headers={"SCHILY.xattr.user.silo": "yes"})
    add("link", tarfile.SYMTYPE, linkname="suid", uid=42, gid=43)
raw = layer.getvalue()
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/suid"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode()
man = json.dumps([{"Config": "c.json", "RepoTags": ["meta:1"], "Layers": ["l.tar"]}]).encode()
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in (("l.tar", raw), ("c.json", cfg), ("manifest.json", man)):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
PY
	run silo load -i "$T/meta.tar"
	[ "$status" -eq 0 ]
	local L
	L=$STORE/layers/$(jq -r '.layers[0]' "$STORE"/images/$(silo inspect meta:1 | jq -r '.[0].Id' | cut -d: -f2).json | cut -d: -f2)
	[ "$(stat -c '%F %t:%T %a' "$L/dev/null")" = "character special file 1:3 666" ]
	[ "$(stat -c '%F %t:%T %a %g' "$L/dev/sda")" = "block special file 8:0 660 6" ]
	[ "$(stat -c '%F %a' "$L/fifo")" = "fifo 600" ]
	[ "$(stat -c '%a %u:%g %Y' "$L/priv")" = "700 7:7 1234567890" ]
	[ "$(stat -c '%a %u:%g %Y %h' "$L/suid")" = "4755 1234:5678 1234567890 2" ]
	[ "$(stat -c '%i' "$L/hard")" = "$(stat -c '%i' "$L/suid")" ]
	[ "$(stat -c '%u:%g' "$L/link")" = "42:43" ]
	[ "$(readlink "$L/link")" = suid ]
	[ "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "user.silo").decode())' "$L/xattr")" = yes ]
}

@test "save writes a docker-archive + OCI layout that loads back to the same image" {
	silo load -i "$BATS_FILE_TMPDIR/bb2-docker.tar"
	local id
	id=$(silo inspect test/busybox:bb2 | jq -r '.[0].Id')
	run silo save -o "$T/out.tar" test/busybox:bb2
	[ "$status" -eq 0 ]
	tar -tf "$T/out.tar" | grep -qx manifest.json
	tar -tf "$T/out.tar" | grep -qx index.json
	tar -tf "$T/out.tar" | grep -qx oci-layout
	run "$SILO" --root "$T/s2" load -i "$T/out.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: test/busybox:bb2" ]
	[ "$("$SILO" --root "$T/s2" inspect test/busybox:bb2 | jq -r '.[0].Id')" = "$id" ]
	# skopeo reads it too, as both kinds
	skopeo inspect --raw "docker-archive:$T/out.tar" | jq -e '.layers | length == 2'
	skopeo inspect --raw "oci-archive:$T/out.tar" | jq -e '.layers | length == 2'
	run silo save test/busybox:nosuch -o "$T/none.tar"
	[ "$status" -eq 1 ]
	[ ! -e "$T/none.tar" ]
}

@test "image prune removes unnamed images and every blob and layer no image uses" {
	silo images -q >/dev/null
	local blobs0 layers0
	blobs0=$(ls "$STORE/blobs/sha256" | wc -l)
	layers0=$(ls "$STORE/layers" | wc -l)
	silo load -i "$BATS_FILE_TMPDIR/bb2-docker.tar"
	[ "$(ls "$STORE/blobs/sha256" | wc -l)" -gt "$blobs0" ]
	silo rmi test/busybox:bb2
	run silo image prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"Total reclaimed space:"* ]]
	[ "$(ls "$STORE/blobs/sha256" | wc -l)" -eq "$blobs0" ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq "$layers0" ]
	silo images | grep -q silo/busybox
	run silo bundle silo/busybox "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
}

@test "concurrent loads of the same archive both succeed and leave one consistent image" {
	silo images -q >/dev/null
	local i pids=()
	for i in 1 2 3; do
		"$SILO" --root "$STORE" load -i "$BATS_FILE_TMPDIR/bb1-docker.tar" >"$T/load$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	[ "$(ls "$STORE/images" | wc -l)" -eq 2 ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	! ls -a "$STORE/layers" | grep -q '^\.tmp'
	run silo bundle test/busybox:bb1 "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	run_bundle "$T/b"
	[ "$output" = "cwd=/www foo=bar user=0" ]
}
