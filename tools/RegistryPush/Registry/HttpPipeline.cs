using System.Net;
using System.Net.Security;

namespace RegistryPush.Registry;

/// <summary>Builds the transport at the bottom of every registry request pipeline.</summary>
public static class HttpPipeline
{
    /// <summary>
    /// The transport: pooled keep-alive connections, no cookies (registries that set them must not make requests
    /// stateful), redirects followed by the runtime (which drops <c>Authorization</c> on every redirect), and the
    /// environment's proxy for every registry but a loopback one (<see cref="RegistryProxy"/>). Plain-HTTP and HTTPS
    /// requests go through separate socket handlers, and the HTTPS one, with its TLS set-up (finding trusted roots,
    /// keeping the runtime from loading its whole store), is made on the first HTTPS request: a push to a registry on
    /// this machine never loads OpenSSL (4 MiB of memory, a few milliseconds of start-up).
    /// </summary>
    /// <param name="insecure">Skip TLS certificate verification (<c>--insecure</c>).</param>
    /// <param name="configure">Adjusts each socket handler once made (tests route host names).</param>
    public static HttpMessageHandler CreateTransport(bool insecure, Action<SocketsHttpHandler>? configure = null)
    {
        if (insecure)
        {
            // Only with an explicit --insecure, for registries the user has chosen to trust without TLS verification.
#pragma warning disable CA5359
            return Sockets(new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true }, configure);
#pragma warning restore CA5359
        }

        // The platform's rules, with trusted roots found on demand; a refusal carries the reason in words up to the
        // error line. The plain handler sees TLS only after a redirect to https, and then checks as the other does.
        return new DeferredTlsTransport(
            Sockets(TlsVerification.DeferredOptions(), configure),
            () => Sockets(TlsVerification.ClientOptions(), configure));
    }

    private static SocketsHttpHandler Sockets(SslClientAuthenticationOptions tls, Action<SocketsHttpHandler>? configure)
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
            SslOptions = tls,
        };
        configure?.Invoke(handler);
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
