using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>How a <see cref="FakeRegistry"/> writes the <c>Range</c> header of an upload.</summary>
public enum RangeStyle
{
    /// <summary><c>0-1023</c>, as the distribution registry writes it.</summary>
    Plain,

    /// <summary><c>bytes=0-1023</c>.</summary>
    BytesEquals,

    /// <summary><c>bytes 0-1023/*</c>, RFC 9110's Content-Range form.</summary>
    Rfc,
}

/// <summary>The quirks of real registries a <see cref="FakeRegistry"/> can imitate.</summary>
public sealed record FakeQuirks
{
    /// <summary>What a PATCH answers: 202 (the specification), 201 (ECR) or 204.</summary>
    public HttpStatusCode PatchStatus { get; init; } = HttpStatusCode.Accepted;

    /// <summary>Announced on new sessions as <c>OCI-Chunk-Min-Length</c>.</summary>
    public long? AnnouncedMinChunk { get; init; }

    /// <summary>Enforced at close: every chunk but the last at least this long (ECR's 5 MiB), else 400.</summary>
    public long? EnforcedMinChunk { get; init; }

    /// <summary>Any request body over this is refused with GHCR's 416 "request body is too large".</summary>
    public long? MaxBodyBytes { get; init; }

    /// <summary>How <c>Range</c> is written.</summary>
    public RangeStyle RangeStyle { get; init; } = RangeStyle.Plain;

    /// <summary>New sessions answer <c>Range: 0-0</c> (GHCR, distribution).</summary>
    public bool RangeOnNewSession { get; init; }

    /// <summary>What a HEAD for a missing blob or manifest answers: 404, or 403 as Artifactory does.</summary>
    public HttpStatusCode MissingStatus { get; init; } = HttpStatusCode.NotFound;

    /// <summary>Opening an upload session answers 403 DENIED (no push permission).</summary>
    public bool DenyPush { get; init; }

    /// <summary>What a mount request answers when set (401 Harbor, 400 Docker Hub); otherwise it mounts when it can.</summary>
    public HttpStatusCode? MountStatus { get; init; }

    /// <summary>Upload URLs are absolute (with a signed-looking query) rather than relative.</summary>
    public bool AbsoluteLocations { get; init; }

    /// <summary>A PATCH keeps only the first half of the chunk it was sent, and says so in <c>Range</c>.</summary>
    public bool ShortAccept { get; init; }

    /// <summary>The ping (<c>GET /v2/</c>) answers with a body of this many bytes.</summary>
    public int? PingBodyBytes { get; init; }
}

/// <summary>The protocol steps a script can break.</summary>
public enum FakeStep
{
    /// <summary>A PATCH chunk.</summary>
    Patch,

    /// <summary>A monolithic PUT (with a body).</summary>
    Monolithic,

    /// <summary>The PUT closing a chunked upload.</summary>
    Complete,

    /// <summary>The GET asking a session for its Range.</summary>
    Status,

    /// <summary>A POST opening a session.</summary>
    Start,

    /// <summary>A blob HEAD.</summary>
    HeadBlob,

    /// <summary>A manifest PUT.</summary>
    PutManifest,
}

/// <summary>How a scripted step misbehaves.</summary>
public enum FakeMisbehaviour
{
    /// <summary>Do the work, then lose the answer (the client sees a connection reset).</summary>
    StoreThenDropConnection,

    /// <summary>Keep only the first half of the body, answer 500.</summary>
    StoreHalfThenFail,

    /// <summary>Answer 500 and forget the session.</summary>
    LoseSession,

    /// <summary>Answer 503 without doing anything.</summary>
    Unavailable,

    /// <summary>Answer 503 with a <c>DENIED</c> error body.</summary>
    UnavailableDenied,

    /// <summary>GHCR's 429: <c>TOOMANYREQUESTS</c>, the wait in the body as <c>retry-after: 800ms</c>, no header.</summary>
    GhcrTooManyRequests,

    /// <summary>GitHub's secondary rate limit: 403 <c>DENIED</c> "You have exceeded a secondary rate limit", <c>Retry-After: 1</c>.</summary>
    GhcrSecondaryRateLimit,
}

