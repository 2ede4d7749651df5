namespace RegistryPush.Registry;

/// <summary>A manifest read from a registry.</summary>
/// <param name="MediaType">Its media type, as the registry served it.</param>
/// <param name="Content">Its bytes.</param>
public sealed record FetchedManifest(string? MediaType, byte[] Content);
