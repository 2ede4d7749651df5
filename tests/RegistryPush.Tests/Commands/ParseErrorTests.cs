using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Commands;

/// <summary>Command lines that do not parse get plain sentences, exit code 2 and no runtime type names.</summary>
public sealed class ParseErrorTests
{
    private readonly CliRunner _cli = new();

    [Theory]
    [InlineData("push", "--jobs", "abc", "--jobs must be a whole number from 1 to 64, got 'abc'")]
    [InlineData("push", "--jobs", "0", "--jobs must be a whole number from 1 to 64, got '0'")]
    [InlineData("push-all", "-j", "65", "--jobs must be a whole number from 1 to 64, got '65'")]
    [InlineData("push", "--retries", "many", "--retries must be a whole number from 0 to 20, got 'many'")]
    [InlineData("push", "--timeout", "1.5", "--timeout must be a whole number from 1 to 3600, got '1.5'")]
    [InlineData("push-all", "--timeout", "0", "--timeout must be a whole number from 1 to 3600, got '0'")]
    [InlineData("push", "--chunk-size", "4MiB", "--chunk-size must be a whole number of bytes, at least 65536, got '4MiB'")]
    [InlineData("push", "--chunk-size", "1024", "--chunk-size must be a whole number of bytes, at least 65536, got '1024'")]
    public async Task A_number_option_given_something_else_is_told_its_rule_in_a_sentence(string command, string option, string value, string expected)
    {
        var result = await _cli.RunAsync(command, command == "push" ? "./layout" : "plan.json", option, value);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.ErrorLines.ShouldBe([$"registry-push: error: {expected}"]);
        result.StandardError.ShouldNotContain("System.");
    }

    [Fact]
    public async Task A_mistyped_command_gets_the_suggestion_and_not_a_second_error_about_a_missing_command()
    {
        var result = await _cli.RunAsync("psuh", "./layout", "ghcr.io/owner/app", "--tag", "v1");

        result.ExitCode.ShouldBe(2);
        result.ErrorLines.ShouldBe(["registry-push: error: unknown command 'psuh'"]);
        result.StandardError.ShouldContain("did you mean 'push' instead of 'psuh'?");
        result.StandardError.ShouldNotContain("Required command");
    }

    [Fact]
    public async Task A_mistyped_subcommand_of_auth_gets_the_suggestion()
    {
        var result = await _cli.RunAsync("auth", "chek", "ghcr.io/owner/app");

        result.ExitCode.ShouldBe(2);
        result.ErrorLines.ShouldBe(["registry-push: error: unknown command 'chek'"]);
        result.StandardError.ShouldContain("did you mean 'check' instead of 'chek'?");
    }

    [Theory]
    [InlineData(new string[0], "registry-push: error: 'registry-push' needs a command: push, push-all, digest, auth, version")]
    [InlineData(new[] { "auth" }, "registry-push: error: 'registry-push auth' needs a command: check")]
    public async Task A_missing_command_is_named_with_the_choices(string[] args, string expected)
    {
        var result = await _cli.RunAsync(args);

        result.ExitCode.ShouldBe(2);
        result.ErrorLines.ShouldBe([expected]);
    }

    [Fact]
    public async Task Extra_arguments_are_counted_and_the_expected_ones_named()
    {
        var result = await _cli.RunAsync("push", "./layout", "ghcr.io/owner/app", "one", "two");

        result.ExitCode.ShouldBe(2);
        result.ErrorLines.ShouldBe(["registry-push: error: 2 unexpected arguments (not shown, in case one is a secret): 'registry-push push' takes LAYOUT [REPOSITORY] and options"]);
    }
}
