using System.Globalization;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Output;

/// <summary>
/// Progress for humans on stderr, one plain line per event (safe for CI logs: no control characters).
/// Thread-safe: blobs complete on many threads.
/// </summary>
public sealed class ConsoleReporter(TextWriter error, bool verbose, bool quiet) : IPushObserver
{
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public void BlobCompleted(BlobOutcome outcome)
    {
        var action = outcome.Action switch
        {
            BlobAction.Exists => "exists",
            BlobAction.Mounted => "mounted",
            BlobAction.Uploaded => "uploaded",
            _ => "would upload",
        };
        Write(quiet ? null : $"{outcome.Digest.Abbreviated}  {FormatBytes(outcome.Size),10}  {action}  ({outcome.Repository})");
    }

    /// <inheritdoc />
    public void ManifestPushed(RepositoryReference repository, Descriptor manifest) =>
        Write(verbose ? $"manifest {manifest.Digest.Abbreviated} pushed to {repository}" : null);

    /// <inheritdoc />
    public void TagPushed(RepositoryReference repository, string tag, Digest digest) =>
        Write(quiet ? null : $"tagged {repository}:{tag} -> {digest.Abbreviated}");

    /// <inheritdoc />
    public void Warning(string message) => Write($"warning: {message}");

    /// <inheritdoc />
    public void Verbose(string message) => Write(verbose ? message : null);

    /// <summary>Writes a line for humans unless <c>--quiet</c>.</summary>
    public void Info(string message) => Write(quiet ? null : message);

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

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            error.WriteLine(line);
        }
    }
}
