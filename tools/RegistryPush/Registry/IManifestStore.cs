using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>A repository's manifests: whether one is there, putting one by digest, and what referrers need.</summary>
public interface IManifestStore : IRepositoryEndpoint
{
    /// <summary>True when the repository holds the manifest (by digest or tag).</summary>
    Task<bool> ManifestExistsAsync(string reference, CancellationToken cancellationToken);

    /// <summary>Puts a manifest under <paramref name="reference"/>, with its exact bytes and media type.</summary>
    /// <returns>True when the registry answered <c>OCI-Subject</c>: it keeps the subject's referrers list itself.</returns>
    Task<bool> PutManifestAsync(ManifestBlob manifest, string reference, CancellationToken cancellationToken);

    /// <summary>The manifest under <paramref name="reference"/> with its media type; null when there is none.</summary>
    Task<FetchedManifest?> GetManifestAsync(string reference, CancellationToken cancellationToken);

    /// <summary>True when the registry answers the referrers API for <paramref name="subject"/> (it keeps referrers lists itself).</summary>
    Task<bool> AnswersReferrersApiAsync(Digest subject, CancellationToken cancellationToken);
}
