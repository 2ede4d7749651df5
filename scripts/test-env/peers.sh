#!/usr/bin/env bash
# Extracts peer OCI tools that Debian 12 does not package (oras) from Debian's unstable suite into a cache folder
# outside the repository, and prints the folder holding their binaries. They need only libc 2.34, so they run on
# Debian 12 extracted, not installed: nothing is installed, the machine's apt state is untouched.
#
#   scripts/test-env/peers.sh            # prints e.g. /root/.cache/registry-push-tests/peers/usr/bin
#
# Idempotent: a second run only checks. Cache: $REGISTRY_PUSH_TEST_CACHE, else $XDG_CACHE_HOME/registry-push-tests,
# else ~/.cache/registry-push-tests; delete it at will. Progress goes to stderr; stdout carries only the path.
set -euo pipefail

readonly PACKAGES=(oras)
cache="${REGISTRY_PUSH_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/registry-push-tests}/peers"
bin="$cache/usr/bin"
log() { printf 'peers: %s\n' "$*" >&2; }

missing=()
for package in "${PACKAGES[@]}"; do
  [ -x "$bin/$package" ] || missing+=("$package")
done
if [ "${#missing[@]}" -eq 0 ]; then
  printf '%s\n' "$bin"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 300 9

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sources" "$work/lists/partial" "$work/archives/partial"
# The machine's own mirror, first stanza, suite sid (the archive served here is a frozen snapshot: no Valid-Until).
sed -E 's/^Suites:.*/Suites: sid/' /etc/apt/sources.list.d/debian.sources | awk 'BEGIN { RS = ""; ORS = "\n\n" } NR == 1' >"$work/sources/sid.sources"
apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/sources" -o "Dir::State::Lists=$work/lists"
  -o Acquire::Check-Valid-Until=false -o "Dir::Cache::Archives=$work/archives" -o APT::Sandbox::User=root)
log "fetching ${missing[*]} from Debian sid"
apt-get "${apt_options[@]}" update >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; exit 1; }
(cd "$work/archives" && apt-get "${apt_options[@]}" download "${missing[@]}" >>"$work/apt.log" 2>&1) || { cat "$work/apt.log" >&2; exit 1; }
for deb in "$work"/archives/*.deb; do
  dpkg-deb -x "$deb" "$cache"
done
for package in "${missing[@]}"; do
  "$bin/$package" version >/dev/null || { log "$package does not run here"; exit 1; }
done
log "ready in $bin"
printf '%s\n' "$bin"
