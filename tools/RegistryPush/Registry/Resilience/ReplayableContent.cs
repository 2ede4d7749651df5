using System.Net;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// A small response body held in memory that can be read any number of times, even by readers that dispose the
/// stream they were given: HttpContent hands out one cached read stream, so this one rewinds when disposed instead of
/// closing. An error body is read once to decide whether to retry and again to report it.
/// </summary>
internal sealed class ReplayableContent(byte[] bytes, int length) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(bytes, 0, length);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(bytes.AsMemory(0, length), cancellationToken).AsTask();

    protected override bool TryComputeLength(out long computed)
    {
        computed = length;
        return true;
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new RewindingStream(bytes, length));

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new RewindingStream(bytes, length);

    /// <summary>A read-only view of the bytes that goes back to the start when disposed.</summary>
    private sealed class RewindingStream(byte[] bytes, int length) : Stream
    {
        private readonly MemoryStream _inner = new(bytes, 0, length, writable: false);

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _inner.Length;

        public override long Position
        {
            get => _inner.Position;
            set => _inner.Position = value;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            // The next reader starts from the first byte; the bytes themselves live as long as the response.
            _inner.Position = 0;
            base.Dispose(disposing);
        }
    }
}
