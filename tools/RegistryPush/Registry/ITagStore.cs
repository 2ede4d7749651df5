using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>A repository's tags: the writes a push makes last, once everything they point at is in.</summary>
public interface ITagStore : IRepositoryEndpoint
{
    /// <summary>Points <paramref name="tag"/> at <paramref name="manifest"/> (a PUT of its bytes under the tag).</summary>
    Task TagAsync(ManifestBlob manifest, string tag, CancellationToken cancellationToken);
}
