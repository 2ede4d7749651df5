namespace RegistryPush.Output;

/// <summary>Writes files so that readers never see half of them (write beside, then rename).</summary>
public static class AtomicFile
{
    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>.</summary>
    public static void WriteAllText(string path, string content)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            var temporary = TemporaryPath(path);
            File.WriteAllText(temporary, content);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write {path}: {FileErrors.Describe(exception, path)}");
        }
    }

    /// <summary>
    /// Checks, before anything is pushed, that <see cref="WriteAllText"/> will be able to replace <paramref name="path"/>:
    /// its directory exists (or can be made) and takes a new file. Creates the directory; leaves no file behind.
    /// </summary>
    /// <exception cref="UsageException">The file could not be written; the message names it and says why.</exception>
    public static void CheckWritable(string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new UsageException($"cannot write {path}: it is a directory, not a file");
        }

        var directory = Path.GetDirectoryName(full)!;
        for (var ancestor = directory; ancestor is not null; ancestor = Path.GetDirectoryName(ancestor))
        {
            if (File.Exists(ancestor))
            {
                throw new UsageException($"cannot write {path}: {ancestor} is a file, not a directory");
            }

            if (Directory.Exists(ancestor))
            {
                break;
            }
        }

        try
        {
            Directory.CreateDirectory(directory);

            // The same file the write will use, created and removed at once: the directory takes new files.
            using var probe = new FileStream(TemporaryPath(full), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write {path}: {FileErrors.Describe(exception, directory)} (in {directory})");
        }
    }

    private static string TemporaryPath(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
}
