using System.Net;
using System.Text.RegularExpressions;

namespace RegistryPush.References;

/// <summary>
/// A repository to push to, <c>host[:port]/path</c>, validated against the distribution reference grammar
/// (github.com/distribution/reference) before any network traffic.
/// </summary>
public sealed partial record RepositoryReference
{
    private RepositoryReference(string registry, string path)
    {
        Registry = registry;
        Path = path;
    }

    /// <summary>The registry as the user wrote it (lowercased), e.g. <c>ghcr.io</c> or <c>127.0.0.1:5000</c>; the key for credentials.</summary>
    public string Registry { get; }

    /// <summary>The repository path inside the registry, e.g. <c>owner/app</c>.</summary>
    public string Path { get; }

    /// <summary>The host[:port] the Distribution API is served from (Docker Hub's differs from its name).</summary>
    public string ApiHost => Registry is "docker.io" or "index.docker.io" ? "registry-1.docker.io" : Registry;

    /// <summary>True when the registry is on this machine (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>[::1]</c>): spoken to over plain HTTP, as Docker does.</summary>
    public bool IsLoopback
    {
        get
        {
            var host = HostWithoutPort(Registry);
            if (host == "localhost")
            {
                return true;
            }

            return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Registry}/{Path}";

    /// <summary>Parses <paramref name="value"/>; throws <see cref="UsageException"/> naming the value and the rule it breaks.</summary>
    public static RepositoryReference Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new UsageException("repository is empty; expected HOST/PATH, e.g. ghcr.io/owner/app");
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw new UsageException($"repository '{value}' must not have a scheme; write it as HOST/PATH, e.g. {value[(value.IndexOf("://", StringComparison.Ordinal) + 3)..]}");
        }

        if (value.Contains('@', StringComparison.Ordinal))
        {
            throw new UsageException($"repository '{value}' must not contain a digest; pass only HOST/PATH");
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? value : value[..slash];
        if (LooksLikeHost(first) && (slash < 0 || slash == value.Length - 1))
        {
            // "127.0.0.1:5000" or "ghcr.io/": a registry, but no repository in it.
            throw new UsageException(
                $"repository '{value}' names only a registry host; a repository needs a path after the host, e.g. {first.ToLowerInvariant()}/app");
        }

        if (slash < 0 || !LooksLikeHost(first))
        {
            throw new UsageException(
                $"repository '{value}' has no registry host; write HOST/PATH, e.g. ghcr.io/{value.ToLowerInvariant()}");
        }

        if (!HostPattern().IsMatch(first))
        {
            throw new UsageException($"repository '{value}' has an invalid registry host '{first}'");
        }

        CheckPort(value, first);
        var path = value[(slash + 1)..];
        var lastComponent = path[(path.LastIndexOf('/') + 1)..];
        if (lastComponent.Contains(':', StringComparison.Ordinal))
        {
            throw new UsageException(
                $"repository '{value}' includes a tag; pass the tag with --tag {lastComponent[(lastComponent.IndexOf(':') + 1)..]}");
        }

        if (path.Any(char.IsUpper))
        {
            throw new UsageException(
                $"repository '{value}' must be lowercase (registries such as ghcr.io refuse uppercase names); use '{first.ToLowerInvariant()}/{path.ToLowerInvariant()}'");
        }

        foreach (var component in path.Split('/'))
        {
            if (!PathComponentPattern().IsMatch(component))
            {
                throw new UsageException(
                    $"repository '{value}' has an invalid path component '{component}' "
                    + "(lowercase letters and digits, separated by '.', '_', '__' or '-')");
            }
        }

        var registry = first.ToLowerInvariant();
        if (registry is "docker.io" or "index.docker.io" && !path.Contains('/', StringComparison.Ordinal))
        {
            path = $"library/{path}";
        }

        // GHCR names are ghcr.io/OWNER/NAME: without an owner GHCR would refuse the push after the upload, so say it now.
        if (registry == "ghcr.io" && !path.Contains('/', StringComparison.Ordinal))
        {
            throw new UsageException(
                $"repository '{value}' has no owner: GHCR repositories are ghcr.io/OWNER/NAME, where OWNER is your GitHub user or an organization you publish to, e.g. ghcr.io/OWNER/{path}");
        }

        if (registry.Length + 1 + path.Length > 255)
        {
            throw new UsageException($"repository '{value}' is longer than 255 characters");
        }

        return new RepositoryReference(registry, path);
    }

    /// <summary>A port is 1 to 65535; a larger number would only fail later, inside the HTTP stack, as a bug.</summary>
    private static void CheckPort(string value, string host)
    {
        var colon = host.LastIndexOf(':');
        if (colon < 0 || host.EndsWith(']'))
        {
            return;
        }

        var port = host[(colon + 1)..];
        if (!int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
        {
            throw new UsageException($"repository '{value}' has an invalid port '{port}' (a port is a number from 1 to 65535)");
        }
    }

    private static bool LooksLikeHost(string component) =>
        component.Contains('.', StringComparison.Ordinal)
        || component.Contains(':', StringComparison.Ordinal)
        || component.StartsWith('[')
        || component.Equals("localhost", StringComparison.OrdinalIgnoreCase);

    private static string HostWithoutPort(string registry)
    {
        if (registry.StartsWith('['))
        {
            var end = registry.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? registry[..(end + 1)] : registry;
        }

        var colon = registry.LastIndexOf(':');
        return colon > 0 ? registry[..colon] : registry;
    }

    // host: domain components or a bracketed IPv6 address, then an optional port.
    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")]
    private static partial Regex HostPattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$")]
    private static partial Regex PathComponentPattern();
}
