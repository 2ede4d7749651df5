using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>One image to push: the layout's graph, where it goes, and the tags to point at it.</summary>
/// <param name="Image">The image read from its layout.</param>
/// <param name="Repository">The target repository.</param>
/// <param name="Tags">Tags to move to the image once all of it is in the registry; may be empty.</param>
public sealed record PushRequest(ImageGraph Image, RepositoryReference Repository, IReadOnlyList<string> Tags);
