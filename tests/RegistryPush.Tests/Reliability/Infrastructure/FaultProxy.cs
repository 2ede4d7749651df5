using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// A real HTTP/1.1 proxy on 127.0.0.1 between the pusher and a real registry, that misbehaves on cue: each request is
/// matched against a <see cref="FaultPlan"/> and is forwarded, answered with an error, reset, cut off in the middle
/// of its body, delayed, throttled, or has its answer thrown away after the registry acted on it. The pusher talks
/// to <see cref="Host"/> as its registry; the registry builds upload URLs from the Host header, so every later
/// request of the push comes back through the proxy too. Every request is logged, with what was done to it.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int MaxHeadBytes = 64 * 1024;
    private readonly TcpListener _listener;
    private readonly string _upstreamHost;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Task _accepting;
    private int _sequence;
    private int _disposed;

    private FaultProxy(string upstream, FaultPlan plan)
    {
        Plan = plan;
        var colon = upstream.LastIndexOf(':');
        _upstreamHost = upstream[..colon];
        _upstreamPort = int.Parse(upstream[(colon + 1)..], CultureInfo.InvariantCulture);
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

    /// <summary>Starts a proxy in front of <paramref name="upstream"/> (<c>host:port</c>).</summary>
    public static FaultProxy Start(string upstream, FaultPlan? plan = null) => new(upstream, plan ?? FaultPlan.None);

    /// <summary>The same repository path, reached through the proxy.</summary>
    public string Through(string repository) => Host + repository[repository.IndexOf('/', StringComparison.Ordinal)..];

    /// <summary>The requests whose fault was not a plain forward.</summary>
    public IReadOnlyList<ProxiedRequest> Faulted => Log.Where(static request => request.Fault != Fault.Forward.Name).ToList();

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
            _open[client] = 0;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        Socket? upstream = null;
        try
        {
            using var clientStream = new NetworkStream(client, ownsSocket: false);
            var fromClient = new BufferedReader(clientStream);
            BufferedReader? fromUpstream = null;
            NetworkStream? upstreamStream = null;
            while (!_stop.IsCancellationRequested)
            {
                var head = await fromClient.ReadHeadAsync(MaxHeadBytes, _stop.Token);
                if (head is null)
                {
                    return;
                }

                var request = RequestHead.Parse(head);
                var entry = new ProxiedRequest(Interlocked.Increment(ref _sequence), request.Method, request.Target, request.ContentLength, request.Header("Cookie") is not null);
                var fault = Plan.Decide(request);
                entry.Fault = fault.Name;
                Log.Enqueue(entry);

                switch (fault)
                {
                    case Fault.RespondFault respond:
                        await fromClient.SkipBodyAsync(request, Stream.Null, _stop.Token);
                        await WriteAsync(clientStream, respond.Render(request.Method == "HEAD"), _stop.Token);
                        entry.Status = respond.Status;
                        continue;
                    case Fault.ResetFault:
                        Reset(client);
                        return;
                    case Fault.DelayFault delay:
                        await Task.Delay(delay.Wait, _stop.Token);
                        break;
                }

                if (upstream is null)
                {
                    upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    _open[upstream] = 0;
                    await upstream.ConnectAsync(_upstreamHost, _upstreamPort, _stop.Token);
                    upstreamStream = new NetworkStream(upstream, ownsSocket: false);
                    fromUpstream = new BufferedReader(upstreamStream);
                }

                await WriteAsync(upstreamStream!, head, _stop.Token);
                if (fault is Fault.DropMidBodyFault drop)
                {
                    await fromClient.CopyBodyAsync(request, upstreamStream!, drop.AfterBytes, null, _stop.Token);
                    await upstreamStream!.FlushAsync(_stop.Token);
                    await Task.Delay(50, _stop.Token);
                    Reset(client);
                    Reset(upstream);
                    return;
                }

                await fromClient.CopyBodyAsync(request, upstreamStream!, null, (fault as Fault.ThrottleFault)?.BytesPerSecond, _stop.Token);

                var responseHead = await fromUpstream!.ReadHeadAsync(MaxHeadBytes, _stop.Token) ?? throw new IOException("registry closed the connection");
                var response = ResponseHead.Parse(responseHead);
                entry.Status = response.Status;
                if (fault is Fault.DropResponseFault)
                {
                    // The registry acted on the request; its answer never reaches the pusher.
                    Reset(client);
                    Reset(upstream);
                    return;
                }

                if (fault is Fault.SlowResponseFault slow)
                {
                    await Task.Delay(slow.Wait, _stop.Token);
                }

                if (fault is Fault.SetCookieFault cookie)
                {
                    responseHead = response.WithHeader("Set-Cookie", cookie.Cookie);
                }

                await WriteAsync(clientStream, responseHead, _stop.Token);
                var bodyless = request.Method == "HEAD" || response.Status is 204 or 304 || response.Status < 200;
                if (!bodyless)
                {
                    await fromUpstream.CopyResponseBodyAsync(response, clientStream, _stop.Token);
                }

                if (response.Closes || request.Closes)
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
            Close(client);
            if (upstream is not null)
            {
                Close(upstream);
            }
        }
    }

    private static async Task WriteAsync(Stream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    private void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close with RST, as a crashed peer or a dropping middlebox does.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
        }

        _open.TryRemove(socket, out _);
    }

    private void Close(Socket socket)
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
}

