using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Bazel;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Docs;

/// <summary>
/// The commands the docs tell people to run, run as written: every doc block marked
/// <c>&lt;!-- runnable: local-registry --&gt;</c> against a real registry with the published binary (the README's demo:
/// <see cref="ReadmeDemoTests"/>).
/// </summary>
public sealed partial class DocumentedCommandTests(RegistryFixture fixture)
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
        var (_, manifest) = TestLayout.SingleImage(temp, 20_000, 3_000);
        var block = RunnableBlock().Matches(File.ReadAllText(Path.Combine(Root, document)))[index];
        var script = block.Groups[1].Value.Replace("127.0.0.1:5000", registry.Host, StringComparison.Ordinal);

        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments(["-euo", "pipefail", "-c", script])
            .WithWorkingDirectory(temp.Path)
            .WithEnvironmentVariables(PublishedBinary.CleanEnvironment(temp.Path, new Dictionary<string, string?>
            {
                ["PATH"] = $"{Path.GetDirectoryName(binary)}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}",
            }))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(0, $"{document} block {index}:\n{script}\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        result.StandardError.ShouldNotContain("registry-push: error:");

        // A block whose marker says "last line REPOSITORY@DIGEST" promises that output: the image's real digest.
        if (block.Groups["promise"].Success)
        {
            var lastLine = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            var promised = block.Groups["promise"].Value.Replace("127.0.0.1:5000", registry.Host, StringComparison.Ordinal);
            lastLine.ShouldBe($"{promised}@{manifest.Digest}", $"{document} block {index} promises its last line");
        }
    }

    [GeneratedRegex(@"<!-- runnable: local-registry(?:, last line (?<promise>\S+)@DIGEST)?[^>]*-->\s*```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex RunnableBlock();
}
