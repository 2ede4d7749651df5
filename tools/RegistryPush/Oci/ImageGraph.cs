namespace RegistryPush.Oci;

/// <summary>A blob (config or layer) to upload, and the file that holds its bytes.</summary>
/// <param name="Descriptor">What the manifest says about the blob.</param>
/// <param name="Path">The blob's file in the layout, symlinks resolved.</param>
public sealed record BlobFile(Descriptor Descriptor, string Path);

/// <summary>A manifest or index to upload, with its exact bytes (never re-serialized: the digest depends on them).</summary>
/// <param name="Descriptor">The manifest's descriptor.</param>
/// <param name="Content">The manifest's bytes as they are in the layout.</param>
public sealed record ManifestBlob(Descriptor Descriptor, ReadOnlyMemory<byte> Content)
{
    /// <summary>Set when the manifest has a <c>subject</c> (an SBOM, a signature attached to an image).</summary>
    public Referrer? Referrer { get; init; }
}

/// <summary>What a manifest with a <c>subject</c> contributes to its subject's referrers list.</summary>
/// <param name="Subject">The manifest it refers to.</param>
/// <param name="ArtifactType">Its <c>artifactType</c>, or else its config's media type (how referrers lists are filtered).</param>
/// <param name="Annotations">Its own annotations, copied into the list entry.</param>
public sealed record Referrer(Descriptor Subject, string? ArtifactType, IReadOnlyDictionary<string, string>? Annotations);

/// <summary>Everything one image (or image index) consists of, in the order it must reach a registry.</summary>
/// <param name="LayoutPath">The layout directory it was read from.</param>
/// <param name="Root">The top manifest or index: its digest is the pushed image's digest.</param>
/// <param name="Blobs">Every distinct config and layer blob.</param>
/// <param name="Manifests">Every distinct manifest, children before their parents; the root is last.</param>
public sealed record ImageGraph(
    string LayoutPath,
    Descriptor Root,
    IReadOnlyList<BlobFile> Blobs,
    IReadOnlyList<ManifestBlob> Manifests)
{
    /// <summary>
    /// Non-distributable (foreign) layers the layout holds but that are not in <see cref="Blobs"/>: the image spec
    /// keeps them off registries unless the user allows their upload.
    /// </summary>
    public IReadOnlyList<Descriptor> WithheldLayers { get; init; } = [];
}
