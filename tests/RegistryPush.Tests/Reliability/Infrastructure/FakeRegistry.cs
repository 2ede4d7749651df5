using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// An in-memory OCI registry behind an <see cref="HttpMessageHandler"/>, for what a real registry cannot be made to
/// do on demand: the quirks of GHCR, ECR, Artifactory, Harbor and Docker Hub (<see cref="FakeQuirks"/>, data a test
/// wires), and scripted failures at exact protocol steps (<see cref="Break"/>). It checks what a strict registry
/// checks (digests on close, chunk order, manifests' references present) so that a push it accepts is a push a
/// registry would accept. This class routes and records; <see cref="FakeUploads"/> and <see cref="FakeContent"/>
/// answer, over the state in <see cref="FakeStore"/>.
/// </summary>
public sealed class FakeRegistry
{
    private readonly FakeStore _store = new();
    private readonly FakeScript _script = new();
    private readonly FakeUploads _uploads;
    private readonly FakeContent _content;

    /// <summary>An empty registry imitating no quirks until <see cref="Quirks"/> says otherwise.</summary>
    public FakeRegistry()
    {
        _uploads = new FakeUploads(_store, _script);
        _content = new FakeContent(_store, _script);
    }

    /// <summary>The quirks imitated.</summary>
    public FakeQuirks Quirks { get; init; } = new();

    /// <summary>Every request, in order.</summary>
    public ConcurrentQueue<FakeRequest> Log { get; } = new();

    /// <summary>The chunk requests sent (PATCH), with their Content-Range.</summary>
    public IReadOnlyList<FakeRequest> Patches => Log.Where(static request => request.Method == HttpMethod.Patch).ToList();

    /// <summary>
    /// Makes the <paramref name="occurrence"/>-th request of <paramref name="step"/> (1-based) misbehave, counting only
    /// requests of uploads larger than <paramref name="largerThan"/> bytes so far (for a chunk: its end offset; for a
    /// close: what the session holds), so a script can aim at a layer while a small config uploads alongside.
    /// </summary>
    public FakeRegistry Break(FakeStep step, int occurrence, FakeMisbehaviour what, long largerThan = 0)
    {
        _script.Add(step, occurrence, occurrence, what, largerThan);
        return this;
    }

    /// <summary>Makes every request of <paramref name="step"/> from the <paramref name="from"/>-th on misbehave (same counting).</summary>
    public FakeRegistry BreakFrom(FakeStep step, int from, FakeMisbehaviour what, long largerThan = 0)
    {
        _script.Add(step, from, int.MaxValue, what, largerThan);
        return this;
    }

    /// <summary>A handler answering for this registry (one per run: a pipeline disposes its handlers).</summary>
    public DelegatingHandler CreateHandler() => new Handler(this);

    /// <summary>The stored bytes of a blob, or null.</summary>
    public byte[]? Blob(string digest) => _store.Blob(digest);

    /// <summary>True when <paramref name="repository"/> holds the blob.</summary>
    public bool Holds(string repository, string digest) => _store.Holds(repository, digest);

    /// <summary>The manifest bytes under a tag or digest, or null.</summary>
    public byte[]? Manifest(string repository, string reference) => _store.Manifest(repository, reference)?.Bytes;

    private async Task<HttpResponseMessage?> AnswerAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var call = new FakeCall(request, body, FakeCall.ParseQuery(request.RequestUri.Query), Quirks);
        if (path == "/v2/" || path == "/v2")
        {
            return Quirks.PingBodyBytes is { } size
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[size]) }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        }

        if (Quirks.MaxBodyBytes is { } max && body.Length > max)
        {
            // GHCR's words and status for an oversized request body.
            return FakeAnswers.Error(HttpStatusCode.RequestedRangeNotSatisfiable, "REQUESTED_RANGE_NOT_SATISFIABLE", "the request body is too large and exceeds the maximum permissible limit of 4.00MiB");
        }

        // /v2/<repository>/<route>/<rest>: the first route marker names the route (repositories may contain slashes).
        if (Split(path, "/blobs/uploads/") is (string uploadRepository, string id))
        {
            return id.Length == 0 ? _uploads.StartOrMount(call, uploadRepository) : _uploads.Upload(call, uploadRepository, id);
        }

        if (Split(path, "/blobs/") is (string blobRepository, string digest))
        {
            return _content.Blob(call, blobRepository, digest);
        }

        if (Split(path, "/manifests/") is (string manifestRepository, string reference))
        {
            return _content.Manifest(call, manifestRepository, reference);
        }

        return FakeAnswers.Error(HttpStatusCode.NotFound, "NAME_UNKNOWN", "no route");
    }

    /// <summary>The repository before <paramref name="marker"/> and what follows it, or null when the path has no such route.</summary>
    private static (string Repository, string Remainder)? Split(string path, string marker)
    {
        var at = path.IndexOf(marker, StringComparison.Ordinal);
        return at > 0 ? (path[4..at], path[(at + marker.Length)..]) : null;
    }

    private sealed class Handler(FakeRegistry registry) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var length = request.Content?.Headers.ContentLength ?? 0;
            var contentRange = request.Content?.Headers.NonValidated.TryGetValues("Content-Range", out var ranges) == true ? ranges.First() : null;
            var response = await registry.AnswerAsync(request, cancellationToken);
            registry.Log.Enqueue(new FakeRequest(request.Method, request.RequestUri!, length, contentRange, request.Headers.Contains("Cookie"), response is null ? null : (int)response.StatusCode));
            if (response is null)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "connection reset by peer (injected)", new IOException("connection reset by peer"));
            }

            response.RequestMessage = request;
            return response;
        }
    }
}
