using System.Net.Sockets;
using System.Security.Authentication;

namespace RegistryPush.Registry;

/// <summary>Describes a transport failure in one line a user can act on.</summary>
internal static class NetworkFailure
{
    public static string Describe(HttpRequestException exception, string registry)
    {
        if (exception.InnerException is AuthenticationException || exception.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            return $"TLS connection to {registry} failed (certificate not trusted, or the registry speaks plain HTTP: use --insecure only if you trust the network)";
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
