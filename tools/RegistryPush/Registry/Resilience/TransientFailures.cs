using System.Net;
using System.Net.Sockets;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// Decides which failures are worth another attempt. Transient: 408, 429, 500, 502, 503, 504, connection resets and
/// refusals, a connection closed mid-response, requests that stalled, and a manifest PUT refused as
/// <c>MANIFEST_BLOB_UNKNOWN</c> (see <see cref="IsLaggingManifestAnswer"/>). Never transient: any other status (a 400,
/// 401, 403 or 404 is an answer, not a hiccup), TLS and DNS failures, a registry error naming <c>DENIED</c> or
/// <c>UNAUTHORIZED</c> whatever its status, and every error of our own making (a blob file that changed, a bad layout).
/// </summary>
public static class TransientFailures
{
    /// <summary>A 400 to a manifest PUT: it may be <see cref="IsLaggingManifestAnswer"/>, once its errors are read.</summary>
    public static bool MayBeLaggingManifestAnswer(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.BadRequest
        && response.RequestMessage is { } request
        && request.Method == HttpMethod.Put
        && request.RequestUri?.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal) == true;

    /// <summary>
    /// True when a manifest PUT was refused because the registry does not see a blob or child manifest it references.
    /// A push puts manifests only after everything under them is in the registry, so this is the registry's view
    /// lagging: the distribution registry rewrites a blob's link file in place (truncate, then write) each time
    /// another push of the same content commits the blob, and a manifest checked in that instant reads an empty link
    /// (<c>DIGEST_INVALID</c> with <c>MANIFEST_BLOB_UNKNOWN</c>); eventually consistent stores lag the same way.
    /// Another attempt a moment later succeeds. A blob that is really missing fails again after the retries.
    /// </summary>
    public static bool IsLaggingManifestAnswer(IReadOnlyList<RegistryErrorJson> errors) =>
        errors.Any(static error => error.Code == "MANIFEST_BLOB_UNKNOWN");

    /// <summary>True for the statuses a registry or a proxy in front of it uses for "try again".</summary>
    public static bool IsTransientStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>Error codes that mean "no" however the status reads; retrying them only hammers the registry.</summary>
    public static bool IsRefusalCode(string? code) => code is "DENIED" or "UNAUTHORIZED";

    /// <summary>True when <paramref name="exception"/> is a network failure another attempt may not meet.</summary>
    public static bool IsTransient(Exception exception)
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

    /// <summary>The socket error behind a broken connection (e.g. <c>ConnectionReset</c>), or "closed early".</summary>
    public static string SocketReason(Exception exception)
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

    /// <summary>A short description of a failure for a retry notice: the status, or the network error's kind.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        RequestStalledException stalled => stalled.Message,
        HttpRequestException { InnerException: SocketException socket } => $"connection failed ({socket.SocketErrorCode})",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "connection closed before the response",
        HttpRequestException http when http.InnerException is IOException io && io.InnerException is SocketException inner => $"connection lost ({inner.SocketErrorCode})",
        HttpRequestException http => $"network error ({http.HttpRequestError})",
        IOException => "connection lost",
        _ => exception.GetType().Name,
    };
}
