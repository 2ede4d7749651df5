using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>
/// The published binary on a real (pseudo-)terminal leaves the terminal as it found it: no "application keypad"
/// sequence (ESC[?1h ESC=, what .NET's console sends when it initialises terminfo), whatever the command.
/// </summary>
public sealed class TerminalTests(RegistryFixture fixture)
{
    private const string KeypadCursorKeys = "\u001b[?1h";
    private const string KeypadApplicationMode = "\u001b=";

    [Theory]
    [InlineData(new[] { "version" }, "registry-push 0.")]
    [InlineData(new[] { "--help" }, "Examples:")]
    [InlineData(new[] { "push", "--help" }, "--digest-file")]
    [InlineData(new[] { "auth", "--help" }, "Examples:")]
    [InlineData(new[] { "psuh" }, "did you mean 'push'")]
    [InlineData(new[] { "push", "/definitely/not/a/layout", "ghcr.io/owner/app" }, "does not exist")]
    public async Task A_command_on_a_terminal_sends_no_keypad_mode_sequence(string[] arguments, string expected)
    {
        var (_, terminal) = await Pseudoterminal.RunAsync([PublishedBinary.Path, .. arguments], Anonymous());

        terminal.ShouldContain(expected);
        AssertNoKeypadMode(terminal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData(null)]
    public async Task A_push_on_a_terminal_with_or_without_CI_sends_no_keypad_mode_sequence(string? ci)
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 300_000, 2_000);
        var repository = fixture.Registry.NewRepository("terminal");
        var environment = Anonymous();
        environment["CI"] = ci;

        var (exitCode, terminal) = await Pseudoterminal.RunAsync([PublishedBinary.Path, "push", layout.Path, repository, "--tag", "v1"], environment);

        exitCode.ShouldBe(0, terminal);
        terminal.ShouldContain($"tagged {repository}:v1");
        AssertNoKeypadMode(terminal);
    }

    [Fact]
    public async Task Output_redirected_to_a_file_shared_with_stderr_keeps_the_shells_order()
    {
        using var temp = new TempDirectory();
        var log = temp.Combine("log");
        var binary = PublishedBinary.Path;

        // Both streams share one file offset with the shell; each write must land after what came before.
        var shell = await CliWrap.Cli.Wrap("sh")
            .WithArguments(["-c", $"{{ echo before; \"$0\" version; \"$0\" push /definitely/not/a/layout ghcr.io/owner/app; echo after; }} > '{log}' 2>&1", binary])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        shell.ExitCode.ShouldBe(0, shell.StandardError);
        File.ReadAllLines(log).ShouldBe([
            "before",
            $"registry-push {RegistryPush.AppInfo.Version}",
            "registry-push: error: image layout '/definitely/not/a/layout' does not exist",
            "after",
        ]);
    }

    private static void AssertNoKeypadMode(string terminal)
    {
        terminal.ShouldNotContain(KeypadCursorKeys, customMessage: Visible(terminal));
        terminal.ShouldNotContain(KeypadApplicationMode, customMessage: Visible(terminal));
    }

    private static string Visible(string terminal) => terminal.Replace("\u001b", "ESC", StringComparison.Ordinal);

    private static Dictionary<string, string?> Anonymous() => new(StringComparer.Ordinal)
    {
        ["DOCKER_CONFIG"] = "/nonexistent",
        ["DOCKER_AUTH_CONFIG"] = null,
        ["REGISTRY_AUTH_FILE"] = "/nonexistent/auth.json",
        ["GITHUB_TOKEN"] = null,
        ["GITHUB_ACTIONS"] = null,
        ["CI"] = null,
    };
}
