using System.Collections.Concurrent;
using System.Net;

namespace RegistryPush.Tests.Auth;

/// <summary>One request a <see cref="FakeServer"/> saw.</summary>
public sealed record SeenRequest(HttpMethod Method, Uri Uri, string? Authorization, string? Body);

/// <summary>An in-memory HTTP server for handler-level tests: answers with a function, records every request.</summary>
public sealed class FakeServer(Func<HttpRequestMessage, string?, HttpResponseMessage> respond) : HttpMessageHandler
{
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    public IEnumerable<SeenRequest> To(string pathPrefix) =>
        Requests.Where(request => request.Uri.AbsolutePath.StartsWith(pathPrefix, StringComparison.Ordinal));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Enqueue(new SeenRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), body));
        var response = respond(request, body);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Status(HttpStatusCode status, string? body = null, string? challenge = null)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body ?? string.Empty) };
        if (challenge is not null)
        {
            response.Headers.TryAddWithoutValidation("WWW-Authenticate", challenge);
        }

        return response;
    }

    public static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
    };
}
