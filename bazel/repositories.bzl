"""WORKSPACE API: register the registry-push toolchain (from source, or a prebuilt binary).

    load("@registry_push//bazel:repositories.bzl", "registry_push_register_toolchains")
    registry_push_register_toolchains()

Bzlmod users need none of this: see bazel/extensions.bzl and docs/bazel.md.
"""

load("//bazel/private:prebuilt.bzl", "check_binaries", "registry_push_binary", "registry_push_toolchains")

# A WORKSPACE-only helper that creates no target, so it takes no `name`.
# buildifier: disable=unnamed-macro
def registry_push_register_toolchains():
    """Registers the default toolchain: registry-push built from source with the host's .NET SDK."""
    native.register_toolchains(str(Label("//bazel/toolchains:from_source")))

def registry_push_prebuilt(name = "registry_push_prebuilt", urls = {}, sha256s = {}, register = True):
    """Declares prebuilt registry-push binaries, one per platform, each pinned by its sha256.

    Creates `@<name>_<platform>` (downloaded only when its toolchain is picked) and `@<name>`, whose
    `:all` holds one toolchain per platform. Call it before registry_push_register_toolchains():
    toolchains registered first win, so the prebuilt binary is used where one fits the host.

    Args:
      name: Name of the hub repository.
      urls: dict platform -> URL of the binary; platforms are linux_x64, linux_arm64, macos_x64,
        macos_arm64. `file://` URLs work for a local build.
      sha256s: dict platform -> sha256 (hex) of that binary.
      register: Also call register_toolchains("@<name>//:all").
    """
    check_binaries("registry_push_prebuilt(name = %s)" % repr(name), urls, sha256s)
    repositories = {}
    for platform in urls:
        repository = "%s_%s" % (name, platform)
        registry_push_binary(
            name = repository,
            urls = [urls[platform]],
            sha256 = sha256s[platform],
        )
        repositories[platform] = repository
    registry_push_toolchains(name = name, binaries = repositories)
    if register:
        native.register_toolchains("@%s//:all" % name)
