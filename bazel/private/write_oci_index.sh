#!/usr/bin/env bash
# Writes a multi-platform OCI image layout from example_oci_image layouts, shaped as rules_oci's oci_image_index
# writes it (example_oci_index; examples and tests only):
#   - every child blob COPIED into OUT_DIR (symlinks dereferenced);
#   - blobs/sha256/<index>: an image index listing each child's manifest with its platform;
#   - index.json WITHOUT schemaVersion and WITHOUT mediaType, its one entry pointing at that index;
#   - oci-layout written with a space after the colon.
#
#   write_oci_index.sh SHA256_SH OUT_DIR IMAGE_LAYOUT...
#
# SHA256_SH is sha256.sh beside this script (sourced for sha256_of), passed in as an action input.
set -euo pipefail

# shellcheck source=sha256.sh
source "$1"
shift
out="$1"
shift
mkdir -p "$out/blobs/sha256"
work="$(mktemp -d "${TMPDIR:-/tmp}/oci-index.XXXXXX")"
trap 'rm -rf "$work"' EXIT

entries="" sep=""
for image in "$@"; do
  for blob in "$image"/blobs/sha256/*; do
    cp -L "$blob" "$out/blobs/sha256/$(basename "$blob")"
  done
  # example_oci_image's index.json has one entry, pretty-printed: take its fields line by line. The platform is
  # the image config's (rules_oci's oci_image_index reads it from there too).
  media="$(sed -n 's/^ *"mediaType": "\(application\/vnd\.[^"]*manifest[^"]*\)",$/\1/p' "$image/index.json")"
  digest="$(sed -n 's/^ *"digest": "\(sha256:[0-9a-f]*\)",$/\1/p' "$image/index.json")"
  size="$(sed -n 's/^ *"size": \([0-9]*\).*$/\1/p' "$image/index.json")"
  manifest="$image/blobs/sha256/${digest#sha256:}"
  config="$image/blobs/sha256/$(sed -n 's/.*"config":{"mediaType":"[^"]*","digest":"sha256:\([0-9a-f]*\)".*/\1/p' "$manifest")"
  arch="$(sed -n 's/.*"architecture":"\([^"]*\)".*/\1/p' "$config")"
  os="$(sed -n 's/.*"os":"\([^"]*\)".*/\1/p' "$config")"
  if [[ -z "$media" || -z "$digest" || -z "$size" || -z "$arch" || -z "$os" ]]; then
    echo "write_oci_index.sh: $image is not an example_oci_image layout" >&2
    exit 1
  fi
  entries+="$sep{\"mediaType\":\"$media\",\"digest\":\"$digest\",\"size\":$size,\"platform\":{\"architecture\":\"$arch\",\"os\":\"$os\"}}"
  sep=","
done

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$entries" >"$work/index"
hex="$(sha256_of "$work/index")"
bytes="$(wc -c <"$work/index" | tr -d ' ')"
mv "$work/index" "$out/blobs/sha256/$hex"

# Pretty-printed, with no schemaVersion and no mediaType, as rules_oci's oci_image_index writes it.
cat >"$out/index.json" <<EOF
{
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.index.v1+json",
      "size": $bytes,
      "digest": "sha256:$hex"
    }
  ]
}
EOF
printf '{"imageLayoutVersion": "1.0.0"}\n' >"$out/oci-layout"
