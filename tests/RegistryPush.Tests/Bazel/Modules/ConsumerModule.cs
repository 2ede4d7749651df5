namespace RegistryPush.Tests.Bazel.Modules;

/// <summary>
/// A user's Bazel module that depends on registry_push the way users do (<c>bazel_dep</c> plus
/// <c>local_path_override</c> at this repository), with images in the shapes rules_oci writes: layer blobs that are
/// relative symlinks out of the layout, a multi-platform index whose index.json has no schemaVersion and no
/// mediaType, and an image with Docker media types.
/// </summary>
public static class ConsumerModule
{
    /// <summary>The image_push targets of the module, by name: each pushes the image target of the same stem.</summary>
    public static readonly string[] Images = ["app", "multi", "docker"];

    /// <summary>A prebuilt pusher for the module to register instead of the from-source default.</summary>
    /// <param name="Url">Where Bazel downloads it (<c>file://</c> here).</param>
    /// <param name="Sha256">The checksum the module pins.</param>
    public sealed record PrebuiltBinary(string Url, string Sha256);

    /// <summary>The override that takes registry_push from this repository's working tree.</summary>
    public static string LocalPathOverride(string registryPushRoot) => $$"""
        local_path_override(
            module_name = "registry_push",
            path = "{{registryPushRoot}}",
        )
        """;

    /// <summary>The override that takes registry_push from a release archive, as users do before it is in a registry.</summary>
    public static string ArchiveOverride(string url, string integrity, string stripPrefix) => $$"""
        archive_override(
            module_name = "registry_push",
            integrity = "{{integrity}}",
            strip_prefix = "{{stripPrefix}}",
            urls = ["{{url}}"],
        )
        """;

    /// <summary>Writes the module into <paramref name="directory"/>, taking registry_push from this repository.</summary>
    /// <param name="directory">An empty directory.</param>
    /// <param name="registryPushRoot">This repository, for <c>local_path_override</c>.</param>
    /// <param name="prebuilt">A prebuilt binary to register, or null for registry_push's default toolchain.</param>
    public static void Write(string directory, string registryPushRoot, PrebuiltBinary? prebuilt = null) =>
        WriteWith(directory, LocalPathOverride(registryPushRoot), "0.1.0", prebuilt);

    /// <summary>Writes the module into <paramref name="directory"/>.</summary>
    /// <param name="directory">An empty directory.</param>
    /// <param name="registryPushOverride">Where registry_push comes from: <see cref="LocalPathOverride"/> or <see cref="ArchiveOverride"/>.</param>
    /// <param name="version">The registry_push version of the <c>bazel_dep</c>.</param>
    /// <param name="prebuilt">A prebuilt binary to register, or null for registry_push's default toolchain.</param>
    public static void WriteWith(string directory, string registryPushOverride, string version, PrebuiltBinary? prebuilt = null)
    {
        var toolchain = prebuilt is null
            ? "# No toolchain registered: registry_push's default (prebuilt in a release, from source in a checkout)."
            : $$"""
                registry_push = use_extension("@registry_push//bazel:extensions.bzl", "registry_push")
                registry_push.binary(
                    platform = "linux_x64",
                    sha256 = "{{prebuilt.Sha256}}",
                    url = "{{prebuilt.Url}}",
                )
                use_repo(registry_push, "registry_push_prebuilt")

                register_toolchains("@registry_push_prebuilt//:all")
                """;
        File.WriteAllText(Path.Combine(directory, "MODULE.bazel"), $$"""
            module(name = "consumer")

            bazel_dep(name = "registry_push", version = "{{version}}")

            {{registryPushOverride}}

            {{toolchain}}
            """);
        File.WriteAllText(Path.Combine(directory, "app.txt"), "a user's program\n");
        File.WriteAllText(Path.Combine(directory, "data.txt"), "a user's data, in a layer of its own\n");
        File.WriteAllText(Path.Combine(directory, "BUILD.bazel"), """
            load("@registry_push//bazel:defs.bzl", "image_push", "image_push_all")
            load("@registry_push//bazel/testing:example_image.bzl", "example_oci_image", "example_oci_index")

            # Layer blobs are relative symlinks to layer files beside the layout (rules_oci's oci_image on Bazel 7).
            example_oci_image(
                name = "app_image",
                entrypoint = ["/bin/cat", "/app/app.txt"],
                layers = ["app.txt", "data.txt"],
            )

            example_oci_image(
                name = "app_arm64_image",
                architecture = "arm64",
                layers = ["app.txt"],
            )

            # Copied blobs; index.json without schemaVersion and mediaType (rules_oci's oci_image_index).
            example_oci_index(
                name = "multi_image",
                images = [":app_image", ":app_arm64_image"],
            )

            # Docker schema 2 media types, as images on Docker-format bases keep.
            example_oci_image(
                name = "docker_image",
                layers = ["app.txt"],
                media_types = "docker",
            )

            # No repository: the prefix flag (--@registry_push//bazel:repository_prefix) or --repository says where.
            image_push(
                name = "app",
                image = ":app_image",
                tags = ["latest", "{BUILD_EMBED_LABEL}"],
            )

            image_push(
                name = "multi",
                image = ":multi_image",
                tags = ["latest"],
            )

            image_push(
                name = "docker",
                image = ":docker_image",
                tags = ["latest"],
            )

            image_push_all(
                name = "push_all",
                pushes = [":app_image_push", ":multi_image_push", ":docker_image_push"],
            )
            """);
    }
}
