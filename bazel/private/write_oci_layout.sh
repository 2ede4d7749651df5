#!/usr/bin/env bash
# Writes a small OCI image layout, deterministically, shaped as rules_oci's oci_image writes it
# (example_oci_image; examples and tests only).
#
#   write_oci_layout.sh SHA256_SH OUT_DIR SPEC_FILE
#
# SHA256_SH is sha256.sh beside this script (sourced for sha256_of), passed in as an action input.
#
# SPEC_FILE lines (tab-separated):
#   config ARCH OS CONFIG_JSON_FIELD   once
#   media  oci|docker                  media types of manifest, config and layers
#   blobs  link|copy                   layer blobs: relative symlinks out of OUT_DIR (rules_oci on Bazel >= 7.1),
#                                      or copies (rules_oci on older Bazel)
#   ref    NAME                        optional org.opencontainers.image.ref.name of the index.json entry
#   layer  OUT_FILE                    a layer written to OUT_FILE (gzip'ed ustar), holding the files below it:
#   file   PATH_IN_IMAGE SOURCE
#   tar    FILE                        an existing (uncompressed) tar file used as a layer as it is
# Layers are gzip'ed ustar archives with fixed owners, modes and mtimes, so equal inputs give equal digests.
set -euo pipefail

# shellcheck source=sha256.sh
source "$1"
shift
out="$1"
spec="$2"
work="$(mktemp -d "${TMPDIR:-/tmp}/oci-layout.XXXXXX")"
trap 'rm -rf "$work"' EXIT

size() { wc -c <"$1" | tr -d ' '; }

mkdir -p "$out/blobs/sha256"
blobs="$out/blobs/sha256"

# put FILE: moves FILE into the blob store; sets $digest and $bytes.
put() {
  digest="sha256:$(sha256_of "$1")"
  bytes="$(size "$1")"
  mv "$1" "$blobs/${digest#sha256:}"
}

# A path from the blob folder to FILE, by the paths as written (-s: inputs are symlinks into the execroot here;
# the link must lead to FILE's place in the output tree, not to wherever the sandbox's input link points).
relative_from_blobs() { realpath -s -m --relative-to="$blobs" "$1"; }

# add_layer FILE MEDIA_TYPE DIFF_ID: links or copies FILE into the blob store; appends its descriptor.
diff_ids="" layers="" history="" layer_count=0
add_layer() {
  local file="$1" media="$2" diff_id="$3" hex sep=""
  hex="$(sha256_of "$file")"
  if [[ "$link" == link ]]; then
    ln -sfn "$(relative_from_blobs "$file")" "$blobs/$hex"
  else
    cp -L "$file" "$blobs/$hex"
  fi
  layer_count=$((layer_count + 1))
  [[ $layer_count -gt 1 ]] && sep=","
  diff_ids+="$sep\"$diff_id\""
  layers+="$sep{\"mediaType\":\"$media\",\"digest\":\"sha256:$hex\",\"size\":$(size "$file")}"
  history+="$sep{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"example_oci_image layer $layer_count\"}"
}

# pack DIR OUT_FILE: DIR as a reproducible gzip'ed ustar at OUT_FILE.
pack() {
  find "$1" -type d -exec chmod 0755 {} +
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 --format=ustar -C "$1" -cf "$work/layer.tar" .
  local diff_id
  diff_id="sha256:$(sha256_of "$work/layer.tar")"
  gzip -n -9 -c "$work/layer.tar" >"$2"
  add_layer "$2" "$gzip_layer" "$diff_id"
}

arch="" os="" config_field="" ref="" media=oci link=copy
pending_dir="" pending_out=""
flush() {
  if [[ -n "$pending_out" ]]; then
    pack "$pending_dir" "$pending_out"
    pending_out=""
  fi
}
set_media() {
  case "$media" in
    oci)
      manifest_type=application/vnd.oci.image.manifest.v1+json config_type=application/vnd.oci.image.config.v1+json
      gzip_layer=application/vnd.oci.image.layer.v1.tar+gzip tar_layer=application/vnd.oci.image.layer.v1.tar
      ;;
    docker)
      manifest_type=application/vnd.docker.distribution.manifest.v2+json
      config_type=application/vnd.docker.container.image.v1+json
      gzip_layer=application/vnd.docker.image.rootfs.diff.tar.gzip tar_layer=application/vnd.docker.image.rootfs.diff.tar
      ;;
    *) echo "write_oci_layout.sh: unknown media types '$media'" >&2; exit 1 ;;
  esac
}
set_media

while IFS=$'\t' read -r kind a b c; do
  case "$kind" in
    config) arch="$a" os="$b" config_field="$c" ;;
    media) media="$a"; set_media ;;
    blobs) link="$a" ;;
    ref) ref="$a" ;;
    layer)
      flush
      pending_dir="$work/layer$((layer_count + 1))" pending_out="$a"
      mkdir -p "$pending_dir"
      ;;
    file)
      target="$pending_dir/${a#/}"
      mkdir -p "$(dirname "$target")"
      cp -L "$b" "$target"
      if [[ -x "$b" ]]; then chmod 0755 "$target"; else chmod 0644 "$target"; fi
      ;;
    tar)
      flush
      add_layer "$a" "$tar_layer" "sha256:$(sha256_of "$a")"
      ;;
    *) echo "write_oci_layout.sh: bad spec line: $kind" >&2; exit 1 ;;
  esac
done <"$spec"
flush

printf '{"architecture":"%s","config":%s,"created":"1970-01-01T00:00:00Z","history":[%s],"os":"%s","rootfs":{"diff_ids":[%s],"type":"layers"}}' \
  "$arch" "$config_field" "$history" "$os" "$diff_ids" >"$work/config.json"
put "$work/config.json"
config="{\"mediaType\":\"$config_type\",\"digest\":\"$digest\",\"size\":$bytes}"

printf '{"schemaVersion":2,"mediaType":"%s","config":%s,"layers":[%s]}' \
  "$manifest_type" "$config" "$layers" >"$work/manifest.json"
put "$work/manifest.json"

annotations=""
if [[ -n "$ref" ]]; then
  annotations=",
      \"annotations\": {
        \"org.opencontainers.image.ref.name\": \"$ref\"
      }"
fi
# Pretty-printed and without a platform (that is in the config), as rules_oci writes it.
cat >"$out/index.json" <<EOF
{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "$manifest_type",
      "digest": "$digest",
      "size": $bytes$annotations
    }
  ]
}
EOF
printf '{"imageLayoutVersion":"1.0.0"}\n' >"$out/oci-layout"
