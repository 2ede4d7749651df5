using System.Net.Sockets;

namespace RegistryPush.Registry;

/// <summary>Describes a transport failure in one line a user can act on.</summary>
internal static class NetworkFailure
{
    public static string Describe(HttpRequestException exception, string registry)
    {
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

        return $"network error talking to {registry}: {RegistryResponseError.Sanitize(exception.Message)}";
    }
}
