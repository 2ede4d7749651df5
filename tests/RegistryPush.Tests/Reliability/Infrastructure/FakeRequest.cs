namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>One request the fake registry answered.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The URL.</param>
/// <param name="ContentLength">The body's length.</param>
/// <param name="ContentRange">The request's Content-Range, if any.</param>
/// <param name="HadCookie">Whether a Cookie header was sent.</param>
/// <param name="Status">The answer's status, or null when the connection was "dropped".</param>
public sealed record FakeRequest(HttpMethod Method, Uri Uri, long ContentLength, string? ContentRange, bool HadCookie, int? Status);

/// <summary>One request as the parts of a <see cref="FakeRegistry"/> see it: the message, its body read, its query parsed, the quirks.</summary>
/// <param name="Request">The request.</param>
/// <param name="Body">Its body (empty without one).</param>
/// <param name="Query">Its query parameters, unescaped.</param>
/// <param name="Quirks">The quirks the registry imitates.</param>
internal sealed record FakeCall(HttpRequestMessage Request, byte[] Body, IReadOnlyDictionary<string, string> Query, FakeQuirks Quirks)
{
    /// <summary>Parses a URL's query (<c>?a=1&amp;b=2</c>) into unescaped names and values.</summary>
    public static Dictionary<string, string> ParseQuery(string query)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                result[Uri.UnescapeDataString(part[..equals])] = Uri.UnescapeDataString(part[(equals + 1)..]);
            }
        }

        return result;
    }
}
