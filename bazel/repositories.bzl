"""WORKSPACE API: register the registry-push toolchain (from source, or a prebuilt binary).

    load("@registry_push//bazel:repositories.bzl", "registry_push_register_toolchains")
    registry_push_register_toolchains()

Bzlmod users need none of this: see bazel/extensions.bzl and docs/bazel.md.
"""

load("//bazel/private:prebuilt.bzl", "declare_prebuilt")
load("//bazel/private:release.bzl", "RELEASE_HUB", "declare_release_toolchains")

# A WORKSPACE-only helper that creates no target, so it takes no `name`.
# buildifier: disable=unnamed-macro
def registry_push_register_toolchains():
    """Registers the default toolchains: the release's prebuilt binary for the host, else the from-source build.

    In a release archive, the release's binaries (one per platform, checksum-pinned; no .NET SDK needed) come
    first, and a platform without one fails with a message naming the ways out. In a checkout there are no
    release binaries and registry-push is built from source with the host's .NET SDK.
    """
    declare_release_toolchains()
    native.register_toolchains("@%s//:all" % RELEASE_HUB)
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
    what = "registry_push_prebuilt(name = %s)" % repr(name)
    if not urls:
        fail("%s: give at least one binary (urls = {\"linux_x64\": \"https://...\"})" % what)
    declare_prebuilt(what, name, urls, sha256s)
    if register:
        native.register_toolchains("@%s//:all" % name)
