using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.UserErrors;

/// <summary>
/// A dry run refuses what the push would refuse: every blob it would upload is hashed, as the registry would check it.
/// </summary>
public sealed class DryRunTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Theory]
    [InlineData("--dry-run")]
    [InlineData("--dry-run", "--verify")]
    public async Task A_dry_run_of_a_layout_with_a_corrupt_config_fails_with_exit_code_2_as_the_push_does(params string[] flags)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 2_000);
        var config = ConfigOf(layout, manifest);
        layout.Corrupt(config);
        var repository = registry.NewRepository("dry-corrupt");

        var dryRun = await _cli.RunAsync(["push", layout.Path, repository, "--tag", "v1", .. flags]);
        var push = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1");

        push.ExitCode.ShouldBe(2, push.ToString());
        dryRun.ExitCode.ShouldBe(2, dryRun.ToString());
        dryRun.ErrorLines.ShouldHaveSingleItem().ShouldContain(config.ToString());
        dryRun.ErrorLines[0].ShouldContain("does not match its digest");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_dry_run_sends_nothing_and_still_succeeds_on_a_sound_layout()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 300_000, 2_000);
        var repository = registry.NewRepository("dry-sound");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1", "--dry-run");

        result.ExitCode.ShouldBe(0, result.ToString());
        _cli.Requests.ShouldNotContain(static request => request.Method != HttpMethod.Get && request.Method != HttpMethod.Head);
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    private static Digest ConfigOf(TestLayout layout, Descriptor manifest) =>
        Digest.Parse(JsonNode.Parse(File.ReadAllBytes(layout.BlobPath(manifest.Digest)))!["config"]!["digest"]!.GetValue<string>(), "test");
}
