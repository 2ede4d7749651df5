# shellcheck shell=bash
# Is a real Docker engine (not podman's compat API) reachable as things stand? Sets real_docker (true/false) and
# components (the engine's component names, for the progress line).
# Sourced by setup.sh (after common.sh), which calls the function at the point where the job comes in the run.

docker_engine_components() {
  # Prints the server's component names (Docker: "Engine containerd runc ..."; podman: "Podman Engine").
  if command -v docker >/dev/null 2>&1; then
    timeout 15 docker version --format '{{range .Server.Components}}{{.Name}};{{end}}' 2>/dev/null
  else
    local host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
    case "$host" in unix://*) ;; *) return 1 ;; esac
    [ -S "${host#unix://}" ] || return 1
    curl -sf --max-time 10 --unix-socket "${host#unix://}" http://d/version | jq -r '[.Components[]?.Name] | join(";")'
  fi
}
detect_docker_engine() {
  real_docker=false
  if components="$(docker_engine_components)" && [ -n "$components" ]; then
    case "$components" in
      *Podman*) ;;  # e.g. DOCKER_HOST already points at our podman socket: take the podman path below
      *) real_docker=true ;;
    esac
  fi
}
