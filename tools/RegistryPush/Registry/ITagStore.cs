using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>A repository's tags: the writes a push makes last, once everything they point at is in.</summary>
public interface ITagStore : IRepositoryEndpoint
{
    /// <summary>
    /// The digest <paramref name="tag"/> names now (a <c>HEAD</c>, <c>Docker-Content-Digest</c>), or null when it names
    /// nothing (404, or 401/403, whose refusal the full path reports) or the registry did not say which digest.
    /// </summary>
    /// <exception cref="RegistryException">Any other answer: the registry is failing.</exception>
    Task<Digest?> FindTagAsync(string tag, CancellationToken cancellationToken);

    /// <summary>Points <paramref name="tag"/> at <paramref name="manifest"/> (a PUT of its bytes under the tag).</summary>
    Task TagAsync(ManifestBlob manifest, string tag, CancellationToken cancellationToken);
}
