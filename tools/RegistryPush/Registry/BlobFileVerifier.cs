using System.Collections.Concurrent;
using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>
/// Hashes blob files against their digests, each at most once per run however many repositories the blob goes to:
/// what <c>--verify</c> does before sending, and what a dry run does for every blob a push would send (the registry
/// would refuse a corrupt one, so a dry run must too).
/// </summary>
internal sealed class BlobFileVerifier
{
    private readonly ConcurrentDictionary<string, Lazy<Task>> _verified = new();

    /// <summary>Checks that <paramref name="blob"/>'s file hashes to its digest.</summary>
    /// <exception cref="LayoutException">The file cannot be read, or is corrupt.</exception>
    public Task VerifyOnceAsync(BlobFile blob, CancellationToken cancellationToken) =>
        _verified.GetOrAdd(blob.Descriptor.Digest.ToString(), _ => new Lazy<Task>(() => VerifyAsync(blob, cancellationToken))).Value;

    private static async Task VerifyAsync(BlobFile blob, CancellationToken cancellationToken)
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
