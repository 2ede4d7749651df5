using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace RegistryPush.Cli;

/// <summary>
/// The process's standard streams, opened without <see cref="Console"/>. On Unix, the first use of
/// <see cref="Console.Out"/>, <see cref="Console.Error"/> or <see cref="Console.In"/> (or of a stream from
/// <see cref="Console.OpenStandardOutput()"/>) initialises terminfo and sends the "application keypad" sequence
/// (<c>ESC[?1h ESC=</c>) to the terminal, even when only standard input is one, and never undoes it: after every
/// run the arrow and keypad keys of the user's shell could send other codes. registry-push reads no keys, so it
/// writes to the file descriptors itself and leaves the terminal as it found it.
/// </summary>
internal static class StandardStreams
{
    /// <summary>Standard output, flushed on every write.</summary>
    public static TextWriter Output() => OperatingSystem.IsWindows() ? Console.Out : Writer(1);

    /// <summary>Standard error, flushed on every write.</summary>
    public static TextWriter Error() => OperatingSystem.IsWindows() ? Console.Error : Writer(2);

    /// <summary>Standard input (only <c>--password-stdin</c> reads it).</summary>
    public static TextReader Input()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.In;
        }

        try
        {
            return new StreamReader(new FileStream(new SafeFileHandle(0, ownsHandle: false), FileAccess.Read, bufferSize: 0), new UTF8Encoding(false));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return TextReader.Null; // stdin is closed: reading it sees the end of input, as an empty pipe would
        }
    }

    private static TextWriter Writer(int descriptor) =>
        TextWriter.Synchronized(new StreamWriter(new DescriptorStream(descriptor), new UTF8Encoding(false), bufferSize: 256) { AutoFlush = true });

    /// <summary>
    /// Writes with write(2), as the console does. Not a <see cref="FileStream"/>: on a redirected regular file
    /// (<c>&gt; log 2&gt;&amp;1</c>) it would write at its own offsets and overwrite what the shell or the other
    /// stream wrote.
    /// </summary>
    private sealed class DescriptorStream(int descriptor) : Stream
    {
        private const int Interrupted = 4; // EINTR on Linux and macOS
        private const int BrokenPipe = 32; // EPIPE on Linux and macOS

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var written = write(descriptor, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
                if (written >= 0)
                {
                    buffer = buffer[(int)written..];
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == Interrupted)
                {
                    continue;
                }

                if (error == WouldBlock)
                {
                    Thread.Sleep(1); // a non-blocking descriptor inherited from the parent: wait for room
                    continue;
                }

                if (error == BrokenPipe)
                {
                    return; // the reader went away (`registry-push --help | head -1`): the outcome is the exit code
                }

                throw new IOException($"cannot write to file descriptor {descriptor} (errno {error})");
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private static int WouldBlock => OperatingSystem.IsMacOS() ? 35 : 11; // EAGAIN

        // Bound at link time (DirectPInvoke in RegistryPush.csproj): write(2) is in the C library every build links.
        // DllImport rather than LibraryImport, which would need unsafe code: every parameter is blittable anyway.
        [DllImport("libc", EntryPoint = "write", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern nint write(int fd, ref byte buffer, nuint count);
    }
}
