# Sourced, not run: defines sha256_of FILE, which prints FILE's sha256 in lowercase hex.
# GNU coreutils' sha256sum where there is one (Linux), else Perl's shasum (macOS ships it, not sha256sum).
# Used by the example layout writers (write_oci_layout.sh, write_oci_index.sh) and by scripts/release.sh.

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}
