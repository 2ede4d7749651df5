"""example_oci_image, for this repository's examples and tests only: not part of the API.

It writes a small OCI image layout from files (no base image), because rules_oci cannot be fetched
where these rules are developed. Real images come from rules_oci's oci_image / oci_image_index.
"""

load("//bazel/private:example_image.bzl", _example_oci_image = "example_oci_image")

example_oci_image = _example_oci_image
