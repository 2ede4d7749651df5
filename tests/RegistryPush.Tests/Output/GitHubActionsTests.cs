using System.Text.Json.Nodes;
using RegistryPush.Output;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Output;

/// <summary>What a push leaves for GitHub Actions: step summary, step outputs, error annotations.</summary>
public sealed class GitHubActionsTests(RegistryFixture fixture)
{
    [Fact]
    public async Task Under_github_actions_a_push_writes_the_summary_table_and_the_digest_and_reference_outputs()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 4_000);
        var repository = registry.NewRepository("gha");
        var cli = new CliRunner()
            .WithEnvironment("GITHUB_ACTIONS", "true")
            .WithEnvironment("GITHUB_STEP_SUMMARY", temp.Combine("summary.md"))
            .WithEnvironment("GITHUB_OUTPUT", temp.Combine("output.txt"));

        var result = await cli.RunAsync("push", layout.Path, repository, "--tag", "ci");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.ReadAllLines(temp.Combine("output.txt")).ShouldBe([$"digest={manifest.Digest}", $"reference={repository}@{manifest.Digest}"]);
        var summary = File.ReadAllText(temp.Combine("summary.md"));
        summary.ShouldContain("| Repository | Tags | Digest | Uploaded | Already there |");
        summary.ShouldContain($"| `{repository}` | `ci` | `{manifest.Digest}` |");
    }

    [Fact]
    public async Task Under_github_actions_a_failure_becomes_an_error_annotation()
    {
        var cli = new CliRunner().WithEnvironment("GITHUB_ACTIONS", "true");

        var result = await cli.RunAsync("push", "/no/layout", "ghcr.io/owner/app");

        result.ExitCode.ShouldBe(2);
        result.StandardError.ShouldContain("::error title=registry-push::image layout '/no/layout' does not exist");
    }

    [Fact]
    public async Task Outside_github_actions_a_successful_push_writes_no_workflow_files_even_when_their_variables_are_set()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 1_000);
        var cli = new CliRunner()
            .WithEnvironment("GITHUB_OUTPUT", temp.Combine("output.txt"))
            .WithEnvironment("GITHUB_STEP_SUMMARY", temp.Combine("summary.md"));

        var result = await cli.RunAsync("push", layout.Path, fixture.Registry.NewRepository("nogha"), "--tag", "local");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.Exists(temp.Combine("output.txt")).ShouldBeFalse();
        File.Exists(temp.Combine("summary.md")).ShouldBeFalse();
    }

    [Fact]
    public async Task Outside_github_actions_a_failure_has_no_error_annotation()
    {
        var result = await new CliRunner().RunAsync("push", "/no/layout", "ghcr.io/owner/app");

        result.ExitCode.ShouldBe(2);
        result.StandardError.ShouldNotContain("::error");
    }

    [Fact]
    public void Annotation_messages_escape_newlines_and_percent_signs()
    {
        GitHubActions.ErrorAnnotation("100% broken\nsecond").ShouldBe("::error title=registry-push::100%25 broken%0Asecond");
    }

    [Fact]
    public async Task The_json_result_names_reference_digest_tags_and_each_blob_action()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_000, 2_000);
        var repository = registry.NewRepository("json");

        var result = await new CliRunner().RunAsync("push", layout.Path, repository, "--tag", "j", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        var image = JsonNode.Parse(result.StandardOutput)!["images"]![0]!;
        image["reference"]!.GetValue<string>().ShouldBe($"{repository}@{manifest.Digest}");
        image["digest"]!.GetValue<string>().ShouldBe(manifest.Digest.ToString());
        image["tags"]!.AsArray().Select(static tag => tag!.GetValue<string>()).ShouldBe(["j"]);
        image["blobs"]!.AsArray().Count.ShouldBe(3);
        image["blobs"]!.AsArray().ShouldAllBe(blob => blob!["action"]!.GetValue<string>() == "uploaded");
        result.StandardOutput.ShouldContain("\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"", customMessage: "readable, not \\u002B-escaped");
    }
}
