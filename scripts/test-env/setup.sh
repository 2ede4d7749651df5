#!/usr/bin/env bash
# Makes a Debian 12 machine ready for RegistryPush's integration tests.
#
#   eval "$(scripts/test-env/setup.sh)"
#
# Idempotent: a second run only checks (under a second here). Progress goes to stderr; stdout carries
# nothing but the `export` lines the tests need, so it can be eval'ed.
#  - installs the Debian packages the tests and the build use (only when something is missing);
#  - if a Docker engine already answers (laptop, GitHub Actions), stops there: Testcontainers uses it as is;
#  - otherwise makes podman serve the Docker API on /run/podman/podman.sock, with a locally built
#    docker.io/library/registry:2 (no image can be pulled here), and checks that a container of it answers.
# See README.md next to this file (also for how to undo it).
#
# Usage: setup.sh [--packages-only]   (--packages-only: install the Debian packages and stop)
# Knobs (environment): TEST_ENV_REBUILD_IMAGE=1 rebuilds the local registry:2 image,
#                      TEST_ENV_SOCKET_WAIT=SECONDS bounds the wait for the podman service (default 30).
set -euo pipefail

readonly SOCK=/run/podman/podman.sock
readonly IMAGE=docker.io/library/registry:2
readonly IMAGE_LABEL=org.registrypush.test-env   # marks the image as built by this script
readonly CONF=/etc/containers/containers.conf
readonly SERVICE_LOG=/tmp/registrypush-podman-service.log
readonly SERVICE_PIDFILE=/run/podman/registrypush-test-env.pid
APT_LOG="/tmp/registrypush-test-env-apt.$(id -u).log"; readonly APT_LOG
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'test-env: %s\n' "$*" >&2; }
die() { printf 'test-env: ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available"
  SUDO=(sudo)
fi
as_root() { "${SUDO[@]}" "$@"; }

# One run at a time (parallel callers would race on the image build and the service start).
readonly LOCK=/tmp/registrypush-test-env.lock
[ -e "$LOCK" ] || { : >"$LOCK" && chmod 0666 "$LOCK"; } 2>/dev/null || true
exec 9<"$LOCK"
flock -w 600 9 || die "another setup.sh still holds $LOCK after 600s"

# --- Is a real Docker engine (not podman's compat API) reachable as things stand? -----------------------------
docker_engine_components() {
  # Prints the server's component names (Docker: "Engine containerd runc ..."; podman: "Podman Engine").
  if command -v docker >/dev/null 2>&1; then
    timeout 15 docker version --format '{{range .Server.Components}}{{.Name}};{{end}}' 2>/dev/null
  else
    local host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
    case "$host" in unix://*) ;; *) return 1 ;; esac
    [ -S "${host#unix://}" ] || return 1
    curl -sf --max-time 10 --unix-socket "${host#unix://}" http://d/version | jq -r '[.Components[]?.Name] | join(";")'
  fi
}
real_docker=false
if components="$(docker_engine_components)" && [ -n "$components" ]; then
  case "$components" in
    *Podman*) ;;  # e.g. DOCKER_HOST already points at our podman socket: take the podman path below
    *) real_docker=true ;;
  esac
fi

