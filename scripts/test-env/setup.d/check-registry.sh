# shellcheck shell=bash
# The end-to-end check: a registry:2 container, created through the Docker API as Testcontainers does, answers
# /v2/ with 200 (then it is removed).
# Sourced by setup.sh (after common.sh), which calls the function at the point where the job comes in the run.

api() {
  local method="$1" path="$2"; shift 2
  as_root curl -sS --fail-with-body --max-time 30 --unix-socket "$SOCK" -X "$method" \
    -H 'Content-Type: application/json' "$@" "http://d/v1.41$path"
}
# Removes the check's container (also when the check dies half-way: setup.sh runs it on exit meanwhile).
cleanup() { api DELETE "/containers/$cid?force=true&v=true" >/dev/null 2>&1 || true; }

check_registry_container() {
  cid="$(api POST /containers/create -d "{\"Image\":\"$IMAGE\",\"ExposedPorts\":{\"5000/tcp\":{}},
    \"HostConfig\":{\"PortBindings\":{\"5000/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"\"}]}}}" | jq -r .Id)" \
    || die "creating a $IMAGE container through $SOCK failed"
  trap cleanup EXIT
  api POST "/containers/$cid/start" >/dev/null || die "starting a $IMAGE container through $SOCK failed"
  port="$(api GET "/containers/$cid/json" | jq -r '.NetworkSettings.Ports["5000/tcp"][0].HostPort')"
  code=000
  for _ in $(seq 1 50); do
    code="$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/")" || true
    [ "$code" = 200 ] && break
    sleep 0.1
  done
  if [ "$code" != 200 ]; then
    api GET "/containers/$cid/logs?stdout=true&stderr=true" >&2 || true
    die "$IMAGE container on 127.0.0.1:$port answered /v2/ with $code, expected 200"
  fi
  cleanup
  trap - EXIT
  log "checked: $IMAGE started through the Docker API answers /v2/ with 200"
}
