using System.Net;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// Wraps a request body so that each piece written to the connection counts as progress for the stall watch.
/// Writes are split into small pieces so that a slow but moving upload is never mistaken for a stalled one.
/// The wrapped content keeps its headers (Content-Length, Content-Type, Content-Range) and is not disposed here.
/// </summary>
internal sealed class WatchedContent : HttpContent
{
    private const int PieceBytes = 64 * 1024;
    private readonly HttpContent _inner;
    private readonly Action _progress;

    public WatchedContent(HttpContent inner, Action progress)
    {
        _inner = inner;
        _progress = progress;
        foreach (var header in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var watched = new ProgressStream(stream, _progress);
        await _inner.CopyToAsync(watched, context, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_inner.Headers.ContentLength is { } known)
        {
            length = known;
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>A write-only pass-through that reports each piece written.</summary>
    private sealed class ProgressStream(Stream inner, Action progress) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (var done = 0; done < count; done += PieceBytes)
            {
                inner.Write(buffer, offset + done, Math.Min(PieceBytes, count - done));
                progress();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var done = 0; done < buffer.Length; done += PieceBytes)
            {
                await inner.WriteAsync(buffer.Slice(done, Math.Min(PieceBytes, buffer.Length - done)), cancellationToken).ConfigureAwait(false);
                progress();
            }
        }

        // The connection's stream belongs to the handler: closing the wrapper must not close it, so the base
        // Dispose (which closes nothing of the inner stream) is all there is to do.
        protected override void Dispose(bool disposing) => base.Dispose(disposing);
    }
}