# --- Debian packages ------------------------------------------------------------------------------------------
# package=what must exist (a command name, or an absolute path). iptables: netavark (podman's network stack)
# runs it for port forwarding but does not depend on it; podman's Recommends bring it, listed for apt configs without.
wanted=(
  podman=podman runc=runc iptables=iptables docker-registry=docker-registry skopeo=skopeo umoci=umoci
  bazel-bootstrap=bazel bazel-skylib=/usr/share/bazel/tools/skylib/lib.bzl apache2-utils=htpasswd
  time=/usr/bin/time curl=curl jq=jq
  pass=pass golang-docker-credential-helpers=docker-credential-pass gnupg=gpg
)
missing=()
for entry in "${wanted[@]}"; do
  pkg="${entry%%=*}" what="${entry#*=}"
  if $real_docker; then case "$pkg" in podman | runc | iptables) continue ;; esac; fi
  case "$what" in
    /*) [ -e "$what" ] || missing+=("$pkg") ;;
    *) command -v "$what" >/dev/null 2>&1 || missing+=("$pkg") ;;
  esac
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]} (apt output: $APT_LOG)"
  # With Recommends, as verified here (podman then brings netavark, aardvark-dns, catatonit, ...).
  : >"$APT_LOG"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update >>"$APT_LOG" 2>&1; then
    tail -n 20 "$APT_LOG" >&2; die "apt-get update failed (see $APT_LOG)"
  fi
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
      "${missing[@]}" >>"$APT_LOG" 2>&1; then
    tail -n 20 "$APT_LOG" >&2; die "apt-get install ${missing[*]} failed (see $APT_LOG)"
  fi
  hash -r
else
  log "packages: all present"
fi

# `--packages-only`: what scripts/demo.sh needs (docker-registry, bazel, skopeo); no container engine set-up.
if [ "${1:-}" = "--packages-only" ]; then
  exit 0
fi

if $real_docker; then
  log "a Docker engine answers (${components%;}); using it, nothing to set up for podman"
  echo "# Docker engine reachable: no extra environment needed"
  exit 0
fi

# --- podman: /etc/containers/containers.conf ------------------------------------------------------------------
# Sets [containers] default_ulimits and [engine] runtime, keeping every other line of an existing file.
# (crun fails here on cgroups and on raising rlimits; runc with these limits works.)
merge_containers_conf() {
  awk '
    BEGIN {
      want["containers"] = "default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]"; key["containers"] = "default_ulimits"
      want["engine"] = "runtime = \"runc\"";                                             key["engine"] = "runtime"
      sec = ""; skipping = 0
    }
    function leave() { if (sec in want && !(sec in done)) { print want[sec]; done[sec] = 1 } }
    function blanks() { for (; nblank > 0; nblank--) print "" }
    skipping { if ($0 ~ /\]/) skipping = 0; next }            # rest of a multi-line array we replaced
    /^[ \t]*$/ { nblank++; next }                              # held back: a new key goes before them
    /^[ \t]*\[/ {
      leave(); blanks()
      sec = $0; sub(/^[ \t]*\[+[ \t]*/, "", sec); sub(/[ \t]*\].*$/, "", sec); seen[sec] = 1
      print; next
    }
    (sec in want) && $0 ~ ("^[ \t]*" key[sec] "[ \t]*=") {
      blanks()
      if (!(sec in done)) { print want[sec]; done[sec] = 1 }
      v = $0; sub(/^[^=]*=[ \t]*/, "", v)
      if (v ~ /^\[/ && v !~ /\]/) skipping = 1
      next
    }
    { blanks(); print }
    END {
      leave(); blanks()
      for (s in want) if (!(s in seen)) { printf "\n[%s]\n%s\n", s, want[s] }
    }
  '
}
conf_changed=false
if [ -f "$CONF" ]; then
  merged="$(merge_containers_conf <"$CONF")"
  if [ "$merged" != "$(cat "$CONF")" ]; then
    backup="$CONF.bak.$(date +%Y%m%d%H%M%S)"
    as_root cp -p "$CONF" "$backup"
    printf '%s\n' "$merged" | as_root tee "$CONF" >/dev/null
    log "updated $CONF (runc, ulimits); previous file saved as $backup"
    conf_changed=true
  else
    log "$CONF: already set"
  fi
else
  as_root mkdir -p "$(dirname "$CONF")"
  as_root tee "$CONF" >/dev/null <<'EOF'
# Written by RegistryPush scripts/test-env/setup.sh (crun fails here on cgroups and rlimits; runc works).
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
EOF
  log "wrote $CONF"
  conf_changed=true
fi

# --- the local registry:2 image -------------------------------------------------------------------------------
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

if [ "${TEST_ENV_REBUILD_IMAGE:-0}" = 1 ] || ! as_root podman image exists "$IMAGE"; then
  log "building $IMAGE from /usr/bin/docker-registry ($(docker-registry --version 2>/dev/null | awk '{print $NF}'))"
  build_image
  as_root podman image prune -f --filter "label=$IMAGE_LABEL" >/dev/null || true  # an older build, now untagged
  check_image_override
  log "built $IMAGE (default and overridden command checked)"
