using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// The bytes of one blob's upload, as sent and as shown: every byte that went out counts as sent (resends included),
/// while the progress shown follows what the registry holds, back after a broken chunk or a new session, forward
/// when a resumed session already holds more. Thread-safe: the transport reports bytes as it writes them.
/// </summary>
internal sealed class UploadProgress(RepositoryReference repository, Descriptor blob, IPushObserver observer)
{
    private long _sent;
    private long _shown;

    /// <summary>Every byte that went out, resends included.</summary>
    public long BytesSent => Interlocked.Read(ref _sent);

    /// <summary>Told by the transport after each write of blob bytes.</summary>
    public void OnBytesSent(long bytes)
    {
        Interlocked.Add(ref _sent, bytes);
        Interlocked.Add(ref _shown, bytes);
        observer.BlobProgress(repository, blob, bytes);
    }

    /// <summary>Makes the progress shown match <paramref name="held"/>, the bytes the registry now holds.</summary>
    public void ShowHeld(long held)
    {
        var shown = Interlocked.Exchange(ref _shown, held);
        if (shown != held)
        {
            observer.BlobProgress(repository, blob, held - shown);
        }
    }
}
