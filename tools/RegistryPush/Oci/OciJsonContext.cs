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

    /// <summary>The type of artifact the referenced manifest is (an index entry of a referrers list).</summary>
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
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

/// <summary>Source-generated JSON metadata for the OCI documents (no reflection; NativeAOT-clean).</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ManifestJson))]
[JsonSerializable(typeof(OciLayoutMarkerJson))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
