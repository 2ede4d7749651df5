using RegistryPush.Output;

namespace RegistryPush.Tests.Output;

/// <summary>Values from outside (config files, registries, helpers) cannot add lines or escapes to what is printed.</summary>
public sealed class PrintableOutputTests
{
    private const string Forged = "me\n::error::forged\r\u001b[2J\u001b]0;title\u0007\u0085\u2028::warning::x\u202Eevil";

    [Fact]
    public void Printable_text_turns_line_breaks_escapes_separators_and_bidi_overrides_into_spaces()
    {
        var cleaned = PrintableText.OneLine(Forged);

        cleaned.ShouldNotContain(c => PrintableText.IsUnprintable(c));
        cleaned.ShouldContain("::error::forged");
        cleaned.Length.ShouldBe(Forged.Length);
    }

    [Theory]
    [InlineData(ProgressMode.Plain)]
    [InlineData(ProgressMode.Live)]
    public void A_reporter_line_holding_a_forged_value_stays_one_line(ProgressMode mode)
    {
        using var error = new StringWriter();
        using (var reporter = new ConsoleReporter(error, verbose: true, quiet: false, mode))
        {
            reporter.Verbose($"auth: registry/app: user '{Forged}' from config.json");
            reporter.Warning(Forged);
        }

        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(2, error.ToString());
        error.ToString().ShouldNotContain(c => c != '\n' && PrintableText.IsUnprintable(c));
    }

    [Fact]
    public void A_printable_writer_cleans_each_line_and_keeps_its_own_line_ends()
    {
        using var inner = new StringWriter();
        var writer = new PrintableWriter(inner);

        writer.WriteLine($"credentials: user '{Forged}'");
        writer.Write('\u001b');
        writer.WriteLine();

        inner.ToString().Split('\n').ShouldBe([$"credentials: user '{PrintableText.OneLine(Forged)}'", " ", string.Empty]);
    }

    [Fact]
    public void An_error_annotation_is_one_workflow_command_without_escapes()
    {
        var annotation = GitHubActions.ErrorAnnotation($"refused for {Forged}");

        annotation.ShouldStartWith("::error title=registry-push::refused for me%0A::error::forged%0D ");
        annotation.ShouldNotContain(c => PrintableText.IsUnprintable(c));
    }
}
