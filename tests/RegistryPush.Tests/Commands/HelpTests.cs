using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Commands;

public sealed class HelpTests
{
    private readonly CliRunner _cli = new();

    [Theory]
    [InlineData(new[] { "--help" }, "registry-push push bazel-bin/app/app_image")]
    [InlineData(new[] { "push", "--help" }, "registry-push push ./layout ghcr.io/owner/app --tag latest --tag 1.2.3")]
    [InlineData(new[] { "push-all", "--help" }, "registry-push push-all plan.json")]
    [InlineData(new[] { "digest", "--help" }, "registry-push digest ./layout")]
    [InlineData(new[] { "auth", "--help" }, "registry-push auth check ghcr.io/owner/app")]
    [InlineData(new[] { "auth", "check", "--help" }, "registry-push auth check ghcr.io/owner/app")]
    [InlineData(new[] { "version", "--help" }, "registry-push version")]
    public async Task Every_commands_help_lists_its_options_and_ends_with_examples(string[] args, string example)
    {
        var result = await _cli.RunAsync(args);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("Usage:");
        result.StandardOutput.ShouldContain("Examples:");
        result.StandardOutput.ShouldContain(example);
    }

    [Fact]
    public void Every_command_of_the_grammar_has_examples_for_its_help()
    {
        var root = RegistryPush.Cli.CommandLine.Build(new RegistryPush.Cli.RunContext(TextWriter.Null, TextWriter.Null, TextReader.Null, static _ => null, "/"));
        var paths = new List<string>();
        void Visit(System.CommandLine.Command command, string path)
        {
            paths.Add(path);
            foreach (var subcommand in command.Subcommands)
            {
                Visit(subcommand, path == "registry-push" ? subcommand.Name : $"{path} {subcommand.Name}");
            }
        }

        Visit(root, "registry-push");

        paths.Where(static path => RegistryPush.Cli.HelpExamples.For(path).Count == 0).ShouldBeEmpty();
    }

    [Fact]
    public async Task Help_is_wrapped_at_COLUMNS_and_not_wrapped_when_written_to_a_pipe()
    {
        var wrapped = await new CliRunner().WithEnvironment("COLUMNS", "60").RunAsync("push", "--help");
        var piped = await _cli.RunAsync("push", "--help");

        wrapped.StandardOutput.Split('\n').TakeWhile(static line => line != "Examples:").ShouldAllBe(static line => line.Length <= 60);
        piped.StandardOutput.Split('\n').ShouldContain(static line => line.Length > 100, "a pipe gets whole lines");
    }

    [Fact]
    public async Task Push_help_documents_every_flag_of_the_contract()
    {
        var result = await _cli.RunAsync("push", "--help");

        foreach (var flag in new[] { "--tag", "--tag-file", "--digest-file", "--jobs", "--insecure", "--json", "--dry-run", "--verbose", "--repository", "--stamp-info", "--ref" })
        {
            result.StandardOutput.ShouldContain(flag);
        }
    }

    [Fact]
    public async Task A_mistyped_command_suggests_the_closest_one()
    {
        var result = await _cli.RunAsync("psuh", "layout", "ghcr.io/o/a");

        result.ExitCode.ShouldBe(2);
        result.StandardError.ShouldContain("did you mean 'push' instead of 'psuh'?");
    }

    [Fact]
    public async Task A_mistyped_flag_suggests_the_closest_one()
    {
        var result = await _cli.RunAsync("push", "layout", "ghcr.io/o/a", "--digest-fil", "d");

        result.ExitCode.ShouldBe(2);
        result.StandardError.ShouldContain("did you mean '--digest-file' instead of '--digest-fil'?");
    }
}
