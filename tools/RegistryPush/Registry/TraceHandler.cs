using System.Diagnostics;
using System.Text;

namespace RegistryPush.Registry;

/// <summary>
/// Logs each request's method, URL (query values redacted: upload URLs can carry signed state or credentials),
/// status and duration for <c>-v</c>. Never logs headers or bodies.
/// </summary>
public sealed class TraceHandler(Action<string> log) : DelegatingHandler
{
    private static readonly HashSet<string> SafeQueryKeys = new(StringComparer.Ordinal) { "digest", "mount", "from", "service", "scope", "n", "last" };

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var line = $"{request.Method} {Redact(request.RequestUri)}";
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            log($"{line} -> {(int)response.StatusCode} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms)");
            return response;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            log($"{line} -> {exception.GetType().Name} ({Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms)");
            throw;
        }
    }

    /// <summary>The URL with every query value except harmless protocol ones replaced by <c>REDACTED</c>, and no user info.</summary>
    public static string Redact(Uri? uri)
    {
        if (uri is null)
        {
            return "(no url)";
        }

        var builder = new StringBuilder().Append(uri.Scheme).Append("://").Append(uri.Authority).Append(uri.AbsolutePath);
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return builder.ToString();
        }

        builder.Append('?');
        var parts = query.Split('&');
        for (var i = 0; i < parts.Length; i++)
        {
            var equals = parts[i].IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? parts[i] : parts[i][..equals];
            builder.Append(i == 0 ? string.Empty : "&").Append(key);
            if (equals >= 0)
            {
                builder.Append('=').Append(SafeQueryKeys.Contains(key) ? parts[i][(equals + 1)..] : "REDACTED");
            }
        }

        return builder.ToString();
    }
}
