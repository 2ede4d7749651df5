using RegistryPush.Registry.Resilience;

namespace RegistryPush.Registry.Uploads;

/// <summary>How blobs travel: one monolithic PUT by default, chunked PATCHes where the registry needs them.</summary>
/// <param name="MaxChunkBytes">The largest chunk sent; 4 MiB by default because GHCR refuses larger PATCH bodies.</param>
/// <param name="ForceChunked">Always upload in chunks (for registries that refuse monolithic uploads).</param>
public sealed record UploadOptions(long MaxChunkBytes = UploadOptions.DefaultMaxChunkBytes, bool ForceChunked = false)
{
    /// <summary>4 MiB.</summary>
    public const long DefaultMaxChunkBytes = 4 * 1024 * 1024;

    /// <summary>The smallest chunk ever sent (except a blob's last): halving a refused chunk stops here.</summary>
    public const long SmallestChunkBytes = 64 * 1024;

    /// <summary>How often a failed upload session or chunk is tried again, and how long to wait in between.</summary>
    public RetrySettings Retry { get; init; } = RetrySettings.Default;

    /// <summary>
    /// <c>--verify</c>: hash each blob's file before sending it (a corrupt file fails before a byte leaves), and
    /// confirm with a <c>HEAD</c> after each upload or mount that the registry serves the blob at its size.
    /// </summary>
    public bool Verify { get; init; }
}
