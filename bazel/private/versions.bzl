"""The prebuilt registry-push binaries of this copy of the module: none in a checkout.

scripts/release.sh rewrites this file in a release archive: the release's version, where its binaries are
downloaded from and each one's sha256. With binaries listed, the module's default toolchain is the prebuilt
binary for the host platform (no .NET SDK needed); without, it builds the pusher from source.
"""

# The release this copy belongs to, or "" in a checkout.
VERSION = ""

# Where the release's files are downloaded from (a GitHub release), or "" in a checkout.
RELEASE_URL = ""

# Platform key (see prebuilt.bzl PLATFORMS) -> {"file": file name under RELEASE_URL, "sha256": hex}.
BINARIES = {}
