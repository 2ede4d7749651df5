#!/usr/bin/env bash
# Calls the push launcher by its path inside this script's runfiles tree, passing all arguments on,
# and reports the launcher's exit code. The path is relative on purpose: `bazel run` starts this
# script in its runfiles tree, and the launcher must find its files from there.
set -uo pipefail

echo "push_from_script: calling hello_image_push with: $*" >&2
examples/hello/hello_image_push "$@"
status=$?
echo "push_from_script: hello_image_push exited with $status" >&2
exit "$status"
