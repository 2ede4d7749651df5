using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// Reads how long a registry asks to be left alone. Besides the standard <c>Retry-After</c> header, GHCR words its
/// limits in the error body: a 429 <c>TOOMANYREQUESTS</c> says <c>retry-after: 1.16676ms, allowed: 44000/minute</c>
/// (a Go duration, usually milliseconds), and GitHub's secondary rate limit answers 403 "You have exceeded a secondary
/// rate limit" (often with the code <c>DENIED</c>), which is a pause to wait out, not a refusal of the credentials.
/// </summary>
public static partial class RateLimits
{
    /// <summary>
    /// GitHub's documented wait for a secondary rate limit that names no <c>Retry-After</c>: at least a minute.
    /// </summary>
    public static readonly TimeSpan SecondaryRateLimitWait = TimeSpan.FromMinutes(1);

    /// <summary>True when <paramref name="errors"/> are GitHub's secondary rate limit (a 403 that is a pause, not a refusal).</summary>
    public static bool IsSecondaryRateLimit(HttpStatusCode status, IReadOnlyList<RegistryErrorJson> errors) =>
        status is HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests
        && errors.Any(static error => error.Message?.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The wait an error body asks for (<c>retry-after: DURATION</c> in a message), or null when none says.</summary>
    public static TimeSpan? FromBody(IReadOnlyList<RegistryErrorJson> errors)
    {
        foreach (var error in errors)
        {
            if (error.Message is { } message && BodyRetryAfter().Match(message) is { Success: true } match
                && TryParseGoDuration(match.Groups["duration"].Value, out var wait))
            {
                return wait;
            }
        }

        return null;
    }

    /// <summary>
    /// How long to wait before trying <paramref name="response"/>'s request again, when the registry says: its
    /// <c>Retry-After</c> header, else a <c>retry-after</c> in its error body, else a minute for a secondary rate limit;
    /// null when the registry gave no hint (the backoff decides).
    /// </summary>
    public static TimeSpan? Wait(HttpResponseMessage response, IReadOnlyList<RegistryErrorJson> errors, DateTimeOffset now, TimeSpan secondaryRateLimitWait) =>
        RetryAfter.From(response.Headers, now)
        ?? FromBody(errors)
        ?? (IsSecondaryRateLimit(response.StatusCode, errors) ? secondaryRateLimitWait : null);

    /// <summary>Parses a Go duration (<c>1.5s</c>, <c>880.092µs</c>, <c>2m0s</c>): numbers with units ns, us/µs, ms, s, m, h.</summary>
    public static bool TryParseGoDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var parts = GoDurationPart().Matches(text);
        if (parts.Count == 0 || parts.Sum(static part => part.Length) != text.Length)
        {
            return false;
        }

        double ticks = 0;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups["value"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            ticks += value * part.Groups["unit"].Value switch
            {
                "ns" => TimeSpan.TicksPerMicrosecond / 1000.0,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        if (!double.IsFinite(ticks) || ticks >= TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    [GeneratedRegex(@"retry-after:\s*(?<duration>[0-9][0-9.a-zµμ]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BodyRetryAfter();

    [GeneratedRegex(@"(?<value>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?<unit>ns|us|µs|μs|ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex GoDurationPart();
}
