#!/usr/bin/env bash
# A Debian unstable (sid) chroot with Bazel 7.7.1 and Debian's Bazel modules: the Bazel our users run (bzlmod),
# on a Debian 12 machine whose own Bazel is 4.2.3 (sid's Bazel needs libc 2.38, hence a chroot).
#
#   scripts/test-env/sid-chroot.sh setup          # make it (idempotent: a ready chroot is checked in under a second)
#   scripts/test-env/sid-chroot.sh run CMD ARG... # run CMD inside it, in the current directory
#   scripts/test-env/sid-chroot.sh path           # print where it is
#   scripts/test-env/sid-chroot.sh stop           # end the mount namespace's holder (Bazel servers keep theirs)
#
# `run` enters a private mount namespace (kept by a holder process until `stop`, or the next boot), so nothing is
# mounted in the host's own namespace. Inside, these host folders appear at the same paths: /tmp, the repository this script
# belongs to, the .NET SDK (read-only, for the from-source toolchain) and ~/.nuget (the host's NuGet cache and
# config), unless REGISTRY_PUSH_CHROOT_NO_DOTNET=1. Extra folders: REGISTRY_PUSH_CHROOT_BINDS="DIR1:DIR2". The network is the host's: a registry on the
# host's 127.0.0.1 is reachable from inside.
#
# Knobs: REGISTRY_PUSH_SID_ROOT (default /var/lib/registry-push/sid) says where the chroot lives.
# To delete it: `stop`, shut down Bazel servers started inside (`pgrep -f A-server.jar`), then rm -rf it.
set -euo pipefail

readonly ROOT="${REGISTRY_PUSH_SID_ROOT:-/var/lib/registry-push/sid}"
# Bump when the recipe below changes: a chroot made by an older recipe is brought up to date.
readonly RECIPE=3
readonly MARKER="$ROOT/etc/registry-push-chroot"
readonly PACKAGES=(
  bazel-bootstrap bazel-skylib bazel-platforms bazel-rules-cc bazel-rules-java bazel-rules-python
  bazel-rules-pkg bazel-rules-shell python3 libicu78 ca-certificates
)
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"; readonly REPO
LOG="/tmp/registry-push-sid-chroot.log"; readonly LOG
export PATH="$PATH:/usr/sbin:/sbin"

