using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// Runs a command on a pseudo-terminal with util-linux <c>script</c>, as a person at a terminal runs it, and returns
/// every byte the terminal received (stdout and stderr both go to the terminal).
/// </summary>
public static class Pseudoterminal
{
    /// <summary>The terminal type the runs use: one whose terminfo entry has a keypad-transmit sequence.</summary>
    public const string TerminalType = "xterm-256color";

    /// <summary>Runs <paramref name="arguments"/> under a terminal with <paramref name="environment"/> added.</summary>
    public static async Task<(int ExitCode, string Terminal)> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        TestEnvironment.RequireProgram("script");
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal) { ["TERM"] = TerminalType };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        // script -q: no start/end banner; -e: its exit code is the command's; -c: run this shell command line.
        var commandLine = string.Join(' ', arguments.Select(static argument => $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        var result = await CliWrap.Cli.Wrap("script")
            .WithArguments(["-qec", commandLine, "/dev/null"])
            .WithEnvironmentVariables(variables)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return (result.ExitCode, result.StandardOutput);
    }
}
