# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared setup of the image tests (1xx-image-*.bats): the silo binary, a
# private store per test, test images built with umoci from busybox-static,
# and Debian's docker-registry on 127.0.0.1.
#
#   SILO          the silo binary (default <repo>/build/src/cli/silo)
#   SILO_OCI      the runtime for bundle tests (default <repo>/build/src/oci/silo-oci)

REPO=${SILO_REPO:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
SILO=${SILO:-$REPO/build/src/cli/silo}
SILO_OCI=${SILO_OCI:-$REPO/build/src/oci/silo-oci}

# silo with the test's private store.
silo() { "$SILO" --root "$STORE" "$@"; }

# Build the OCI layout $1 with tags:
#   bb1    one layer: busybox, passwd, /etc/motd, /data/keep/{a,b}; Cmd prints
#          its cwd and $FOO; Env FOO=bar; WorkingDir /www; ExposedPorts 80/tcp
#   bb2    bb1 + a layer deleting /etc/motd and replacing /data/keep (whiteouts)
#   bb3    bb1's layer + a zstd layer with /data/keep opaque holding only z
#   multi  an index: linux/amd64 -> bb1, linux/arm64 -> bb2
img_build_layout() {
	local L=$1 W
	W=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/img-build.XXXXXX")
	umoci init --layout "$L"
	umoci new --image "$L:bb1"
	umoci unpack --image "$L:bb1" "$W/b1" >/dev/null
	mkdir -p "$W"/b1/rootfs/{bin,etc,tmp,www,data/keep}
	cp "$(command -v busybox)" "$W/b1/rootfs/bin/busybox"
	for a in sh ls cat echo id env pwd sleep true test; do ln -s busybox "$W/b1/rootfs/bin/$a"; done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home/nobody:/bin/sh\n' >"$W/b1/rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$W/b1/rootfs/etc/group"
	echo 'layer 1' >"$W/b1/rootfs/etc/motd"
	echo a >"$W/b1/rootfs/data/keep/a"
	echo b >"$W/b1/rootfs/data/keep/b"
	umoci repack --image "$L:bb1" "$W/b1" >/dev/null
	umoci config --image "$L:bb1" --config.cmd=/bin/sh --config.cmd=-c \
		--config.cmd='echo "cwd=$(pwd) foo=$FOO user=$(id -u)"' \
		--config.env=PATH=/bin --config.env=FOO=bar --config.workingdir=/www \
		--config.exposedports=80/tcp
	umoci unpack --image "$L:bb1" "$W/b2" >/dev/null
	rm "$W/b2/rootfs/etc/motd"
	rm -rf "$W/b2/rootfs/data/keep"
	mkdir "$W/b2/rootfs/data/keep"
	echo c >"$W/b2/rootfs/data/keep/c"
	umoci repack --image "$L:bb2" "$W/b2" >/dev/null
	img_make_bb3 "$L" "$W"
	img_make_multi "$L"
	rm -rf "$W"
}

# bb3: bb1's layer + a zstd layer making /data/keep opaque (only z in it).
img_make_bb3() {
	local L=$1 W=$2 B=$1/blobs/sha256 m1 c1 l1 diff ld ls cd cs md ms
	m1=$(jq -r '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="bb1")|.digest' "$L/index.json" | cut -d: -f2)
	c1=$(jq -r .config.digest "$B/$m1" | cut -d: -f2)
	l1=$(jq -c '.layers[0]' "$B/$m1")
	mkdir -p "$W/z/data/keep"
	echo z >"$W/z/data/keep/z"
	: >"$W/z/data/keep/.wh..wh..opq"
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$W/z" -cf "$W/z.tar" data
	diff=$(sha256sum "$W/z.tar" | cut -d' ' -f1)
	zstd -q -f "$W/z.tar" -o "$W/z.tar.zst"
	ld=$(sha256sum "$W/z.tar.zst" | cut -d' ' -f1)
	ls=$(stat -c %s "$W/z.tar.zst")
	cp "$W/z.tar.zst" "$B/$ld"
	jq --arg d "sha256:$diff" '.rootfs.diff_ids += [$d] | .config.Cmd=["/bin/sh","-c","ls /data/keep"] | .history += [{"created":"1970-01-01T00:00:00Z","created_by":"hand"}]' "$B/$c1" >"$W/z.cfg"
	cd=$(sha256sum "$W/z.cfg" | cut -d' ' -f1)
	cs=$(stat -c %s "$W/z.cfg")
	cp "$W/z.cfg" "$B/$cd"
	jq -cn --argjson l1 "$l1" --arg cd "sha256:$cd" --argjson cs "$cs" --arg ld "sha256:$ld" --argjson ls "$ls" '{
	  schemaVersion:2, mediaType:"application/vnd.oci.image.manifest.v1+json",
	  config:{mediaType:"application/vnd.oci.image.config.v1+json",digest:$cd,size:$cs},
	  layers:[$l1,{mediaType:"application/vnd.oci.image.layer.v1.tar+zstd",digest:$ld,size:$ls}]}' >"$W/z.man"
	md=$(sha256sum "$W/z.man" | cut -d' ' -f1)
	ms=$(stat -c %s "$W/z.man")
	cp "$W/z.man" "$B/$md"
	jq --arg md "sha256:$md" --argjson ms "$ms" '.manifests += [{mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$md,size:$ms,annotations:{"org.opencontainers.image.ref.name":"bb3"}}]' "$L/index.json" >"$L/index.json.new"
	mv "$L/index.json.new" "$L/index.json"
}

