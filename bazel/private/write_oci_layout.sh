#!/usr/bin/env bash
# Writes a small OCI image layout, deterministically (example_oci_image; examples and tests only).
#
#   write_oci_layout.sh OUT_DIR SPEC_FILE
#
# SPEC_FILE lines (tab-separated): "config<TAB>ARCH<TAB>OS<TAB>CONFIG_JSON_FIELD" once, then per layer
# "layer" followed by "file<TAB>PATH_IN_IMAGE<TAB>SOURCE" lines, and optionally "ref<TAB>NAME".
# Layers are gzip'ed ustar archives with fixed owners, modes and mtimes, so equal inputs give equal digests.
set -euo pipefail

out="$1"
spec="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/oci-layout.XXXXXX")"
trap 'rm -rf "$work"' EXIT

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}
size() { wc -c <"$1" | tr -d ' '; }

mkdir -p "$out/blobs/sha256"

# put FILE: moves FILE into the blob store; sets $digest and $bytes.
put() {
  digest="sha256:$(sha256 "$1")"
  bytes="$(size "$1")"
  mv "$1" "$out/blobs/sha256/${digest#sha256:}"
}

arch="" os="" config_field="" ref=""
layer_count=0
while IFS=$'\t' read -r kind a b c; do
  case "$kind" in
    config) arch="$a" os="$b" config_field="$c" ;;
    ref) ref="$a" ;;
    layer)
      layer_count=$((layer_count + 1))
      mkdir -p "$work/layer$layer_count"
      ;;
    file)
      target="$work/layer$layer_count/${a#/}"
      mkdir -p "$(dirname "$target")"
      cp -L "$b" "$target"
      if [[ -x "$b" ]]; then chmod 0755 "$target"; else chmod 0644 "$target"; fi
      ;;
    *) echo "write_oci_layout.sh: bad spec line: $kind" >&2; exit 1 ;;
  esac
done <"$spec"

diff_ids="" layers="" history=""
for ((i = 1; i <= layer_count; i++)); do
  find "$work/layer$i" -type d -exec chmod 0755 {} +
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=ustar \
    -C "$work/layer$i" -cf "$work/layer$i.tar" .
  diff_id="sha256:$(sha256 "$work/layer$i.tar")"
  gzip -n -9 -c "$work/layer$i.tar" >"$work/layer$i.tar.gz"
  put "$work/layer$i.tar.gz"
  sep=""; [[ $i -gt 1 ]] && sep=","
  diff_ids+="$sep\"$diff_id\""
  layers+="$sep{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$digest\",\"size\":$bytes}"
  history+="$sep{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"example_oci_image layer $i\"}"
done

printf '{"architecture":"%s","config":%s,"created":"1970-01-01T00:00:00Z","history":[%s],"os":"%s","rootfs":{"diff_ids":[%s],"type":"layers"}}' \
  "$arch" "$config_field" "$history" "$os" "$diff_ids" >"$work/config.json"
put "$work/config.json"
config="{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$digest\",\"size\":$bytes}"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":%s,"layers":[%s]}' \
  "$config" "$layers" >"$work/manifest.json"
put "$work/manifest.json"

annotations=""
if [[ -n "$ref" ]]; then
  annotations=",\"annotations\":{\"org.opencontainers.image.ref.name\":\"$ref\"}"
fi
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"%s"}%s}]}\n' \
  "$digest" "$bytes" "$arch" "$os" "$annotations" >"$out/index.json"
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$out/oci-layout"
