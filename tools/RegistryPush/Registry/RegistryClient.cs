using System.Net;
using System.Net.Http.Headers;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Resilience;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>
/// The OCI Distribution API calls for one repository. Each method is one protocol step; the push strategy lives in
/// <see cref="BlobUploader"/> and <see cref="PushRun"/>, which see this type only through its capabilities
/// (<see cref="IBlobStore"/>, <see cref="IBlobMounter"/>, <see cref="IManifestStore"/>, <see cref="ITagStore"/>).
/// Authentication, retries and tracing are handlers in the <see cref="HttpClient"/> pipeline, not concerns of this type.
/// </summary>
public sealed partial class RegistryClient : IBlobStore, IBlobMounter, IManifestStore, ITagStore
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

    /// <inheritdoc />
    public async Task<Digest?> FindTagAsync(string tag, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(_repositoryBase, $"manifests/{tag}"));
        foreach (var type in ManifestAcceptTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await SendAsync(request, $"HEAD manifest {tag} in {Repository}", cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => response.Headers.TryGetValues("Docker-Content-Digest", out var values)
                && Digest.TryParse(values.FirstOrDefault(), out var digest, out _) ? digest : null,

            // Missing (Artifactory answers 403 for what it does not have); a refusal surfaces on the full path.
            HttpStatusCode.NotFound or HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => null,

            // Anything else, after the retries the pipeline gave it, is the registry failing: said once, here, rather
            // than met again by every other tag and the ping.
            _ => throw await RegistryResponseError.CreateAsync(response, $"HEAD manifest {tag} in {Repository}", cancellationToken).ConfigureAwait(false),
        };
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

    /// <inheritdoc />
    public async Task TagAsync(ManifestBlob manifest, string tag, CancellationToken cancellationToken) =>
        await PutManifestAsync(manifest, tag, cancellationToken).ConfigureAwait(false);

    private static void CheckDigestHeader(HttpResponseMessage response, Digest expected, string operation)
    {
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values)
            && values.FirstOrDefault() is { Length: > 0 } reported
            && reported != expected.ToString())
        {
            throw new RegistryException($"{operation}: the registry stored digest {PrintableText.Excerpt(reported)}, expected {expected}");
        }
    }

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
            throw new RegistryException($"{operation}: the connection to {Repository.Registry}{NetworkFailure.Via(request.RequestUri)} broke ({NetworkFailure.BrokenConnectionReason(exception)})", exception);
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
