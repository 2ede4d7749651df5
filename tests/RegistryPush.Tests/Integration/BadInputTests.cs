using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>Every bad input ends with one clear line, its documented exit code, and no tag in the registry.</summary>
public sealed class BadInputTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task Pushing_a_layout_with_a_missing_blob_fails_with_exit_code_2_and_names_the_digest()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_000, 2_000);
        var missing = layout.LayersOf(manifest)[1].Digest;
        layout.Delete(missing);
        var repository = registry.NewRepository("missing");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "broken");

        AssertOneLineError(result, 2, missing.ToString(), "missing");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Pushing_a_layout_with_a_truncated_blob_fails_with_exit_code_2_before_any_upload()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 5_000);
        var truncated = layout.LayersOf(manifest)[0].Digest;
        layout.Truncate(truncated, 100);
        var repository = registry.NewRepository("truncated");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "broken");

        AssertOneLineError(result, 2, truncated.ToString(), "truncated");
        // The tag's question (a HEAD) may be on its way while the layout is read; nothing else goes out before the
        // layout is found at fault.
        _cli.Requests.ShouldAllBe(static request => request.Method == HttpMethod.Head && request.Uri.AbsolutePath.EndsWith("/manifests/broken", StringComparison.Ordinal), "the layout is checked before anything is sent but the tag's question");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Pushing_a_corrupt_blob_of_the_right_size_fails_naming_the_blob_and_moves_no_existing_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var repository = registry.NewRepository("corrupt");
        var (good, goodManifest) = TestLayout.SingleImage(temp, 3_000);
        (await _cli.RunAsync("push", good.Path, repository, "--tag", "stable")).ExitCode.ShouldBe(0);

        using var temp2 = new TempDirectory();
        var (bad, badManifest) = TestLayout.SingleImage(temp2, 4_000);
        var corrupt = bad.LayersOf(badManifest)[0].Digest;
        bad.Corrupt(corrupt);

        var result = await _cli.RunAsync("push", bad.Path, repository, "--tag", "stable");

        AssertOneLineError(result, 2, corrupt.ToString(), "does not match");
        Digest(await Skopeo.InspectRawAsync($"{repository}:stable")).ShouldBe(goodManifest.Digest.ToString(), "the tag must stay on the good image");
    }

    [Fact]
    public async Task Pushing_a_missing_layout_fails_with_exit_code_2_naming_the_path()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("no-such-layout");

        var result = await _cli.RunAsync("push", path, "127.0.0.1:1/never/used", "--tag", "x");

        AssertOneLineError(result, 2, path, "does not exist");
        _cli.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_uppercase_repository_fails_with_exit_code_2_and_suggests_the_lowercase_name()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);

        var result = await _cli.RunAsync("push", layout.Path, "ghcr.io/Albeorla/Hello_Python", "--tag", "x");

        AssertOneLineError(result, 2, "ghcr.io/albeorla/hello_python", "lowercase");
        _cli.Requests.ShouldBeEmpty("references are validated before any network traffic");
    }

    [Theory]
    [InlineData("-starts-with-dash")]
    [InlineData("has/slash")]
    [InlineData("has space")]
    [InlineData(".dot")]
    public async Task An_invalid_tag_fails_with_exit_code_2_naming_the_tag(string tag)
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);

        var result = await _cli.RunAsync("push", layout.Path, "127.0.0.1:1/x", $"--tag={tag}");

        AssertOneLineError(result, 2, $"'{tag}'", "invalid");
        _cli.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unreachable_registry_fails_with_exit_code_4_naming_the_registry()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);

        var result = await _cli.RunAsync("push", layout.Path, "127.0.0.1:9/nothing-listens", "--tag", "x");

        AssertOneLineError(result, 4, "127.0.0.1:9", "refused");
    }

    [Fact]
    public async Task A_layout_with_several_entries_and_no_ref_fails_listing_the_choices()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        layout.AddIndexEntry(layout.AddImage([10]), "alpha").AddIndexEntry(layout.AddImage([20]), "beta");

        var result = await _cli.RunAsync("push", layout.Path, "127.0.0.1:1/x");

        AssertOneLineError(result, 2, "--ref", "alpha, beta");
    }

    [Fact]
    public async Task An_unknown_flag_fails_with_exit_code_2_and_suggests_the_closest_one()
    {
        var result = await _cli.RunAsync("push", "layout", "127.0.0.1:1/x", "--tga", "v1");

        result.ExitCode.ShouldBe(2);
        result.StandardError.ShouldContain("'--tag'");
        result.StandardOutput.ShouldBeEmpty();
    }

    private static string Digest(byte[] manifest) => RegistryPush.Oci.Digest.Sha256Of(manifest).ToString();

    private static void AssertOneLineError(CliResult result, int exitCode, params string[] fragments)
    {
        result.ExitCode.ShouldBe(exitCode, result.ToString());
        result.ErrorLines.Count.ShouldBe(1, result.ToString());
        foreach (var fragment in fragments)
        {
            result.ErrorLines[0].ShouldContain(fragment, Case.Insensitive);
        }

        result.StandardError.ShouldNotContain("   at ", customMessage: "no stack trace");
        result.StandardOutput.ShouldBeEmpty();
    }
}
