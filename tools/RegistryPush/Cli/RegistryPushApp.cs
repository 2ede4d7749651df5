using System.CommandLine;
using System.CommandLine.Parsing;

namespace RegistryPush.Cli;

/// <summary>
/// The program: parses the command line, runs the command, and turns every failure into one line on stderr and a
/// documented exit code. Tests call <see cref="RunAsync(string[], RunContext, CancellationToken)"/> in-process with their own <see cref="RunContext"/>.
/// </summary>
public static class RegistryPushApp
{
    /// <summary>Runs registry-push with <paramref name="args"/>; returns the process exit code.</summary>
    /// <remarks>Cancelling <paramref name="cancellationToken"/> interrupts the run as Ctrl-C does.</remarks>
    public static async Task<int> RunAsync(string[] args, RunContext context, CancellationToken cancellationToken = default)
    {
        using var interruption = Interruption.From(cancellationToken);
        return await RunAsync(args, context, interruption).ConfigureAwait(false);
    }

    /// <summary>Runs registry-push with <paramref name="args"/>, stopped by <paramref name="interruption"/>; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, RunContext context, Interruption interruption)
    {
        var root = CommandLine.Build(context);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && parsed.Action is not { ClearsParseErrors: true })
        {
            ReportParseErrors(parsed, context.Error);
            return ExitCodes.BadInput;
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,

                // Signals are the Interruption's: System.CommandLine's own handler would turn them into an unexplained
                // cancellation (an "internal error") or, after its timeout, end the run without a word.
                ProcessTerminationTimeout = null,
            }, interruption.Token).ConfigureAwait(false);
        }
        catch (RegistryPushException exception)
        {
            context.Error.WriteLine($"registry-push: error: {exception.Message}");
            if (new Output.GitHubActions(context.GetEnvironmentVariable).IsActive)
            {
                context.Error.WriteLine(Output.GitHubActions.ErrorAnnotation(exception.Message));
            }

            return exception is RunInterruptedException ? interruption.ExitCode : exception.ExitCode;
        }
        catch (OperationCanceledException) when (interruption.Token.IsCancellationRequested)
        {
            // Commands other than push (auth check, digest) move no tag either.
            context.Error.WriteLine($"registry-push: error: {RunInterruptedException.NoTagMoved}");
            return interruption.ExitCode;
        }
        catch (Exception exception)
        {
            // A defect: say so in one line; the type and message are enough to file an issue.
            context.Error.WriteLine($"registry-push: internal error ({exception.GetType().Name}): {Registry.RegistryResponseError.Sanitize(exception.Message)}");
            return ExitCodes.InternalError;
        }
    }

    private static void ReportParseErrors(ParseResult parsed, TextWriter error)
    {
        var command = parsed.CommandResult.Command;
        foreach (var parseError in parsed.Errors)
        {
            error.WriteLine($"registry-push: error: {parseError.Message}");
        }

        foreach (var token in parsed.UnmatchedTokens)
        {
            var candidates = token.StartsWith('-')
                ? command.Options.SelectMany(static option => option.Aliases.Prepend(option.Name))
                : command.Subcommands.Select(static subcommand => subcommand.Name);
            if (Suggestions.Closest(token, candidates) is { } suggestion)
            {
                error.WriteLine($"registry-push: did you mean '{suggestion}' instead of '{token}'?");
            }
        }

        var path = string.Join(' ', CommandPath(parsed.CommandResult));
        error.WriteLine($"Run '{path} --help' for usage.");
    }

    private static Stack<string> CommandPath(SymbolResult? result)
    {
        var names = new Stack<string>();
        for (var current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult commandResult)
            {
                names.Push(commandResult.Command is RootCommand ? "registry-push" : commandResult.Command.Name);
            }
        }

        return names;
    }
}
