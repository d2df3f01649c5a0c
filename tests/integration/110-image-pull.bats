#!/usr/bin/env bats
# silo pull against Debian's docker-registry on 127.0.0.1 (plain http, as a
# loopback registry may be): OCI manifests, whiteouts, zstd, a multi-arch
# index, pull by digest, a tampered blob, a resumed download, the progress
# display, and token and basic authentication through a small proxy; and the
# same registry over TLS only (a throwaway CA, server and client certificates
# made with openssl): CAs from --certs-dir, verification failures, client
# certificates.

load image-helpers

PORT=15010          # the registry
PROXY_PORT=15011    # the authenticating proxy
TLS_PORT=15500      # the registry over TLS only
MTLS_PORT=15501     # over TLS, asking for a client certificate
R=127.0.0.1:$PORT/test/busybox

setup_file() {
	[ "$(id -u)" = 0 ] || skip "the image tests need root"
	export LAYOUT=$BATS_FILE_TMPDIR/oci REGDIR=$BATS_FILE_TMPDIR/reg
	img_build_layout "$LAYOUT" >/dev/null
	img_add_random_layer "$LAYOUT" bb1 tamper 256
	img_add_random_layer "$LAYOUT" bb1 resume 2048
	img_registry_start "$PORT" "$REGDIR"
	img_push_layout "$LAYOUT" "$PORT"
	skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:tamper" "docker://127.0.0.1:$PORT/test/tamper:1"
	skopeo copy -q --dest-tls-verify=false "oci:$LAYOUT:resume" "docker://127.0.0.1:$PORT/test/resume:1"
	tls_certs "$BATS_FILE_TMPDIR/pki"
	tls_registry_start "$TLS_PORT" "$BATS_FILE_TMPDIR/treg" "$BATS_FILE_TMPDIR/pki"
	tls_registry_start "$MTLS_PORT" "$BATS_FILE_TMPDIR/mreg" "$BATS_FILE_TMPDIR/pki" client
}

teardown_file() {
	img_registry_stop "$BATS_FILE_TMPDIR/reg"
	img_registry_stop "$BATS_FILE_TMPDIR/treg"
	img_registry_stop "$BATS_FILE_TMPDIR/mreg"
}

# A throwaway CA in $1, a server certificate for 127.0.0.1 and localhost
# signed by it, and a client certificate.
tls_certs() {
	local d=$1
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=silo test CA" -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=127.0.0.1" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/server.ext" -out "$d/server.crt" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=silo test client" -keyout "$d/client.key" -out "$d/client.csr" 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\n' >"$d/client.ext"
	openssl x509 -req -in "$d/client.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/client.ext" -out "$d/client.cert" 2>/dev/null
	# skopeo's --dest-cert-dir: the CA, and the client pair for the mTLS registry
	mkdir -p "$d/skopeo"
	cp "$d/ca.crt" "$d/client.cert" "$d/client.key" "$d/skopeo/"
}

# docker-registry on 127.0.0.1:$1 speaking only TLS (no plain http port, so a
# pull that succeeds used https); "client" as $4 requires a client certificate.
# bb1 is pushed to it as test/busybox:bb1.
tls_registry_start() {
	local port=$1 dir=$2 pki=$3 i
	mkdir -p "$dir"
	cat >"$dir/config.yml" <<YML
version: 0.1
log: {level: info}
storage:
  filesystem: {rootdirectory: $dir/data}
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $pki/server.crt
    key: $pki/server.key
YML
	[ "${4:-}" != client ] || printf '    clientcas: [%s]\n' "$pki/ca.crt" >>"$dir/config.yml"
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 3>&- &
	echo $! >"$dir/pid"
	for i in $(seq 100); do
		curl -s -o /dev/null --cacert "$pki/ca.crt" --cert "$pki/client.cert" --key "$pki/client.key" \
			"https://127.0.0.1:$port/v2/" && break
		sleep 0.1
	done
	skopeo copy -q --dest-cert-dir "$pki/skopeo" "oci:$LAYOUT:bb1" "docker://127.0.0.1:$port/test/busybox:bb1"
}

