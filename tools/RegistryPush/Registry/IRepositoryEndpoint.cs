using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>
/// One repository of a registry, as the push strategy sees it. The capabilities a push needs of it
/// (<see cref="IBlobStore"/>, <see cref="IBlobMounter"/>, <see cref="IManifestStore"/>, <see cref="ITagStore"/>) are
/// separate interfaces, so that each part of the strategy names only what it uses; <see cref="RegistryClient"/>
/// implements them all over HTTP.
/// </summary>
public interface IRepositoryEndpoint
{
    /// <summary>The repository spoken to.</summary>
    RepositoryReference Repository { get; }
}