/// <summary>One request the fake registry answered.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The URL.</param>
/// <param name="ContentLength">The body's length.</param>
/// <param name="ContentRange">The request's Content-Range, if any.</param>
/// <param name="HadCookie">Whether a Cookie header was sent.</param>
/// <param name="Status">The answer's status, or null when the connection was "dropped".</param>
public sealed record FakeRequest(HttpMethod Method, Uri Uri, long ContentLength, string? ContentRange, bool HadCookie, int? Status);

/// <summary>
/// An in-memory OCI registry behind an <see cref="HttpMessageHandler"/>, for what a real registry cannot be made to
/// do on demand: the quirks of GHCR, ECR, Artifactory, Harbor and Docker Hub, and scripted failures at exact protocol
/// steps. It checks what a strict registry checks (digests on close, chunk order, manifests' references present) so
/// that a push it accepts is a push a registry would accept.
/// </summary>
public sealed class FakeRegistry
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Repository, string Digest), byte> _links = new();
    private readonly ConcurrentDictionary<(string Repository, string Reference), (byte[] Bytes, string MediaType)> _manifests = new();
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly List<Script> _script = [];

    /// <summary>The quirks imitated.</summary>
    public FakeQuirks Quirks { get; init; } = new();

    /// <summary>Every request, in order.</summary>
    public ConcurrentQueue<FakeRequest> Log { get; } = new();

    /// <summary>
    /// Makes the <paramref name="occurrence"/>-th request of <paramref name="step"/> (1-based) misbehave, counting only
    /// requests of uploads larger than <paramref name="largerThan"/> bytes so far (for a chunk: its end offset; for a
    /// close: what the session holds), so a script can aim at a layer while a small config uploads alongside.
    /// </summary>
    public FakeRegistry Break(FakeStep step, int occurrence, FakeMisbehaviour what, long largerThan = 0)
    {
        lock (_script)
        {
            _script.Add(new Script(step, occurrence, occurrence, what, largerThan));
        }

        return this;
    }

    /// <summary>Makes every request of <paramref name="step"/> from the <paramref name="from"/>-th on misbehave (same counting).</summary>
    public FakeRegistry BreakFrom(FakeStep step, int from, FakeMisbehaviour what, long largerThan = 0)
    {
        lock (_script)
        {
            _script.Add(new Script(step, from, int.MaxValue, what, largerThan));
        }

        return this;
    }

    /// <summary>A handler answering for this registry (one per run: a pipeline disposes its handlers).</summary>
    public DelegatingHandler CreateHandler() => new Handler(this);

    /// <summary>The stored bytes of a blob, or null.</summary>
    public byte[]? Blob(string digest) => _blobs.TryGetValue(digest, out var bytes) ? bytes : null;

    /// <summary>True when <paramref name="repository"/> holds the blob.</summary>
    public bool Holds(string repository, string digest) => _links.ContainsKey((repository, digest));

    /// <summary>The manifest bytes under a tag or digest, or null.</summary>
    public byte[]? Manifest(string repository, string reference) =>
        _manifests.TryGetValue((repository, reference), out var manifest) ? manifest.Bytes : null;

    /// <summary>Stores a blob in a repository directly (as if pushed before).</summary>
    public void Seed(string repository, byte[] bytes)
    {
        var digest = DigestOf(bytes);
        _blobs[digest] = bytes;
        _links[(repository, digest)] = 0;
    }

    /// <summary>The chunk requests sent (PATCH), with their Content-Range.</summary>
    public IReadOnlyList<FakeRequest> Patches => Log.Where(static request => request.Method == HttpMethod.Patch).ToList();

    private static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private FakeMisbehaviour? Scripted(FakeStep step, long size = 0)
    {
        lock (_script)
        {
            FakeMisbehaviour? chosen = null;
            foreach (var entry in _script.Where(entry => entry.Step == step && (entry.LargerThan == 0 || size > entry.LargerThan)))
            {
                entry.Seen++;
                if (chosen is null && entry.Seen >= entry.From && entry.Seen <= entry.To)
                {
                    chosen = entry.What;
                }
            }

            return chosen;
        }
    }

    private async Task<HttpResponseMessage?> AnswerAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        var query = ParseQuery(request.RequestUri.Query);
        if (path == "/v2/" || path == "/v2")
        {
            return Quirks.PingBodyBytes is { } size
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(new byte[size]) }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        }

        if (Quirks.MaxBodyBytes is { } max && body.Length > max)
        {
            // GHCR's words and status for an oversized request body.
            return Error(HttpStatusCode.RequestedRangeNotSatisfiable, "REQUESTED_RANGE_NOT_SATISFIABLE", "the request body is too large and exceeds the maximum permissible limit of 4.00MiB");
        }

        var uploads = path.IndexOf("/blobs/uploads/", StringComparison.Ordinal);
        if (uploads > 0)
        {
            var repository = path[4..uploads];
            var id = path[(uploads + "/blobs/uploads/".Length)..];
            return id.Length == 0
                ? StartOrMount(request, repository, query)
                : Upload(request, repository, id, query, body);
        }

        var blobs = path.IndexOf("/blobs/", StringComparison.Ordinal);
        if (blobs > 0)
        {
            var repository = path[4..blobs];
            var digest = path[(blobs + "/blobs/".Length)..];
            if (Scripted(FakeStep.HeadBlob) is { } broken)
            {
                return Misbehave(broken);
            }

            if (!_links.ContainsKey((repository, digest)))
            {
                return Error(Quirks.MissingStatus, "BLOB_UNKNOWN", "blob unknown to registry");
            }

            var bytes = _blobs[digest];
            var found = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(request.Method == HttpMethod.Head ? [] : bytes) };
            found.Content.Headers.ContentLength = bytes.Length;
            found.Headers.TryAddWithoutValidation("Docker-Content-Digest", digest);
            return found;
        }

        var manifests = path.IndexOf("/manifests/", StringComparison.Ordinal);
        if (manifests > 0)
        {
            var repository = path[4..manifests];
            var reference = path[(manifests + "/manifests/".Length)..];
            return request.Method == HttpMethod.Put
                ? PutManifest(request, repository, reference, body)
                : GetManifest(request, repository, reference);
        }

        return Error(HttpStatusCode.NotFound, "NAME_UNKNOWN", "no route");
    }

    private HttpResponseMessage? StartOrMount(HttpRequestMessage request, string repository, Dictionary<string, string> query)
    {
        if (query.TryGetValue("mount", out var digest) && query.TryGetValue("from", out var from))
        {
            if (Quirks.MountStatus is { } refusal)
            {
                return Error(refusal, refusal == HttpStatusCode.Unauthorized ? "UNAUTHORIZED" : "UNSUPPORTED", "mount refused");
            }

            if (_links.ContainsKey((from, digest)))
            {
                _links[(repository, digest)] = 0;
                var mounted = new HttpResponseMessage(HttpStatusCode.Created);
                mounted.Headers.Location = new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative);
                mounted.Headers.TryAddWithoutValidation("Docker-Content-Digest", digest);
                return mounted;
            }
        }

        if (Scripted(FakeStep.Start) is { } broken)
        {
            return Misbehave(broken);
        }

        if (Quirks.DenyPush)
        {
            return Error(HttpStatusCode.Forbidden, "DENIED", "requested access to the resource is denied");
        }

        var id = Guid.NewGuid().ToString("N");
        _sessions[id] = new Session(repository);
        var response = new HttpResponseMessage(HttpStatusCode.Accepted);
        SetSessionHeaders(request, response, repository, id, newSession: true);
        if (Quirks.AnnouncedMinChunk is { } minimum)
        {
            response.Headers.TryAddWithoutValidation("OCI-Chunk-Min-Length", minimum.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    private HttpResponseMessage? Upload(HttpRequestMessage request, string repository, string id, Dictionary<string, string> query, byte[] body)
    {
        if (!_sessions.TryGetValue(id, out var session) || session.Repository != repository)
        {
            return Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
        }

        if (request.Method == HttpMethod.Get)
        {
            if (Scripted(FakeStep.Status) is { } broken)
            {
                return Misbehave(broken);
            }

            var status = new HttpResponseMessage(HttpStatusCode.NoContent);
            SetSessionHeaders(request, status, repository, id, newSession: false);
            return status;
        }

        if (request.Method == HttpMethod.Patch)
        {
            var start = ParseContentRangeStart(request.Content?.Headers);
            lock (session)
            {
                if (start is { } offset && offset != session.Data.Length)
                {
                    var refused = Error(HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", "out of order chunk");
                    SetSessionHeaders(request, refused, repository, id, newSession: false);
                    return refused;
                }

                switch (Scripted(FakeStep.Patch, session.Data.Length + body.Length))
                {
                    case FakeMisbehaviour.StoreThenDropConnection:
                        session.Append(body);
                        return null;
                    case FakeMisbehaviour.StoreHalfThenFail:
                        session.Append(body[..(body.Length / 2)]);
                        return Error(HttpStatusCode.InternalServerError, "UNKNOWN", "injected failure mid-chunk");
                    case FakeMisbehaviour.LoseSession:
                        _sessions.TryRemove(id, out _);
                        return Error(HttpStatusCode.InternalServerError, "UNKNOWN", "injected failure; session lost");
                    case { } other:
                        return Misbehave(other);
                }

                session.Append(Quirks.ShortAccept && body.Length > 1 ? body[..(body.Length / 2)] : body);
            }

            var accepted = new HttpResponseMessage(Quirks.PatchStatus);
            SetSessionHeaders(request, accepted, repository, id, newSession: false);
            return accepted;
        }

        if (request.Method == HttpMethod.Put)
        {
            var step = body.Length > 0 ? FakeStep.Monolithic : FakeStep.Complete;
            var broken = Scripted(step, session.Data.Length + body.Length);
            if (broken is FakeMisbehaviour.Unavailable or FakeMisbehaviour.UnavailableDenied or FakeMisbehaviour.LoseSession or FakeMisbehaviour.StoreHalfThenFail)
            {
                return Misbehave(broken.Value);
            }

            lock (session)
            {
                session.Append(body);
                var bytes = session.Data.ToArray();
                var digest = query.GetValueOrDefault("digest") ?? string.Empty;
                if (DigestOf(bytes) != digest)
                {
                    return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content");
                }

                if (Quirks.EnforcedMinChunk is { } minimum && session.Chunks.SkipLast(1).Any(chunk => chunk < minimum))
                {
                    return Error(HttpStatusCode.BadRequest, "BLOB_UPLOAD_INVALID", $"chunks must be at least {minimum} bytes except the last");
                }

                _blobs[digest] = bytes;
                _links[(repository, digest)] = 0;
                _sessions.TryRemove(id, out _);
                if (broken == FakeMisbehaviour.StoreThenDropConnection)
                {
                    return null;
                }

                var created = new HttpResponseMessage(HttpStatusCode.Created);
                created.Headers.Location = new Uri($"/v2/{repository}/blobs/{digest}", UriKind.Relative);
                created.Headers.TryAddWithoutValidation("Docker-Content-Digest", digest);
                return created;
            }
        }

        if (request.Method == HttpMethod.Delete)
        {
            _sessions.TryRemove(id, out _);
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }

        return Error(HttpStatusCode.MethodNotAllowed, "UNSUPPORTED", "method not allowed");
    }

    private HttpResponseMessage? PutManifest(HttpRequestMessage request, string repository, string reference, byte[] body)
    {
        if (Scripted(FakeStep.PutManifest) is { } broken)
        {
            return Misbehave(broken);
        }

        var mediaType = request.Content?.Headers.ContentType?.MediaType ?? string.Empty;
        var json = JsonNode.Parse(body)!;
        var referenced = json["manifests"] is JsonArray children
            ? children.Select(child => (child!["digest"]!.GetValue<string>(), IsManifest: true))
            : new[] { json["config"]! }.Concat(json["layers"]!.AsArray()!).Select(blob => (blob!["digest"]!.GetValue<string>(), IsManifest: false));
        foreach (var (digest, isManifest) in referenced)
        {
            var present = isManifest ? _manifests.ContainsKey((repository, digest)) : _links.ContainsKey((repository, digest));
            if (!present)
            {
                return Error(HttpStatusCode.BadRequest, isManifest ? "MANIFEST_UNKNOWN" : "MANIFEST_BLOB_UNKNOWN", $"{digest} is not in {repository}");
            }
        }

        var own = DigestOf(body);
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != own)
        {
            return Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", "manifest digest mismatch");
        }

        _manifests[(repository, own)] = (body, mediaType);
        _manifests[(repository, reference)] = (body, mediaType);
        var created = new HttpResponseMessage(HttpStatusCode.Created);
        created.Headers.TryAddWithoutValidation("Docker-Content-Digest", own);
        return created;
    }

    private HttpResponseMessage GetManifest(HttpRequestMessage request, string repository, string reference)
    {
        if (!_manifests.TryGetValue((repository, reference), out var manifest))
        {
            return Error(Quirks.MissingStatus, "MANIFEST_UNKNOWN", "manifest unknown");
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(request.Method == HttpMethod.Head ? [] : manifest.Bytes) };
        response.Content.Headers.ContentLength = manifest.Bytes.Length;
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        response.Headers.TryAddWithoutValidation("Docker-Content-Digest", DigestOf(manifest.Bytes));
        return response;
    }

    private void SetSessionHeaders(HttpRequestMessage request, HttpResponseMessage response, string repository, string id, bool newSession)
    {
        var path = $"/v2/{repository}/blobs/uploads/{id}";
        response.Headers.Location = Quirks.AbsoluteLocations
            ? new Uri($"{request.RequestUri!.GetLeftPart(UriPartial.Authority)}{path}?_state={Guid.NewGuid():N}&X-Amz-Signature=secret")
            : new Uri(path, UriKind.Relative);
        response.Headers.TryAddWithoutValidation("Docker-Upload-UUID", id);
        var held = _sessions.TryGetValue(id, out var session) ? session.Data.Length : 0;
        if (newSession && !Quirks.RangeOnNewSession)
        {
            return;
        }

        var range = held == 0 ? "0-0" : $"0-{held - 1}";
        response.Headers.TryAddWithoutValidation("Range", Quirks.RangeStyle switch
        {
            RangeStyle.BytesEquals => "bytes=" + range,
            RangeStyle.Rfc => $"bytes {range}/*",
            _ => range,
        });
    }

    private static HttpResponseMessage? Misbehave(FakeMisbehaviour what) => what switch
    {
        FakeMisbehaviour.StoreThenDropConnection => null,
        FakeMisbehaviour.UnavailableDenied => Error(HttpStatusCode.ServiceUnavailable, "DENIED", "quota exhausted"),
        FakeMisbehaviour.Unavailable => Error(HttpStatusCode.ServiceUnavailable, "UNAVAILABLE", "injected"),
        FakeMisbehaviour.GhcrTooManyRequests => Error(HttpStatusCode.TooManyRequests, "TOOMANYREQUESTS", "retry-after: 800ms, allowed: 2000/minute"),
        FakeMisbehaviour.GhcrSecondaryRateLimit => WithRetryAfter(Error(HttpStatusCode.Forbidden, "DENIED",
            "permission_denied: You have exceeded a secondary rate limit. Please wait a few minutes before you try again."), "1"),
        _ => Error(HttpStatusCode.InternalServerError, "UNKNOWN", "injected"),
    };

    private static HttpResponseMessage WithRetryAfter(HttpResponseMessage response, string retryAfter)
    {
        response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return response;
    }

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message)
    {
        var response = new HttpResponseMessage(status);
        response.Content = new StringContent($$"""{"errors":[{"code":"{{code}}","message":"{{message}}"}]}""", Encoding.UTF8, "application/json");
        return response;
    }

    private static long? ParseContentRangeStart(HttpContentHeaders? headers)
    {
        if (headers is null || !headers.NonValidated.TryGetValues("Content-Range", out var values))
        {
            return null;
        }

        var text = values.First();
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && long.TryParse(text[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : null;
    }

    private static Dictionary<string, string> ParseQuery(string query)
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

    private sealed class Script(FakeStep step, int from, int to, FakeMisbehaviour what, long largerThan)
    {
        public FakeStep Step { get; } = step;

        public int From { get; } = from;

        public int To { get; } = to;

        public FakeMisbehaviour What { get; } = what;

        public long LargerThan { get; } = largerThan;

        public int Seen { get; set; }
    }

    private sealed class Session(string repository)
    {
        public string Repository { get; } = repository;

        public MemoryStream Data { get; } = new();

        public List<long> Chunks { get; } = [];

        public void Append(byte[] bytes)
        {
            if (bytes.Length == 0)
            {
                return;
            }

            Data.Write(bytes);
            Chunks.Add(bytes.Length);
        }
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
