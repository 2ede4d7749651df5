#!/usr/bin/env bash
# The main job, end to end, on a fresh Debian 12 machine:
#   1. installs what it needs (Bazel, the CNCF distribution registry, skopeo) if missing,
#   2. starts a throwaway registry on 127.0.0.1 (stopped and deleted on exit),
#   3. `bazel run //examples/hello:hello_image_push`, which builds the NativeAOT pusher with the host's .NET SDK,
#      builds the example image, and pushes it, overriding the repository to point at the local registry,
#   4. reads the image back with skopeo and prints the pushed reference (REPOSITORY@DIGEST) as the last line.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/test-env/setup.sh --packages-only

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

repository="127.0.0.1:$port/hello"
# tests/bazel/bazel.sh is plain `bazel` plus local stand-ins for the three repositories Debian's Bazel 4.2.3 would
# otherwise download (this machine class has no internet); with internet, `bazel run` alone does the same.
tests/bazel/bazel.sh run //examples/hello:hello_image_push -- --repository "$repository" --tag demo | tee "$work/push.out"
reference=$(tail -n 1 "$work/push.out")

echo "demo: read back with skopeo:" >&2
skopeo inspect --tls-verify=false "docker://$repository:demo" >&2
echo "$reference"
