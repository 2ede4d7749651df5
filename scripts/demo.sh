#!/usr/bin/env bash
# The main job, end to end, on a fresh Debian 12 machine:
#   1. installs what it needs if missing: the CNCF distribution registry and skopeo, and Bazel 7.7.1 with Debian's
#      Bazel modules in a Debian sid chroot (scripts/test-env/sid-chroot.sh; Bazel 7 needs a newer libc than Debian 12's),
#   2. starts a throwaway registry on 127.0.0.1 (stopped and deleted on exit),
#   3. `bazel run //python/hello_python:hello_python_image_push` (bzlmod), which builds the NativeAOT pusher with the
#      host's .NET SDK, packs the Python program into an image, and pushes it to the local registry,
#   4. reads the image back with skopeo and prints the pushed reference (REPOSITORY@DIGEST) as the last line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-env/setup.sh --packages-only
bash scripts/test-env/sid-chroot.sh setup

work=$(mktemp -d)
registry_pid=
cleanup() {
  [[ -n "$registry_pid" ]] && kill "$registry_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: the first one nothing answers on.
port=
for candidate in $(seq 5050 5150); do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[[ -n "$port" ]] || { echo "demo: no free port in 5050-5150" >&2; exit 1; }

cat >"$work/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/data
http:
  addr: 127.0.0.1:$port
YAML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null && break
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" || { cat "$work/registry.log" >&2; echo "demo: the registry did not start" >&2; exit 1; }
echo "demo: registry listening on 127.0.0.1:$port" >&2

repository="127.0.0.1:$port/owner/hello_python"
# As a user runs it, inside the chroot. --config=debian_rules_pkg takes rules_pkg from Debian's package (the chroot
# has no internet); PYTHONWARNINGS quiets a SyntaxWarning that Debian's rules_pkg prints under Python 3.13.
scripts/test-env/sid-chroot.sh run bazel run --config=debian_rules_pkg \
  --action_env=PYTHONWARNINGS=ignore::SyntaxWarning \
  //python/hello_python:hello_python_image_push -- --repository "$repository" --tag demo | tee "$work/push.out" >&2
reference=$(tail -n 1 "$work/push.out")

# Read back by an independent client: the manifest skopeo gets must have the digest the push printed.
served=$(skopeo inspect --raw --tls-verify=false "docker://$repository:demo" | sha256sum | cut -d' ' -f1)
[[ "$reference" == "$repository@sha256:$served" ]] || { echo "demo: skopeo reads sha256:$served, not $reference" >&2; exit 1; }
echo "demo: skopeo reads $repository:demo back with the same digest" >&2
echo "$reference"
