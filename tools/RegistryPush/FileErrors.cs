using System.Runtime.InteropServices;

namespace RegistryPush;

/// <summary>
/// Says in a few plain words why a file could not be read or written ("permission denied", "it is a directory"), for
/// errors that name the file themselves. The runtime's own message repeats the path and, on a build that strips the
/// runtime's texts, is only a resource key; the kind of failure is what a user acts on.
/// </summary>
internal static class FileErrors
{
    /// <summary>The reason <paramref name="exception"/> gives for <paramref name="path"/>, without the path.</summary>
    public static string Describe(Exception exception, string path) => exception switch
    {
        // The runtime reports opening a directory as a file as EACCES; say what it really is.
        UnauthorizedAccessException when Directory.Exists(path) => "it is a directory, not a file",
        UnauthorizedAccessException => "permission denied",
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "a directory on its path does not exist",
        PathTooLongException => "the path is too long",
        IOException { HResult: var errno } when errno is > 0 and < 4096 => ErrnoText(errno),
        _ => "an I/O error",
    };

    /// <summary>On Unix the runtime puts the raw errno in <see cref="Exception.HResult"/>; the C library words it.</summary>
    private static string ErrnoText(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return string.IsNullOrWhiteSpace(text) ? $"I/O error {errno}" : PrintableText.OneLine(text).Trim().ToLowerInvariant();
    }
}
