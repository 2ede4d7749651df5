# shellcheck shell=bash
# What every part of setup.sh shares: where things live, progress and failure messages, running as root, and the
# lock that lets one run at a time. Sourced by setup.sh first.

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

# One run at a time (parallel callers would race on the image build and the service start). The lock is fd 9,
# which the podman service must not inherit (podman-service.sh closes it for the service).
readonly LOCK=/tmp/registrypush-test-env.lock
take_lock() {
  [ -e "$LOCK" ] || { : >"$LOCK" && chmod 0666 "$LOCK"; } 2>/dev/null || true
  exec 9<"$LOCK"
  flock -w 600 9 || die "another setup.sh still holds $LOCK after 600s"
}
