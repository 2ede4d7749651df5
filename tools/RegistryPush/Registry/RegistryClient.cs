using System.Net;
using System.Net.Http.Headers;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Registry;

/// <summary>
/// The OCI Distribution API calls for one repository. Each method is one protocol step; the push strategy lives in
/// <see cref="BlobUploader"/> and <see cref="PushSession"/>. Authentication, retries and tracing are handlers in the
/// <see cref="HttpClient"/> pipeline, not concerns of this type.
/// </summary>
public sealed partial class RegistryClient
{
    private static readonly string[] ManifestAcceptTypes =
        [MediaTypes.OciManifest, MediaTypes.OciIndex, MediaTypes.DockerManifest, MediaTypes.DockerManifestList];

    private readonly HttpClient _http;
    private readonly Uri _repositoryBase;

    /// <summary>Creates a client for <paramref name="repository"/> at <paramref name="registryBase"/> (e.g. <c>https://ghcr.io/</c>).</summary>
    public RegistryClient(HttpClient http, Uri registryBase, RepositoryReference repository)
    {
        _http = http;
        Repository = repository;
        RegistryBase = registryBase;
        _repositoryBase = new Uri(registryBase, $"/v2/{repository.Path}/");
    }

    /// <summary>The repository this client speaks to.</summary>
    public RepositoryReference Repository { get; }

    /// <summary>The registry's base URL.</summary>
    public Uri RegistryBase { get; }

