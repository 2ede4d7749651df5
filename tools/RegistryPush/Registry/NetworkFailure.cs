using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace RegistryPush.Registry;

/// <summary>Describes a transport failure in one line a user can act on.</summary>
internal static partial class NetworkFailure
{
    /// <summary>The sentence for <paramref name="exception"/>, a request to <paramref name="registry"/> at <paramref name="requestUri"/>.</summary>
    /// <remarks>When the request went through a proxy, the proxy is what failed to answer, and is named (host:port only).</remarks>
    public static string Describe(HttpRequestException exception, string registry, Uri? requestUri = null)
    {
        if (RegistryProxy.FromEnvironment.Describe(requestUri) is { } proxy)
        {
            return DescribeThroughProxy(exception, registry, proxy);
        }

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is CertificateRejectedException rejected)
            {
                return rejected.Message;
            }
        }

        // Spelled out: inside RegistryPush, a bare AuthenticationException is the project's own (exit code 3).
        if (exception.InnerException is System.Security.Authentication.AuthenticationException || exception.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            // No certificate verdict: the handshake itself failed, before any certificate could be judged.
            return $"TLS handshake with {registry} failed before any certificate was checked (does it speak plain HTTP on this port? "
                + "then it is not a TLS registry: --insecure falls back to plain HTTP, only for a registry on a network you trust)";
        }

        if (exception.InnerException is SocketException socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection to {registry} refused (is the registry running?)",
                SocketError.HostNotFound or SocketError.NoData => $"registry host {registry} not found (DNS)",
                _ => $"network error talking to {registry}: {socket.SocketErrorCode}",
            };
        }

        return $"network error talking to {registry}: {Scrub(exception.Message)}";
    }

    /// <summary>" through the proxy HOST:PORT" when a request to <paramref name="requestUri"/> goes through one, else empty.</summary>
    public static string Via(Uri? requestUri) =>
        RegistryProxy.FromEnvironment.Describe(requestUri) is { } proxy ? $" through the proxy {proxy}" : string.Empty;

    private static string DescribeThroughProxy(HttpRequestException exception, string registry, string proxy)
    {
        const string Source = "set by HTTPS_PROXY, HTTP_PROXY or ALL_PROXY; NO_PROXY lists hosts reached directly";
        if (exception.HttpRequestError == HttpRequestError.ProxyTunnelError)
        {
            return $"the proxy {proxy} ({Source}) refused to open a connection to {registry}";
        }

        if (exception.InnerException is SocketException socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => $"connection to the proxy {proxy} refused on the way to {registry} (is the proxy running? it is {Source})",
                SocketError.HostNotFound or SocketError.NoData => $"proxy host {proxy} not found (DNS) on the way to {registry} ({Source})",
                _ => $"network error talking to the proxy {proxy} on the way to {registry}: {socket.SocketErrorCode} ({Source})",
            };
        }

        if (exception.InnerException is System.Security.Authentication.AuthenticationException || exception.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            return $"TLS connection to {registry} through the proxy {proxy} failed (certificate not trusted, or the registry speaks plain HTTP)";
        }

        return $"network error talking to {registry} through the proxy {proxy}: {Scrub(exception.Message)}";
    }

    /// <summary>
    /// The runtime's message, one line, with any <c>user:password@</c> of a URL in it (a proxy URL) removed: the
    /// runtime quotes the proxy's URL as it was given, credentials and all.
    /// </summary>
    /// <remarks>A match evaluator, not a "$1" replacement pattern: parsing one would link the regex parser into the binary.</remarks>
    private static string Scrub(string message) => RegistryResponseError.Sanitize(UserInfo().Replace(message, static _ => string.Empty));

    [GeneratedRegex(@"(?<=://)[^/@\s']*@")]
    private static partial Regex UserInfo();
}