/// <summary>One request the proxy saw.</summary>
public sealed class ProxiedRequest(int number, string method, string target, long contentLength, bool hadCookie)
{
    /// <summary>1 for the first request through the proxy.</summary>
    public int Number { get; } = number;

    /// <summary>The HTTP method.</summary>
    public string Method { get; } = method;

    /// <summary>Path and query.</summary>
    public string Target { get; } = target;

    /// <summary>The request's Content-Length (0 without a body).</summary>
    public long ContentLength { get; } = contentLength;

    /// <summary>Whether the request carried a Cookie header.</summary>
    public bool HadCookie { get; } = hadCookie;

    /// <summary>What the proxy did (<see cref="Fault.Name"/>).</summary>
    public string Fault { get; set; } = string.Empty;

    /// <summary>The status the registry (or the proxy) answered, when an answer was read.</summary>
    public int? Status { get; set; }

    /// <summary>The path without the query.</summary>
    public string Path => Target.Split('?')[0];

    /// <inheritdoc />
    public override string ToString() => $"#{Number} {Method} {Target} ({ContentLength} B) -> {Fault} {Status}";
}

/// <summary>The head of a request: method, target and headers.</summary>
internal sealed class RequestHead
{
    private readonly List<(string Name, string Value)> _headers;

    private RequestHead(string method, string target, List<(string, string)> headers)
    {
        Method = method;
        Target = target;
        _headers = headers;
    }

    public string Method { get; }

    public string Target { get; }

    public long ContentLength => long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : 0;

    public bool Chunked => Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public bool Closes => Header("Connection")?.Equals("close", StringComparison.OrdinalIgnoreCase) == true;

    public string? Header(string name) => _headers.FirstOrDefault(header => header.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public static RequestHead Parse(byte[] head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length < 3)
        {
            throw new FormatException($"bad request line '{lines[0]}'");
        }

        return new RequestHead(parts[0], parts[1], ParseHeaders(lines));
    }

