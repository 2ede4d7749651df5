using RegistryPush.Oci;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>A repository's blobs: whether one is there, and the steps of an upload session (monolithic or chunked).</summary>
public interface IBlobStore : IRepositoryEndpoint
{
    /// <summary>Whether the repository holds the blob, and its size when it does; 403 is reported, not thrown.</summary>
    Task<BlobProbe> FindBlobAsync(Digest digest, CancellationToken cancellationToken);

    /// <summary>Opens an upload session.</summary>
    Task<UploadSession> StartUploadAsync(CancellationToken cancellationToken);

    /// <summary>Sends the whole blob in one request, streamed from its file, and closes the session with its digest.</summary>
    Task PutBlobAsync(UploadSession session, BlobFile blob, Action<long>? onBytesSent, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="length"/> bytes of the blob from <paramref name="offset"/> as one chunk.</summary>
    Task<UploadStatus> PatchChunkAsync(UploadSession session, BlobFile blob, long offset, long length, Action<long>? onBytesSent, CancellationToken cancellationToken);

    /// <summary>How much an upload session holds; null when the registry no longer knows it.</summary>
    Task<UploadStatus?> GetUploadStatusAsync(UploadSession session, Digest digest, CancellationToken cancellationToken);

    /// <summary>Closes a chunked upload with the blob's digest.</summary>
    Task CompleteChunkedUploadAsync(UploadSession session, BlobFile blob, CancellationToken cancellationToken);
}