else
  log "$IMAGE: present"
fi

# --- podman system service (the Docker API for Testcontainers) ------------------------------------------------
service_answers() { as_root curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

if service_answers && $conf_changed && [ -f "$SERVICE_PIDFILE" ]; then
  # The running service read containers.conf when it started; restart the one this script started.
  pid="$(cat "$SERVICE_PIDFILE")"
  if [ -n "$pid" ] && as_root grep -qa 'system.service' "/proc/$pid/cmdline" 2>/dev/null && as_root kill "$pid"; then
    log "restarting the podman service (pid $pid) so it reads the new $CONF"
    for _ in $(seq 1 50); do service_answers || break; sleep 0.1; done
  fi
elif service_answers && $conf_changed; then
  log "WARNING: a podman service not started by this script answers on $SOCK; restart it so it reads $CONF"
fi

if service_answers; then
  log "podman service: answering on $SOCK"
else
  as_root mkdir -p "$(dirname "$SOCK")"
  as_root rm -f "$SOCK"
  log "starting podman system service on $SOCK (log: $SERVICE_LOG)"
  # Detached from this script's stdout/stderr, or `eval "$(setup.sh)"` would wait for it forever.
  # shellcheck disable=SC2016  # expanded by the inner sh
  as_root sh -c 'setsid nohup podman system service --time=0 "unix://$1" </dev/null >>"$2" 2>&1 & echo $! >"$3"' \
    sh "$SOCK" "$SERVICE_LOG" "$SERVICE_PIDFILE" 9<&-   # the service must not inherit (and hold) the lock
  pid="$(cat "$SERVICE_PIDFILE")"
  deadline=$((SECONDS + ${TEST_ENV_SOCKET_WAIT:-30}))
  until service_answers; do
    if ! as_root kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$SERVICE_LOG" >&2 || true
      die "podman system service exited (see $SERVICE_LOG)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || die "podman service did not answer on $SOCK within ${TEST_ENV_SOCKET_WAIT:-30}s (see $SERVICE_LOG)"
    sleep 0.1
  done
  log "podman service: answering (pid $pid)"
fi
if [ "$(id -u)" -ne 0 ] && ! [ -O "$SOCK" ]; then
  # The service runs as root (rootful podman); let the calling user (who runs the tests) use its socket.
  as_root chown "$(id -u)" "$SOCK"
  log "gave $(id -un) access to $SOCK"
fi

# --- check: a registry:2 container, created through the Docker API as Testcontainers does, answers /v2/ -----------
api() {
  local method="$1" path="$2"; shift 2
  as_root curl -sS --fail-with-body --max-time 30 --unix-socket "$SOCK" -X "$method" \
    -H 'Content-Type: application/json' "$@" "http://d/v1.41$path"
}
cid="$(api POST /containers/create -d "{\"Image\":\"$IMAGE\",\"ExposedPorts\":{\"5000/tcp\":{}},
  \"HostConfig\":{\"PortBindings\":{\"5000/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]}}}" | jq -r .Id)" \
  || die "creating a $IMAGE container through $SOCK failed"
cleanup() { api DELETE "/containers/$cid?force=true&v=true" >/dev/null 2>&1 || true; }
trap cleanup EXIT
api POST "/containers/$cid/start" >/dev/null || die "starting a $IMAGE container through $SOCK failed"
port="$(api GET "/containers/$cid/json" | jq -r '.NetworkSettings.Ports["5000/tcp"][0].HostPort')"
code=000
for _ in $(seq 1 50); do
  code="$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" || true
  [ "$code" = 200 ] && break
  sleep 0.1
done
if [ "$code" != 200 ]; then
  api GET "/containers/$cid/logs?stdout=true&stderr=true" >&2 || true
  die "$IMAGE container on 127.0.0.1:$port answered /v2/ with $code, expected 200"
fi
cleanup
trap - EXIT
log "checked: $IMAGE started through the Docker API answers /v2/ with 200"

cat <<EOF
export DOCKER_HOST=unix://$SOCK
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
EOF
