namespace RegistryPush.Auth;

/// <summary>
/// How credential files name registries, and which names mean the same registry. Config keys come in many shapes
/// (<c>ghcr.io</c>, <c>https://ghcr.io</c>, <c>https://ghcr.io/v2/</c>, <c>ghcr.io/owner/app</c>), and Docker Hub
/// has four names (<c>docker.io</c>, <c>index.docker.io</c>, <c>registry-1.docker.io</c> and the legacy key
/// <c>https://index.docker.io/v1/</c> that <c>docker login</c> writes).
/// </summary>
public static class RegistryHostNames
{
    /// <summary>The key <c>docker login</c> stores Docker Hub credentials under, and the server URL helpers are asked for.</summary>
    public const string DockerHubLegacyKey = "https://index.docker.io/v1/";

    /// <summary>The name this tool uses for Docker Hub when comparing hosts.</summary>
    public const string DockerHub = "docker.io";

    private static readonly HashSet<string> DockerHubHosts = new(StringComparer.OrdinalIgnoreCase)
    {
        "docker.io", "index.docker.io", "registry-1.docker.io",
    };

    /// <summary>True for any of Docker Hub's host names.</summary>
    public static bool IsDockerHub(string host) => DockerHubHosts.Contains(host);

    /// <summary>The host in lowercase, with Docker Hub's aliases folded to <c>docker.io</c>.</summary>
    public static string Canonical(string host) => IsDockerHub(host) ? DockerHub : host.ToLowerInvariant();

    /// <summary>True when both names denote the same registry.</summary>
    public static bool SameRegistry(string a, string b) => string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    /// <summary>The key <c>docker login</c> writes for <paramref name="host"/> (the legacy URL for Docker Hub).</summary>
    public static string DockerLoginKey(string host) => IsDockerHub(host) ? DockerHubLegacyKey : host;

    /// <summary>The server URL a credential helper is asked for, as Docker asks it.</summary>
    public static string HelperServerUrl(string host) => DockerLoginKey(host);

    /// <summary>
    /// Splits a credentials-file key into its host and repository path, the way Docker and podman read keys:
    /// a scheme is dropped and with it any path (legacy keys such as <c>https://index.docker.io/v1/</c> name a
    /// host only); without a scheme, the path is kept (podman's <c>ghcr.io/owner/app</c>); a bare <c>v1</c> or
    /// <c>v2</c> API path is dropped. The host is lowercased; the path is returned without slashes at either end.
    /// </summary>
    public static (string Host, string Path) ParseKey(string key)
    {
        var text = key.Trim();
        var hadScheme = false;
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            text = text[(scheme + 3)..];
            hadScheme = true;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var host = (slash < 0 ? text : text[..slash]).ToLowerInvariant();
        var path = slash < 0 ? string.Empty : text[(slash + 1)..].Trim('/');
        if (hadScheme || path is "v1" or "v2")
        {
            path = string.Empty;
        }

        return (host, path);
    }

    /// <summary>
    /// True when <paramref name="keyPath"/> (from a key) covers <paramref name="repositoryPath"/>: it is empty (the
    /// whole registry), equal, or a prefix ending at a path-segment boundary (<c>owner</c> covers <c>owner/app</c>
    /// but not <c>owner2/app</c>).
    /// </summary>
    public static bool PathCovers(string keyPath, string? repositoryPath)
    {
        if (keyPath.Length == 0)
        {
            return true;
        }

        if (string.IsNullOrEmpty(repositoryPath))
        {
            return false;
        }

        return repositoryPath.Equals(keyPath, StringComparison.Ordinal)
            || (repositoryPath.Length > keyPath.Length
                && repositoryPath.StartsWith(keyPath, StringComparison.Ordinal)
                && repositoryPath[keyPath.Length] == '/');
    }
}
