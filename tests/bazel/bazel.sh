#!/usr/bin/env bash
# Runs Bazel on this repository with the offline stand-ins (tests/bazel/offline/README.md):
#
#   tests/bazel/bazel.sh build //...
#   tests/bazel/bazel.sh run //examples/hello:hello_image_push -- --repository 127.0.0.1:5000/hello
#
# Only needed where Bazel cannot download rules_cc, rules_java and remote_coverage_tools
# (Debian's Bazel 4.2.3 without internet). Anywhere else, plain `bazel` works.
set -euo pipefail

# Debian's bazel wrapper would pick the Bazel that .bazelversion names (7.7.1, for users); this is Bazel 4.2.3.
export USE_BAZEL_VERSION="${USE_BAZEL_VERSION:-4}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
offline="$root/tests/bazel/offline"
command="${1:?usage: tests/bazel/bazel.sh COMMAND [ARGS...]}"
shift

case "$command" in
  build | run | test | cquery | aquery | coverage | fetch | query | sync | info)
    exec bazel "$command" \
      "--override_repository=rules_cc=$offline/rules_cc" \
      "--override_repository=rules_java=$offline/rules_java" \
      "--override_repository=remote_coverage_tools=$offline/remote_coverage_tools" \
      "$@"
    ;;
  *) exec bazel "$command" "$@" ;;
esac
