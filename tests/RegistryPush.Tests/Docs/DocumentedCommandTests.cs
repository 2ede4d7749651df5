using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Bazel;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Docs;

/// <summary>
/// The commands the README and docs tell people to run, run as written: the README's demo end to end, and every doc
/// block marked <c>&lt;!-- runnable: local-registry --&gt;</c> against a real registry with the published binary.
/// </summary>
[Collection(BazelTestGroup.Name)]
public sealed partial class DocumentedCommandTests(RegistryFixture fixture, BazelFixture bazel)
{
    private static readonly string Root = BazelWorkspace.FindRepositoryRoot()
        ?? throw new InvalidOperationException("cannot find the repository root from the test's directory");

    public static TheoryData<string, int> RunnableBlocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Append(Path.Combine(Root, "README.md")))
        {
            var count = RunnableBlock().Count(File.ReadAllText(document));
            for (var i = 0; i < count; i++)
            {
                data.Add(Path.GetRelativePath(Root, document), i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RunnableBlocks))]
    public async Task A_documented_local_registry_block_runs_as_written(string document, int index)
    {
        var registry = fixture.Registry;
        var binary = PublishedBinary.Path;
        using var temp = new TempDirectory();
        TestLayout.SingleImage(temp, 20_000, 3_000);
        var script = RunnableBlock().Matches(File.ReadAllText(Path.Combine(Root, document)))[index].Groups[1].Value
            .Replace("127.0.0.1:5000", registry.Host, StringComparison.Ordinal);

        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments(["-euo", "pipefail", "-c", script])
            .WithWorkingDirectory(temp.Path)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["PATH"] = $"{Path.GetDirectoryName(binary)}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(0, $"{document} block {index}:\n{script}\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        result.StandardError.ShouldNotContain("registry-push: error:");
    }

    [Fact]
    public async Task The_readme_demo_pushes_the_example_image_and_prints_its_reference_last()
    {
        _ = bazel.Workspace;
        TestEnvironment.RequireProgram("docker-registry");

        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(Root, "scripts", "demo.sh")])
            .WithWorkingDirectory(Root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(0, $"stdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        var last = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        last.ShouldMatch(@"^127\.0\.0\.1:\d+/hello@sha256:[0-9a-f]{64}$");
        result.StandardError.ShouldContain("\"RepoTags\"", customMessage: "the demo reads the image back with skopeo");
    }

    [GeneratedRegex(@"<!-- runnable: local-registry[^>]*-->\s*```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex RunnableBlock();
}
