using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// The upload routes of a <see cref="FakeRegistry"/>: mounts, opening a session, asking it for its Range, PATCH chunks,
/// the closing (or monolithic) PUT and DELETE. It checks what a strict registry checks: chunks in order, the digest
/// on close, and the minimum chunk length when the quirks enforce one.
/// </summary>
internal sealed class FakeUploads(FakeStore store, FakeScript script)
{
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Answers a POST to <c>/blobs/uploads/</c>: a mount when asked and possible, else a new session.</summary>
    public HttpResponseMessage? StartOrMount(FakeCall call, string repository)
    {
        var quirks = call.Quirks;
        if (call.Query.TryGetValue("mount", out var digest) && call.Query.TryGetValue("from", out var from))
        {
            if (quirks.MountStatus is { } refusal)
            {
                return FakeAnswers.Error(refusal, refusal == HttpStatusCode.Unauthorized ? "UNAUTHORIZED" : "UNSUPPORTED", "mount refused");
            }

            if (store.Holds(from, digest))
            {
                store.Link(repository, digest);
                return FakeAnswers.BlobCreated(repository, digest);
            }
        }

        if (script.Next(FakeStep.Start) is { } broken)
        {
            return FakeAnswers.Misbehave(broken);
        }

        if (quirks.DenyPush)
        {
            return FakeAnswers.Error(HttpStatusCode.Forbidden, "DENIED", "requested access to the resource is denied");
        }

        var id = Guid.NewGuid().ToString("N");
        _sessions[id] = new Session(repository);
        var response = new HttpResponseMessage(HttpStatusCode.Accepted);
        SetSessionHeaders(call, response, repository, id, newSession: true);
        if (quirks.AnnouncedMinChunk is { } minimum)
        {
            response.Headers.TryAddWithoutValidation("OCI-Chunk-Min-Length", minimum.ToString(CultureInfo.InvariantCulture));
        }

        return response;
    }

    /// <summary>Answers a request to the session <paramref name="id"/>.</summary>
    public HttpResponseMessage? Upload(FakeCall call, string repository, string id)
    {
        if (!_sessions.TryGetValue(id, out var session) || session.Repository != repository)
        {
            return FakeAnswers.Error(HttpStatusCode.NotFound, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
        }

        var method = call.Request.Method;
        if (method == HttpMethod.Get)
        {
            return Status(call, repository, id);
        }

        if (method == HttpMethod.Patch)
        {
            return Patch(call, repository, id, session);
        }

        if (method == HttpMethod.Put)
        {
            return Close(call, repository, id, session);
        }

        if (method == HttpMethod.Delete)
        {
            _sessions.TryRemove(id, out _);
            return new HttpResponseMessage(HttpStatusCode.NoContent);
        }

        return FakeAnswers.Error(HttpStatusCode.MethodNotAllowed, "UNSUPPORTED", "method not allowed");
    }

    private HttpResponseMessage? Status(FakeCall call, string repository, string id)
    {
        if (script.Next(FakeStep.Status) is { } broken)
        {
            return FakeAnswers.Misbehave(broken);
        }

        var status = new HttpResponseMessage(HttpStatusCode.NoContent);
        SetSessionHeaders(call, status, repository, id, newSession: false);
        return status;
    }

    private HttpResponseMessage? Patch(FakeCall call, string repository, string id, Session session)
    {
        var body = call.Body;
        var start = ParseContentRangeStart(call.Request.Content?.Headers);
        lock (session)
        {
            if (start is { } offset && offset != session.Data.Length)
            {
                var refused = FakeAnswers.Error(HttpStatusCode.RequestedRangeNotSatisfiable, "BLOB_UPLOAD_INVALID", "out of order chunk");
                SetSessionHeaders(call, refused, repository, id, newSession: false);
                return refused;
            }

            switch (script.Next(FakeStep.Patch, session.Data.Length + body.Length))
            {
                case FakeMisbehaviour.StoreThenDropConnection:
                    session.Append(body);
                    return null;
                case FakeMisbehaviour.StoreHalfThenFail:
                    session.Append(body[..(body.Length / 2)]);
                    return FakeAnswers.Error(HttpStatusCode.InternalServerError, "UNKNOWN", "injected failure mid-chunk");
                case FakeMisbehaviour.LoseSession:
                    _sessions.TryRemove(id, out _);
                    return FakeAnswers.Error(HttpStatusCode.InternalServerError, "UNKNOWN", "injected failure; session lost");
                case { } other:
                    return FakeAnswers.Misbehave(other);
            }

            session.Append(call.Quirks.ShortAccept && body.Length > 1 ? body[..(body.Length / 2)] : body);
        }

        var accepted = new HttpResponseMessage(call.Quirks.PatchStatus);
        SetSessionHeaders(call, accepted, repository, id, newSession: false);
        return accepted;
    }

    private HttpResponseMessage? Close(FakeCall call, string repository, string id, Session session)
    {
        var body = call.Body;
        var step = body.Length > 0 ? FakeStep.Monolithic : FakeStep.Complete;
        var broken = script.Next(step, session.Data.Length + body.Length);
        if (broken is FakeMisbehaviour.Unavailable or FakeMisbehaviour.UnavailableDenied or FakeMisbehaviour.LoseSession or FakeMisbehaviour.StoreHalfThenFail)
        {
            return FakeAnswers.Misbehave(broken.Value);
        }

        lock (session)
        {
            session.Append(body);
            var bytes = session.Data.ToArray();
            var digest = call.Query.GetValueOrDefault("digest") ?? string.Empty;
            if (FakeStore.DigestOf(bytes) != digest)
            {
                return FakeAnswers.Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", "provided digest did not match uploaded content");
            }

            if (call.Quirks.EnforcedMinChunk is { } minimum && session.Chunks.SkipLast(1).Any(chunk => chunk < minimum))
            {
                return FakeAnswers.Error(HttpStatusCode.BadRequest, "BLOB_UPLOAD_INVALID", $"chunks must be at least {minimum} bytes except the last");
            }

            store.AddBlob(repository, digest, bytes);
            _sessions.TryRemove(id, out _);
            return broken == FakeMisbehaviour.StoreThenDropConnection ? null : FakeAnswers.BlobCreated(repository, digest);
        }
    }

    private void SetSessionHeaders(FakeCall call, HttpResponseMessage response, string repository, string id, bool newSession)
    {
        var path = $"/v2/{repository}/blobs/uploads/{id}";
        response.Headers.Location = call.Quirks.AbsoluteLocations
            ? new Uri($"{call.Request.RequestUri!.GetLeftPart(UriPartial.Authority)}{path}?_state={Guid.NewGuid():N}&X-Amz-Signature=secret")
            : new Uri(path, UriKind.Relative);
        response.Headers.TryAddWithoutValidation("Docker-Upload-UUID", id);
        var held = _sessions.TryGetValue(id, out var session) ? session.Data.Length : 0;
        if (newSession && !call.Quirks.RangeOnNewSession)
        {
            return;
        }

        response.Headers.TryAddWithoutValidation("Range", call.Quirks.RangeHeader(held));
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

    /// <summary>One open upload: the repository it belongs to, the bytes so far, and the length of each chunk.</summary>
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
}
