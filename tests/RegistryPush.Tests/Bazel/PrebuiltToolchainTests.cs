using System.Security.Cryptography;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel;

/// <summary>
/// A user's WORKSPACE that takes this repository as an external repository and registers the prebuilt toolchain:
/// a checksum-pinned binary fetched from a URL (here file://, pointing at the binary the default toolchain built).
/// </summary>
[Collection(BazelTestGroup.Name)]
public sealed class PrebuiltToolchainTests(BazelFixture bazel, RegistryFixture registry)
{
    [Fact]
    public async Task A_user_workspace_pushes_with_the_prebuilt_binary_and_a_wrong_checksum_stops_the_build()
    {
        var root = bazel.Root;
        using var temp = new TempDirectory();
        var binary = temp.Combine("registry-push-linux-x64");
        File.Copy(bazel.PusherBinary(), binary);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(binary, TestContext.Current.CancellationToken)));
        var consumer = Directory.CreateDirectory(temp.Combine("consumer")).FullName;
        await ConsumerWorkspace.WriteBuildAsync(consumer);
        await using var workspace = BazelWorkspace.ForTestRun(consumer, "consumer");

        await WriteWorkspaceAsync(consumer, root, binary, new string('0', 64));
        var refused = await workspace.RunAsync("build", [], ["//:app_image_push"]);

        refused.ExitCode.ShouldNotBe(0, refused.ToString());
        refused.StandardError.ShouldContain("Checksum");

        await WriteWorkspaceAsync(consumer, root, binary, sha256);
        var repository = registry.Registry.NewRepository("prebuilt");
        var pushed = await workspace.RunAsync("run", [], ["//:app_image_push"], ["--repository", repository]);

        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        var digest = pushed.LastOutputLine.Split('@')[^1];
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(digest);
    }

    private static Task WriteWorkspaceAsync(string consumer, string registryPushRoot, string binary, string sha256) =>
        File.WriteAllTextAsync(Path.Combine(consumer, "WORKSPACE"), $$"""
            workspace(name = "consumer")

            local_repository(
                name = "registry_push",
                path = "{{registryPushRoot}}",
            )

            load("@registry_push//bazel:repositories.bzl", "registry_push_prebuilt")

            registry_push_prebuilt(
                urls = {"linux_x64": "file://{{binary}}"},
                sha256s = {"linux_x64": "{{sha256}}"},
            )
            """, TestContext.Current.CancellationToken);
}
