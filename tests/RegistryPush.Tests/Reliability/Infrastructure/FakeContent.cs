using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// The content routes of a <see cref="FakeRegistry"/>: blob HEAD/GET and manifest HEAD/GET/PUT. A manifest PUT is
/// checked as a strict registry checks it: every blob or child manifest it references present, its digest right.
/// </summary>
internal sealed class FakeContent(FakeStore store, FakeScript script)
{
    /// <summary>Answers a HEAD or GET for a blob.</summary>
    public HttpResponseMessage? Blob(FakeCall call, string repository, string digest)
    {
        if (script.Next(FakeStep.HeadBlob) is { } broken)
        {
            return FakeAnswers.Misbehave(broken);
        }

        if (!store.Holds(repository, digest))
        {
            return FakeAnswers.Error(call.Quirks.MissingStatus, "BLOB_UNKNOWN", "blob unknown to registry");
        }

        var bytes = store.Blob(digest)!;
        var found = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(call.Request.Method == HttpMethod.Head ? [] : bytes) };
        found.Content.Headers.ContentLength = bytes.Length;
        found.Headers.TryAddWithoutValidation("Docker-Content-Digest", digest);
        return found;
    }

    /// <summary>Answers a manifest request: PUT stores, anything else reads.</summary>
    public HttpResponseMessage? Manifest(FakeCall call, string repository, string reference) =>
        call.Request.Method == HttpMethod.Put
            ? PutManifest(call, repository, reference)
            : GetManifest(call, repository, reference);

    private HttpResponseMessage? PutManifest(FakeCall call, string repository, string reference)
    {
        if (script.Next(FakeStep.PutManifest) is { } broken)
        {
            return FakeAnswers.Misbehave(broken);
        }

        var body = call.Body;
        var mediaType = call.Request.Content?.Headers.ContentType?.MediaType ?? string.Empty;
        var json = JsonNode.Parse(body)!;
        var referenced = json["manifests"] is JsonArray children
            ? children.Select(child => (child!["digest"]!.GetValue<string>(), IsManifest: true))
            : new[] { json["config"]! }.Concat(json["layers"]!.AsArray()!).Select(blob => (blob!["digest"]!.GetValue<string>(), IsManifest: false));
        foreach (var (digest, isManifest) in referenced)
        {
            var present = isManifest ? store.Manifest(repository, digest) is not null : store.Holds(repository, digest);
            if (!present)
            {
                return FakeAnswers.Error(HttpStatusCode.BadRequest, isManifest ? "MANIFEST_UNKNOWN" : "MANIFEST_BLOB_UNKNOWN", $"{digest} is not in {repository}");
            }
        }

        var own = FakeStore.DigestOf(body);
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != own)
        {
            return FakeAnswers.Error(HttpStatusCode.BadRequest, "DIGEST_INVALID", "manifest digest mismatch");
        }

        store.AddManifest(repository, reference, new StoredManifest(body, mediaType));
        var created = new HttpResponseMessage(HttpStatusCode.Created);
        created.Headers.TryAddWithoutValidation("Docker-Content-Digest", own);
        return created;
    }

    private HttpResponseMessage GetManifest(FakeCall call, string repository, string reference)
    {
        if (store.Manifest(repository, reference) is not { } manifest)
        {
            return FakeAnswers.Error(call.Quirks.MissingStatus, "MANIFEST_UNKNOWN", "manifest unknown");
        }

        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(call.Request.Method == HttpMethod.Head ? [] : manifest.Bytes) };
        response.Content.Headers.ContentLength = manifest.Bytes.Length;
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(manifest.MediaType);
        response.Headers.TryAddWithoutValidation("Docker-Content-Digest", FakeStore.DigestOf(manifest.Bytes));
        return response;
    }
}