    /// <summary>Checks that the registry speaks the Distribution API (<c>GET /v2/</c>); 401 counts as alive.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(RegistryBase, "/v2/"));
        using var response = await SendAsync(request, $"GET /v2/ on {Repository.Registry}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Unauthorized))
        {
            throw await RegistryResponseError.CreateAsync(response, $"{Repository.Registry} does not answer as an OCI registry (GET /v2/)", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True when the repository already holds the blob (<c>HEAD /v2/NAME/blobs/DIGEST</c>).</summary>
    public async Task<bool> BlobExistsAsync(Digest digest, CancellationToken cancellationToken) =>
        (await FindBlobAsync(digest, cancellationToken).ConfigureAwait(false)).Presence == BlobPresence.Present;

    /// <summary>
    /// Asks whether the repository holds the blob (<c>HEAD /v2/NAME/blobs/DIGEST</c>) and, when it does, its size.
    /// A 403 is reported as <see cref="BlobPresence.Forbidden"/> rather than thrown: Artifactory answers 403 for blobs
    /// it does not have, so the caller treats it as missing and lets the upload itself surface a real denial.
    /// </summary>
    public async Task<BlobProbe> FindBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(_repositoryBase, $"blobs/{digest}"));
        using var response = await SendAsync(request, $"HEAD blob {digest} in {Repository}", cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => new BlobProbe(BlobPresence.Present, response.Content.Headers.ContentLength),
            HttpStatusCode.NotFound => new BlobProbe(BlobPresence.Missing, null),
            HttpStatusCode.Forbidden => new BlobProbe(BlobPresence.Forbidden, null),
            _ => throw await RegistryResponseError.CreateAsync(response, $"HEAD blob {digest} in {Repository}", cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>True when the repository already holds the manifest (by digest or tag).</summary>
    public async Task<bool> ManifestExistsAsync(string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(_repositoryBase, $"manifests/{reference}"));
        foreach (var type in ManifestAcceptTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await SendAsync(request, $"HEAD manifest {reference} in {Repository}", cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,

            // Artifactory answers 403 for manifests it does not have (virtual repositories); a real denial surfaces
            // when the manifest is put.
            HttpStatusCode.NotFound or HttpStatusCode.Forbidden => false,
            _ => throw await RegistryResponseError.CreateAsync(response, $"HEAD manifest {reference} in {Repository}", cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The digest <paramref name="reference"/> (a tag) names in the repository (<c>HEAD</c>, <c>Docker-Content-Digest</c>),
    /// or null when it names nothing, the registry did not say, or the answer was not a plain yes or no: the caller
    /// then takes the full path, whose requests report such answers properly.
    /// </summary>
    public async Task<Digest?> FindManifestDigestAsync(string reference, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(_repositoryBase, $"manifests/{reference}"));
        foreach (var type in ManifestAcceptTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await SendAsync(request, $"HEAD manifest {reference} in {Repository}", cancellationToken).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.OK
            && response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && Digest.TryParse(values.FirstOrDefault(), out var digest, out _)
            ? digest
            : null;
    }

    /// <summary>
    /// Asks the registry to link a blob from another repository on the same registry (<c>POST ?mount=&amp;from=</c>).
    /// Returns null when mounted; otherwise the upload session the registry opened instead, or a fresh one when it
    /// refused the mount outright (Harbor answers 401 and Docker Hub 400 or 401 when the source is not theirs to
    /// share): a refused mount is never an error, the blob is simply uploaded.
    /// </summary>
    public async Task<UploadSession?> TryMountAsync(Digest digest, RepositoryReference from, CancellationToken cancellationToken)
    {
        var uri = new Uri(_repositoryBase, $"blobs/uploads/?mount={Uri.EscapeDataString(digest.ToString())}&from={Uri.EscapeDataString(from.Path)}");
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = EmptyContent() };
        HttpResponseMessage response;
        try
        {
            response = await SendAsync(request, $"mount blob {digest} from {from.Path} into {Repository}", cancellationToken).ConfigureAwait(false);
        }
        catch (AuthenticationException)
        {
            // The token service refused the source repository's pull scope: upload instead.
            return await StartUploadAsync(cancellationToken).ConfigureAwait(false);
        }

        using (response)
        {
            return response.StatusCode switch
            {
                HttpStatusCode.Created => null,
                HttpStatusCode.Accepted => SessionFrom(response, request.RequestUri!),
                _ => await StartUploadAsync(cancellationToken).ConfigureAwait(false),
            };
        }
    }

    /// <summary>Opens an upload session (<c>POST /v2/NAME/blobs/uploads/</c>).</summary>
    public async Task<UploadSession> StartUploadAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_repositoryBase, "blobs/uploads/")) { Content = EmptyContent() };
        using var response = await SendAsync(request, $"start upload to {Repository}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await RegistryResponseError.CreateAsync(response, $"start upload to {Repository}", cancellationToken).ConfigureAwait(false);
        }

        return SessionFrom(response, request.RequestUri!);
    }

    /// <summary>Sends the whole blob in one request (<c>PUT LOCATION?digest=</c>), streamed from its file.</summary>
    public async Task PutBlobAsync(UploadSession session, BlobFile blob, Action<long>? onBytesSent, CancellationToken cancellationToken)
    {
        var digest = blob.Descriptor.Digest;
        using var request = new HttpRequestMessage(HttpMethod.Put, UploadSession.WithDigest(session.Location, digest))
        {
            Content = new FileRangeContent(blob.Path, 0, blob.Descriptor.Size, onBytesSent),
        };
        request.Options.Set(ResilienceHandler.Replayable, false);
        using var response = await SendAsync(request, $"upload blob {digest} to {Repository}", cancellationToken).ConfigureAwait(false);
        await EnsureBlobCommittedAsync(response, blob, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends one chunk (<c>PATCH</c> with <c>Content-Range</c>). Returns the session to continue with and, when the
    /// registry said (<c>Range</c>), how many bytes it now holds: it may have kept fewer than were sent.
    /// </summary>
    public async Task<ChunkAccepted> PatchChunkAsync(UploadSession session, BlobFile blob, long offset, long length, Action<long>? onBytesSent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, session.Location)
        {
            Content = new FileRangeContent(blob.Path, offset, length, onBytesSent),
        };

        // Distribution wants "start-end" (inclusive), without the "bytes " prefix RFC 9110 uses for responses.
        request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        request.Options.Set(ResilienceHandler.Replayable, false);
        var operation = $"upload chunk {offset}-{offset + length - 1} of blob {blob.Descriptor.Digest} to {Repository}";
        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);

        // 202 is the specification's answer; ECR answers 201 and some proxies 204.
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Created or HttpStatusCode.NoContent))
        {
            throw await RegistryResponseError.CreateAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        var next = response.Headers.Location is null ? session : SessionFrom(response, request.RequestUri!, session.MinimumChunkBytes);
        return new ChunkAccepted(next, CommittedBytes(response));
    }

    /// <summary>
    /// Asks an upload session how much it holds (<c>GET</c> on its URL, answered 204 with <c>Range</c>), to resume
    /// after a failed chunk. Null when the registry no longer knows the session (404, or 400 naming it unknown or
    /// invalid, as the distribution registry does after a chunk broke off midway).
    /// </summary>
    public async Task<UploadStatus?> GetUploadStatusAsync(UploadSession session, Digest digest, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, session.Location);
        var operation = $"check upload of blob {digest} to {Repository}";
        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }

        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            var errors = await RegistryResponseError.ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false);
            if (errors.Count == 0 || errors.Any(static error => error.Code is "BLOB_UPLOAD_UNKNOWN" or "BLOB_UPLOAD_INVALID"))
            {
                return null;
            }

