using System.Collections;
using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// The NativeAOT <c>registry-push</c> binary that users run, published by scripts/test.sh to artifacts/bin and named
/// by <c>REGISTRY_PUSH_BIN</c>. Tests of process-level behaviour (exit codes, streams, start-up) use it.
/// </summary>
public static class PublishedBinary
{
    /// <summary>The binary's path; skips (locally) or fails (CI) when it was not published.</summary>
    public static string Path
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("REGISTRY_PUSH_BIN");
            TestEnvironment.Require(
                path is not null && File.Exists(path),
                "REGISTRY_PUSH_BIN does not name a published registry-push (scripts/test.sh publishes it to artifacts/bin)");
            return path!;
        }
    }

    /// <summary>
    /// A clean environment for a child process: every variable of the test process removed, then only <c>PATH</c>,
    /// <c>HOME</c> (<paramref name="home"/>, a directory of the test's own) and <paramref name="environment"/>. A
    /// developer's or CI's own logins, tokens and settings (<c>DOCKER_CONFIG</c>, <c>GITHUB_TOKEN</c>, <c>CI</c>,
    /// proxies) never reach it.
    /// </summary>
    public static Dictionary<string, string?> CleanEnvironment(string home, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var clean = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (DictionaryEntry inherited in Environment.GetEnvironmentVariables())
        {
            // CliWrap starts from the parent's environment; a null value removes the variable.
            clean[(string)inherited.Key] = null;
        }

        clean["PATH"] = Environment.GetEnvironmentVariable("PATH");
        clean["HOME"] = home;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            clean[name] = value;
        }

        return clean;
    }

    /// <summary>Runs the binary in a <see cref="CleanEnvironment"/> (with a fresh temporary HOME) plus <paramref name="environment"/>.</summary>
    public static async Task<CliResult> RunAsync(string[] arguments, IReadOnlyDictionary<string, string?>? environment = null, string? standardInput = null)
    {
        using var home = new TempDirectory();
        var command = CliWrap.Cli.Wrap(Path)
            .WithArguments(arguments)
            .WithEnvironmentVariables(CleanEnvironment(home.Path, environment))
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        var result = await command.ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
