using System.Text.Json.Serialization;

namespace RegistryPush.Oci;

/// <summary>Source-generated JSON metadata for the OCI documents (no reflection; NativeAOT-clean).</summary>
[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(ManifestJson))]
[JsonSerializable(typeof(OciLayoutMarkerJson))]
internal sealed partial class OciJsonContext : JsonSerializerContext;