            throw RegistryResponseError.Create(response, errors, operation);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await RegistryResponseError.CreateAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        var next = response.Headers.Location is null ? session : SessionFrom(response, request.RequestUri!, session.MinimumChunkBytes);
        return new UploadStatus(next, CommittedBytes(response));
    }

    /// <summary>Closes a chunked upload (<c>PUT LOCATION?digest=</c> without a body).</summary>
    public async Task CompleteChunkedUploadAsync(UploadSession session, BlobFile blob, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, UploadSession.WithDigest(session.Location, blob.Descriptor.Digest))
        {
            Content = EmptyContent(),
        };

        // Not resent blindly: if the first PUT committed the blob and only its answer was lost, a resend is refused.
        request.Options.Set(ResilienceHandler.Replayable, false);
        using var response = await SendAsync(request, $"complete upload of blob {blob.Descriptor.Digest} to {Repository}", cancellationToken).ConfigureAwait(false);
        await EnsureBlobCommittedAsync(response, blob, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts a manifest under <paramref name="reference"/> (its digest or a tag), with its exact bytes and media type.</summary>
    /// <returns>
    /// True when the registry answered <c>OCI-Subject</c>: it processed the manifest's <c>subject</c> and keeps the
    /// subject's referrers list itself (distribution-spec 1.1).
    /// </returns>
    public async Task<bool> PutManifestAsync(ManifestBlob manifest, string reference, CancellationToken cancellationToken)
    {
        var operation = $"PUT manifest {manifest.Descriptor.Digest} as {Repository}:{reference}";
        if (reference.Contains(':', StringComparison.Ordinal))
        {
            operation = $"PUT manifest {Repository}@{reference}";
        }

        var content = new ReadOnlyMemoryContent(manifest.Content);
        content.Headers.ContentType = new MediaTypeHeaderValue(manifest.Descriptor.MediaType);
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(_repositoryBase, $"manifests/{reference}")) { Content = content };
        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Accepted))
        {
            throw await RegistryResponseError.CreateAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        CheckDigestHeader(response, manifest.Descriptor.Digest, operation);
        return response.Headers.Contains("OCI-Subject");
    }

    private async Task EnsureBlobCommittedAsync(HttpResponseMessage response, BlobFile blob, CancellationToken cancellationToken)
    {
        var digest = blob.Descriptor.Digest;
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK)
        {
            CheckDigestHeader(response, digest, $"upload blob {digest} to {Repository}");
            return;
        }

        var errors = await RegistryResponseError.ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false);
        if (errors.Any(static error => error.Code is "DIGEST_INVALID" or "SIZE_INVALID"))
        {
            throw new LayoutException(
                $"the registry rejected blob {digest}: its content does not match the digest or size (corrupt file? {blob.Path})");
        }

        throw RegistryResponseError.Create(response, errors, $"upload blob {digest} to {Repository}");
    }

    private static void CheckDigestHeader(HttpResponseMessage response, Digest expected, string operation)
    {
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && values.FirstOrDefault() is { Length: > 0 } reported
            && reported != expected.ToString())
        {
            throw new RegistryException($"{operation}: the registry stored digest {RegistryResponseError.Sanitize(reported)}, expected {expected}");
        }
    }

    private static UploadSession SessionFrom(HttpResponseMessage response, Uri requestUri, long? inheritedMinimum = null)
    {
        var location = response.Headers.Location
            ?? throw new RegistryException($"{requestUri.GetLeftPart(UriPartial.Path)}: the registry opened an upload without a Location header");
        long? minimum = inheritedMinimum;
        if (response.Headers.TryGetValues("OCI-Chunk-Min-Length", out var values)
            && long.TryParse(values.FirstOrDefault(), out var parsed) && parsed > 0)
        {
            minimum = parsed;
        }

        return new UploadSession(location.IsAbsoluteUri ? location : UploadSession.ResolveLocation(requestUri, location.OriginalString), minimum);
    }

    private static long? CommittedBytes(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("Range", out var values)
            && UploadRange.TryParseCommitted(values.FirstOrDefault(), out var committed)
            ? committed
            : null;

    private static ByteArrayContent EmptyContent()
    {
        var content = new ByteArrayContent([]);
        content.Headers.ContentLength = 0;
        return content;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        // Which registry the request is for, so a refusal from a host it was sent on to is explained as such.
        request.Options.Set(RegistryResponseError.RegistryOption, RegistryBase.Authority);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception) when (OwnError(exception) is { } own)
        {
            // Our own failure surfaced through the transport (a blob file that changed while it was being sent).
            throw own;
        }
        catch (RequestStalledException exception)
        {
            throw new RegistryException($"{operation}: {exception.Message}", exception);
        }
        catch (HttpRequestException exception) when (exception.InnerException is IOException)
        {
            // The connection broke while the request or its answer was on the way (reset, closed mid-body).
            throw new RegistryException($"{operation}: the connection to {Repository.Registry}{NetworkFailure.Via(request.RequestUri)} broke ({TransientFailures.SocketReason(exception)})", exception);
        }
        catch (HttpRequestException exception)
        {
            throw new RegistryException($"{operation}: {NetworkFailure.Describe(exception, Repository.Registry, request.RequestUri)}", exception);
        }
        catch (TaskCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryException($"{operation}: timed out", exception);
        }
    }

    private static RegistryPushException? OwnError(Exception exception)
    {
        for (var current = exception.InnerException; current is not null; current = current.InnerException)
        {
            if (current is RegistryPushException own)
            {
                return own;
            }
        }

        return null;
    }
}

/// <summary>Whether a repository holds a blob, as far as a <c>HEAD</c> can tell.</summary>
public enum BlobPresence
{
    /// <summary>200: the blob is there.</summary>
    Present,

    /// <summary>404: it is not.</summary>
    Missing,

    /// <summary>403: Artifactory's way of saying "missing", or a real denial that the upload will surface.</summary>
    Forbidden,
}

/// <summary>The answer to a blob <c>HEAD</c>.</summary>
/// <param name="Presence">Whether the blob is there.</param>
/// <param name="Size">Its size (<c>Content-Length</c>) when present and reported.</param>
public sealed record BlobProbe(BlobPresence Presence, long? Size);

/// <summary>The registry took a chunk.</summary>
/// <param name="Session">The session to continue with (registries may move it with each chunk).</param>
/// <param name="Committed">The bytes the session holds now, when the registry said (<c>Range</c>).</param>
public sealed record ChunkAccepted(UploadSession Session, long? Committed);

/// <summary>What an open upload session holds.</summary>
/// <param name="Session">The session to continue with.</param>
/// <param name="Committed">The bytes it holds, or null when the registry did not say in a readable <c>Range</c>.</param>
public sealed record UploadStatus(UploadSession Session, long? Committed);
