using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>
/// Where blobs went in earlier runs, per registry: a hint for a cross-repository mount, so that pushing an image to
/// a second repository of the same registry sends no layer again (skopeo does the same from its blob-info cache).
/// A hint may be stale (the repository deleted, the registry reset): a mount the registry refuses becomes the upload
/// it would have been anyway, in the session the refusal opened, so a wrong hint costs nothing. Thread-safe.
/// </summary>
public interface IBlobLocations
{
    /// <summary>A repository path of <paramref name="registry"/> that held <paramref name="digest"/> before, or null.</summary>
    string? Find(string registry, Digest digest);

    /// <summary>Notes that <paramref name="repository"/> now holds <paramref name="digest"/>.</summary>
    void Remember(RepositoryReference repository, Digest digest);
}
