using System.Net;
using System.Net.Security;

namespace RegistryPush.Registry;

/// <summary>Builds the transport at the bottom of every registry request pipeline.</summary>
public static class HttpPipeline
{
    /// <summary>
    /// The socket handler: pooled keep-alive connections, no cookies (registries that set them must not make
    /// requests stateful), redirects followed by the runtime (which drops <c>Authorization</c> on every redirect), and
    /// the environment's proxy for every registry but a loopback one (<see cref="RegistryProxy"/>).
    /// </summary>
    /// <param name="insecure">Skip TLS certificate verification (<c>--insecure</c>).</param>
    public static SocketsHttpHandler CreateTransport(bool insecure)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = 5,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            MaxConnectionsPerServer = 64,
            UseProxy = true,
            Proxy = RegistryProxy.FromEnvironment,
        };
        if (!insecure)
        {
            // The platform's rules, with trusted roots found on demand; a refusal carries the reason in words up to the error line.
            handler.SslOptions = TlsVerification.ClientOptions();
        }
        else
        {
            // Only with an explicit --insecure, for registries the user has chosen to trust without TLS verification.
#pragma warning disable CA5359
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            };
#pragma warning restore CA5359
        }

        return handler;
    }

    /// <summary>Chains <paramref name="handlers"/> (outermost first) over <paramref name="transport"/>.</summary>
    public static HttpMessageHandler Chain(HttpMessageHandler transport, params DelegatingHandler[] handlers)
    {
        var inner = transport;
        for (var i = handlers.Length - 1; i >= 0; i--)
        {
            handlers[i].InnerHandler = inner;
            inner = handlers[i];
        }

        return inner;
    }
}
