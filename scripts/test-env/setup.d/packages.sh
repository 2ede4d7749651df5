# shellcheck shell=bash
# The Debian packages the tests and the build use, installed only when one of their programs is missing. With a
# real Docker engine (real_docker=true) podman, runc and iptables are not needed. pass, gnupg and
# golang-docker-credential-helpers are the credential-helper tests' pass store and docker-credential-pass.
# Sourced by setup.sh (after common.sh), which calls the function at the point where the job comes in the run.

install_packages() {
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
}
