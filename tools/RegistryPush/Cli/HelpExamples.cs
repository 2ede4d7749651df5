using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace RegistryPush.Cli;

/// <summary>Adds an "Examples:" section to <c>--help</c> of each command: people copy examples far more than they read option lists.</summary>
internal static class HelpExamples
{
    private static readonly Dictionary<string, string[]> ByCommand = new(StringComparer.Ordinal)
    {
        ["registry-push"] =
        [
            "registry-push push bazel-bin/app/app_image ghcr.io/owner/app --tag latest",
            "registry-push auth check ghcr.io/owner/app",
            "registry-push push --help",
        ],
        ["push"] =
        [
            "registry-push push ./layout ghcr.io/owner/app --tag latest --tag 1.2.3",
            "registry-push push ./layout 127.0.0.1:5000/app --tag test --digest-file app.digest",
            "registry-push push ./layout ghcr.io/owner/app --tag '{STABLE_GIT_COMMIT}' --stamp-info bazel-out/stable-status.txt",
            "echo \"$GITHUB_TOKEN\" | registry-push push ./layout ghcr.io/owner/app --username \"$GITHUB_ACTOR\" --password-stdin --tag latest",
            "registry-push push ./layout ghcr.io/owner/app --dry-run --json",
        ],
        ["push-all"] =
        [
            "registry-push push-all plan.json",
            "registry-push push-all plan.json --stamp-info bazel-out/stable-status.txt --jobs 8",
        ],
        ["digest"] =
        [
            "registry-push digest ./layout",
            "registry-push digest ./layout --ref latest --digest-file app.digest",
        ],
        ["auth"] =
        [
            "registry-push auth check ghcr.io/owner/app",
            "registry-push auth check --help",
        ],
        ["auth check"] =
        [
            "registry-push auth check ghcr.io/owner/app",
            "echo \"$TOKEN\" | registry-push auth check ghcr.io/owner/app --username me --password-stdin",
        ],
        ["version"] = ["registry-push version"],
    };

    /// <summary>Wraps <paramref name="root"/>'s help action so every command's help ends with its examples.</summary>
    public static RootCommand Attach(RootCommand root, RunContext context)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        if (help.Action is HelpAction standard)
        {
            standard.MaxWidth = Width(context);
            help.Action = new WithExamples(standard, context.Out);
        }

        return root;
    }

    /// <summary>
    /// The width help is wrapped at: <c>COLUMNS</c> when set, 80 on a terminal, no wrapping otherwise. Not
    /// <see cref="Console.WindowWidth"/> (the library's default): asking the console for its size initialises the
    /// terminal, which leaves it in keypad mode (see <see cref="StandardStreams"/>).
    /// </summary>
    public static int Width(RunContext context) =>
        int.TryParse(context.GetEnvironmentVariable("COLUMNS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var columns) && columns >= 20
            ? columns
            : context.OutputIsTerminal ? 80 : int.MaxValue;

    /// <summary>The examples for the command at <paramref name="path"/> (e.g. "push", "auth check"), if any.</summary>
    public static IReadOnlyList<string> For(string path) => ByCommand.TryGetValue(path, out var examples) ? examples : [];

    private sealed class WithExamples(HelpAction standard, TextWriter output) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = standard.Invoke(parseResult);
            var examples = For(PathOf(parseResult.CommandResult.Command, parseResult));
            if (examples.Count > 0)
            {
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine($"  {example}");
                }

                output.WriteLine();
            }

            return exitCode;
        }

        private static string PathOf(Command command, ParseResult parseResult)
        {
            if (command is RootCommand)
            {
                return "registry-push";
            }

            var parent = parseResult.CommandResult.Parent is System.CommandLine.Parsing.CommandResult { Command: not RootCommand } parentResult
                ? parentResult.Command.Name + " "
                : string.Empty;
            return parent + command.Name;
        }
    }
}
