#!/usr/bin/env bash
# Workspace status for --stamp: prints "KEY value" lines that image_push tags can use as {KEY}.
# STABLE_* keys go to stable-status.txt. A key this script cannot compute is left out, so a tag
# using it is skipped with a warning rather than pushed with a wrong value.
set -uo pipefail

if commit="$(git rev-parse HEAD 2>/dev/null)"; then
  echo "STABLE_GIT_COMMIT $commit"
  echo "STABLE_GIT_SHORT_COMMIT ${commit:0:12}"
fi
if branch="$(git rev-parse --abbrev-ref HEAD 2>/dev/null)" && [[ "$branch" != HEAD ]]; then
  # Branch names may hold '/', which tags may not.
  echo "STABLE_GIT_BRANCH ${branch//[^A-Za-z0-9_.-]/-}"
fi
exit 0
