using System.Text.Json.Serialization;

namespace RegistryPush.Oci;

/// <summary>An OCI content descriptor as it appears in JSON (fields this tool reads; others are preserved in the bytes).</summary>
public sealed record DescriptorJson
{
    /// <summary>The media type of the referenced content.</summary>
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }

    /// <summary>The digest of the referenced content.</summary>
    [JsonPropertyName("digest")] public string? Digest { get; init; }

    /// <summary>The size in bytes of the referenced content.</summary>
    [JsonPropertyName("size")] public long? Size { get; init; }

    /// <summary>Annotations, e.g. <c>org.opencontainers.image.ref.name</c>.</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }

    /// <summary>The platform of an index entry.</summary>
    [JsonPropertyName("platform")] public PlatformJson? Platform { get; init; }

    /// <summary>Where non-distributable content can be fetched from.</summary>
    [JsonPropertyName("urls")] public List<string>? Urls { get; init; }

    /// <summary>The type of artifact the referenced manifest is (an index entry of a referrers list).</summary>
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
}

/// <summary>The platform of an index entry.</summary>
public sealed record PlatformJson
{
    /// <summary>Operating system, e.g. <c>linux</c>.</summary>
    [JsonPropertyName("os")] public string? Os { get; init; }

    /// <summary>CPU architecture, e.g. <c>amd64</c>.</summary>
    [JsonPropertyName("architecture")] public string? Architecture { get; init; }

    /// <summary>CPU variant, e.g. <c>v8</c>.</summary>
    [JsonPropertyName("variant")] public string? Variant { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join('/', new[] { Os, Architecture, Variant }.Where(static part => !string.IsNullOrEmpty(part)));
}

/// <summary>An image manifest or an index: whichever fields are present.</summary>
public sealed record ManifestJson
{
    /// <summary>Must be 2 for both OCI and Docker schema 2 documents.</summary>
    [JsonPropertyName("schemaVersion")] public int? SchemaVersion { get; init; }

    /// <summary>The document's own media type (optional in OCI).</summary>
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }

    /// <summary>The image configuration (image manifests).</summary>
    [JsonPropertyName("config")] public DescriptorJson? Config { get; init; }

    /// <summary>The layers (image manifests).</summary>
    [JsonPropertyName("layers")] public List<DescriptorJson>? Layers { get; init; }

    /// <summary>The child manifests (indexes).</summary>
    [JsonPropertyName("manifests")] public List<DescriptorJson>? Manifests { get; init; }

    /// <summary>The manifest this one refers to (OCI 1.1 referrers).</summary>
    [JsonPropertyName("subject")] public DescriptorJson? Subject { get; init; }

    /// <summary>The type of artifact (OCI 1.1), e.g. an SBOM's or a signature's media type.</summary>
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }

    /// <summary>The manifest's own annotations.</summary>
    [JsonPropertyName("annotations")] public Dictionary<string, string>? Annotations { get; init; }
}

/// <summary>The <c>oci-layout</c> marker file.</summary>
public sealed record OciLayoutMarkerJson
{
    /// <summary>The layout version; registry-push reads 1.x.</summary>
    [JsonPropertyName("imageLayoutVersion")] public string? ImageLayoutVersion { get; init; }
}

/// <summary>A validated descriptor: media type, digest and size are known to be well formed.</summary>
/// <param name="MediaType">The media type.</param>
/// <param name="Digest">The content digest.</param>
/// <param name="Size">The content size in bytes.</param>
public sealed record Descriptor(string MediaType, Digest Digest, long Size);
