using System.Net.Http.Headers;

namespace RegistryPush.Registry.Resilience;

/// <summary>Reads a response's <c>Retry-After</c> (seconds or an HTTP date) as a wait from now.</summary>
public static class RetryAfter
{
    /// <summary>The wait <paramref name="headers"/> ask for, never negative; null when there is no usable header.</summary>
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        var value = headers.RetryAfter;
        if (value is null && headers.NonValidated.TryGetValues("Retry-After", out var raw))
        {
            // Tolerate what the typed parser refuses, e.g. "  5 " or a fractional "1.5".
            foreach (var text in raw)
            {
                if (double.TryParse(text.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    && double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
                {
                    return TimeSpan.FromSeconds(seconds);
                }
            }

            return null;
        }

        return From(value, now);
    }

    /// <summary>The wait <paramref name="value"/> asks for, never negative; null for none.</summary>
    public static TimeSpan? From(RetryConditionHeaderValue? value, DateTimeOffset now)
    {
        if (value?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (value?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
