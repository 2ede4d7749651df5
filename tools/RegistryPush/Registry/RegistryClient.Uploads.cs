using System.Net;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Resilience;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>The blob upload steps: mounts, upload sessions, monolithic and chunked sends, and closing a session.</summary>
public sealed partial class RegistryClient
{
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
    public async Task<UploadStatus> PatchChunkAsync(UploadSession session, BlobFile blob, long offset, long length, Action<long>? onBytesSent, CancellationToken cancellationToken)
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
        return new UploadStatus(next, CommittedBytes(response));
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
            var errors = await DistributionErrors.ReadAsync(response, cancellationToken).ConfigureAwait(false);
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

    private async Task EnsureBlobCommittedAsync(HttpResponseMessage response, BlobFile blob, CancellationToken cancellationToken)
    {
        var digest = blob.Descriptor.Digest;
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK)
        {
            CheckDigestHeader(response, digest, $"upload blob {digest} to {Repository}");
            return;
        }

        var errors = await DistributionErrors.ReadAsync(response, cancellationToken).ConfigureAwait(false);
        if (errors.Any(static error => error.Code is "DIGEST_INVALID" or "SIZE_INVALID"))
        {
            throw new LayoutException(
                $"the registry rejected blob {digest}: its content does not match the digest or size (corrupt file? {blob.Path})");
        }

        throw RegistryResponseError.Create(response, errors, $"upload blob {digest} to {Repository}");
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
}
