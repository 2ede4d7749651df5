using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Releases;

/// <summary>
/// A WORKSPACE user on Bazel 4.2.3 takes the same release archive through <c>http_archive</c>: the default toolchain
/// is the release's binary, downloaded through the downloader config, not a build from source.
/// </summary>
[Collection(BazelTestGroup.Name)]
public sealed class ReleaseWorkspaceTests(LocalReleaseFixture releases, RegistryFixture registry)
{
    [Fact]
    public async Task A_workspace_takes_the_release_archive_with_http_archive_and_pushes_with_the_released_binary()
    {
        var (root, installation) = BazelInstallation.Require(BazelInstallation.Host);
        var release = await releases.GetAsync(root);
        using var temp = new TempDirectory();
        var consumer = Directory.CreateDirectory(temp.Combine("consumer")).FullName;
        await File.WriteAllTextAsync(Path.Combine(consumer, "WORKSPACE"), $$"""
            workspace(name = "consumer")

            load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")

            http_archive(
                name = "registry_push",
                sha256 = "{{release.ArchiveSha256}}",
                strip_prefix = "registry_push-{{LocalRelease.Version}}",
                urls = ["{{LocalRelease.ArchiveUrl}}"],
            )

            load("@registry_push//bazel:repositories.bzl", "registry_push_register_toolchains")

            registry_push_register_toolchains()
            """, TestContext.Current.CancellationToken);
        await ConsumerWorkspace.WriteBuildAsync(consumer);
        await using var workspace = BazelWorkspace.ForTestRun(consumer, "release4", installation);
        var repository = registry.Registry.NewRepository("release4");

        var mark = release.RequestMark();
        var pushed = await workspace.RunAsync(
            "run",
            [$"--experimental_downloader_config={release.DownloaderConfig}", $"--repository_cache={temp.Combine("repository-cache")}"],
            ["//:app_image_push"],
            ["--repository", repository]);

        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        pushed.StandardError.ShouldNotContain("dotnet publish", customMessage: "the release's binary must be used, not a build from source");
        release.RequestsSince(mark).ShouldContain($"GET /{LocalRelease.BinaryName}");
        var digest = pushed.LastOutputLine.Split('@')[^1];
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(digest);
    }
}