setup() {
	[ "$(id -u)" = 0 ] || skip "the image tests need root"
	T=$(mktemp -d /tmp/img-test-XXXXXX)
	STORE=$T/store
	BUNDLES=()
	PROXY=
}

teardown() {
	[ -n "${T:-}" ] || return 0
	local b m problems=()
	[ -z "$PROXY" ] || { kill "$PROXY" 2>/dev/null; wait "$PROXY" 2>/dev/null || true; }
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

run_bundle() {
	local dir=$1 id=img-$$-$BATS_TEST_NUMBER
	jq --arg cg "$id" '.linux.cgroupsPath = $cg' "$dir/config.json" >"$dir/config.json.new"
	mv "$dir/config.json.new" "$dir/config.json"
	run timeout 30 "$SILO_OCI" --root "$T/state" run --bundle "$dir" "$id" </dev/null
}

image_id() { silo inspect "$1" | jq -r '.[0].Id'; }

@test "pull an OCI image over http: digests verified, names by tag and by digest, bundle runs its Cmd" {
	run silo pull "$R:bb1"
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "${lines[0]}" == "bb1: Pulling from 127.0.0.1:$PORT/test/busybox" ]]
	[[ "$output" == *"Download complete (digest verified)"* ]]
	[[ "$output" == *"Status: Downloaded newer image for 127.0.0.1:$PORT/test/busybox:bb1"* ]]
	local digest
	digest=$(echo "$output" | sed -n 's/^Digest: //p')
	[ "$digest" = "$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R:bb1")" ]
	silo images | grep -E "^127.0.0.1:$PORT/test/busybox +bb1 "
	run silo pull "$R:bb1"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Status: Image is up to date for 127.0.0.1:$PORT/test/busybox:bb1"* ]]
	[ "$(image_id "$R@$digest")" = "$(image_id "$R:bb1")" ]
	# every stored blob hashes to its name
	local f
	for f in "$STORE"/blobs/sha256/*; do
		[ "$(sha256sum "$f" | cut -c1-64)" = "$(basename "$f")" ]
	done
	run silo bundle "$R:bb1" "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	run_bundle "$T/b"
	[ "$status" -eq 0 ]
	[ "$output" = "cwd=/www foo=bar user=0" ]
}

@test "pull layers with whiteouts, and a zstd layer with an opaque directory" {
	run silo pull "$R:bb2"
	[ "$status" -eq 0 ]
	run silo pull "$R:bb3"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Already exists"* ]]      # bb1's layer, pulled with bb2
	silo bundle "$R:bb2" "$T/b2"
	BUNDLES+=("$T/b2")
	silo bundle "$R:bb3" "$T/b3"
	BUNDLES+=("$T/b3")
	[ ! -e "$T/b2/rootfs/etc/motd" ]
	[ "$(ls "$T/b2/rootfs/data/keep")" = c ]
	[ "$(ls "$T/b3/rootfs/data/keep")" = z ]
	[ "$(cat "$T/b3/rootfs/etc/motd")" = "layer 1" ]
	run_bundle "$T/b3"
	[ "$output" = z ]
}

@test "pull a multi-arch index: this platform's manifest, or --platform's" {
	run silo pull "$R:multi"
	[ "$status" -eq 0 ]
	[[ "$output" == *"resolved linux/amd64 to sha256:"* ]]
	silo pull -q "$R:bb1"
	silo pull -q "$R:bb2"
	[ "$(image_id "$R:multi")" = "$(image_id "$R:bb1")" ]
	run silo pull --platform linux/arm64 "$R:multi"
	[ "$status" -eq 0 ]
	[ "$(image_id "$R:multi")" = "$(image_id "$R:bb2")" ]
	run silo pull --platform linux/s390x "$R:multi"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no image for linux/s390x"* ]]
}

@test "pull by digest, and an unknown tag fails with the registry's reason" {
	local digest
	digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$R:bb2")
	run silo pull "$R@$digest"
	[ "$status" -eq 0 ]
	silo images | grep -E "^127.0.0.1:$PORT/test/busybox +<none> "
	# its only name is the digest: removing it removes the image
	run silo rmi "$R@$digest"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Untagged: $R@$digest"* ]]
	[[ "$output" == *"Deleted: sha256:"* ]]
	[ "$(silo images -q)" = "$(silo images -q silo/busybox)" ]
	run silo pull "$R:nosuch"
	[ "$status" -eq 1 ]
	[[ "$output" == *"MANIFEST_UNKNOWN"* ]]
	run silo pull "$R@sha256:$(printf '%064d' 0)"
	[ "$status" -eq 1 ]
	run silo pull "127.0.0.1:1/nothing:here"
	[ "$status" -eq 1 ]
	[[ "$output" == *"127.0.0.1:1"* ]]
}

@test "a tampered blob is refused and nothing of it is stored" {
	local layer file orig
	layer=$(img_layout_top_layer "$LAYOUT" tamper)
	file=$(img_registry_blob "$BATS_FILE_TMPDIR/reg" "$layer")
	[ -f "$file" ]
	cp "$file" "$T/orig"
	# flip a byte in the middle: same size, another digest
	printf '\x00' | dd of="$file" bs=1 seek=1000 conv=notrunc status=none
	cmp -s "$file" "$T/orig" && printf '\x01' | dd of="$file" bs=1 seek=1000 conv=notrunc status=none
	run silo pull 127.0.0.1:$PORT/test/tamper:1
	cp "$T/orig" "$file"
	[ "$status" -eq 1 ]
	echo "$output"
	[[ "$output" == *"blob $layer: digest mismatch"* ]]
	[ ! -e "$STORE/blobs/sha256/${layer#sha256:}" ]
	[ ! -e "$STORE/tmp/${layer#sha256:}.partial" ]
	! grep -q test/tamper "$STORE/refs.json"
	# with the registry repaired, the same pull works
	run silo pull 127.0.0.1:$PORT/test/tamper:1
	[ "$status" -eq 0 ]
}

@test "an interrupted download is resumed from its partial file (a Range request)" {
	local layer file size
	layer=$(img_layout_top_layer "$LAYOUT" resume)
	file=$(img_registry_blob "$BATS_FILE_TMPDIR/reg" "$layer")
	size=$(stat -c %s "$file")
	silo images -q >/dev/null      # makes the store
	head -c $((size / 2)) "$file" >"$STORE/tmp/${layer#sha256:}.partial"
	# through the proxy, which logs the Range header it forwards
	python3 "$REPO/tests/integration/fixtures/auth-proxy.py" "$PROXY_PORT" "http://127.0.0.1:$PORT" basic u:p \
		>"$T/proxy.log" 2>&1 3>&- &
	PROXY=$!
	mkdir -p "$T/docker"
	printf '{"auths":{"127.0.0.1:%s":{"auth":"%s"}}}' "$PROXY_PORT" "$(printf u:p | base64)" >"$T/docker/config.json"
	for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/v2/" && break; sleep 0.1; done
	run env DOCKER_CONFIG="$T/docker" "$SILO" --root "$STORE" pull 127.0.0.1:$PROXY_PORT/test/resume:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"${layer:7:12}: Resuming at $((size / 2)) of $size bytes"* ]]
	grep -q "GET /v2/test/resume/blobs/$layer auth=Basic range=bytes=$((size / 2))-" "$T/proxy.log"
	[ "$(sha256sum "$STORE/blobs/sha256/${layer#sha256:}" | cut -c1-64)" = "${layer#sha256:}" ]
	[ ! -e "$STORE/tmp/${layer#sha256:}.partial" ]
	# a partial file of garbage does not verify: downloaded again from zero
	silo rmi 127.0.0.1:$PROXY_PORT/test/resume:1 >/dev/null
	silo rmi 127.0.0.1:$PROXY_PORT/test/resume@"$(echo "$output" | sed -n 's/^Digest: //p')" >/dev/null 2>&1 || true
	silo image prune >/dev/null
	head -c $((size / 2)) /dev/urandom >"$STORE/tmp/${layer#sha256:}.partial"
	run env DOCKER_CONFIG="$T/docker" "$SILO" --root "$STORE" pull 127.0.0.1:$PROXY_PORT/test/resume:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Resuming at"* ]]
	[[ "$output" == *"${layer:7:12}: Downloading"* ]]
	[ "$(sha256sum "$STORE/blobs/sha256/${layer#sha256:}" | cut -c1-64)" = "${layer#sha256:}" ]
}

@test "token auth: a Bearer challenge is answered with a token fetched with the auth file's credentials" {
	python3 "$REPO/tests/integration/fixtures/auth-proxy.py" "$PROXY_PORT" "http://127.0.0.1:$PORT" bearer alice:s3cret \
		>"$T/proxy.log" 2>&1 3>&- &
	PROXY=$!
	for i in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PROXY_PORT/v2/" && break; sleep 0.1; done
	# no credentials: the token server refuses
	run env HOME="$T" "$SILO" --root "$STORE" pull 127.0.0.1:$PROXY_PORT/test/busybox:bb1
	[ "$status" -eq 1 ]
	[[ "$output" == *"token from http://127.0.0.1:$PROXY_PORT/token: HTTP 401"* ]]
	mkdir -p "$T/.docker"
	printf '{"auths":{"http://127.0.0.1:%s":{"auth":"%s"}}}' "$PROXY_PORT" "$(printf alice:s3cret | base64)" >"$T/.docker/config.json"
	run env HOME="$T" "$SILO" --root "$STORE" pull 127.0.0.1:$PROXY_PORT/test/busybox:bb1
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "GET /token?service=silo-test&scope=repository%3Atest%2Fbusybox%3Apull auth=Basic" "$T/proxy.log"
	grep -q "GET /v2/test/busybox/manifests/bb1 auth=Bearer" "$T/proxy.log"
	# --authfile names another file
	mv "$T/.docker/config.json" "$T/auth.json"
	run env HOME="$T" "$SILO" --root "$STORE" pull --authfile "$T/auth.json" 127.0.0.1:$PROXY_PORT/test/busybox:bb2
	[ "$status" -eq 0 ]
}

@test "a terminal gets per-layer progress bars; a pipe gets plain lines" {
	run script -qec "$SILO --root $STORE pull $R:bb2" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\033[K'* ]]
	[[ "$output" == *"Download complete"* ]]
	run silo pull "$R:bb3"
	[[ "$output" != *$'\033'* ]]
	[[ "$output" == *": Downloading "* ]]
}

@test "parallel pulls of the same image into one store both succeed" {
	local i pids=()
	silo images -q >/dev/null
	for i in 1 2 3; do
		"$SILO" --root "$STORE" pull -q "$R:bb3" >"$T/p$i.out" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || { cat "$T"/p*.out; return 1; }; done
	[ -z "$(ls -A "$STORE/tmp")" ]
	silo bundle "$R:bb3" "$T/b"
	BUNDLES+=("$T/b")
	[ "$(ls "$T/b/rootfs/data/keep")" = z ]
}

@test "https: a loopback registry that speaks only TLS, trusted through --certs-dir (docker's certs.d layout)" {
	local pki=$BATS_FILE_TMPDIR/pki
	# the port speaks TLS only: plain http gets no registry answer
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TLS_PORT/v2/")" != 200 ]
	mkdir -p "$T/certs.d/127.0.0.1:$TLS_PORT"
	cp "$pki/ca.crt" "$T/certs.d/127.0.0.1:$TLS_PORT/ca.crt"
	run silo pull --certs-dir "$T/certs.d" "127.0.0.1:$TLS_PORT/test/busybox:bb1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Status: Downloaded newer image for 127.0.0.1:$TLS_PORT/test/busybox:bb1"* ]]
	# the registry logged the manifest request it served over TLS
	grep -q 'tls.*listening\|listening.*tls' "$BATS_FILE_TMPDIR/treg/log"
	grep -q "GET /v2/test/busybox/manifests/bb1" "$BATS_FILE_TMPDIR/treg/log"
	[ "$(silo inspect "127.0.0.1:$TLS_PORT/test/busybox:bb1" | jq -r '.[0].Config.WorkingDir')" = /www ]
	run silo bundle "127.0.0.1:$TLS_PORT/test/busybox:bb1" "$T/b"
	[ "$status" -eq 0 ]
	BUNDLES+=("$T/b")
	run_bundle "$T/b"
	[ "$status" -eq 0 ]
	[ "$output" = "cwd=/www foo=bar user=0" ]
	# the server certificate also names localhost
	mkdir -p "$T/certs.d/localhost:$TLS_PORT"
	cp "$pki/ca.crt" "$T/certs.d/localhost:$TLS_PORT/ca.crt"
	run silo pull -q --certs-dir "$T/certs.d" "localhost:$TLS_PORT/test/busybox:bb1"
	[ "$status" -eq 0 ]
}

@test "https: without its CA the pull fails on the certificate (no http fallback) and stores nothing" {
	local before
	mkdir -p "$T/certs.d"
	silo images -q >/dev/null      # makes the store
	before=$(ls "$STORE/blobs/sha256" | sort)
	run silo pull --certs-dir "$T/certs.d" "127.0.0.1:$TLS_PORT/test/busybox:bb1"
	echo "$output"
	[ "$status" -eq 1 ]
	# one error line: the registry and the TLS reason
	[ "$(printf '%s\n' "$output" | grep -c '^silo: pull: ')" -eq 1 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == "silo: pull: registry 127.0.0.1:$TLS_PORT: TLS certificate verify failed: "*"certificate"* ]]
	[[ "${lines[1]}" == *"$T/certs.d/127.0.0.1:$TLS_PORT/ca.crt"* ]]
	[ "$(ls "$STORE/blobs/sha256" | sort)" = "$before" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	! grep -q "$TLS_PORT" "$STORE/refs.json"
	# another CA there is no better
	mkdir -p "$T/other" "$T/certs.d/127.0.0.1:$TLS_PORT"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj "/CN=other CA" -keyout "$T/other/ca.key" -out "$T/certs.d/127.0.0.1:$TLS_PORT/ca.crt" 2>/dev/null
	run silo pull --certs-dir "$T/certs.d" "127.0.0.1:$TLS_PORT/test/busybox:bb1"
	[ "$status" -eq 1 ]
	[[ "$output" == *"TLS certificate verify failed"* ]]
	# a registry named --insecure is pulled without verification
	run silo pull --insecure --certs-dir "$T/certs.d" "127.0.0.1:$TLS_PORT/test/busybox:bb1"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "https: a registry asking for a client certificate gets client.cert and client.key from the certs dir" {
	local pki=$BATS_FILE_TMPDIR/pki d=$T/certs.d/127.0.0.1:$MTLS_PORT
	mkdir -p "$d"
	cp "$pki/ca.crt" "$d/ca.crt"
	run silo pull --certs-dir "$T/certs.d" "127.0.0.1:$MTLS_PORT/test/busybox:bb1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" != *"Status: Downloaded"* ]]
	cp "$pki/client.cert" "$pki/client.key" "$d/"
	run silo pull --certs-dir "$T/certs.d" "127.0.0.1:$MTLS_PORT/test/busybox:bb1"
	echo "$output"
	[ "$status" -eq 0 ]
	# half a pair is an error, not a silent pull without it
	rm "$d/client.key"
	run silo pull --certs-dir "$T/certs.d" "127.0.0.1:$MTLS_PORT/test/busybox:bb1"
	[ "$status" -eq 1 ]
	[[ "$output" == *"needs both client.cert and client.key"* ]]
}
