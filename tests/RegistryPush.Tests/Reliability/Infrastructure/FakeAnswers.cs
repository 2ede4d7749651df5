using System.Net;
using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>The answers a <see cref="FakeRegistry"/> builds: OCI error bodies, and what each scripted misbehaviour answers.</summary>
internal static class FakeAnswers
{
    /// <summary>
    /// What a step scripted to <paramref name="what"/> answers when it does none of its work; null means "drop the
    /// connection" (the handler turns it into a connection reset).
    /// </summary>
    public static HttpResponseMessage? Misbehave(FakeMisbehaviour what) => what switch
    {
        FakeMisbehaviour.StoreThenDropConnection => null,
        FakeMisbehaviour.UnavailableDenied => Error(HttpStatusCode.ServiceUnavailable, "DENIED", "quota exhausted"),
        FakeMisbehaviour.Unavailable => Error(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "injected"),
        FakeMisbehaviour.GhcrTooManyRequests => Error(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "retry-after: 800ms, allowed: 2000/minute"),
        FakeMisbehaviour.GhcrSecondaryRateLimit => WithRetryAfter(Error(HttpStatusCode.Forbidden, "DENIED",
            "permission_denied: You have exceeded a secondary rate limit. Please wait a few minutes before you try again."), "1"),
        _ => Error(HttpStatusCode.InternalServerError, "UNKNOWN", "injected"),
    };

    /// <summary>An OCI error answer: <paramref name="status"/> with one error of <paramref name="code"/>.</summary>
    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message)
    {
        var response = new HttpResponseMessage(status);
        response.Content = new StringContent($$"""{"errors":[{"code":"{{code}}","message":"{{message}}"}]}""", Encoding.UTF8, "application/json");
        return response;
    }

    /// <summary>201 Created for a blob now in <paramref name="repository"/> (an upload closed, or a mount).</summary>
    public static HttpResponseMessage BlobCreated(string repository, string digest)
    {
        var created = new HttpResponseMessage(HttpStatusCode.Created);
        created.Headers.Location = new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative);
        created.Headers.TryAddWithoutValidation("Docker-Content-Digest", digest);
        return created;
    }

    private static HttpResponseMessage WithRetryAfter(HttpResponseMessage response, string retryAfter)
    {
        response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return response;
    }
}
