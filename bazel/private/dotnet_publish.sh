#!/usr/bin/env bash
# Builds the registry-push NativeAOT binary as a Bazel action (the default toolchain's genrule in
# tools/RegistryPush/BUILD.bazel).
#
#   dotnet_publish.sh PROJECT OUTPUT SOURCE...
#
# PROJECT and SOURCE are execroot-relative paths of declared inputs. They are copied to a scratch
# folder first, so `dotnet publish` never writes bin/ or obj/ into the source tree (the action runs
# unsandboxed) and sees no undeclared files. The NuGet package folder and NuGet.Config stay the
# user's own, so a restore that works for `dotnet build` works here, offline once packages are cached.
set -euo pipefail

project="$1"
output="$2"
shift 2

work="$(mktemp -d "${TMPDIR:-/tmp}/registry-push-publish.XXXXXX")"
trap 'rm -rf "$work"' EXIT

for source in "$@"; do
  mkdir -p "$work/src/$(dirname "$source")"
  cp -L "$source" "$work/src/$source"
done

# Actions get no HOME; dotnet needs one. Use a scratch one, but the real user's NuGet state.
real_home="$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6 || true)"
export HOME="$work/home"
export DOTNET_CLI_HOME="$HOME"
mkdir -p "$HOME/.nuget/NuGet"
if [[ -n "$real_home" && -d "$real_home" ]]; then
  export NUGET_PACKAGES="${NUGET_PACKAGES:-$real_home/.nuget/packages}"
  if [[ -f "$real_home/.nuget/NuGet/NuGet.Config" ]]; then
    cp "$real_home/.nuget/NuGet/NuGet.Config" "$HOME/.nuget/NuGet/NuGet.Config"
  fi
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_USE_MSBUILD_SERVER=0 MSBUILDDISABLENODEREUSE=1

dotnet="$(command -v dotnet || true)"
for candidate in "${DOTNET_ROOT:-}/dotnet" "$real_home/.dotnet/dotnet" /usr/share/dotnet/dotnet /usr/local/share/dotnet/dotnet; do
  if [[ -z "$dotnet" && -x "$candidate" ]]; then
    dotnet="$candidate"
  fi
done
if [[ -z "$dotnet" ]]; then
  echo "registry-push: the default toolchain builds the pusher from source and needs the .NET SDK (dotnet) on PATH;" >&2
  echo "install it, or register the prebuilt toolchain instead (see docs/bazel.md)." >&2
  exit 1
fi

log="$work/publish.log"
if ! "$dotnet" publish "$work/src/$project" -c Release -o "$work/out" \
  --disable-build-servers -nodeReuse:false -p:UseSharedCompilation=false >"$log" 2>&1; then
  cat "$log" >&2
  echo "registry-push: dotnet publish failed (log above)" >&2
  exit 1
fi
cp "$work/out/registry-push" "$output"
chmod 0755 "$output"
