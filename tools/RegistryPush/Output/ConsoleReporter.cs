using System.Diagnostics;
using System.Globalization;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Output;

/// <summary>How progress reaches the person reading stderr.</summary>
public enum ProgressMode
{
    /// <summary>One timestamped line per event, no control characters: CI logs, files, pipes.</summary>
    Plain,

    /// <summary>Live per-blob progress redrawn in place, for an interactive terminal.</summary>
    Live,
}

/// <summary>
/// Progress and messages for humans on stderr. In <see cref="ProgressMode.Live"/> the uploads in flight are redrawn
/// a few times a second below the permanent lines; in <see cref="ProgressMode.Plain"/> every line is timestamped and
/// free of control characters. Thread-safe: blobs complete on many threads.
/// </summary>
public sealed class ConsoleReporter : IPushObserver, IDisposable
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);
    private readonly TextWriter _error;
    private readonly bool _verbose;
    private readonly bool _quiet;
    private readonly ProgressMode _mode;
    private readonly Func<DateTimeOffset> _clock;
    private readonly Lock _gate = new();
    // Keyed by the reference itself, not its text: progress arrives for every buffer sent, and a string made per
    // write would be garbage that a push, which hardly ever collects, keeps resident.
    private readonly Dictionary<(RepositoryReference, Digest), UploadProgress> _active = [];
    private readonly Timer? _redraw;
    private int _drawnLines;

    /// <summary>Creates a reporter writing to <paramref name="error"/>.</summary>
    /// <param name="error">Standard error.</param>
    /// <param name="verbose">Show request traces and details (<c>-v</c>).</param>
    /// <param name="quiet">Show only warnings and errors (<c>-q</c>).</param>
    /// <param name="mode">Live redraws for terminals, plain lines otherwise.</param>
    /// <param name="clock">The time source for timestamps and rates (tests pin it).</param>
    public ConsoleReporter(TextWriter error, bool verbose, bool quiet, ProgressMode mode = ProgressMode.Plain, Func<DateTimeOffset>? clock = null)
    {
        _error = error;
        _verbose = verbose;
        _quiet = quiet;
        _mode = mode;
        _clock = clock ?? (static () => DateTimeOffset.Now);
        if (mode == ProgressMode.Live && !quiet)
        {
            _redraw = new Timer(_ => Redraw(), null, RedrawInterval, RedrawInterval);
        }
    }

    /// <summary>Picks live progress only for an interactive terminal outside CI.</summary>
    public static ProgressMode ChooseMode(bool errorIsTerminal, Func<string, string?> environment) =>
        errorIsTerminal && string.IsNullOrEmpty(environment("CI")) && environment("TERM") is not (null or "dumb")
            ? ProgressMode.Live
            : ProgressMode.Plain;

    /// <inheritdoc />
    public void BlobStarted(RepositoryReference repository, Descriptor blob)
    {
        lock (_gate)
        {
            _active[(repository, blob.Digest)] = new UploadProgress(blob.Digest, blob.Size, Stopwatch.GetTimestamp());
        }
    }

    /// <inheritdoc />
    public void BlobProgress(RepositoryReference repository, Descriptor blob, long bytes)
    {
        lock (_gate)
        {
            if (_active.TryGetValue((repository, blob.Digest), out var progress))
            {
                progress.Sent += bytes;
            }
        }
    }

    /// <inheritdoc />
    public void BlobCompleted(BlobOutcome outcome)
    {
        lock (_gate)
        {
            _active.Remove((outcome.Repository, outcome.Digest));
        }

        var action = outcome.Action switch
        {
            BlobAction.Exists => "exists",
            BlobAction.Mounted => "mounted",
            BlobAction.Uploaded => "uploaded",
            _ => "would upload",
        };
        Write(_quiet ? null : $"{outcome.Digest.Abbreviated}  {FormatBytes(outcome.Size),10}  {action}  ({outcome.Repository})");
    }

    /// <inheritdoc />
    public void ManifestPushed(RepositoryReference repository, Descriptor manifest) =>
        Write(_verbose ? $"manifest {manifest.Digest.Abbreviated} pushed to {repository}" : null);

    /// <inheritdoc />
    public void TagPushed(RepositoryReference repository, string tag, Digest digest) =>
        Write(_quiet ? null : $"tagged {repository}:{tag} -> {digest.Abbreviated}");

    /// <inheritdoc />
    public void TagUnchanged(RepositoryReference repository, string tag, Digest digest) =>
        Write(_quiet ? null : $"{repository}:{tag} already points at {digest.Abbreviated}");

    /// <inheritdoc />
    public void Warning(string message) => Write($"warning: {message}");

    /// <inheritdoc />
    public void Verbose(string message) => Write(_verbose ? message : null);

    /// <summary>Writes a line for humans unless <c>--quiet</c>.</summary>
    public void Info(string message) => Write(_quiet ? null : message);

    /// <summary>The live block for the uploads in flight: one line each, largest remaining first.</summary>
    public static IReadOnlyList<string> RenderActive(IEnumerable<(Digest Digest, long Sent, long Total, TimeSpan Elapsed)> uploads) =>
        uploads
            .OrderByDescending(static upload => upload.Total - upload.Sent)
            .Select(static upload =>
            {
                var fraction = upload.Total == 0 ? 1 : (double)upload.Sent / upload.Total;
                var filled = (int)Math.Round(fraction * 20);
                var rate = upload.Elapsed.TotalSeconds > 0 ? upload.Sent / upload.Elapsed.TotalSeconds : 0;
                return string.Create(CultureInfo.InvariantCulture,
                    $"{upload.Digest.Abbreviated}  [{new string('#', filled)}{new string('.', 20 - filled)}] {FormatBytes(upload.Sent)} / {FormatBytes(upload.Total)}  {FormatBytes((long)rate)}/s");
            })
            .ToList();

    /// <summary>Formats a byte count as people read it (binary units).</summary>
    public static string FormatBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _redraw?.Dispose();
        lock (_gate)
        {
            ClearBlock();
        }
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        // Lines carry values from outside (user names from config files, registry answers, tag templates): one of
        // them must not be able to start a line of its own or send an escape sequence to the terminal.
        line = PrintableText.OneLine(line);
        lock (_gate)
        {
            if (_mode == ProgressMode.Live)
            {
                ClearBlock();
                _error.WriteLine(line);
                DrawBlock();
            }
            else
            {
                _error.WriteLine($"{_clock():HH:mm:ss} {line}");
            }
        }
    }

    private void Redraw()
    {
        lock (_gate)
        {
            ClearBlock();
            DrawBlock();
        }
    }

    private void ClearBlock()
    {
        if (_drawnLines > 0)
        {
            // Cursor up over the block, then erase to the end of the screen.
            _error.Write($"\u001b[{_drawnLines}A\u001b[J");
            _drawnLines = 0;
        }
    }

    private void DrawBlock()
    {
        var lines = RenderActive(_active.Values.Select(static upload =>
            (upload.Digest, upload.Sent, upload.Total, Stopwatch.GetElapsedTime(upload.StartedAt))));
        foreach (var line in lines)
        {
            _error.WriteLine(line);
        }

        _drawnLines = lines.Count;
        _error.Flush();
    }

    private sealed class UploadProgress(Digest digest, long total, long startedAt)
    {
        public Digest Digest { get; } = digest;

        public long Total { get; } = total;

        public long StartedAt { get; } = startedAt;

        public long Sent { get; set; }
    }
}
