#!/usr/bin/env bash
# Checks every Starlark file of the repository (BUILD, WORKSPACE, MODULE.bazel, *.bzl) with
# buildifier: formatting, and lint warnings (-lint=warn).
#
#   tests/bazel/lint.sh          check; exits 1 when a file needs changes
#   tests/bazel/lint.sh --fix    reformat and apply buildifier's automatic lint fixes
#
# buildifier comes from the npm package @bazel/buildifier, which ships its binaries inside. It is
# unpacked once into a cache folder outside the repository:
#   ${REGISTRY_PUSH_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/registry-push}/buildifier-VERSION
set -euo pipefail

readonly VERSION=8.2.1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${REGISTRY_PUSH_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/registry-push}/buildifier-$VERSION"

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) binary=buildifier-linux_amd64 ;;
  Linux-aarch64 | Linux-arm64) binary=buildifier-linux_arm64 ;;
  Darwin-x86_64) binary=buildifier-darwin_amd64 ;;
  Darwin-arm64) binary=buildifier-darwin_arm64 ;;
  *) echo "lint.sh: no buildifier binary for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
buildifier="$cache/package/$binary"

if [[ ! -x "$buildifier" ]]; then
  command -v npm >/dev/null 2>&1 || { echo "lint.sh: npm is needed to fetch @bazel/buildifier@$VERSION" >&2; exit 2; }
  mkdir -p "$(dirname "$cache")"
  staging="$(mktemp -d "$(dirname "$cache")/.buildifier.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo "lint.sh: fetching @bazel/buildifier@$VERSION into $cache" >&2
  (cd "$staging" && npm pack --silent "@bazel/buildifier@$VERSION" >/dev/null)
  mkdir -p "$staging/unpacked"
  tar -xzf "$staging/bazel-buildifier-$VERSION.tgz" -C "$staging/unpacked"
  chmod +x "$staging/unpacked/package/$binary"
  # Another run may have won the race; either copy is the same.
  mv -T "$staging/unpacked" "$cache" 2>/dev/null || [[ -x "$buildifier" ]]
fi

cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  listing="$(git ls-files --cached --others --exclude-standard)"
else
  listing="$(find . -path ./.git -prune -o -name 'bazel-*' -prune -o -type f -print | sed 's|^\./||')"
fi
files=()
while IFS= read -r file; do
  [[ -f "$file" ]] || continue
  case "$(basename "$file")" in
    *.bzl | BUILD | BUILD.bazel | *.BUILD | WORKSPACE | WORKSPACE.bazel | MODULE.bazel) files+=("$file") ;;
  esac
done <<<"$listing"

if [[ "${1:-}" == "--fix" ]]; then
  "$buildifier" -lint=fix -mode=fix "${files[@]}"
  exit 0
fi
if "$buildifier" -lint=warn -mode=check "${files[@]}"; then
  echo "lint.sh: ${#files[@]} Starlark files pass buildifier $VERSION" >&2
else
  echo "lint.sh: buildifier found problems (run tests/bazel/lint.sh --fix for formatting; fix lint warnings by hand)" >&2
  exit 1
fi
