#!/usr/bin/env bash
# Builds what a release of RegistryPush publishes, into one folder:
#
#   scripts/release.sh --version 1.2.3 --out dist                      # this machine's binary + archive + SHA256SUMS
#   scripts/release.sh --version 1.2.3 --out dist --binary-only        # only this machine's binary (a CI matrix job)
#   scripts/release.sh --version 1.2.3 --out dist --binaries bins/     # archive from binaries built elsewhere
#
# Files (V = the version, PLATFORM = linux-x64, linux-arm64, macos-arm64 or macos-x64):
#   registry-push-V-PLATFORM   the NativeAOT pusher (dotnet publish, this machine's platform)
#   registry_push-V.tar.gz     the Bazel module: tracked files under registry_push-V/, MODULE.bazel at version V,
#                              bazel/private/versions.bzl naming every binary of the release with its sha256 and
#                              https://github.com/OWNER/REPO/releases/download/vV/ as where Bazel downloads it
#   SHA256SUMS                 every file above, checkable with `sha256sum -c SHA256SUMS`
# Options: --github OWNER/REPO (default: $GITHUB_REPOSITORY, else the `origin` remote's GitHub path).
# The archive is reproducible: sorted, fixed owners, mtimes of the last commit, gzip without a timestamp.
set -euo pipefail

die() { printf 'release: %s\n' "$*" >&2; exit 2; }
log() { printf 'release: %s\n' "$*" >&2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="" out="" binaries="" binary_only=false github="${GITHUB_REPOSITORY:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --version) version="${2:-}"; shift 2 ;;
    --out) out="${2:-}"; shift 2 ;;
    --binaries) binaries="${2:-}"; shift 2 ;;
    --binary-only) binary_only=true; shift ;;
    --github) github="${2:-}"; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-.][0-9A-Za-z.-]+)?$ ]] || die "--version must look like 1.2.3 or 1.2.3-rc.1, got '$version'"
[[ -n "$out" ]] || die "--out DIR is required"
! { $binary_only && [[ -n "$binaries" ]]; } || die "--binary-only builds this machine's binary; --binaries takes ones built elsewhere: give one of them"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# This machine's platform, in release file names (and its Bazel key, in versions.bzl).
host_platform() {
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) echo linux-x64 ;;
    Linux-aarch64 | Linux-arm64) echo linux-arm64 ;;
    Darwin-arm64) echo macos-arm64 ;;
    Darwin-x86_64) echo macos-x64 ;;
    *) die "no release platform for $(uname -s)-$(uname -m)" ;;
  esac
}

# sha256_of FILE: the one definition the example layout writers use too (sha256sum, or shasum on macOS).
# shellcheck source=../bazel/private/sha256.sh
source "$root/bazel/private/sha256.sh"

if [[ -z "$binaries" ]]; then
  platform="$(host_platform)"
  binary="$out/registry-push-$version-$platform"
  log "building $(basename "$binary") with dotnet publish (NativeAOT)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  if ! dotnet publish "$root/tools/RegistryPush" -c Release -o "$work/bin" -p:Version="$version" >"$work/publish.log" 2>&1; then
    tail -n 30 "$work/publish.log" >&2
    die "dotnet publish failed"
  fi
  cp "$work/bin/registry-push" "$binary"
  chmod 0755 "$binary"
  binaries="$out"
fi
if $binary_only; then
  echo "$binary"
  exit 0
fi

if [[ -z "$github" ]]; then
  remote="$(git -C "$root" remote get-url origin 2>/dev/null || true)"
  github="$(sed -nE 's#^(https://github\.com/|git@github\.com:)([^/]+/[^/]+?)(\.git)?$#\2#p' <<<"$remote")"
fi
[[ "$github" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "say where the release lives: --github OWNER/REPO (or set GITHUB_REPOSITORY)"

# versions.bzl: every binary of the release, by Bazel platform key.
entries=""
shopt -s nullglob
for file in "$binaries"/registry-push-"$version"-*; do
  name="$(basename "$file")"
  case "${name#registry-push-"$version"-}" in
    linux-x64) key=linux_x64 ;; linux-arm64) key=linux_arm64 ;; macos-arm64) key=macos_arm64 ;; macos-x64) key=macos_x64 ;;
    *) die "unexpected binary name $name" ;;
  esac
  [[ "$(cd "$(dirname "$file")" && pwd)" == "$out" ]] || cp "$file" "$out/$name"
  entries+="    \"$key\": {\"file\": \"$name\", \"sha256\": \"$(sha256_of "$file")\"},"$'\n'
done
[[ -n "$entries" ]] || die "no registry-push-$version-* binaries in $binaries"

prefix="registry_push-$version"
stage="$(mktemp -d)"
trap 'rm -rf "$stage" "${work:-}"' EXIT
mkdir -p "$stage/$prefix"
# The module's tracked files (as they are in the working tree), without what only this repository's own CI uses.
(cd "$root" && git ls-files -z -- . ':(exclude).github' ':(exclude).bcr' ':(exclude)bench' ':(exclude)tests/RegistryPush.Tests' ':(exclude).ci') \
  | (cd "$root" && xargs -0 cp --parents -t "$stage/$prefix")
sed -i -E '0,/^    version = "[^"]*",/s//    version = "'"$version"'",/' "$stage/$prefix/MODULE.bazel"
grep -q "^    version = \"$version\",$" "$stage/$prefix/MODULE.bazel" || die "could not set the version in MODULE.bazel"
cat >"$stage/$prefix/bazel/private/versions.bzl" <<EOF
"""The prebuilt registry-push binaries of registry_push $version, written by scripts/release.sh.

The module's default toolchain is the binary for the host platform, downloaded from the release and checked
against its sha256; see docs/bazel.md, Toolchains.
"""

VERSION = "$version"

RELEASE_URL = "https://github.com/$github/releases/download/v$version"

BINARIES = {
$entries}
EOF

mtime="$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)"
archive="$out/$prefix.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" --format=gnu -C "$stage" -cf - "$prefix" | gzip -n -9 >"$archive"

(cd "$out" && rm -f SHA256SUMS && for file in registry-push-"$version"-* "$prefix.tar.gz"; do
  printf '%s  %s\n' "$(sha256_of "$file")" "$file"
done >SHA256SUMS)
log "wrote $(cd "$out" && ls registry-push-"$version"-* "$prefix.tar.gz" SHA256SUMS | tr '\n' ' ')in $out"
# What users put in MODULE.bazel's archive_override (integrity) and WORKSPACE's http_archive (sha256).
log "archive sha256 $(sha256_of "$archive"), integrity sha256-$(openssl dgst -sha256 -binary "$archive" | base64)"
echo "$archive"
