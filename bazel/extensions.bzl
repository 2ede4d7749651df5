"""Bzlmod (Bazel 7/8) module extension for a prebuilt registry-push binary.

    registry_push = use_extension("@registry_push//bazel:extensions.bzl", "registry_push")
    registry_push.binary(platform = "linux_x64", url = "https://...", sha256 = "...")
    use_repo(registry_push, "registry_push_prebuilt")
    register_toolchains("@registry_push_prebuilt//:all")

Only MODULE.bazel loads this file: module_extension does not exist in Bazel 4.2.3.
Without it, the module's own default toolchain is used: in a release archive the release's prebuilt
binary for the host platform (@registry_push_release), in a checkout registry-push built from source.
"""

load("//bazel/private:prebuilt.bzl", "declare_prebuilt")
load("//bazel/private:release.bzl", "declare_release_toolchains")

_binary = tag_class(
    doc = "One prebuilt registry-push binary for one platform.",
    attrs = {
        "platform": attr.string(mandatory = True, doc = "linux_x64, linux_arm64, macos_x64 or macos_arm64."),
        "sha256": attr.string(mandatory = True, doc = "sha256 (hex) of the binary."),
        "url": attr.string(mandatory = True, doc = "Where to download it (https://, or file:// for a local build)."),
    },
)

def _registry_push_impl(module_ctx):
    # registry_push's own MODULE.bazel registers the release's binaries (none in a checkout).
    declare_release_toolchains()
    urls = {}
    sha256s = {}
    for module in module_ctx.modules:
        for binary in module.tags.binary:
            if binary.platform in urls and urls[binary.platform] != binary.url:
                fail("registry_push.binary: platform %s is given twice (%s and %s)" % (binary.platform, urls[binary.platform], binary.url))
            urls[binary.platform] = binary.url
            sha256s[binary.platform] = binary.sha256
    if not urls:
        return
    declare_prebuilt("registry_push.binary", "registry_push_prebuilt", urls, sha256s)

registry_push = module_extension(
    implementation = _registry_push_impl,
    tag_classes = {"binary": _binary},
    doc = """Declares prebuilt registry-push binaries; creates @registry_push_prebuilt with one toolchain per platform.
Also creates @registry_push_release, the release's own binaries, for registry_push's MODULE.bazel.""",
)
