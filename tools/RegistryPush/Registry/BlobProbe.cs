namespace RegistryPush.Registry;

/// <summary>The answer to a blob <c>HEAD</c>.</summary>
/// <param name="Presence">Whether the blob is there.</param>
/// <param name="Size">Its size (<c>Content-Length</c>) when present and reported.</param>
public sealed record BlobProbe(BlobPresence Presence, long? Size);

/// <summary>Whether a repository holds a blob, as far as a <c>HEAD</c> can tell.</summary>
public enum BlobPresence
{
    /// <summary>200: the blob is there.</summary>
    Present,

    /// <summary>404: it is not.</summary>
    Missing,

    /// <summary>403: Artifactory's way of saying "missing", or a real denial that the upload will surface.</summary>
    Forbidden,
}
