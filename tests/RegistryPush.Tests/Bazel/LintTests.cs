using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel;

/// <summary>Starlark style: buildifier (from npm's @bazel/buildifier) accepts every BUILD, WORKSPACE, MODULE.bazel and .bzl file.</summary>
public sealed class LintTests
{
    [Fact]
    public async Task Every_Starlark_file_passes_buildifier_formatting_and_lint_checks()
    {
        var root = BazelWorkspace.FindRepositoryRoot();
        TestEnvironment.Require(root is not null, "cannot find the repository root (MODULE.bazel) above the test assembly");
        TestEnvironment.RequireProgram("npm");

        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(root!, "tests", "bazel", "lint.sh")])
            .WithWorkingDirectory(root!)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(0, $"tests/bazel/lint.sh:\n{result.StandardOutput}\n{result.StandardError}");
    }
}
