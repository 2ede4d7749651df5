"""The release's own prebuilt binaries (bazel/private/versions.bzl) as toolchains: the default in a release archive."""

load(":prebuilt.bzl", "declare_prebuilt")
load(":versions.bzl", "BINARIES", "RELEASE_URL", "VERSION")

# The hub repository that holds one toolchain per released platform, and a last one for every other platform.
RELEASE_HUB = "registry_push_release"

def _unsupported_message():
    return ("registry_push %s has no prebuilt registry-push for this machine (its binaries are for %s). " +
            "Either build it from source, which needs the .NET 10 SDK: " +
            "register_toolchains(\"@registry_push//bazel/toolchains:from_source\") in your MODULE.bazel (or WORKSPACE); " +
            "or use a binary of your own: registry_push.binary(platform = ..., url = ..., sha256 = ...) " +
            "(see docs/bazel.md, Toolchains).") % (VERSION, ", ".join(sorted(BINARIES.keys())))

def declare_release_toolchains():
    """Declares `@registry_push_release`: the release's binaries, or no toolchain at all in a checkout.

    In a checkout BINARIES is empty, so the hub declares nothing and the from-source toolchain, registered
    after it, is the default.
    """
    declare_prebuilt(
        "bazel/private/versions.bzl",
        RELEASE_HUB,
        urls = {platform: RELEASE_URL + "/" + BINARIES[platform]["file"] for platform in BINARIES},
        sha256s = {platform: BINARIES[platform]["sha256"] for platform in BINARIES},
        unsupported_message = _unsupported_message() if BINARIES else "",
    )
