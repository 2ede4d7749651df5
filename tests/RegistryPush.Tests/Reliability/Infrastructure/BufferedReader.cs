using System.Globalization;
using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

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
