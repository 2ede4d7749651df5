using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// A real HTTP/1.1 proxy on 127.0.0.1 between the pusher and a real registry, that misbehaves on cue: each request is
/// matched against a <see cref="FaultPlan"/> and is forwarded, answered with an error, reset, cut off in the middle
/// of its body, delayed, throttled, or has its answer thrown away after the registry acted on it. The pusher talks
/// to <see cref="Host"/> as its registry; the registry builds upload URLs from the Host header, so every later
/// request of the push comes back through the proxy too. Every request is logged, with what was done to it.
/// This class listens, records and owns the sockets; <see cref="ProxyConnection"/> relays one connection and applies
/// the plan to each of its requests.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;
    private int _sequence;
    private int _disposed;

    private FaultProxy(string upstream, FaultPlan plan)
    {
        Plan = plan;
        var colon = upstream.LastIndexOf(':');
        UpstreamHost = upstream[..colon];
        UpstreamPort = int.Parse(upstream[(colon + 1)..], CultureInfo.InvariantCulture);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The faults to inject; may be changed between runs.</summary>
    public FaultPlan Plan { get; set; }

    /// <summary><c>127.0.0.1:PORT</c>: the address the pusher is given as its registry.</summary>
    public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Every request seen, in arrival order.</summary>
    public ConcurrentQueue<ProxiedRequest> Log { get; } = new();

    /// <summary>The requests whose fault was not a plain forward.</summary>
    public IReadOnlyList<ProxiedRequest> Faulted => Log.Where(static request => request.Fault != Fault.Forward.Name).ToList();

    /// <summary>The registry's host name or address.</summary>
    internal string UpstreamHost { get; }

    /// <summary>The registry's port.</summary>
    internal int UpstreamPort { get; }

    /// <summary>Cancelled when the proxy stops: every relay ends.</summary>
    internal CancellationToken Stopping => _stop.Token;

    /// <summary>Starts a proxy in front of <paramref name="upstream"/> (<c>host:port</c>).</summary>
    public static FaultProxy Start(string upstream, FaultPlan? plan = null) => new(upstream, plan ?? FaultPlan.None);

    /// <summary>The same repository path, reached through the proxy.</summary>
    public string Through(string repository) => Host + repository[repository.IndexOf('/', StringComparison.Ordinal)..];

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Idempotent: a test may stop the proxy early (so that nothing it holds back reaches the registry) and again at the end.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var socket in _open.Keys)
        {
            Reset(socket);
        }

        try
        {
            await _accepting;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>Decides what to do to <paramref name="request"/> by the current plan, and logs it (numbered in arrival order).</summary>
    internal (ProxiedRequest Entry, Fault Fault) Record(RequestHead request)
    {
        var entry = new ProxiedRequest(Interlocked.Increment(ref _sequence), request.Method, request.Target, request.ContentLength, request.Header("Cookie") is not null);
        var fault = Plan.Decide(request);
        entry.Fault = fault.Name;
        Log.Enqueue(entry);
        return (entry, fault);
    }

    /// <summary>Tracks <paramref name="socket"/>, so that stopping the proxy resets it.</summary>
    internal void Track(Socket socket) => _open[socket] = 0;

    /// <summary>Closes <paramref name="socket"/> with RST, as a crashed peer or a dropping middlebox does.</summary>
    internal void Reset(Socket socket)
    {
        try
        {
            // Linger 0: the close sends RST instead of FIN.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }

        _open.TryRemove(socket, out _);
    }

    /// <summary>Closes <paramref name="socket"/> normally.</summary>
    internal void Close(Socket socket)
    {
        try
        {
            socket.Close();
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }

        _open.TryRemove(socket, out _);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            Track(client);
            _ = Task.Run(() => new ProxyConnection(this, client).ServeAsync());
        }
    }
}
