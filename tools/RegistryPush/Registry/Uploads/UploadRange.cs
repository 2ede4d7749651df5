using System.Globalization;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// Reads the <c>Range</c> header with which a registry reports how much of an upload it holds. Registries disagree on
/// its shape: the distribution registry sends <c>0-1023</c>, others <c>bytes=0-1023</c> or the RFC 9110 response form
/// <c>bytes 0-1023/2048</c>; all are accepted. The range is inclusive, so <c>0-1023</c> means 1024 bytes, except that
/// <c>0-0</c> means none: the distribution registry and GHCR answer it for a session that holds nothing yet (it is
/// ambiguous with a single byte, which a client sending chunks of at least 64 KiB never leaves behind; if it ever did,
/// the next chunk is refused and the session is started again).
/// </summary>
public static class UploadRange
{
    /// <summary>How many bytes the session holds according to <paramref name="header"/>; false when it is unreadable.</summary>
    public static bool TryParseCommitted(string? header, out long committed)
    {
        committed = 0;
        if (header is null)
        {
            return false;
        }

        var text = header.Trim();
        if (text.StartsWith("bytes", StringComparison.OrdinalIgnoreCase))
        {
            text = text[5..].TrimStart();
            if (text.StartsWith('='))
            {
                text = text[1..].TrimStart();
            }
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            text = text[..slash];
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(text.AsSpan(dash + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || start != 0 || end < start || end == long.MaxValue)
        {
            return false;
        }

        committed = end == 0 ? 0 : end + 1;
        return true;
    }
}
