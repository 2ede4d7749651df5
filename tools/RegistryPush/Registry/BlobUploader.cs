using System.Net;
using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>How blobs travel: one monolithic PUT by default, chunked PATCHes where the registry needs them.</summary>
/// <param name="MaxChunkBytes">The largest chunk sent; 4 MiB by default because GHCR refuses larger PATCH bodies.</param>
/// <param name="ForceChunked">Always upload in chunks (for registries that refuse monolithic uploads).</param>
public sealed record UploadOptions(long MaxChunkBytes = UploadOptions.DefaultMaxChunkBytes, bool ForceChunked = false)
{
    /// <summary>4 MiB.</summary>
    public const long DefaultMaxChunkBytes = 4 * 1024 * 1024;
}

/// <summary>
/// Gets one blob into one repository with the fewest bytes: skip when present, mount when a sibling repository has
/// it, otherwise stream it from its file.
/// </summary>
public sealed class BlobUploader(UploadOptions options, IPushObserver observer)
{
    /// <summary>Ensures <paramref name="blob"/> is in <paramref name="client"/>'s repository.</summary>
    /// <param name="client">The target repository.</param>
    /// <param name="blob">The blob and its file.</param>
    /// <param name="mountFrom">A repository of the same registry known to hold the blob, or null.</param>
    /// <param name="dryRun">Only check; send nothing.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<BlobOutcome> EnsureAsync(RegistryClient client, BlobFile blob, RepositoryReference? mountFrom, bool dryRun, CancellationToken cancellationToken)
    {
        var descriptor = blob.Descriptor;
        var repository = client.Repository;
        if (await client.BlobExistsAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false))
        {
            return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Exists, 0);
        }

        if (dryRun)
        {
            return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.WouldUpload, 0);
        }

        UploadSession? session = null;
        if (mountFrom is not null)
        {
            session = await client.TryMountAsync(descriptor.Digest, mountFrom, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Mounted, 0);
            }
        }

        observer.BlobStarted(repository, descriptor);
        long sent = 0;
        void OnBytesSent(long bytes)
        {
            Interlocked.Add(ref sent, bytes);
            observer.BlobProgress(repository, descriptor, bytes);
        }

        session ??= await client.StartUploadAsync(cancellationToken).ConfigureAwait(false);
        if (options.ForceChunked || session.MinimumChunkBytes is not null)
        {
            await UploadChunkedAsync(client, session, blob, OnBytesSent, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                await client.PutBlobAsync(session, blob, OnBytesSent, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryException exception) when (IsTooLarge(exception))
            {
                // Some registries cap one request's body; chunks get through where one large PUT cannot.
                observer.Verbose($"{descriptor.Digest.Abbreviated}: monolithic upload refused as too large; retrying in chunks");
                var fresh = await client.StartUploadAsync(cancellationToken).ConfigureAwait(false);
                await UploadChunkedAsync(client, fresh, blob, OnBytesSent, cancellationToken).ConfigureAwait(false);
            }
        }

        return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Uploaded, Interlocked.Read(ref sent));
    }

    private async Task UploadChunkedAsync(RegistryClient client, UploadSession session, BlobFile blob, Action<long> onBytesSent, CancellationToken cancellationToken)
    {
        var size = blob.Descriptor.Size;
        var chunk = Math.Max(options.MaxChunkBytes, session.MinimumChunkBytes ?? 0);
        for (long offset = 0; offset < size; offset += chunk)
        {
            var length = Math.Min(chunk, size - offset);
            session = await client.PatchChunkAsync(session, blob, offset, length, onBytesSent, cancellationToken).ConfigureAwait(false);
        }

        await client.CompleteChunkedUploadAsync(session, blob, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsTooLarge(RegistryException exception) =>
        exception.StatusCode == HttpStatusCode.RequestEntityTooLarge;
}
