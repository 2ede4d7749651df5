using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>What one image's push did.</summary>
/// <param name="Request">What was asked.</param>
/// <param name="Blobs">The outcome for each blob.</param>
/// <param name="TagsPushed">The tags that now point at the image (none on a dry run).</param>
/// <param name="ManifestAlreadyPresent">The registry already had the image under its digest, so only tags were written.</param>
public sealed record ImagePushResult(PushRequest Request, IReadOnlyList<BlobOutcome> Blobs, IReadOnlyList<string> TagsPushed, bool ManifestAlreadyPresent)
{
    /// <summary>The pushed image's digest.</summary>
    public Digest Digest => Request.Image.Root.Digest;

    /// <summary><c>REPOSITORY@DIGEST</c>, the immutable reference to what was pushed.</summary>
    public string Reference => $"{Request.Repository}@{Digest}";
}
