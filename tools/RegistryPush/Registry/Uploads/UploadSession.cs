namespace RegistryPush.Registry.Uploads;

/// <summary>An open blob upload: where to send the bytes, and what the registry said about chunking.</summary>
/// <param name="Location">The absolute upload URL, query parameters kept.</param>
/// <param name="MinimumChunkBytes">The registry's <c>OCI-Chunk-Min-Length</c>, if it sent one.</param>
public sealed record UploadSession(Uri Location, long? MinimumChunkBytes)
{
    /// <summary>Resolves a <c>Location</c> header value (relative or absolute) against the request that returned it.</summary>
    public static Uri ResolveLocation(Uri requestUri, string location) => new(requestUri, location);

    /// <summary>The upload URL with <c>digest=</c> added, keeping whatever query the registry put there.</summary>
    public static Uri WithDigest(Uri location, Oci.Digest digest)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        return new Uri(location.AbsoluteUri + separator + "digest=" + Uri.EscapeDataString(digest.ToString()));
    }
}

/// <summary>What an open upload session holds, after a chunk or when asked.</summary>
/// <param name="Session">The session to continue with (registries may move it with each chunk).</param>
/// <param name="Committed">The bytes it holds, or null when the registry did not say in a readable <c>Range</c>.</param>
public sealed record UploadStatus(UploadSession Session, long? Committed);
