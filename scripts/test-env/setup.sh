#!/usr/bin/env bash
# Makes a Debian 12 machine ready for RegistryPush's integration tests.
#
#   eval "$(scripts/test-env/setup.sh)"
#
# Idempotent: a second run only checks (under a second here). Progress goes to stderr; stdout carries
# nothing but the `export` lines the tests need, so it can be eval'ed.
#  - installs the Debian packages the tests and the build use (only when something is missing);
#  - if a Docker engine already answers (laptop, GitHub Actions), stops there: Testcontainers uses it as is;
#  - otherwise makes podman serve the Docker API on /run/podman/podman.sock, with a locally built
#    docker.io/library/registry:2 (no image can be pulled here), and checks that a container of it answers.
# Each job is a file in setup.d/; this driver runs them in order. See README.md next to this file (also for how
# to undo it).
#
# Usage: setup.sh [--packages-only]   (--packages-only: install the Debian packages and stop)
# Knobs (environment): TEST_ENV_REBUILD_IMAGE=1 rebuilds the local registry:2 image,
#                      TEST_ENV_SOCKET_WAIT=SECONDS bounds the wait for the podman service (default 30).
set -euo pipefail

parts="$(dirname "${BASH_SOURCE[0]}")/setup.d"
for part in common docker-engine packages containers-conf registry-image podman-service check-registry; do
  # shellcheck source=/dev/null
  source "$parts/$part.sh"
done

take_lock
detect_docker_engine
install_packages

# `--packages-only`: what scripts/demo.sh needs (docker-registry, bazel, skopeo); no container engine set-up.
if [ "${1:-}" = "--packages-only" ]; then
  exit 0
fi

if $real_docker; then
  log "a Docker engine answers (${components%;}); using it, nothing to set up for podman"
  echo "# Docker engine reachable: no extra environment needed"
  exit 0
fi

configure_containers_conf
ensure_registry_image
ensure_podman_service
check_registry_container

# The environment the tests need, on stdout (the only thing there).
cat <<EOT
export DOCKER_HOST=unix://$SOCK
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1
EOT
