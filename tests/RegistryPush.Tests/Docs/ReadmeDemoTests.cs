using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Bazel;
using RegistryPush.Tests.Bazel.Modules;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Docs;

/// <summary>The README's main job, <c>scripts/demo.sh</c>, run as written: Bazel 7.7.1 pushing the hello_python example.</summary>
[Collection(Bazel7TestGroup.Name)]
public sealed class ReadmeDemoTests
{
    [Fact]
    public async Task The_readme_demo_pushes_the_python_example_quietly_and_prints_its_reference_last()
    {
        var (root, _) = BazelInstallation.Require(BazelInstallation.Sid);
        TestEnvironment.RequireProgram("docker-registry");

        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(root, "scripts", "demo.sh")])
            .WithWorkingDirectory(root)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        var output = $"stdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}";
        result.ExitCode.ShouldBe(0, output);
        var last = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        last.ShouldMatch(@"^127\.0\.0\.1:\d+/owner/hello_python@sha256:[0-9a-f]{64}$");
        result.StandardError.ShouldContain("back with the same digest", customMessage: "the demo reads the image back with skopeo");
        // Bazel's progress and the push, nothing else: no sandbox debug lines (Debian's bazelrc turns them on),
        // no warnings from Debian's rule sets.
        result.StandardError.ShouldNotContain("linux-sandbox", customMessage: output);
        result.StandardError.ShouldNotContain("process-wrapper", customMessage: output);
        result.StandardError.ShouldNotContain("SyntaxWarning", customMessage: output);
    }
}
