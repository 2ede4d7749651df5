using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>A repository's tags: the writes a push makes last, once everything they point at is in.</summary>
public interface ITagStore : IRepositoryEndpoint
{
    /// <summary>
    /// The digest <paramref name="tag"/> names now (a <c>HEAD</c>, <c>Docker-Content-Digest</c>), or null when it names
    /// nothing, the registry did not say, or the answer was not a plain yes or no: the caller then takes the full
    /// path, whose requests report such answers properly.
    /// </summary>
    Task<Digest?> FindTagAsync(string tag, CancellationToken cancellationToken);

    /// <summary>Points <paramref name="tag"/> at <paramref name="manifest"/> (a PUT of its bytes under the tag).</summary>
    Task TagAsync(ManifestBlob manifest, string tag, CancellationToken cancellationToken);
}
