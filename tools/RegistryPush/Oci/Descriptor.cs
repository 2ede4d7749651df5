namespace RegistryPush.Oci;

/// <summary>A validated descriptor: media type, digest and size are known to be well formed.</summary>
/// <param name="MediaType">The media type.</param>
/// <param name="Digest">The content digest.</param>
/// <param name="Size">The content size in bytes.</param>
public sealed record Descriptor(string MediaType, Digest Digest, long Size);
