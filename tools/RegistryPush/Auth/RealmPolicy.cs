using System.Net;

namespace RegistryPush.Auth;

/// <summary>
/// Decides whether credentials may be sent to the token realm a registry names. A registry controls the realm, so a
/// compromised or hostile one could point it anywhere: at plain HTTP, or at this machine's or the cloud's metadata
/// services. The realm must be HTTPS unless the registry itself is spoken to over plain HTTP (loopback, or
/// <c>--insecure</c>), and may point at loopback or link-local addresses only when the registry is local too.
/// </summary>
public static class RealmPolicy
{
    /// <summary>Returns the realm as a URI, or throws when credentials must not go there.</summary>
    /// <param name="realm">The challenge's <c>realm</c> parameter.</param>
    /// <param name="registryUri">A URL of the registry that sent the challenge.</param>
    /// <exception cref="AuthenticationException">The realm is malformed or unsafe; the message says why.</exception>
    public static Uri Validate(string? realm, Uri registryUri)
    {
        var registry = registryUri.Authority;
        if (!Uri.TryCreate(realm, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
        {
            throw new AuthenticationException(
                $"{registry} named a token realm that is not an http(s) URL ('{PrintableText.Excerpt(realm ?? string.Empty)}'); the registry's authentication is misconfigured");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw new AuthenticationException($"refusing the token realm of {registry}: it carries user information ({uri.Scheme}://…@{uri.Authority})");
        }

        if (uri.Scheme == Uri.UriSchemeHttp && registryUri.Scheme != Uri.UriSchemeHttp)
        {
            throw new AuthenticationException(
                $"refusing to send credentials for {registry} to {uri.GetLeftPart(UriPartial.Path)}: the registry is served over HTTPS but its token realm is plain HTTP");
        }

        if (IsLocal(uri) && !IsLocal(registryUri))
        {
            throw new AuthenticationException(
                $"refusing to send credentials for {registry} to {uri.GetLeftPart(UriPartial.Path)}: the token realm points at this machine or a link-local address, but the registry does not");
        }

        return uri;
    }

    /// <summary>True for loopback and link-local hosts (including the 169.254.169.254 metadata service) and <c>localhost</c> names.</summary>
    public static bool IsLocal(Uri uri)
    {
        var host = uri.IdnHost.TrimEnd('.');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal)
        {
            return true;
        }

        var bytes = address.GetAddressBytes();
        return bytes.Length == 4 && bytes[0] == 169 && bytes[1] == 254;
    }
}
