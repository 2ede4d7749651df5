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

/// <summary>Receives push events, for progress output. Implementations must be thread-safe: blobs upload in parallel.</summary>
public interface IPushObserver
{
    /// <summary>A blob upload is starting.</summary>
    void BlobStarted(RepositoryReference repository, Descriptor blob) { }

    /// <summary>Bytes of a blob went out.</summary>
    void BlobProgress(RepositoryReference repository, Descriptor blob, long bytes) { }

    /// <summary>A blob is settled.</summary>
    void BlobCompleted(BlobOutcome outcome) { }

    /// <summary>A manifest was put by digest.</summary>
    void ManifestPushed(RepositoryReference repository, Descriptor manifest) { }

    /// <summary>A tag's request is about to be sent: from here on the registry may move the tag.</summary>
    void TagStarting(RepositoryReference repository, string tag) { }

    /// <summary>A tag now points at the image.</summary>
    void TagPushed(RepositoryReference repository, string tag, Digest digest) { }

    /// <summary>A tag already pointed at the image, so it was not written again.</summary>
    void TagUnchanged(RepositoryReference repository, string tag, Digest digest) { }

    /// <summary>Something the user should know that does not stop the push.</summary>
    void Warning(string message) { }

    /// <summary>Detail for <c>-v</c>.</summary>
    void Verbose(string message) { }
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullPushObserver : IPushObserver
{
    /// <summary>The shared instance.</summary>
    public static readonly NullPushObserver Instance = new();
}
