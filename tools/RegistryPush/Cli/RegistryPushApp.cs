using System.CommandLine;
using System.Text.Json;
using RegistryPush.Output;

namespace RegistryPush.Cli;

/// <summary>
/// The program: parses the command line, runs the command, and turns every failure into one line on stderr and a
/// documented exit code (and, under <c>--json</c>, one error object on stdout). Tests call
/// <see cref="RunAsync(string[], RunContext, CancellationToken)"/> in-process with their own <see cref="RunContext"/>.
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
        var json = WantsJson(parsed);

        // Before anything else, even --help: a secret typed as an argument gets the pointer, never an echo.
        if (SecretArguments.Check(parsed) is { } secret)
        {
            return Fail(context, json, ExitCodes.BadInput, secret);
        }

        if (parsed.Action is not { ClearsParseErrors: true } && ParseFailure.For(parsed) is { } failure)
        {
            return Fail(context, json, ExitCodes.BadInput, failure);
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
            Fail(context, json, exception.ExitCode, exception.Message);
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
            WriteJsonError(context, json, interruption.ExitCode, RunInterruptedException.NoTagMoved);
            return interruption.ExitCode;
        }
        catch (Exception exception)
        {
            // A defect: say so in one line; the type and message are enough to file an issue.
            var message = $"internal error ({exception.GetType().Name}): {PrintableText.Excerpt(exception.Message)}";
            context.Error.WriteLine($"registry-push: {message}");
            WriteJsonError(context, json, ExitCodes.InternalError, message);
            return ExitCodes.InternalError;
        }
    }

    private static int Fail(RunContext context, bool json, int exitCode, ParseFailure failure)
    {
        foreach (var error in failure.Errors)
        {
            context.Error.WriteLine($"registry-push: error: {error}");
        }

        foreach (var hint in failure.Hints)
        {
            context.Error.WriteLine(hint);
        }

        WriteJsonError(context, json, exitCode, failure.Errors.Count > 0 ? failure.Errors[0] : "the command line is not valid");
        return exitCode;
    }

    private static int Fail(RunContext context, bool json, int exitCode, string message)
    {
        context.Error.WriteLine($"registry-push: error: {PrintableText.OneLine(message)}");
        WriteJsonError(context, json, exitCode, message);
        return exitCode;
    }

    private static void WriteJsonError(RunContext context, bool json, int exitCode, string message)
    {
        if (json)
        {
            context.Out.WriteLine(JsonSerializer.Serialize(ErrorReportJson.Of(exitCode, message), CliJsonContext.Readable.ErrorReportJson));
        }
    }

    /// <summary>Whether the run asked for <c>--json</c>, read from the tokens so that it holds even when parsing failed.</summary>
    private static bool WantsJson(ParseResult parsed) =>
        parsed.GetResult(CommandLine.Json) is { Implicit: false } && (parsed.Errors.Count > 0 || parsed.GetValue(CommandLine.Json));
}
