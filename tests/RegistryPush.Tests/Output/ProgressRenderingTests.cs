using RegistryPush.Oci;
using RegistryPush.Output;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Tests.Output;

public sealed class ProgressRenderingTests
{
    private static readonly RepositoryReference Repository = RepositoryReference.Parse("ghcr.io/owner/app");
    private static readonly Digest Layer = Digest.Sha256Of("layer"u8);

    [Fact]
    public void Plain_mode_writes_one_timestamped_line_per_event_without_control_characters()
    {
        using var error = new StringWriter();
        using (var reporter = new ConsoleReporter(error, verbose: false, quiet: false, ProgressMode.Plain, () => new DateTimeOffset(2026, 11, 27, 9, 5, 7, TimeSpan.Zero)))
        {
            var descriptor = new Descriptor("application/octet-stream", Layer, 3 * 1024 * 1024);
            reporter.BlobStarted(Repository, descriptor);
            reporter.BlobProgress(Repository, descriptor, 1024 * 1024);
            reporter.BlobCompleted(new BlobOutcome(Repository, Layer, descriptor.Size, BlobAction.Uploaded, descriptor.Size));
            reporter.TagPushed(Repository, "latest", Layer);
        }

        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldBe([
            $"09:05:07 {Layer.Abbreviated}     3.0 MiB  uploaded  (ghcr.io/owner/app)",
            $"09:05:07 tagged ghcr.io/owner/app:latest -> {Layer.Abbreviated}",
        ]);
        error.ToString().ShouldNotContain("\u001b");
    }

    [Fact]
    public void Quiet_mode_keeps_warnings_and_drops_progress()
    {
        using var error = new StringWriter();
        using (var reporter = new ConsoleReporter(error, verbose: false, quiet: true))
        {
            reporter.BlobCompleted(new BlobOutcome(Repository, Layer, 10, BlobAction.Exists, 0));
            reporter.Warning("skipping tag '{X}'");
        }

        error.ToString().Trim().ShouldEndWith("warning: skipping tag '{X}'");
        error.ToString().ShouldNotContain("exists");
    }

    [Fact]
    public void Live_progress_shows_each_upload_with_bytes_bar_and_rate_largest_remaining_first()
    {
        var small = Digest.Sha256Of("small"u8);
        var lines = ConsoleReporter.RenderActive([
            (small, 512, 1024, TimeSpan.FromSeconds(1)),
            (Layer, 32L * 1024 * 1024, 64L * 1024 * 1024, TimeSpan.FromSeconds(2)),
        ]);

        lines.Count.ShouldBe(2);
        lines[0].ShouldBe($"{Layer.Abbreviated}  [##########..........] 32.0 MiB / 64.0 MiB  16.0 MiB/s");
        lines[1].ShouldBe($"{small.Abbreviated}  [##########..........] 512 B / 1.0 KiB  512 B/s");
    }

    [Fact]
    public void Live_mode_is_chosen_only_for_a_terminal_outside_ci()
    {
        var environment = new Dictionary<string, string?> { ["TERM"] = "xterm-256color" };

        ConsoleReporter.ChooseMode(true, name => environment.GetValueOrDefault(name)).ShouldBe(ProgressMode.Live);
        ConsoleReporter.ChooseMode(false, name => environment.GetValueOrDefault(name)).ShouldBe(ProgressMode.Plain);
        environment["CI"] = "true";
        ConsoleReporter.ChooseMode(true, name => environment.GetValueOrDefault(name)).ShouldBe(ProgressMode.Plain);
    }

    [Fact]
    public void Live_mode_redraws_in_place_and_clears_its_block_when_done()
    {
        using var error = new StringWriter();
        var descriptor = new Descriptor("application/octet-stream", Layer, 100);
        using (var reporter = new ConsoleReporter(error, verbose: false, quiet: false, ProgressMode.Live))
        {
            reporter.BlobStarted(Repository, descriptor);
            reporter.Info("first line");
            reporter.BlobCompleted(new BlobOutcome(Repository, Layer, 100, BlobAction.Uploaded, 100));
        }

        var text = error.ToString();
        text.ShouldContain("first line\n");
        text.ShouldContain("\u001b[1A\u001b[J", customMessage: "the one-line live block is erased before the next permanent line");
        text.ShouldContain($"{Layer.Abbreviated}       100 B  uploaded");
    }
}
