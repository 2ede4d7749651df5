"""Repository rules for the prebuilt registry-push toolchain: one checksum-pinned binary per platform.

Shared by the WORKSPACE macro (bazel/repositories.bzl) and the bzlmod extension
(bazel/extensions.bzl). A hub repository declares one toolchain() per platform; only the one that
toolchain resolution picks for the exec platform is downloaded.
"""

# Exec-platform constraints of each platform key a binary can be given for.
PLATFORMS = {
    "linux_arm64": ["@platforms//os:linux", "@platforms//cpu:aarch64"],
    "linux_x64": ["@platforms//os:linux", "@platforms//cpu:x86_64"],
    "macos_arm64": ["@platforms//os:macos", "@platforms//cpu:aarch64"],
    "macos_x64": ["@platforms//os:macos", "@platforms//cpu:x86_64"],
}

def _canonical(label):
    """A label string that means this repository from any other repository, in Bazel 4 through 8."""
    text = str(label)
    if text.startswith("//"):
        return "@" + text
    return text

def _check_binaries(what, urls, sha256s):
    """Fails unless every platform has a URL and a sha256, and every platform key is known."""
    for platform in urls:
        if platform not in PLATFORMS:
            fail("%s: unknown platform %s; use one of %s" % (what, repr(platform), ", ".join(sorted(PLATFORMS.keys()))))
        sha256 = sha256s.get(platform, "")
        if len(sha256) != 64 or sha256.lower() != sha256 or sha256.strip("0123456789abcdef"):
            fail("%s: %s needs its sha256 (64 lowercase hex digits) in sha256s; got %s" % (what, platform, repr(sha256)))
    for platform in sha256s:
        if platform not in urls:
            fail("%s: sha256s names %s, which has no URL in urls" % (what, repr(platform)))

def _binary_repository_impl(rctx):
    rctx.download(
        url = rctx.attr.urls,
        output = "registry-push",
        sha256 = rctx.attr.sha256,
        executable = True,
    )
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("BUILD.bazel", """\
load("{defs}", "registry_push_toolchain")

package(default_visibility = ["//visibility:public"])

exports_files(["registry-push"])

registry_push_toolchain(
    name = "toolchain_impl",
    registry_push = ":registry-push",
)
""".format(defs = _canonical(Label("//bazel:defs.bzl"))))

registry_push_binary = repository_rule(
    implementation = _binary_repository_impl,
    doc = "Downloads one registry-push binary, checked against its sha256, and declares its toolchain implementation.",
    attrs = {
        "sha256": attr.string(mandatory = True, doc = "sha256 of the binary (hex)."),
        "urls": attr.string_list(mandatory = True, doc = "Where to download it; mirrors tried in order."),
    },
)

def _toolchains_repository_impl(rctx):
    toolchains = []
    for platform in sorted(rctx.attr.binaries.keys()):
        toolchains.append("""\
toolchain(
    name = "{platform}",
    exec_compatible_with = {constraints},
    toolchain = "@{repository}//:toolchain_impl",
    toolchain_type = "{toolchain_type}",
)
""".format(
            constraints = repr(PLATFORMS[platform]),
            platform = platform,
            repository = rctx.attr.binaries[platform],
            toolchain_type = _canonical(Label("//bazel:toolchain_type")),
        ))
    if rctx.attr.unsupported_message:
        # Last, for any other exec platform: resolving to it fails the build with a message that names the ways out,
        # instead of Bazel's "no matching toolchains" or a from-source build that needs an SDK nobody installed.
        toolchains.append("""\
registry_push_unsupported_toolchain(
    name = "unsupported_impl",
    message = {message},
)

toolchain(
    name = "unsupported",
    toolchain = ":unsupported_impl",
    toolchain_type = "{toolchain_type}",
)
""".format(
            message = repr(rctx.attr.unsupported_message),
            toolchain_type = _canonical(Label("//bazel:toolchain_type")),
        ))
    rctx.file("WORKSPACE", "workspace(name = \"%s\")\n" % rctx.name)
    rctx.file("BUILD.bazel", "\n".join([
        "# Prebuilt registry-push toolchains; register with register_toolchains(\"@%s//:all\")." % rctx.name,
        "",
        "load(\"%s\", \"registry_push_unsupported_toolchain\")" % _canonical(Label("//bazel/private:toolchain.bzl")),
        "",
    ] + toolchains))

registry_push_toolchains = repository_rule(
    implementation = _toolchains_repository_impl,
    doc = "Hub repository: one toolchain() per platform, each pointing at its registry_push_binary repository.",
    attrs = {
        "binaries": attr.string_dict(mandatory = True, doc = "Platform key -> name of its registry_push_binary repository."),
        "unsupported_message": attr.string(doc = "If set, a last toolchain for every other platform fails with this message."),
    },
)

def declare_prebuilt(what, name, urls, sha256s, unsupported_message = ""):
    """Checks the binaries, then declares `@<name>_<platform>` per binary and the hub `@<name>`.

    The one definition behind the WORKSPACE macro, the bzlmod extension and the release's own binaries.

    Args:
      what: who is declaring them, for messages (e.g. the macro call or the extension tag).
      name: Name of the hub repository; the binaries' repositories are `<name>_<platform>`.
      urls: dict platform -> URL of the binary (https://, or file:// for a local build).
      sha256s: dict platform -> sha256 (64 lowercase hex digits) of that binary.
      unsupported_message: If set, the hub ends with a toolchain for any other platform that fails with it.
    """
    _check_binaries(what, urls, sha256s)
    repositories = {}
    for platform in sorted(urls.keys()):
        repository = "%s_%s" % (name, platform)
        registry_push_binary(name = repository, urls = [urls[platform]], sha256 = sha256s[platform])
        repositories[platform] = repository
    registry_push_toolchains(name = name, binaries = repositories, unsupported_message = unsupported_message)
