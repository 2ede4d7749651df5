using System.Net;

namespace RegistryPush.Registry;

/// <summary>
/// Turns a registry's refusal into the one-line error a user can act on, with the exit code it deserves.
/// </summary>
public static class RegistryResponseError
{
    /// <summary>
    /// The registry (<c>host[:port]</c> of its base URL) a request was made for, set by <see cref="RegistryClient"/>. A
    /// refusal from another host (an upload URL or redirect elsewhere) then gets advice about that, not about logging in.
    /// </summary>
    public static readonly HttpRequestOptionsKey<string> RegistryOption = new("registry-push.registry");

    /// <summary>Builds the exception for <paramref name="response"/>, naming <paramref name="operation"/> (e.g. "PUT manifest sha256:… to ghcr.io/o/app").</summary>
    public static async Task<RegistryPushException> CreateAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken) =>
        Create(response, await DistributionErrors.ReadAsync(response, cancellationToken).ConfigureAwait(false), operation);

    /// <summary>
    /// Builds the exception from errors already read off <paramref name="response"/>: a response body can be read only
    /// once, so callers that inspect the errors first pass them here rather than reading again.
    /// </summary>
    public static RegistryPushException Create(HttpResponseMessage response, IReadOnlyList<RegistryErrorJson> errors, string operation)
    {
        var status = (int)response.StatusCode;
        var codes = errors.Select(static error => error.Code ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        var detail = errors.Count == 0
            ? response.ReasonPhrase ?? string.Empty
            : string.Join("; ", errors.Select(static error => PrintableText.Excerpt(error.Code is null ? $"{error.Message}" : $"{error.Code}: {error.Message}")));
        var message = $"{operation}: {status} {detail}".TrimEnd();

        // What authentication did for the request (credentials, their source), so refusals say what to fix.
        var attempt = Auth.AuthAttempt.Of(response);

        // A registry's own words may echo what it was sent; no secret the run knows gets through.
        message = attempt?.Redactor.Scrub(message) ?? message;
        var requestUri = response.RequestMessage?.RequestUri;
        string? registry = null;
        response.RequestMessage?.Options.TryGetValue(RegistryOption, out registry);
        if (codes.Contains("NAME_INVALID") || codes.Contains("TAG_INVALID"))
        {
            return new UsageException(Auth.AuthAdvice.ForInvalidName(message, codes, attempt?.Registry ?? requestUri?.Authority));
        }

        if (Resilience.RateLimits.IsSecondaryRateLimit(response.StatusCode, errors))
        {
            // A pause, not a refusal of the credentials: no login advice, the registry-failure exit code.
            return new RegistryException(
                $"{message} (GitHub's secondary rate limit, still in force after the retries: wait a few minutes before pushing again, and push fewer images or blobs at once, e.g. --jobs 2)",
                statusCode: response.StatusCode);
        }

        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new AuthenticationException(Auth.AuthAdvice.ForRefusal(message, status, codes, attempt, requestUri, registry)),
            _ when codes.Contains("DENIED") || codes.Contains("UNAUTHORIZED") => new AuthenticationException(Auth.AuthAdvice.ForRefusal(message, status, codes, attempt, requestUri, registry)),
            HttpStatusCode.MethodNotAllowed when WritesRefused(response) is { } allowed =>
                new RegistryException($"{message}: the registry allows only {allowed} here, so it takes no pushes (it is read-only, e.g. during maintenance, or a pull-through cache); push to a registry that accepts them, or ask its operator", statusCode: response.StatusCode),
            _ => new RegistryException(message, statusCode: response.StatusCode),
        };
    }

    // A write answered 405 with an Allow list of read methods only: the registry as a whole refuses writes.
    private static string? WritesRefused(HttpResponseMessage response)
    {
        var method = response.RequestMessage?.Method;
        var allowed = response.Content.Headers.Allow;
        return method is not null && method != HttpMethod.Get && method != HttpMethod.Head && allowed.Count > 0
            && allowed.All(static verb => verb is "GET" or "HEAD" or "OPTIONS")
            ? string.Join(", ", allowed)
            : null;
    }
}
