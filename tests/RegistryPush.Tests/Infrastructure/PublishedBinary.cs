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

    /// <summary>Runs the binary with a clean environment plus <paramref name="environment"/>.</summary>
    public static async Task<CliResult> RunAsync(string[] arguments, IReadOnlyDictionary<string, string?>? environment = null, string? standardInput = null)
    {
        var command = CliWrap.Cli.Wrap(Path)
            .WithArguments(arguments)
            .WithEnvironmentVariables(environment ?? new Dictionary<string, string?>())
            .WithValidation(CommandResultValidation.None);
        if (standardInput is not null)
        {
            command = command.WithStandardInputPipe(PipeSource.FromString(standardInput));
        }

        var result = await command.ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
