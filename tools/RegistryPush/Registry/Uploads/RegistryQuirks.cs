namespace RegistryPush.Registry.Uploads;

/// <summary>
/// What is known about a registry's limits before it says anything: GHCR refuses any request body over 4 MiB
/// (answering 416 "the request body is too large"), so blobs above that go in chunks of at most 4 MiB; Amazon ECR
/// refuses chunks under 5 MiB except the last. Registries that announce a minimum (<c>OCI-Chunk-Min-Length</c>)
/// are honoured from the header; these are the ones that do not announce it.
/// </summary>
/// <param name="MaxRequestBodyBytes">The largest request body the registry accepts, if it has a known ceiling.</param>
/// <param name="MinChunkBytes">The smallest chunk (except the last) the registry accepts, if it has a known floor.</param>
public sealed record RegistryQuirks(long? MaxRequestBodyBytes, long? MinChunkBytes)
{
    /// <summary>4 MiB: GHCR's per-request body ceiling.</summary>
    public const long GhcrMaxRequestBodyBytes = 4L * 1024 * 1024;

    /// <summary>5 MiB: ECR's smallest chunk (its storage's multipart minimum).</summary>
    public const long EcrMinChunkBytes = 5L * 1024 * 1024;

    /// <summary>The registries with known limits: which hosts (lower case, no port) they are, and the limits.</summary>
    private static readonly (Func<string, bool> Matches, RegistryQuirks Limits)[] Known =
    [
        (static host => host == "ghcr.io", new RegistryQuirks(GhcrMaxRequestBodyBytes, null)),

        // Private ECR: ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .amazonaws.com.cn).
        (static host => host.Contains(".dkr.ecr.", StringComparison.Ordinal)
            && (host.EndsWith(".amazonaws.com", StringComparison.Ordinal) || host.EndsWith(".amazonaws.com.cn", StringComparison.Ordinal)),
            new RegistryQuirks(null, EcrMinChunkBytes)),
    ];

    /// <summary>No known limits.</summary>
    public static RegistryQuirks None { get; } = new(null, null);

    /// <summary>The known limits of the registry at <paramref name="registry"/> (<c>host[:port]</c>).</summary>
    public static RegistryQuirks For(string registry)
    {
        var host = registry.ToLowerInvariant();
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.EndsWith(']'))
        {
            host = host[..colon];
        }

        return Known.FirstOrDefault(known => known.Matches(host)).Limits ?? None;
    }
}
