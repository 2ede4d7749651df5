# shellcheck shell=bash
# The local docker.io/library/registry:2 image (nothing can be pulled here): built from Debian's docker-registry
# when missing or when TEST_ENV_REBUILD_IMAGE=1, then checked with an overridden command and config.
# Sourced by setup.sh (after common.sh), which calls the function at the point where the job comes in the run.

build_image() {
  local work root lib
  work="$(mktemp -d /tmp/registrypush-registry-image.XXXXXX)"
  # shellcheck disable=SC2064
  trap "rm -rf '$work'; trap - RETURN" RETURN
  root="$work/root"
  mkdir -p "$root/usr/bin" "$root/etc/docker/registry" "$root/var/lib/registry" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp /usr/bin/docker-registry "$root/usr/bin/docker-registry"
  # Every library ldd names (absolute paths, incl. the dynamic loader), at the same path in the image.
  while read -r lib; do
    cp -L --parents "$lib" "$root/"
  done < <(ldd /usr/bin/docker-registry | grep -o '/[^ ]*' | sort -u)
  [ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "ldd did not name the dynamic loader (ldd output: $(ldd /usr/bin/docker-registry))"
  cat >"$root/etc/docker/registry/config.yml" <<'EOF'
# The registry:2 image's default configuration, plus deletes (built by RegistryPush scripts/test-env/setup.sh).
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
EOF
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$work/root.tar" .
  as_root podman import -q \
    --change 'ENTRYPOINT ["/usr/bin/docker-registry"]' \
    --change 'CMD ["serve","/etc/docker/registry/config.yml"]' \
    --change 'EXPOSE 5000' \
    --change "LABEL $IMAGE_LABEL=1" \
    "$work/root.tar" "$IMAGE" >/dev/null
}

# Runs the image with an overridden command and a config copied in after create (what the tests do), and
# checks that this config is the one served (it adds a response header).
check_image_override() {
  local dir cid port hdr=""
  dir="$(mktemp -d /tmp/registrypush-registry-check.XXXXXX)"
  cat >"$dir/other.yml" <<'EOF'
version: 0.1
storage:
  filesystem:
    rootdirectory: /tmp/other
http:
  addr: :5000
  headers:
    X-Test-Env: [override]
EOF
  cid="$(as_root podman create -p 127.0.0.1::5000 "$IMAGE" serve /etc/docker/registry/other.yml)"
  as_root podman cp "$dir/other.yml" "$cid:/etc/docker/registry/other.yml"
  rm -rf "$dir"
  as_root podman start "$cid" >/dev/null
  port="$(as_root podman port "$cid" 5000/tcp | sed -n 's/.*://p' | head -n1)"
  for _ in $(seq 1 50); do
    hdr="$(curl -s --max-time 2 -D - -o /dev/null "http://127.0.0.1:$port/v2/" | tr -d '\r' | sed -n 's/^X-Test-Env: //Ip')" || true
    [ -n "$hdr" ] && break
    sleep 0.2
  done
  if [ "$hdr" != override ]; then
    as_root podman logs "$cid" >&2 || true
    as_root podman rm -f -t 0 "$cid" >/dev/null || true
    die "$IMAGE with command 'serve /etc/docker/registry/other.yml' did not serve that config"
  fi
  as_root podman rm -f -t 0 "$cid" >/dev/null
}

ensure_registry_image() {
  if [ "${TEST_ENV_REBUILD_IMAGE:-0}" = 1 ] || ! as_root podman image exists "$IMAGE"; then
    log "building $IMAGE from /usr/bin/docker-registry ($(docker-registry --version 2>/dev/null | awk '{print $NF}'))"
    build_image
    as_root podman image prune -f --filter "label=$IMAGE_LABEL" >/dev/null || true  # an older build, now untagged
    check_image_override
    log "built $IMAGE (default and overridden command checked)"
  else
    log "$IMAGE: present"
  fi
}
