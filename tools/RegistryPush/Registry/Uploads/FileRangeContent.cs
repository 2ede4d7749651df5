using System.Buffers;
using System.Net;
using Microsoft.Win32.SafeHandles;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// HTTP content that streams a byte range of a file with a known Content-Length, so a blob of any size is sent
/// without ever being held in memory. It can be sent again (each send reopens the range), which retries need.
/// A file that cannot be opened, or turns out shorter than the range, fails with a <see cref="LayoutException"/> naming
/// it, which is never retried. An I/O error while reading a file that did open (a failing disk) is not told apart: it
/// reaches the caller as the transport's failure, and is retried like a broken connection.
/// </summary>
public sealed class FileRangeContent : HttpContent
{
    // Each upload in flight holds one; 64 KiB keeps it out of the large object heap and costs no throughput over
    // loopback (256 KiB did not go faster), so memory stays low however many uploads run at once.
    private const int BufferSize = 64 * 1024;
    private readonly string _path;
    private readonly long _offset;
    private readonly long _length;
    private readonly Action<long>? _onBytesSent;

    /// <summary>Streams <paramref name="length"/> bytes of <paramref name="path"/> starting at <paramref name="offset"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="offset">The first byte to send.</param>
    /// <param name="length">How many bytes to send.</param>
    /// <param name="onBytesSent">Told how many bytes went out after each write, for progress.</param>
    public FileRangeContent(string path, long offset, long length, Action<long>? onBytesSent = null)
    {
        _path = path;
        _offset = offset;
        _length = length;
        _onBytesSent = onBytesSent;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        Headers.ContentLength = length;
    }

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc />
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        using var file = Open();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var position = _offset;
            var remaining = _length;
            while (remaining > 0)
            {
                var wanted = (int)Math.Min(buffer.Length, remaining);
                var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, wanted), position, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // Not an IOException: a network retry cannot fix a file that shrank under us.
                    throw new LayoutException($"{_path} ended {remaining} bytes early: it changed during the push");
                }

                await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                position += read;
                remaining -= read;
                _onBytesSent?.Invoke(read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Opens the file; a file that became unreadable since the layout was checked (permissions changed, deleted) is the
    /// layout's fault, not the network's: a <see cref="LayoutException"/>, never retried.
    /// </summary>
    private SafeFileHandle Open()
    {
        try
        {
            return File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new LayoutException($"cannot read blob file {_path}: {FileErrors.Describe(exception, _path)}", exception);
        }
    }

    /// <inheritdoc />
    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}
