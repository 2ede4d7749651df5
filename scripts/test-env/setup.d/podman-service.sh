# shellcheck shell=bash
# podman system service: the Docker API Testcontainers talks to, on $SOCK. Started detached when the socket does
# not answer; restarted when containers-conf.sh changed the file (if this script started it); the socket handed to
# the calling user when it is not root.
# Sourced by setup.sh (after common.sh), which calls the function at the point where the job comes in the run.

service_answers() { as_root curl -sf --max-time 2 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1; }

ensure_podman_service() {
  if service_answers && $conf_changed && [ -f "$SERVICE_PIDFILE" ]; then
    # The running service read containers.conf when it started; restart the one this script started.
    pid="$(cat "$SERVICE_PIDFILE")"
    if [ -n "$pid" ] && as_root grep -qa 'system.service' "/proc/$pid/cmdline" 2>/dev/null && as_root kill "$pid"; then
      log "restarting the podman service (pid $pid) so it reads the new $CONF"
      for _ in $(seq 1 50); do service_answers || break; sleep 0.1; done
    fi
  elif service_answers && $conf_changed; then
    log "WARNING: a podman service not started by this script answers on $SOCK; restart it so it reads $CONF"
  fi

  if service_answers; then
    log "podman service: answering on $SOCK"
  else
    as_root mkdir -p "$(dirname "$SOCK")"
    as_root rm -f "$SOCK"
    log "starting podman system service on $SOCK (log: $SERVICE_LOG)"
    # Detached from this script's stdout/stderr, or `eval "$(setup.sh)"` would wait for it forever.
    # shellcheck disable=SC2016  # expanded by the inner sh
    as_root sh -c 'setsid nohup podman system service --time=0 "unix://$1" </dev/null >>"$2" 2>&1 & echo $! >"$3"' \
      sh "$SOCK" "$SERVICE_LOG" "$SERVICE_PIDFILE" 9<&-   # the service must not inherit (and hold) the lock
    pid="$(cat "$SERVICE_PIDFILE")"
    deadline=$((SECONDS + ${TEST_ENV_SOCKET_WAIT:-30}))
    until service_answers; do
      if ! as_root kill -0 "$pid" 2>/dev/null; then
        tail -n 20 "$SERVICE_LOG" >&2 || true
        die "podman system service exited (see $SERVICE_LOG)"
      fi
      [ "$SECONDS" -lt "$deadline" ] || die "podman service did not answer on $SOCK within ${TEST_ENV_SOCKET_WAIT:-30}s (see $SERVICE_LOG)"
      sleep 0.1
    done
    log "podman service: answering (pid $pid)"
  fi
  if [ "$(id -u)" -ne 0 ] && ! [ -O "$SOCK" ]; then
    # The service runs as root (rootful podman); let the calling user (who runs the tests) use its socket.
    as_root chown "$(id -u)" "$SOCK"
    log "gave $(id -un) access to $SOCK"
  fi
}
