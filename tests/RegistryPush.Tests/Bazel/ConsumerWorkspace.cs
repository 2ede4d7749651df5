namespace RegistryPush.Tests.Bazel;

/// <summary>The BUILD side of a user's WORKSPACE-mode repository (Bazel 4.2.3): one small image and its push target.</summary>
public static class ConsumerWorkspace
{
    /// <summary>Writes <c>layer.txt</c> and a BUILD.bazel with <c>//:app_image_push</c> (tag <c>v1</c>) into <paramref name="directory"/>.</summary>
    public static async Task WriteBuildAsync(string directory)
    {
        await File.WriteAllTextAsync(Path.Combine(directory, "layer.txt"), "a user's file\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "BUILD.bazel"), """
            load("@registry_push//bazel:defs.bzl", "image_push")
            load("@registry_push//bazel/testing:example_image.bzl", "example_oci_image")

            example_oci_image(
                name = "app_image",
                layers = ["layer.txt"],
            )

            image_push(
                name = "app",
                image = ":app_image",
                repository = "127.0.0.1:1/placeholder",
                tags = ["v1"],
            )
            """, TestContext.Current.CancellationToken);
    }
}
