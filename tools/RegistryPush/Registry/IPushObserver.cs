using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

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
