using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Commands;

/// <summary>
/// Secrets typed into the command line, run through the published binary: nothing registry-push prints repeats them.
/// A password option gets a pointer to --password-stdin; any other misplaced token is counted or named, never echoed.
/// </summary>
public sealed class SecretArgumentTests
{
    // A password, not a token: nothing about its form gives it away, so only not echoing arguments keeps it unprinted.
    private const string Secret = "hunter2-Argument-S3cret";

    private const string Token = "ghp_ArgumentT0ken0123456789abcdefABCD";

    public static TheoryData<string[]> PasswordArguments => new()
    {
        new[] { "push", "./layout", "ghcr.io/owner/app", "--password", Secret },
        new[] { "push", "./layout", "ghcr.io/owner/app", "-p", Secret },
        new[] { "push", "./layout", "ghcr.io/owner/app", $"--password={Secret}" },
        new[] { "push", "./layout", "ghcr.io/owner/app", $"-p{Secret}" },
        new[] { "push", "-p", Secret, "./layout", "ghcr.io/owner/app" },
        new[] { "push", "./layout", "ghcr.io/owner/app", "--username", "me", "-p", Secret, "--json" },
        new[] { "push-all", "plan.json", "--password", Secret },
        new[] { "auth", "check", "ghcr.io/owner/app", "-p", Secret },
        new[] { "auth", "check", "-u", "me", "--password", Secret, "ghcr.io/owner/app" },
    };

    public static TheoryData<string[]> MisplacedSecrets => new()
    {
        new[] { "push", "./layout", "ghcr.io/owner/app", Secret },
        new[] { "push", "./layout", "ghcr.io/owner/app", "--token", Secret },
        new[] { "push", "./layout", "ghcr.io/owner/app", $"--token={Secret}" },
        new[] { "push", "./layout", "ghcr.io/owner/app", $"-k{Secret}" },
        new[] { "push", "./layout", "ghcr.io/owner/app", "--username", "me", "--password-stdin", Secret, "--json" },
        new[] { "push", "./layout", "ghcr.io/owner/app", $"--password-stdin={Secret}" },
        new[] { Secret, "push", "./layout" },
        new[] { "auth", Secret },
        new[] { "auth", "check", "ghcr.io/owner/app", Secret },
    };

    public static TheoryData<string[]> TokenArguments => new()
    {
        new[] { "push", "./layout", Token },
        new[] { "push", "./layout", "ghcr.io/owner/app", "--tag", Token },
        new[] { "push", "./layout", "ghcr.io/owner/app", "--username", Token },
        new[] { "auth", "check", Token },
        new[] { "auth", "check", "ghcr.io/owner/app", $"--token={Token}" },
        new[] { "push", "./layout", "ghcr.io/owner/app", "eyJwYXlsb2FkIjoiRUNSIGxvZ2luIHBhc3N3b3JkIiwidmVyc2lvbiI6IjIifQ" },
    };

    [Theory]
    [MemberData(nameof(PasswordArguments))]
    public async Task A_password_given_as_an_argument_is_refused_with_exit_2_and_a_pointer_to_password_stdin_and_is_never_printed(string[] args)
    {
        var result = await PublishedBinary.RunAsync(args);

        result.ExitCode.ShouldBe(2, result.ToString());
        AssertNotPrinted(result);
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("never takes a password as an argument");
        error.ShouldContain("--password-stdin");
        error.ShouldContain("REGISTRY_PUSH_PASSWORD");
        result.StandardError.ShouldNotContain("did you mean");
    }

    [Theory]
    [MemberData(nameof(MisplacedSecrets))]
    public async Task A_secret_typed_in_the_wrong_place_fails_with_exit_2_without_echoing_it(string[] args)
    {
        var result = await PublishedBinary.RunAsync(args);

        result.ExitCode.ShouldBe(2, result.ToString());
        AssertNotPrinted(result);
        result.ErrorLines.ShouldNotBeEmpty(result.ToString());
    }

    [Theory]
    [MemberData(nameof(TokenArguments))]
    public async Task An_argument_shaped_like_an_access_token_is_refused_with_exit_2_wherever_it_stands_and_is_never_printed(string[] args)
    {
        var result = await PublishedBinary.RunAsync(args);

        result.ExitCode.ShouldBe(2, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem(result.ToString());
        error.ShouldContain("has the form of an access token");
        error.ShouldContain("--password-stdin");
        var printed = result.StandardOutput + result.StandardError;
        printed.ShouldNotContain(Token[4..]);
        printed.ShouldNotContain("eyJwYXlsb2Fk");
    }

    [Fact]
    public async Task An_unknown_option_is_named_but_its_value_is_not()
    {
        var result = await PublishedBinary.RunAsync(["push", "./layout", "ghcr.io/owner/app", "--token", Secret]);

        result.ErrorLines.ShouldBe(["registry-push: error: unknown option '--token'"]);
        AssertNotPrinted(result);
    }

    private static void AssertNotPrinted(CliResult result)
    {
        result.StandardOutput.ShouldNotContain("S3cret", customMessage: result.ToString());
        result.StandardError.ShouldNotContain("S3cret", customMessage: result.ToString());
    }
}
