using System.Collections.Concurrent;
using RegistryPush.Oci;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// Checks blobs on both ends. Before sending: hashes blob files against their digests, each at most once per run
/// however many repositories the blob goes to (what <c>--verify</c> does, and what a dry run does for every blob a push
/// would send: the registry would refuse a corrupt one, so a dry run must too). After: with <c>--verify</c>, confirms
/// that the registry serves each blob at its size.
/// </summary>
internal sealed class BlobVerifier(IPushObserver observer)
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _verified = new();

    /// <summary>Checks that <paramref name="blob"/>'s file hashes to its digest.</summary>
    /// <exception cref="LayoutException">The file cannot be read, or is corrupt.</exception>
    public Task VerifyFileOnceAsync(BlobFile blob, CancellationToken cancellationToken) =>
        _verified.GetOrAdd(blob.Descriptor.Digest.ToString(), _ => new Lazy<Task>(() => VerifyFileAsync(blob, cancellationToken))).Value;

    /// <summary><c>--verify</c>: the registry must now serve the blob, at its size.</summary>
    /// <exception cref="RegistryException">It does not, or serves another size.</exception>
    public async Task ConfirmServedAsync(IBlobStore store, BlobFile blob, CancellationToken cancellationToken)
    {
        var digest = blob.Descriptor.Digest;
        var probe = await store.FindBlobAsync(digest, cancellationToken).ConfigureAwait(false);
        switch (probe)
        {
            case { Presence: BlobPresence.Present, Size: null }:
                return;
            case { Presence: BlobPresence.Present, Size: { } size } when size == blob.Descriptor.Size:
                return;
            case { Presence: BlobPresence.Present, Size: { } size }:
                throw new RegistryException($"verify: {store.Repository} serves blob {digest} as {size} bytes; the layout's is {blob.Descriptor.Size}");
            case { Presence: BlobPresence.Forbidden }:
                observer.Warning($"verify: cannot confirm blob {digest.Abbreviated} in {store.Repository}: HEAD answered 403");
                return;
            default:
                throw new RegistryException($"verify: {store.Repository} does not serve blob {digest} after its upload was accepted");
        }
    }

    private static async Task VerifyFileAsync(BlobFile blob, CancellationToken cancellationToken)
    {
        Digest actual;
        try
        {
            await using var stream = new FileStream(blob.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            actual = await blob.Descriptor.Digest.ComputeSameAlgorithmAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new LayoutException($"cannot read blob {blob.Descriptor.Digest}: {FileErrors.Describe(exception, blob.Path)}: {blob.Path}", exception);
        }

        if (actual != blob.Descriptor.Digest)
        {
            throw new LayoutException($"blob {blob.Descriptor.Digest} does not match its digest (corrupt file; it hashes to {actual}): {blob.Path}");
        }
    }
}
