namespace RegistryPush.Registry.Uploads;

/// <summary>
/// How large the chunks of one chunked upload are, from what is known before a byte is sent: the largest chunk asked
/// for (<c>--chunk-size</c>), the registry's known limits (<see cref="RegistryQuirks"/>) and the minimum its upload
/// session announced (<c>OCI-Chunk-Min-Length</c>). Pure: the upload asks it, and it remembers nothing.
/// </summary>
/// <param name="Initial">The chunk size an upload starts with.</param>
/// <param name="Minimum">The smallest chunk (except a blob's last) the registry accepts, 0 when it named none.</param>
internal readonly record struct ChunkSizePolicy(long Initial, long Minimum)
{
    /// <summary>The policy for an upload through <paramref name="session"/> to a registry with <paramref name="quirks"/>.</summary>
    public static ChunkSizePolicy For(long maxChunkBytes, RegistryQuirks quirks, UploadSession session)
    {
        var minimum = Math.Max(session.MinimumChunkBytes ?? 0, quirks.MinChunkBytes ?? 0);
        return new ChunkSizePolicy(Math.Max(Math.Min(maxChunkBytes, quirks.MaxRequestBodyBytes ?? long.MaxValue), minimum), minimum);
    }

    /// <summary>
    /// True when a blob of <paramref name="size"/> bytes must go in chunks even though monolithic uploads were not
    /// refused: the session announced a chunk minimum, or the blob is larger than the registry's request body ceiling.
    /// </summary>
    public static bool MustChunk(long size, RegistryQuirks quirks, UploadSession session) =>
        session.MinimumChunkBytes is not null || (quirks.MaxRequestBodyBytes is { } ceiling && size > ceiling);

    /// <summary>The next size after the registry refused a chunk of <paramref name="chunk"/> bytes as too large, or null when halving would go below what it accepts.</summary>
    public long? AfterRefusal(long chunk) =>
        chunk / 2 < Math.Max(Minimum, UploadOptions.SmallestChunkBytes) ? null : chunk / 2;
}
