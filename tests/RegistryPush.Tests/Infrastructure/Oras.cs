using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// oras, the OCI artifact client (another independent implementation), for reading referrers back as users do with
/// <c>oras discover</c>. Taken from PATH, else extracted from Debian's unstable suite into a cache folder outside the
/// repository by scripts/test-env/peers.sh (seconds, once per machine).
/// </summary>
public static class Oras
{
    private static readonly Lazy<Task<(string? Path, string Problem)>> Located = new(LocateAsync);

    /// <summary>Runs oras; fails the test with its stderr when it fails; returns its stdout.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var (path, problem) = await Located.Value;
        TestEnvironment.Require(path is not null, problem);
        var result = await CliWrap.Cli.Wrap(path!)
            .WithArguments(arguments)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["HOME"] = Path.GetTempPath() })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        result.ExitCode.ShouldBe(0, $"oras {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    private static async Task<(string? Path, string Problem)> LocateAsync()
    {
        if (TestEnvironment.HasProgram("oras"))
        {
            return ("oras", string.Empty);
        }

        var script = Bazel.BazelWorkspace.FindRepositoryRoot() is { } root ? System.IO.Path.Combine(root, "scripts", "test-env", "peers.sh") : null;
        if (script is null || !File.Exists(script))
        {
            return (null, "oras is not installed and scripts/test-env/peers.sh was not found");
        }

        var result = await CliWrap.Cli.Wrap("bash").WithArguments([script]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        var directory = result.StandardOutput.Trim();
        var oras = System.IO.Path.Combine(directory, "oras");
        return result.ExitCode == 0 && File.Exists(oras)
            ? (oras, string.Empty)
            : (null, $"oras could not be extracted by scripts/test-env/peers.sh: {result.StandardError.Trim()}");
    }
}
