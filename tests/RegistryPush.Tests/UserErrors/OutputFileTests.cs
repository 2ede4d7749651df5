using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.UserErrors;

/// <summary>
/// Every file a push writes (<c>--digest-file</c>, the GitHub Actions step files) is checked before anything moves:
/// one that cannot be written fails the run with exit code 2 before the registry is contacted, and no tag moves.
/// </summary>
public sealed class OutputFileTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task A_digest_file_that_cannot_be_written_fails_with_exit_code_2_before_any_request_and_moves_no_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 2_000);
        var repository = registry.NewRepository("digest-file");
        File.WriteAllText(temp.Combine("not-a-directory"), "a file where the digest file's directory should be");
        var digestFile = temp.Combine("not-a-directory", "digest");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1", "--digest-file", digestFile);

        PlainSentenceTests.AssertPlainError(result, 2, digestFile);
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty("an unwritable output moves no tag");
        _cli.Requests.ShouldBeEmpty("outputs are checked before the registry is contacted");
        result.ErrorLines[0].ShouldContain("is a file, not a directory");
    }

    [Fact]
    public async Task A_digest_file_that_is_a_directory_fails_with_exit_code_2_before_any_request()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 2_000);
        var digestFile = temp.Combine("digest");
        Directory.CreateDirectory(digestFile);

        var result = await _cli.RunAsync("push", layout.Path, "127.0.0.1:1/never/used", "--tag", "v1", "--digest-file", digestFile);

        PlainSentenceTests.AssertPlainError(result, 2, digestFile, "is a directory");
        _cli.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A_GitHub_output_file_that_cannot_be_written_fails_with_exit_code_2_and_moves_no_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 2_000);
        var repository = registry.NewRepository("gh-output");
        var output = temp.Combine("output-is-a-directory");
        Directory.CreateDirectory(output);
        _cli.WithEnvironment("GITHUB_ACTIONS", "true").WithEnvironment("GITHUB_OUTPUT", output);

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain(output);
        result.ErrorLines[0].ShouldContain("GITHUB_OUTPUT");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
        _cli.Requests.ShouldBeEmpty();
    }
}
