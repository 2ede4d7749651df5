using System.Net;

namespace RegistryPush;

/// <summary>
/// The HTTP proxy requests go through: the one the environment names (<c>HTTPS_PROXY</c>, <c>HTTP_PROXY</c>,
/// <c>ALL_PROXY</c>, with <c>NO_PROXY</c> exceptions, as the runtime reads them), except that a registry on this
/// machine (<c>localhost</c>, <c>127.0.0.0/8</c>, <c>[::1]</c>) is always reached directly, as crane, skopeo and regctl
/// do: a proxy elsewhere cannot reach this machine's loopback, and a corporate proxy setting must not break a local
/// test registry.
/// </summary>
public sealed class RegistryProxy(IWebProxy environment) : IWebProxy
{
    /// <summary>The proxy of this process's environment, loopback excepted.</summary>
    public static RegistryProxy FromEnvironment { get; } = new(HttpClient.DefaultProxy);

    /// <inheritdoc />
    public ICredentials? Credentials
    {
        get => environment.Credentials;
        set => environment.Credentials = value;
    }

    /// <inheritdoc />
    public Uri? GetProxy(Uri destination) => IsBypassed(destination) ? null : environment.GetProxy(destination);

    /// <inheritdoc />
    public bool IsBypassed(Uri host) => IsLoopback(host) || environment.IsBypassed(host);

    /// <summary>
    /// The proxy a request to <paramref name="destination"/> goes through, as <c>host:port</c> only (a proxy URL may
    /// carry a user name and password; they are never printed), or null when it goes directly.
    /// </summary>
    public string? Describe(Uri? destination)
    {
        if (destination is null || !destination.IsAbsoluteUri || GetProxy(destination) is not { } proxy || proxy == destination)
        {
            return null;
        }

        return $"{proxy.Host}:{proxy.Port}";
    }

    private static bool IsLoopback(Uri destination)
    {
        if (!destination.IsAbsoluteUri)
        {
            return false;
        }

        var host = destination.DnsSafeHost;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
