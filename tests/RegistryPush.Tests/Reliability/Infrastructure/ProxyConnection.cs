using System.Net.Sockets;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// One client connection of a <see cref="FaultProxy"/>: reads each request head, applies the fault the plan decides
/// for it, and relays what is left of the exchange over one upstream connection opened on first need.
/// </summary>
internal sealed class ProxyConnection(FaultProxy proxy, Socket client)
{
    private const int MaxHeadBytes = 64 * 1024;
    private Socket? _upstream;
    private NetworkStream? _upstreamStream;
    private BufferedReader? _fromUpstream;

    /// <summary>Relays requests until either side closes, a fault ends the connection, or the proxy stops.</summary>
    public async Task ServeAsync()
    {
        try
        {
            var stop = proxy.Stopping;
            using var clientStream = new NetworkStream(client, ownsSocket: false);
            var fromClient = new BufferedReader(clientStream);
            while (!stop.IsCancellationRequested)
            {
                var head = await fromClient.ReadHeadAsync(MaxHeadBytes, stop);
                if (head is null || !await ExchangeAsync(head, fromClient, clientStream, stop))
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException)
        {
            // A connection the pusher or the registry dropped (or this proxy reset on purpose): nothing more to relay.
        }
        finally
        {
            proxy.Close(client);
            if (_upstream is not null)
            {
                proxy.Close(_upstream);
            }
        }
    }

    /// <summary>One request and its answer, with its fault applied; false when the connection is done.</summary>
    private async Task<bool> ExchangeAsync(byte[] head, BufferedReader fromClient, NetworkStream clientStream, CancellationToken stop)
    {
        var request = RequestHead.Parse(head);
        var (entry, fault) = proxy.Record(request);

        // Faults that act before the registry hears of the request.
        switch (fault)
        {
            case Fault.RespondFault respond:
                await fromClient.SkipBodyAsync(request, Stream.Null, stop);
                await WriteAsync(clientStream, respond.Render(request.Method == "HEAD"), stop);
                entry.Status = respond.Status;
                return true;
            case Fault.ResetFault:
                proxy.Reset(client);
                return false;
            case Fault.DelayFault delay:
                await Task.Delay(delay.Wait, stop);
                break;
        }

        var (upstream, upstreamStream, fromUpstream) = await ConnectUpstreamAsync(stop);
        await WriteAsync(upstreamStream, head, stop);
        if (fault is Fault.DropMidBodyFault drop)
        {
            await fromClient.CopyBodyAsync(request, upstreamStream, drop.AfterBytes, null, stop);
            await upstreamStream.FlushAsync(stop);
            await Task.Delay(50, stop);
            proxy.Reset(client);
            proxy.Reset(upstream);
            return false;
        }

        await fromClient.CopyBodyAsync(request, upstreamStream, null, (fault as Fault.ThrottleFault)?.BytesPerSecond, stop);

        // Faults that act on the registry's answer.
        var responseHead = await fromUpstream.ReadHeadAsync(MaxHeadBytes, stop) ?? throw new IOException("registry closed the connection");
        var response = ResponseHead.Parse(responseHead);
        entry.Status = response.Status;
        if (fault is Fault.DropResponseFault)
        {
            // The registry acted on the request; its answer never reaches the pusher.
            proxy.Reset(client);
            proxy.Reset(upstream);
            return false;
        }

        if (fault is Fault.SlowResponseFault slow)
        {
            await Task.Delay(slow.Wait, stop);
        }

        if (fault is Fault.SetCookieFault cookie)
        {
            responseHead = response.WithHeader("Set-Cookie", cookie.Cookie);
        }

        await WriteAsync(clientStream, responseHead, stop);
        var bodyless = request.Method == "HEAD" || response.Status is 204 or 304 || response.Status < 200;
        if (!bodyless)
        {
            await fromUpstream.CopyResponseBodyAsync(response, clientStream, stop);
        }

        return !(response.Closes || request.Closes);
    }

    private async Task<(Socket Socket, NetworkStream Stream, BufferedReader Reader)> ConnectUpstreamAsync(CancellationToken stop)
    {
        if (_upstream is null)
        {
            _upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            proxy.Track(_upstream);
            await _upstream.ConnectAsync(proxy.UpstreamHost, proxy.UpstreamPort, stop);
            _upstreamStream = new NetworkStream(_upstream, ownsSocket: false);
            _fromUpstream = new BufferedReader(_upstreamStream);
        }

        return (_upstream, _upstreamStream!, _fromUpstream!);
    }

    private static async Task WriteAsync(Stream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }
}
