using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>What happened to one blob in one repository.</summary>
public enum BlobAction
{
    /// <summary>The repository already had it; nothing was sent.</summary>
    Exists,

    /// <summary>Linked from another repository of the same registry; nothing was sent.</summary>
    Mounted,

    /// <summary>Its bytes were uploaded.</summary>
    Uploaded,

    /// <summary>Not present and not sent (<c>--dry-run</c>).</summary>
    WouldUpload,
}

/// <summary>The outcome for one blob in one repository.</summary>
/// <param name="Repository">Where it was pushed.</param>
/// <param name="Digest">The blob.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Action">What was done.</param>
/// <param name="BytesSent">Bytes actually sent (0 unless uploaded).</param>
public sealed record BlobOutcome(RepositoryReference Repository, Digest Digest, long Size, BlobAction Action, long BytesSent);
