using System.Security.Cryptography;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Modules;

/// <summary>
/// A consumer module on Bazel 7.7.1 that registers the prebuilt toolchain (<c>registry_push.binary</c>: a
/// checksum-pinned binary from a URL, here a <c>file://</c> copy of the published pusher) instead of building from
/// source.
/// </summary>
[Collection(Bazel7TestGroup.Name)]
public sealed class PrebuiltToolchainModuleTests(RegistryFixture registry)
{
    [Fact]
    public async Task A_module_with_the_prebuilt_binary_pushes_and_a_wrong_checksum_stops_the_build()
    {
        var (root, installation) = BazelInstallation.Require(BazelInstallation.Sid);
        using var temp = new TempDirectory();
        var binary = temp.Combine("registry-push-linux-x64");
        File.Copy(PublishedBinary.Path, binary);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(binary, TestContext.Current.CancellationToken)));
        var module = Directory.CreateDirectory(temp.Combine("consumer")).FullName;
        await using var workspace = BazelWorkspace.ForTestRun(module, "prebuilt7", installation);

        ConsumerModule.Write(module, root, new ConsumerModule.PrebuiltBinary($"file://{binary}", new string('0', 64)));
        var refused = await workspace.RunAsync("build", [], ["//:app_image_push"]);

        refused.ExitCode.ShouldNotBe(0, refused.ToString());
        refused.StandardError.ShouldContain("Checksum");
        refused.StandardError.ShouldContain(binary);

        ConsumerModule.Write(module, root, new ConsumerModule.PrebuiltBinary($"file://{binary}", sha256));
        var repository = registry.Registry.NewRepository("prebuilt7");
        var pushed = await workspace.RunAsync("run", [], ["//:app_image_push"], ["--repository", repository, "--tag", "v1"]);

        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        pushed.StandardError.ShouldNotContain("dotnet publish", customMessage: "the prebuilt toolchain must not build the pusher");
        var digest = pushed.LastOutputLine.Split('@')[^1];
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(digest);
    }
}
