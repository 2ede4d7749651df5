using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Bazel.Modules;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Releases;

/// <summary>
/// A user's module on Bazel 7.7.1, on a machine without the .NET SDK, that takes registry_push from a release archive
/// (<c>archive_override</c> with its integrity): the default toolchain is then the release's binary for the host,
/// downloaded by Bazel and checked against the checksum the archive pins.
/// </summary>
[Collection(Bazel7TestGroup.Name)]
public sealed class ReleaseModuleTests(LocalReleaseFixture releases, RegistryFixture registry)
{
    [Fact]
    public async Task A_module_on_a_machine_without_dotnet_pushes_with_the_released_binary()
    {
        using var temp = new TempDirectory();
        var (installation, release) = await ArchiveConsumerAsync(temp);
        var module = temp.Combine("consumer");
        await using var workspace = BazelWorkspace.ForTestRun(module, "release7", installation);
        var repository = registry.Registry.NewRepository("release7");

        var noDotnet = await CliWrap.Cli.Wrap(installation.Program)
            .WithArguments([installation.PrefixArguments[0], "run", "sh", "-c", "command -v dotnet || test -e /usr/share/dotnet/dotnet"])
            .WithEnvironmentVariables(installation.Environment)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        noDotnet.ExitCode.ShouldNotBe(0, $"the chroot must have no dotnet for this test: {noDotnet.StandardOutput}");

        var mark = release.RequestMark();
        var pushed = await workspace.RunAsync(
            "run",
            [$"--experimental_downloader_config={release.DownloaderConfig}", $"--repository_cache={temp.Combine("repository-cache")}"],
            ["//:app_image_push"],
            ["--repository", repository, "--tag", "v1"]);

        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        release.RequestsSince(mark).ShouldContain($"GET /{LocalRelease.BinaryName}", customMessage: "Bazel must download the released binary");
        release.RequestsSince(mark).ShouldContain($"GET /{LocalRelease.ArchiveName}");
        var digest = pushed.LastOutputLine.Split('@')[^1];
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(digest);
    }

    [Fact]
    public async Task A_released_binary_whose_bytes_do_not_match_the_pinned_checksum_is_refused_naming_the_file()
    {
        using var temp = new TempDirectory();
        var (installation, release) = await ArchiveConsumerAsync(temp);
        var module = temp.Combine("consumer");
        await using var workspace = BazelWorkspace.ForTestRun(module, "tampered7", installation);

        var refused = await workspace.RunAsync(
            "build",
            [$"--experimental_downloader_config={release.TamperedDownloaderConfig}", $"--repository_cache={temp.Combine("repository-cache")}"],
            ["//:app_image_push"]);

        refused.ExitCode.ShouldNotBe(0, refused.ToString());
        refused.StandardError.ShouldContain("Checksum", customMessage: refused.ToString());
        refused.StandardError.ShouldContain(LocalRelease.BinaryName, customMessage: refused.ToString());
    }

    [Fact]
    public async Task A_machine_without_a_released_binary_is_told_both_ways_out()
    {
        using var temp = new TempDirectory();
        var (installation, release) = await ArchiveConsumerAsync(temp);
        var module = temp.Combine("consumer");
        // An execution platform the release has no binary for (the test release has linux-x64 only).
        await File.AppendAllTextAsync(Path.Combine(module, "MODULE.bazel"), "\nbazel_dep(name = \"platforms\", version = \"0.0.10\")\n", TestContext.Current.CancellationToken);
        await File.AppendAllTextAsync(Path.Combine(module, "BUILD.bazel"), """

            platform(
                name = "linux_arm64_host",
                constraint_values = ["@platforms//os:linux", "@platforms//cpu:aarch64"],
            )
            """, TestContext.Current.CancellationToken);
        await using var workspace = BazelWorkspace.ForTestRun(module, "unsupported7", installation);

        var refused = await workspace.RunAsync(
            "build",
            [$"--experimental_downloader_config={release.DownloaderConfig}", "--extra_execution_platforms=//:linux_arm64_host"],
            ["//:app_image_push"]);

        refused.ExitCode.ShouldNotBe(0, refused.ToString());
        refused.StandardError.ShouldContain($"registry_push {LocalRelease.Version} has no prebuilt registry-push for this machine", customMessage: refused.ToString());
        refused.StandardError.ShouldContain("@registry_push//bazel/toolchains:from_source");
        refused.StandardError.ShouldContain("registry_push.binary(");
    }

    /// <summary>
    /// Bazel 7.7.1 without .NET, the test release, and a consumer module in <c>TEMP/consumer</c> that takes
    /// registry_push from the release archive.
    /// </summary>
    private async Task<(BazelInstallation Installation, LocalRelease Release)> ArchiveConsumerAsync(TempDirectory temp)
    {
        var (root, installation) = BazelInstallation.Require(repository => BazelInstallation.Sid(repository, withDotnet: false));
        var release = await releases.GetAsync(root);
        var module = Directory.CreateDirectory(temp.Combine("consumer")).FullName;
        ConsumerModule.WriteWith(
            module,
            ConsumerModule.ArchiveOverride(LocalRelease.ArchiveUrl, release.ArchiveIntegrity, $"registry_push-{LocalRelease.Version}"),
            LocalRelease.Version);
        return (installation, release);
    }
}
