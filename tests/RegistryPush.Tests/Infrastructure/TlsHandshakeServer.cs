using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// A TLS endpoint on 127.0.0.1 that presents a chosen certificate and then closes: enough for a client whose
/// certificate check fails during the handshake, which is all a test of TLS refusals needs.
/// </summary>
public sealed class TlsHandshakeServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _connections;

    /// <summary>Starts serving <paramref name="certificate"/>.</summary>
    public TlsHandshakeServer(X509Certificate2 certificate)
    {
        _listener.Start();
        _loop = AcceptAsync(certificate);
    }

    /// <summary>The port it listens on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many connections were made to it.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(X509Certificate2 certificate)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = Task.Run(async () =>
            {
                using (client)
                await using (var tls = new SslStream(client.GetStream()))
                {
                    try
                    {
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, _stop.Token);
                    }
                    catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
                    {
                        // The client refused the certificate: the point of the exercise.
                    }
                }
            });
        }
    }
}