    internal static List<(string, string)> ParseHeaders(string[] lines)
    {
        var headers = new List<(string, string)>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add((line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return headers;
    }
}

/// <summary>The head of a response: status and headers.</summary>
internal sealed class ResponseHead
{
    private readonly byte[] _raw;
    private readonly List<(string Name, string Value)> _headers;

    private ResponseHead(byte[] raw, int status, List<(string, string)> headers)
    {
        _raw = raw;
        Status = status;
        _headers = headers;
    }

    public int Status { get; }

    public long? ContentLength => long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ? length : null;

    public bool Chunked => Header("Transfer-Encoding")?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;

    public bool Closes => Header("Connection")?.Equals("close", StringComparison.OrdinalIgnoreCase) == true;

    public string? Header(string name) => _headers.FirstOrDefault(header => header.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public byte[] WithHeader(string name, string value)
    {
        var text = Encoding.Latin1.GetString(_raw);
        return Encoding.Latin1.GetBytes(text[..^2] + $"{name}: {value}\r\n\r\n");
    }

    public static ResponseHead Parse(byte[] head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            throw new FormatException($"bad status line '{lines[0]}'");
        }

        return new ResponseHead(head, status, RequestHead.ParseHeaders(lines));
    }
}

/// <summary>Reads HTTP/1.1 message heads and bodies from a stream, keeping what it read ahead.</summary>
internal sealed class BufferedReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>The bytes up to and including the blank line; null at a clean end of stream.</summary>
    public async Task<byte[]?> ReadHeadAsync(int max, CancellationToken cancellationToken)
    {
        var head = new MemoryStream();
        var matched = 0;
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return head.Length == 0 ? null : throw new IOException("connection closed inside a message head");
            }

            var b = _buffer[_start++];
            head.WriteByte(b);
            matched = (matched, b) switch
            {
                (0 or 2, (byte)'\r') => matched + 1,
                (1 or 3, (byte)'\n') => matched + 1,
                (_, (byte)'\r') => 1,
                _ => 0,
            };
            if (matched == 4)
            {
                return head.ToArray();
            }

            if (head.Length > max)
            {
                throw new IOException("message head too large");
            }
        }
    }

    /// <summary>Relays a request body (Content-Length or chunked) to <paramref name="target"/>.</summary>
    public Task CopyBodyAsync(RequestHead request, Stream target, long? limit, long? throttle, CancellationToken cancellationToken) =>
        request.Chunked
            ? CopyChunkedAsync(target, cancellationToken)
            : CopyExactlyAsync(request.ContentLength, target, limit, throttle, cancellationToken);

    /// <summary>Reads and discards a request body.</summary>
    public Task SkipBodyAsync(RequestHead request, Stream sink, CancellationToken cancellationToken) =>
        CopyBodyAsync(request, sink, null, null, cancellationToken);

    /// <summary>Relays a response body: Content-Length, chunked, or until the connection closes.</summary>
    public async Task CopyResponseBodyAsync(ResponseHead response, Stream target, CancellationToken cancellationToken)
    {
        if (response.Chunked)
        {
            await CopyChunkedAsync(target, cancellationToken);
        }
        else if (response.ContentLength is { } length)
        {
            await CopyExactlyAsync(length, target, null, null, cancellationToken);
        }
        else
        {
            while (_start < _end || await FillAsync(cancellationToken))
            {
                await target.WriteAsync(_buffer.AsMemory(_start, _end - _start), cancellationToken);
                _start = _end;
            }
        }

        await target.FlushAsync(cancellationToken);
    }

    private async Task CopyExactlyAsync(long length, Stream target, long? limit, long? throttle, CancellationToken cancellationToken)
    {
        var remaining = limit is { } cap ? Math.Min(cap, length) : length;
        while (remaining > 0)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new IOException("connection closed inside a body");
            }

            var slice = (int)Math.Min(Math.Min(remaining, _end - _start), throttle is { } rate ? Math.Max(1024, rate / 20) : int.MaxValue);
            await target.WriteAsync(_buffer.AsMemory(_start, slice), cancellationToken);
            _start += slice;
            remaining -= slice;
            if (throttle is { } bytesPerSecond)
            {
                await target.FlushAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(slice / (double)bytesPerSecond), cancellationToken);
            }
        }
    }

    private async Task CopyChunkedAsync(Stream target, CancellationToken cancellationToken)
    {
        while (true)
        {
            var sizeLine = await ReadLineAsync(cancellationToken);
            await target.WriteAsync(Encoding.ASCII.GetBytes(sizeLine + "\r\n"), cancellationToken);
            var size = long.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailers, then the blank line.
                string line;
                do
                {
                    line = await ReadLineAsync(cancellationToken);
                    await target.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"), cancellationToken);
                }
                while (line.Length > 0);
                return;
            }

            await CopyExactlyAsync(size, target, null, null, cancellationToken);
            var end = await ReadLineAsync(cancellationToken);
            await target.WriteAsync(Encoding.ASCII.GetBytes(end + "\r\n"), cancellationToken);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken))
            {
                throw new IOException("connection closed inside a chunked body");
            }

            var c = (char)_buffer[_start++];
            if (c == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append(c);
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await stream.ReadAsync(_buffer, cancellationToken);
        return _end > 0;
    }
}
