using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>Links a blob another repository of the same registry holds, instead of uploading it.</summary>
public interface IBlobMounter : IRepositoryEndpoint
{
    /// <summary>Null when mounted; otherwise an upload session to send the blob through instead (a refused mount is never an error).</summary>
    Task<UploadSession?> TryMountAsync(Digest digest, RepositoryReference from, CancellationToken cancellationToken);
}
