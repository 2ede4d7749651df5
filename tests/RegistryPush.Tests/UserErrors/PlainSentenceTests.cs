using System.Text.RegularExpressions;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.UserErrors;

/// <summary>
/// The published NativeAOT binary, given input a user can get wrong, answers with one plain sentence naming the file or
/// reference and exit code 2: never a runtime resource key (<c>UnauthorizedAccess_IODenied_Path</c>,
/// <c>net_uri_BadPort</c>, <c>ExpectedStartOfPropertyNotFound</c>), never "internal error".
/// </summary>
public sealed partial class PlainSentenceTests(RegistryFixture fixture)
{
    [Fact]
    public async Task An_unreadable_blob_fails_with_exit_code_2_naming_the_file_before_anything_is_sent()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 2_000, 3_000);
        var locked = layout.LayersOf(manifest)[1].Digest;
        Unprivileged.OpenToEveryone(temp.Path);
        Unprivileged.MakeUnreadable(layout.BlobPath(locked));
        var repository = registry.NewRepository("unreadable");

        var result = await Unprivileged.RunAsync(["push", layout.Path, repository, "--tag", "v1"], temp.Path);

        AssertPlainError(result, 2, layout.BlobPath(locked), "permission denied");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task An_unreadable_index_json_fails_with_exit_code_2_naming_the_file()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);
        Unprivileged.OpenToEveryone(temp.Path);
        var index = Path.Combine(layout.Path, "index.json");
        Unprivileged.MakeUnreadable(index);

        var result = await Unprivileged.RunAsync(["push", layout.Path, "127.0.0.1:1/never/used", "--tag", "v1"], temp.Path);

        AssertPlainError(result, 2, index, "permission denied");
    }

    [Fact]
    public async Task A_directory_where_a_blob_file_belongs_fails_with_exit_code_2_naming_it()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 100);
        var layer = layout.LayersOf(manifest)[0].Digest;
        layout.Delete(layer);
        Directory.CreateDirectory(layout.BlobPath(layer));

        var result = await PublishedBinary.RunAsync(["push", layout.Path, "127.0.0.1:1/never/used", "--tag", "v1"]);

        AssertPlainError(result, 2, layout.BlobPath(layer), "directory");
    }

    [Fact]
    public async Task A_blob_caught_in_a_symlink_loop_fails_with_exit_code_2_naming_the_path()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 100);
        var looped = layout.LayersOf(manifest)[0].Digest;
        var blobs = Path.GetDirectoryName(layout.BlobPath(looped))!;
        layout.Delete(looped);
        File.CreateSymbolicLink(Path.Combine(blobs, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(blobs, "b"), "a");
        File.CreateSymbolicLink(layout.BlobPath(looped), "a");

        var result = await PublishedBinary.RunAsync(["push", layout.Path, "127.0.0.1:1/never/used", "--tag", "v1"]);

        AssertPlainError(result, 2, layout.BlobPath(looped), "symlink loop");
    }

    [Fact]
    public async Task A_malformed_index_json_fails_with_exit_code_2_and_says_what_is_wrong_in_words()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);
        var index = Path.Combine(layout.Path, "index.json");
        File.WriteAllText(index, """{"schemaVersion": 2, "manifests": [""");

        var result = await PublishedBinary.RunAsync(["push", layout.Path, "127.0.0.1:1/never/used", "--tag", "v1"]);

        AssertPlainError(result, 2, index, "not valid JSON", "should be closed");
    }

    [Theory]
    [InlineData("127.0.0.1:99999/app")]
    [InlineData("localhost:0/app")]
    [InlineData("[::1]:65536/app")]
    public async Task A_port_outside_1_to_65535_fails_with_exit_code_2_naming_the_reference(string repository)
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);

        var result = await PublishedBinary.RunAsync(["push", layout.Path, repository, "--tag", "v1"]);

        AssertPlainError(result, 2, $"'{repository}'", "port", "1 to 65535");
    }

    [Theory]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000/app")]
    [InlineData("ghcr.io/", "ghcr.io/app")]
    [InlineData("localhost", "localhost/app")]
    public async Task A_registry_host_without_a_path_is_told_that_a_repository_needs_a_path_after_the_host(string repository, string example)
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);

        var result = await PublishedBinary.RunAsync(["push", layout.Path, repository, "--tag", "v1"]);

        AssertPlainError(result, 2, $"'{repository}'", "needs a path after the host", example);
        result.StandardError.ShouldNotContain($"ghcr.io/{repository}", customMessage: "the old hint put the registry inside a ghcr.io path");
    }

    /// <summary>Exactly one error line with <paramref name="fragments"/>, no resource key, no stack trace, nothing on stdout.</summary>
    internal static void AssertPlainError(CliResult result, int exitCode, params string[] fragments)
    {
        result.ExitCode.ShouldBe(exitCode, result.ToString());
        result.ErrorLines.Count.ShouldBe(1, result.ToString());
        foreach (var fragment in fragments)
        {
            result.ErrorLines[0].ShouldContain(fragment, Case.Insensitive, result.ToString());
        }

        ResourceKeys(result.StandardError).ShouldBeEmpty(result.ToString());
        result.StandardError.ShouldNotContain("internal error", Case.Insensitive);
        result.StandardError.ShouldNotContain("   at ", customMessage: "no stack trace");
        result.StandardOutput.ShouldBeEmpty();
    }

    /// <summary>
    /// Tokens shaped like .NET resource keys: mixed-case words joined by '_' (<c>IO_FileNotFound_FileName</c>,
    /// <c>net_uri_BadPort</c>), or four or more capitalised words run together (<c>ExpectedStartOfPropertyNotFound</c>).
    /// Upper-case names such as <c>GITHUB_TOKEN</c> or <c>BLOB_UNKNOWN</c> are words our messages use on purpose.
    /// </summary>
    internal static IReadOnlyList<string> ResourceKeys(string text) =>
        ResourceKeyPattern().Matches(text).Select(static match => match.Value).ToList();

    [GeneratedRegex(@"\b(?=\w*[a-z])(?=\w*[A-Z])[A-Za-z]+(?:_[A-Za-z]+)+\b|\b[A-Z][a-z]+(?:[A-Z][a-z]+){3,}\b")]
    private static partial Regex ResourceKeyPattern();
}
