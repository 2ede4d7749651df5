using System.CommandLine;
using System.CommandLine.Parsing;

namespace RegistryPush.Cli;

/// <summary>
/// Refuses a command line that carries a secret, before anything else is reported about it: a password option
/// (<c>-p</c>, <c>-pSECRET</c>, <c>--password</c>, <c>--password=SECRET</c>, as <c>docker login</c> accepts) or an
/// argument shaped like an access token (<c>ghp_…</c>, <c>github_pat_…</c>, <c>glpat-…</c>, <c>dckr_pat_…</c>, a
/// JWT or ECR login password), wherever it stands. Such a value would otherwise land in a positional argument or an
/// option and be quoted by the error about it (<c>repository 'ghp_…' has no registry host</c>). The secret itself is
/// never part of the message.
/// </summary>
internal static class SecretArguments
{
    private static readonly string[] TokenPrefixes = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "dckr_pat_"];

    /// <summary>The failure for the first secret among <paramref name="parsed"/>'s tokens, or null when there is none.</summary>
    public static ParseFailure? Check(ParseResult parsed)
    {
        var valueOptions = OptionsTakingValues(parsed.RootCommandResult.Command);
        Token? previous = null;
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            // A token right after an option that takes a value is that value (e.g. --ref -prod), not an option.
            var isValue = previous is { Type: TokenType.Option } && valueOptions.Contains(previous.Value);
            if (!isValue && PasswordOptionName(token.Value) is { } name)
            {
                return ParseFailure.Of($"'{name}' is not an option: registry-push never takes a password as an argument (it would show in the process list and the shell history); {Pointer}", parsed);
            }

            if (TokenShape(token.Value) is { } shape)
            {
                return ParseFailure.Of($"an argument has the form of an access token ({shape}, not shown): registry-push never takes a secret as an argument; {Pointer}", parsed);
            }

            previous = token;
        }

        return null;
    }

    private static string Pointer =>
        $"pipe it to --password-stdin together with --username, or set {Auth.AuthSetup.UsernameVariable} and {Auth.AuthSetup.PasswordVariable}";

    private static string? PasswordOptionName(string token)
    {
        var name = token.Split('=', 2)[0];
        if (name is "--password" or "--passwd" or "--pass")
        {
            return name;
        }

        // -p alone or with its value run together (-pSECRET); no option of registry-push starts with -p.
        return token.StartsWith("-p", StringComparison.Ordinal) && !token.StartsWith("--", StringComparison.Ordinal) ? "-p" : null;
    }

    /// <summary>How the token starts when it looks like a credential (for the message), else null.</summary>
    private static string? TokenShape(string token)
    {
        var value = token.StartsWith('-') && token.Contains('=', StringComparison.Ordinal) ? token[(token.IndexOf('=', StringComparison.Ordinal) + 1)..] : token;
        if (TokenPrefixes.FirstOrDefault(prefix => value.StartsWith(prefix, StringComparison.Ordinal) && value.Length >= prefix.Length + 16) is { } prefix)
        {
            return $"{prefix}…";
        }

        // JWTs and `aws ecr get-login-password` output are base64 JSON: they start with "eyJ" ({") and are long.
        return value.StartsWith("eyJ", StringComparison.Ordinal) && value.Length >= 40 && !value.Contains('/', StringComparison.Ordinal) ? "eyJ…" : null;
    }

    private static HashSet<string> OptionsTakingValues(Command root)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var commands = new Stack<Command>([root]);
        while (commands.TryPop(out var command))
        {
            foreach (var option in command.Options.Where(static option => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool)))
            {
                names.UnionWith(option.Aliases.Prepend(option.Name));
            }

            foreach (var subcommand in command.Subcommands)
            {
                commands.Push(subcommand);
            }
        }

        return names;
    }
}