log() { printf 'sid-chroot: %s\n' "$*" >&2; }
die() { printf 'sid-chroot: ERROR: %s\n' "$*" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
  # debootstrap, chroot and mounts need root.
  command -v sudo >/dev/null 2>&1 || die "needs root (debootstrap, chroot and mounts), and sudo is not available"
  exec sudo --preserve-env=REGISTRY_PUSH_SID_ROOT,REGISTRY_PUSH_CHROOT_BINDS,REGISTRY_PUSH_CHROOT_ENV,REGISTRY_PUSH_CHROOT_NO_DOTNET,TERM "$0" "$@"
fi


# Mounts for setup only (apt needs /proc and /dev), inside this script's own mount namespace.
with_setup_mounts() {
  unshare --mount --propagation private bash -c '
    set -e
    mount -t proc proc "$1/proc"
    mount --rbind /dev "$1/dev"
    mount --rbind /sys "$1/sys"
    shift; "$@"' _ "$ROOT" "$@"
}

in_chroot() {
  with_setup_mounts chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

write_offline_config() {
  # Modules that @bazel_tools depends on and Debian does not package: without stand-ins even an empty
  # MODULE.bazel asks the Bazel Central Registry for protobuf. They hold nothing; nothing here builds them.
  local name
  for name in protobuf zlib buildozer apple_support; do
    mkdir -p "$ROOT/opt/registry-push-offline/$name"
    printf 'module(name = "%s")\n' "$name" >"$ROOT/opt/registry-push-offline/$name/MODULE.bazel"
    : >"$ROOT/opt/registry-push-offline/$name/BUILD.bazel"
  done
  # Debian's /etc/bazel/bazelrc points most modules at /usr/share/bazel and try-imports this file.
  cat >"$ROOT/etc/bazel.bazelrc" <<'EOF'
# Written by RegistryPush's scripts/test-env/sid-chroot.sh: Bazel 7 offline, every module from Debian.
common --override_module=protobuf=/opt/registry-push-offline/protobuf
common --override_module=zlib=/opt/registry-push-offline/zlib
common --override_module=buildozer=/opt/registry-push-offline/buildozer
common --override_module=apple_support=/opt/registry-push-offline/apple_support
# The WORKSPACE suffix would download rules_cc; Debian's build writes MODULE.bazel.lock as {}.
common --noenable_workspace
common --lockfile_mode=off
# Debian modules that only some graphs hold (an override of a module outside the graph is an error).
common:debian_rules_pkg --override_module=rules_pkg=/usr/share/bazel/rules/pkg
common:debian_rules_shell --override_module=rules_shell=/usr/share/bazel/rules/shell
EOF
}

setup() {
  if [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$RECIPE" ]; then
    log "ready: $ROOT ($(in_chroot bazel --version 2>/dev/null || echo 'bazel missing?'))"
    return 0
  fi
  : >"$LOG"
  if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    command -v debootstrap >/dev/null 2>&1 || {
      log "installing debootstrap (log: $LOG)"
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap; } >>"$LOG" 2>&1 \
        || { tail -n 20 "$LOG" >&2; die "installing debootstrap failed (log: $LOG)"; }
    }
    local mirror
    mirror="$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
    [ -n "$mirror" ] || mirror="$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
    [ -n "$mirror" ] || die "cannot find this machine's Debian mirror in /etc/apt/sources.list.d/debian.sources"
    rm -rf "$ROOT.partial"
    mkdir -p "$(dirname "$ROOT")"
    log "debootstrap sid from $mirror into $ROOT (about a minute; log: $LOG)"
    debootstrap --variant=minbase --include=ca-certificates sid "$ROOT.partial" "$mirror" >>"$LOG" 2>&1 \
      || { tail -n 20 "$LOG" >&2; die "debootstrap failed (log: $LOG)"; }
    mv "$ROOT.partial" "$ROOT"
  fi
  # The archive served here is a frozen snapshot whose sid Release file has expired.
  echo 'Acquire::Check-Valid-Until "false";' >"$ROOT/etc/apt/apt.conf.d/99registry-push-snapshot"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  # Trust what the host trusts (a NuGet restore inside goes through the host's proxy, if any).
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  fi
  log "installing ${PACKAGES[*]} in the chroot (about a minute; log: $LOG)"
  in_chroot DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update && apt-get install -y --no-install-recommends "$@" && update-ca-certificates' _ "${PACKAGES[@]}" \
    >>"$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; die "apt-get install in the chroot failed (log: $LOG)"; }
  ln -sf /usr/share/dotnet/dotnet "$ROOT/usr/bin/dotnet"
  write_offline_config
  echo "$RECIPE" >"$MARKER"
  log "ready: $ROOT ($(in_chroot bazel --version))"
}

# The mount namespace that `run` enters: made once per set of folders by a small holder process, so that every
# command (and the Bazel server a first one starts) sees the same mounts: a Bazel client in another namespace
# than its server's does not reuse that server, and each command would start a new one.
namespace_holder() {
  local binds=("$@") key pidfile pid
  key="$(printf '%s\n' "$ROOT" "${binds[@]}" | sha256sum | cut -c1-12)"
  pidfile="/run/registry-push-sid-chroot.$key.pid"
  exec 8>"$pidfile.lock"
  flock -w 60 8 || die "another run holds $pidfile.lock"
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && [ -e "/proc/$pid/root$ROOT/etc/registry-push-chroot" ] \
    && grep -qa 'registry-push-sid-holder' "/proc/$pid/cmdline" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  rm -f "$pidfile.ready"
  # shellcheck disable=SC2016  # expanded by the inner bash
  setsid unshare --mount --propagation private bash -c '
    set -e
    root="$1" ready="$2"; shift 2
    mount -t proc proc "$root/proc"
    mount --rbind /dev "$root/dev"
    mount --rbind /sys "$root/sys"
    for dir in "$@"; do
      mkdir -p "$root$dir"
      mount --rbind "$dir" "$root$dir"
      if [ "$dir" = /usr/share/dotnet ]; then mount -o remount,bind,ro "$root$dir"; fi
    done
    echo $$ >"$ready"
    exec -a registry-push-sid-holder sleep infinity' _ "$ROOT" "$pidfile.ready" "${binds[@]}" \
    </dev/null >/dev/null 2>>"$LOG" 8>&- &
  for _ in $(seq 1 100); do
    [ -s "$pidfile.ready" ] && break
    sleep 0.05
  done
  [ -s "$pidfile.ready" ] || die "the chroot's mount namespace did not come up (log: $LOG)"
  mv "$pidfile.ready" "$pidfile"
  cat "$pidfile"
}

run() {
  [ -f "$MARKER" ] || die "no chroot at $ROOT; run '$0 setup' first"
  local binds=(/tmp "$REPO") holder
  # REGISTRY_PUSH_CHROOT_NO_DOTNET=1: a machine without the .NET SDK, as most users' are (tests of the prebuilt path).
  if [ "${REGISTRY_PUSH_CHROOT_NO_DOTNET:-0}" != 1 ]; then
    [ -d /usr/share/dotnet ] && binds+=(/usr/share/dotnet)
    [ -d /root/.nuget ] && binds+=(/root/.nuget)
  fi
  if [ -n "${REGISTRY_PUSH_CHROOT_BINDS:-}" ]; then
    local extra
    IFS=: read -r -a extra <<<"$REGISTRY_PUSH_CHROOT_BINDS"
    binds+=("${extra[@]}")
  fi
  holder="$(namespace_holder "${binds[@]}")"
  exec 8>&-
  # shellcheck disable=SC2086  # REGISTRY_PUSH_CHROOT_ENV is a list of NAME=VALUE words
  exec nsenter "--mount=/proc/$holder/ns/mnt" -- chroot "$ROOT" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 ${TERM:+TERM="$TERM"} ${REGISTRY_PUSH_CHROOT_ENV:-} \
    sh -c 'cd "$0" && exec "$@"' "$PWD" "$@"
}

stop() {
  local pidfile pid
  for pidfile in /run/registry-push-sid-chroot.*.pid; do
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    grep -qa 'registry-push-sid-holder' "/proc/$pid/cmdline" 2>/dev/null && kill "$pid"
    rm -f "$pidfile" "$pidfile.lock"
  done
}

case "${1:-}" in
  setup) setup ;;
  run) shift; [ "$#" -gt 0 ] || die "usage: $0 run COMMAND [ARG...]"; run "$@" ;;
  path) echo "$ROOT" ;;
  stop) stop ;;
  *) die "usage: $0 setup | run COMMAND [ARG...] | path | stop" ;;
esac
