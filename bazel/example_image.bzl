"""example_oci_image and example_oci_index, for this repository's examples and tests only: not part of the API.

They write small OCI image layouts from files (no base image), shaped as rules_oci writes them, because
rules_oci cannot be fetched where these rules are developed. Real images come from rules_oci's oci_image / oci_image_index.
"""

load("//bazel/private:example_image.bzl", _example_oci_image = "example_oci_image", _example_oci_index = "example_oci_index")

example_oci_image = _example_oci_image
example_oci_index = _example_oci_index
