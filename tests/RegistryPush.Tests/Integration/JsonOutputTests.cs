using System.Text.Json.Nodes;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>
/// <c>--json</c> through the published binary: stdout always holds exactly one JSON document, the result of the push
/// (or of the dry run) or, when the run fails, one error object whose message is the error line on stderr.
/// </summary>
public sealed class JsonOutputTests(RegistryFixture fixture)
{
    [Fact]
    public async Task A_dry_run_under_json_lists_the_tags_the_push_would_move_and_moves_none()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 20_000);
        var repository = fixture.Registry.NewRepository("json");

        var result = await PublishedBinary.RunAsync(["push", layout.Path, repository, "--tag", "latest", "--tag", "1.2.3", "--dry-run", "--json"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var report = JsonNode.Parse(result.StandardOutput)!;
        report["dryRun"]!.GetValue<bool>().ShouldBeTrue();
        var image = report["images"]![0]!;
        image["digest"]!.GetValue<string>().ShouldBe(manifest.Digest.ToString());
        image["tags"]!.AsArray().Select(static tag => tag!.GetValue<string>()).ShouldBe(["latest", "1.2.3"]);
        (await TagListStatusAsync(repository)).ShouldBe(404, "a dry run creates nothing, not even the repository");
    }

    [Fact]
    public async Task A_push_under_json_lists_the_tags_it_moved()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 20_000);
        var repository = fixture.Registry.NewRepository("json");

        var result = await PublishedBinary.RunAsync(["push", layout.Path, repository, "--tag", "latest", "--json"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonNode.Parse(result.StandardOutput)!["images"]![0]!["tags"]!.AsArray().Select(static tag => tag!.GetValue<string>()).ShouldBe(["latest"]);
        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["latest"]);
    }

    [Fact]
    public async Task A_bad_layout_under_json_prints_one_error_object_with_exit_code_2()
    {
        var result = await PublishedBinary.RunAsync(["push", "/definitely/not/a/layout", "ghcr.io/owner/app", "--json"]);

        AssertOneErrorObject(result, 2, "image layout '/definitely/not/a/layout' does not exist");
    }

    [Fact]
    public async Task A_bad_command_line_under_json_prints_one_error_object_with_exit_code_2()
    {
        var result = await PublishedBinary.RunAsync(["push", "./layout", "ghcr.io/owner/app", "--json", "--jobs", "abc"]);

        AssertOneErrorObject(result, 2, "--jobs must be a whole number from 1 to 64, got 'abc'");
    }

    [Fact]
    public async Task An_unreachable_registry_under_json_prints_one_error_object_with_exit_code_4()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 1_000);

        var result = await PublishedBinary.RunAsync(["push", layout.Path, "127.0.0.1:1/app", "--tag", "v1", "--json", "--retries", "0"]);

        AssertOneErrorObject(result, 4, null);
    }

    private static void AssertOneErrorObject(CliResult result, int exitCode, string? message)
    {
        result.ExitCode.ShouldBe(exitCode, result.ToString());
        result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(1, result.ToString());
        var error = JsonNode.Parse(result.StandardOutput)!["error"]!;
        error["code"]!.GetValue<int>().ShouldBe(exitCode);
        var line = result.ErrorLines.ShouldHaveSingleItem(result.ToString());
        error["message"]!.GetValue<string>().ShouldBe(line["registry-push: error: ".Length..]);
        if (message is not null)
        {
            error["message"]!.GetValue<string>().ShouldBe(message);
        }
    }

    private static async Task<int> TagListStatusAsync(string repository)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://{repository[..slash]}/v2/{repository[(slash + 1)..]}/tags/list", TestContext.Current.CancellationToken);
        return (int)response.StatusCode;
    }
}