# multi: an OCI index, linux/amd64 = bb1, linux/arm64 = bb2.
img_make_multi() {
	local L=$1 B=$1/blobs/sha256 d1 s1 d2 s2 idx dx sx
	d1=$(jq -r '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="bb1")|.digest' "$L/index.json")
	d2=$(jq -r '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]=="bb2")|.digest' "$L/index.json")
	s1=$(stat -c %s "$B/${d1#sha256:}")
	s2=$(stat -c %s "$B/${d2#sha256:}")
	idx=$(jq -cn --arg d1 "$d1" --argjson s1 "$s1" --arg d2 "$d2" --argjson s2 "$s2" '{
	  schemaVersion:2, mediaType:"application/vnd.oci.image.index.v1+json",
	  manifests:[
	    {mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$d2,size:$s2,platform:{os:"linux",architecture:"arm64",variant:"v8"}},
	    {mediaType:"application/vnd.oci.image.manifest.v1+json",digest:$d1,size:$s1,platform:{os:"linux",architecture:"amd64"}}]}')
	printf '%s' "$idx" >"$L/idx.tmp"
	dx=$(sha256sum "$L/idx.tmp" | cut -d' ' -f1)
	sx=$(stat -c %s "$L/idx.tmp")
	mv "$L/idx.tmp" "$B/$dx"
	jq --arg d "sha256:$dx" --argjson s "$sx" '.manifests += [{mediaType:"application/vnd.oci.image.index.v1+json",digest:$d,size:$s,annotations:{"org.opencontainers.image.ref.name":"multi"}}]' "$L/index.json" >"$L/index.json.new"
	mv "$L/index.json.new" "$L/index.json"
}

# Start docker-registry on 127.0.0.1:$1 with its data in $2; sets REG_PID.
img_registry_start() {
	local port=$1 dir=$2 i
	mkdir -p "$dir"
	cat >"$dir/config.yml" <<YML
version: 0.1
log: {level: warn}
storage:
  filesystem: {rootdirectory: $dir/data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$port
YML
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 3>&- &
	REG_PID=$!
	echo "$REG_PID" >"$dir/pid"
	for i in $(seq 100); do
		curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && return 0
		sleep 0.1
	done
	echo "docker-registry did not start on 127.0.0.1:$port:" >&2
	cat "$dir/log" >&2
	return 1
}

img_registry_stop() {
	local dir=$1 pid
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$dir/pid"
}

# Push every tag of layout $1 to 127.0.0.1:$2/test/busybox.
img_push_layout() {
	local L=$1 port=$2 t
	for t in bb1 bb2 bb3; do
		skopeo copy -q --dest-tls-verify=false "oci:$L:$t" "docker://127.0.0.1:$port/test/busybox:$t"
	done
	skopeo copy -q --all --dest-tls-verify=false "oci:$L:multi" "docker://127.0.0.1:$port/test/busybox:multi"
}

# The registry's file of blob $2 (sha256:…) under registry dir $1.
img_registry_blob() {
	local hex=${2#sha256:}
	echo "$1/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# Tag $3 of layout $1: tag $2 plus a layer holding $4 KiB of random bytes
# (a blob no other image shares).
img_add_random_layer() {
	local L=$1 from=$2 to=$3 kib=$4 W
	W=$(mktemp -d "${BATS_FILE_TMPDIR:-/tmp}/img-rand.XXXXXX")
	umoci unpack --image "$L:$from" "$W/b" >/dev/null
	head -c "$((kib * 1024))" /dev/urandom >"$W/b/rootfs/random.bin"
	umoci repack --image "$L:$to" "$W/b" >/dev/null
	rm -rf "$W"
}

# The digest of the last layer of image $2 in layout $1.
img_layout_top_layer() {
	local L=$1 m
	m=$(jq -r --arg t "$2" '.manifests[]|select(.annotations["org.opencontainers.image.ref.name"]==$t)|.digest' "$L/index.json")
	jq -r '.layers[-1].digest' "$L/blobs/sha256/${m#sha256:}"
}
