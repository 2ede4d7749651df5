using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace RegistryPush;

/// <summary>
/// The one place that reads a transport failure: whether another attempt may not meet it, and how to say it (a
/// sentence a user can act on for the error line, a few words for a retry notice). Registry requests and token
/// requests both fail through here, so they are retried and worded alike.
/// </summary>
/// <remarks>
/// Transient: 408, 429, 500, 502, 503, 504, connection resets and refusals, a connection closed mid-response, and
/// requests that stalled. Never transient: any other status (a 400, 401, 403 or 404 is an answer, not a hiccup), TLS
/// and DNS failures, and every error of our own making (a blob file that changed, a bad layout).
/// </remarks>
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

    /// <summary>A short description of a failure for a retry notice: the stall, or the network error's kind.</summary>
    public static string Brief(Exception exception) => exception switch
    {
        RequestStalledException stalled => stalled.Message,
        HttpRequestException { InnerException: SocketException socket } => $"connection failed ({socket.SocketErrorCode})",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "connection closed before the response",
        HttpRequestException http when http.InnerException is IOException io && io.InnerException is SocketException inner => $"connection lost ({inner.SocketErrorCode})",
        HttpRequestException http => $"network error ({http.HttpRequestError})",
        IOException => "connection lost",
        _ => exception.GetType().Name,
    };

    /// <summary>The socket error behind a broken connection (e.g. <c>ConnectionReset</c>), or "closed early".</summary>
    public static string BrokenConnectionReason(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
            {
                return socket.SocketErrorCode.ToString();
            }
        }

        return "closed early";
    }

    /// <summary>
    /// True when <paramref name="exception"/> is a failure another attempt may not meet: a transport failure, or a
    /// <see cref="RegistryException"/> whose status or cause is one.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        RegistryException { StatusCode: { } status } => IsTransientStatus(status),
        RegistryException { InnerException: { } inner } => IsTransientCause(inner),
        _ => IsTransientCause(exception),
    };

    /// <summary>True for the statuses a registry or a proxy in front of it uses for "try again".</summary>
    public static bool IsTransientStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    private static bool IsTransientCause(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case RegistryPushException:
                    return false;
                case RequestStalledException:
                    return true;
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.InvalidResponse or HttpRequestError.UserAuthenticationError or HttpRequestError.ProxyTunnelError or HttpRequestError.VersionNegotiationError }:
                    return false;
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError }:
                    return true;
                case System.Security.Authentication.AuthenticationException:
                    return false;
                case SocketException socket:
                    return socket.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.ConnectionRefused
                        or SocketError.TimedOut or SocketError.NetworkReset or SocketError.Shutdown or SocketError.HostUnreachable
                        or SocketError.NetworkUnreachable or SocketError.TryAgain;
                case IOException:
                    // A connection dropped while the body was on its way (EPIPE, ECONNRESET surfaced as IOException).
                    return true;
            }
        }

        return false;
    }

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
    private static string Scrub(string message) => PrintableText.Excerpt(UserInfo().Replace(message, static _ => string.Empty));

    [GeneratedRegex(@"(?<=://)[^/@\s']*@")]
    private static partial Regex UserInfo();
}

/// <summary>A request made no progress for the stall timeout: no body byte went out and no response byte came in.</summary>
public sealed class RequestStalledException(TimeSpan timeout, Exception? inner = null)
    : HttpRequestException($"no progress for {timeout.TotalSeconds:0.#} s (raise --timeout for a very slow link)", inner)
{
    /// <summary>The stall timeout that expired.</summary>
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// The registry's TLS certificate failed verification; the message says why and what to do. Thrown from the
/// certificate callback, it reaches callers as the inner exception of the runtime's <see cref="HttpRequestException"/>.
/// </summary>
internal sealed class CertificateRejectedException(string message) : Exception(message);
