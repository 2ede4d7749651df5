using System.CommandLine;
using System.CommandLine.Parsing;

namespace RegistryPush.Cli;

/// <summary>
/// What to print when the command line does not parse. People type secrets into command lines (<c>-p TOKEN</c>, as
/// <c>docker login -p</c> allows, or a token pasted in the wrong place), so nothing here echoes a token that could be
/// a value: an unknown option is named (never what follows it or what follows its <c>=</c>), an unexpected positional
/// argument is counted, not shown, and a mistyped command is shown only when it is close to a real one. Arguments
/// that are recognisably secrets are refused before parsing errors, by <see cref="SecretArguments"/>.
/// </summary>
internal sealed class ParseFailure
{
    private ParseFailure(IReadOnlyList<string> errors, IReadOnlyList<string> hints)
    {
        Errors = errors;
        Hints = hints;
    }

    /// <summary>The error sentences (the first one is the headline, e.g. of the <c>--json</c> error object).</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>Lines after the errors: "did you mean", and where to find the usage.</summary>
    public IReadOnlyList<string> Hints { get; }

    /// <summary>A failure of one error sentence, followed by where to find the usage.</summary>
    public static ParseFailure Of(string error, ParseResult parsed) => new([error], [UsageHint(parsed)]);

    /// <summary>The failure for the errors and unmatched tokens of <paramref name="parsed"/>, or null when it parsed.</summary>
    public static ParseFailure? For(ParseResult parsed)
    {
        var commandResult = parsed.CommandResult;
        var command = commandResult.Command;
        var missingCommand = command.Action is null && command.Subcommands.Count > 0;
        if (parsed.Errors.Count == 0 && parsed.UnmatchedTokens.Count == 0 && !missingCommand)
        {
            return null;
        }

        var errors = new List<string>();
        var hints = new List<string>();
        var positionals = parsed.UnmatchedTokens.Where(static token => !IsOptionLike(token)).ToList();
        if (missingCommand && positionals.Count > 0)
        {
            // A mistyped command: what follows it belongs to the command it was meant to be, so only the word itself
            // is reported, and shown only when it is close to a real command.
            var commands = command.Subcommands.Select(static c => c.Name).ToList();
            if (Suggestions.Closest(positionals[0], commands) is { } suggestion)
            {
                var typed = PrintableText.OneLine(positionals[0]);
                errors.Add($"unknown command '{typed}'");
                hints.Add($"registry-push: did you mean '{suggestion}' instead of '{typed}'?");
            }
            else
            {
                errors.Add($"unknown command (not shown, in case it is a secret); the commands are {string.Join(", ", commands)}");
            }

            return new ParseFailure(errors, [.. hints, UsageHint(parsed)]);
        }

        foreach (var token in parsed.UnmatchedTokens.Where(IsOptionLike))
        {
            DescribeUnknownOption(token, command, errors, hints);
        }

        var unexpected = positionals.Count - ValuesOfUnknownOptions(parsed);
        if (unexpected > 0)
        {
            errors.Add($"{unexpected} unexpected argument{(unexpected == 1 ? string.Empty : "s")} (not shown, in case one is a secret): '{CommandPath(commandResult)}' takes {Takes(command)}");
        }

        foreach (var error in parsed.Errors)
        {
            // Errors of the command itself are left out: "Unrecognized command or argument 'TOKEN'" for each unmatched
            // token (reported above without echoing it), and "Required command was not provided." (said below in
            // words that name the choices, or not at all when a mistyped command was reported).
            if (error.SymbolResult is not CommandResult)
            {
                errors.Add(PrintableText.OneLine(error.Message));
            }
        }

        if (missingCommand)
        {
            errors.Add($"'{CommandPath(commandResult)}' needs a command: {string.Join(", ", command.Subcommands.Select(static c => c.Name))}");
        }

        hints.Add(UsageHint(parsed));
        return new ParseFailure(errors, hints);
    }

    private static void DescribeUnknownOption(string token, Command command, List<string> errors, List<string> hints)
    {
        // --name=value: only the name is shown. A single-dash token longer than two characters may be a letter and
        // its value run together (-kVALUE); it is shown only when it is close to a real option (-verbose).
        var name = token.StartsWith("--", StringComparison.Ordinal) ? token.Split('=', 2)[0] : token;
        var candidates = command.Options.SelectMany(static option => option.Aliases.Prepend(option.Name)).ToList();
        var suggestion = Suggestions.Closest(name, candidates);
        if (!name.StartsWith("--", StringComparison.Ordinal) && name.Length > 2 && suggestion is null)
        {
            errors.Add($"unknown option starting with '{PrintableText.OneLine(name[..2])}' (the rest is not shown, in case it is a secret)");
            return;
        }

        name = PrintableText.OneLine(name);
        errors.Add($"unknown option '{name}'");
        if (suggestion is not null)
        {
            hints.Add($"registry-push: did you mean '{suggestion}' instead of '{name}'?");
        }
    }

    /// <summary>How many unmatched positional tokens directly follow an unknown option: its value, already reported with it.</summary>
    private static int ValuesOfUnknownOptions(ParseResult parsed)
    {
        var unmatched = parsed.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        var count = 0;
        for (var i = 1; i < parsed.Tokens.Count; i++)
        {
            var (previous, token) = (parsed.Tokens[i - 1].Value, parsed.Tokens[i].Value);
            if (IsOptionLike(previous) && !previous.Contains('=', StringComparison.Ordinal) && unmatched.Contains(previous) && !IsOptionLike(token) && unmatched.Contains(token))
            {
                count++;
            }
        }

        return count;
    }

    private static bool IsOptionLike(string token) => token.StartsWith('-') && token.Length > 1;

    private static string Takes(Command command)
    {
        var arguments = command.Arguments.Select(static argument => argument.Arity.MinimumNumberOfValues == 0 ? $"[{argument.Name}]" : argument.Name).ToList();
        return arguments.Count == 0 ? "options only" : $"{string.Join(' ', arguments)} and options";
    }

    private static string UsageHint(ParseResult parsed) => $"Run '{CommandPath(parsed.CommandResult)} --help' for usage.";

    private static string CommandPath(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult commandResult)
            {
                names.Push(commandResult.Command is RootCommand ? "registry-push" : commandResult.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
