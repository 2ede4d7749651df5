using System.Net;
using System.Net.Http.Headers;
using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>The calls the referrers tag schema needs (distribution-spec 1.1): the referrers API probe, and reading a manifest.</summary>
public sealed partial class RegistryClient
{
    /// <summary>
    /// True when the registry answers the referrers API for <paramref name="subject"/> with an index
    /// (<c>GET /v2/NAME/referrers/DIGEST</c>): it keeps referrers lists itself. A 404 (distribution 2.8) or anything
    /// that is not an index means it does not, and clients keep the list under the subject's fallback tag.
    /// </summary>
    public async Task<bool> AnswersReferrersApiAsync(Digest subject, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_repositoryBase, $"referrers/{subject}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciIndex));
        using var response = await SendAsync(request, $"GET referrers of {subject} in {Repository}", cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == MediaTypes.OciIndex;
    }

    /// <summary>The manifest under <paramref name="reference"/> (a tag or digest) with its media type; null when there is none (404).</summary>
    public async Task<FetchedManifest?> GetManifestAsync(string reference, CancellationToken cancellationToken)
    {
        var operation = $"GET manifest {Repository}:{reference}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_repositoryBase, $"manifests/{reference}"));
        foreach (var type in ManifestAcceptTypes)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            throw await RegistryResponseError.CreateAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }

        // The body is already in memory, capped (the resilience handler buffers every answer).
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new FetchedManifest(response.Content.Headers.ContentType?.MediaType, content);
    }
}
