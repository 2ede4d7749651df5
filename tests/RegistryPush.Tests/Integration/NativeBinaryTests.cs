using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>The published NativeAOT binary, as users and the Bazel launcher run it.</summary>
public sealed class NativeBinaryTests(RegistryFixture fixture)
{
    [Fact]
    public async Task The_native_binary_prints_its_version()
    {
        var result = await PublishedBinary.RunAsync(["version"]);

        result.ExitCode.ShouldBe(0);
        result.StandardOutput.ShouldStartWith("registry-push ");
    }

    [Fact]
    public async Task The_native_binary_pushes_to_a_real_registry_and_prints_only_the_reference_on_stdout()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 50_000, 2_000);
        var repository = registry.NewRepository("native");

        var result = await PublishedBinary.RunAsync(["push", layout.Path, repository, "--tag", "native"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldBe($"{repository}@{manifest.Digest}\n");
        (await Skopeo.InspectRawAsync($"{repository}:native")).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
    }

    [Fact]
    public async Task The_native_binary_fails_bad_input_with_exit_code_2_one_line_and_no_stack_trace()
    {
        var result = await PublishedBinary.RunAsync(["push", "/definitely/not/a/layout", "ghcr.io/owner/app"]);

        result.ExitCode.ShouldBe(2);
        result.StandardError.Trim().ShouldBe("registry-push: error: image layout '/definitely/not/a/layout' does not exist");
        result.StandardOutput.ShouldBeEmpty();
    }

    [Fact]
    public async Task The_digest_command_prints_the_digest_a_push_produces_without_network()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 100);

        var result = await PublishedBinary.RunAsync(["digest", layout.Path, "--digest-file", temp.Combine("d")]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.Trim().ShouldBe(manifest.Digest.ToString());
        File.ReadAllText(temp.Combine("d")).ShouldBe(manifest.Digest.ToString());
    }

    [Fact]
    public async Task The_binary_runs_in_a_clean_environment_holding_only_path_home_and_what_the_test_passes()
    {
        using var home = new TempDirectory();

        var seen = await CliWrap.Cli.Wrap("env")
            .WithEnvironmentVariables(PublishedBinary.CleanEnvironment(home.Path, new Dictionary<string, string?> { ["REGISTRY_PUSH_TEST"] = "1" }))
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        var names = seen.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(static line => line[..line.IndexOf('=', StringComparison.Ordinal)]);
        names.ShouldBe(["HOME", "PATH", "REGISTRY_PUSH_TEST"], ignoreOrder: true);
        seen.StandardOutput.ShouldContain($"HOME={home.Path}\n");
    }
}
