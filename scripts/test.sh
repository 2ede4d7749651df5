#!/usr/bin/env bash
# Runs every test RegistryPush has, on a fresh Debian 12 machine or a laptop:
#   1. prepares the machine (scripts/test-env/setup.sh: packages, podman serving the Docker API, a local registry:2;
#      scripts/test-env/sid-chroot.sh: Bazel 7.7.1 with Debian's Bazel modules in a Debian sid chroot),
#   2. publishes the NativeAOT pusher (tests that run the real binary use it),
#   3. runs the xunit suite: unit tests, real-registry pushes read back with skopeo, credential helpers, Bazel end to end
#      (Bazel 7.7.1 consumer modules in the chroot, Bazel 4.2.3 on the host),
#   4. ends with the line "N passed, N failed, N skipped".
# Extra arguments go to the test runner, e.g. `scripts/test.sh --filter-class '*PushTests'`.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

eval "$(bash scripts/test-env/setup.sh)"
# Bazel 7.7.1 (what users run) in a Debian sid chroot: made once (about two minutes), then only checked.
if ! bash scripts/test-env/sid-chroot.sh setup; then
  echo "0 passed, 1 failed"
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

mkdir -p artifacts
echo "test: publishing the NativeAOT pusher to artifacts/bin" >&2
if ! dotnet publish tools/RegistryPush -c Release -o artifacts/bin >artifacts/publish.log 2>&1; then
  tail -n 40 artifacts/publish.log >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# Zero trim/AOT warnings is a requirement, not a hope: a reflection path that NativeAOT cannot see fails here.
if grep -iE ': warning [A-Z]+[0-9]+' artifacts/publish.log >&2; then
  echo "test: the NativeAOT publish has warnings (above)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
export REGISTRY_PUSH_BIN="$root/artifacts/bin/registry-push"

results="$root/artifacts/test-results"
rm -rf "$results"
set +e
dotnet test --project tests/RegistryPush.Tests -c Release --results-directory "$results" \
  -- --report-xunit-trx --report-xunit-trx-filename results.trx "$@"
status=$?
set -e

counters=$(grep -o '<Counters [^>]*>' "$results/results.trx" 2>/dev/null || true)
count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
total=$(count total); passed=$(count passed); failed=$(count failed); errors=$(count error)
if [[ -z "$counters" ]]; then
  echo "test: no test results were written (build failure?)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
failed=$((failed + errors))
skipped=$((total - passed - failed))
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
if [[ "$status" -ne 0 || "$failed" -ne 0 || "$passed" -eq 0 ]]; then
  exit 1
fi
