using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// Runs the published binary with extra host names resolving to 127.0.0.1, as /etc/hosts entries would, without
/// touching the machine's /etc/hosts: a private mount namespace (<c>unshare -m</c>, root) binds a copy over it for
/// that one process. How a test reaches a local HTTPS registry under a real-looking name (loopback addresses get
/// plain HTTP), so that certificate verification runs exactly as it does against a remote registry.
/// </summary>
public static class PrivateHostNames
{
    private static readonly Lazy<bool> Available = new(static () =>
    {
        try
        {
            return CliWrap.Cli.Wrap("unshare").WithArguments(["-m", "true"]).WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync().GetAwaiter().GetResult().ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    /// <summary>
    /// Runs the published binary with <paramref name="names"/> resolving to 127.0.0.1 and only <paramref name="environment"/>
    /// added, under <paramref name="wrapper"/> (a command line the binary's is appended to, e.g. strace) when given.
    /// </summary>
    public static async Task<CliResult> RunPublishedBinaryAsync(TempDirectory temp, IEnumerable<string> names, string[] arguments, IReadOnlyDictionary<string, string?> environment, string[]? wrapper = null)
    {
        var binary = PublishedBinary.Path;
        TestEnvironment.Require(Available.Value, "'unshare -m' is not permitted here (a private mount namespace needs root); it maps test host names to 127.0.0.1");
        var hosts = temp.Combine("hosts");
        await File.WriteAllTextAsync(hosts, string.Concat(names.Select(static name => $"127.0.0.1 {name}\n")) + await File.ReadAllTextAsync("/etc/hosts"));
        var result = await CliWrap.Cli.Wrap("unshare")
            .WithArguments(["-m", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"", hosts, .. wrapper ?? [], binary, .. arguments])
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
