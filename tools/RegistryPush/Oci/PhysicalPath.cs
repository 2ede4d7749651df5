namespace RegistryPush.Oci;

/// <summary>
/// Resolves a path to the file it physically names, following symlinks the way the kernel does when it opens the path
/// (like POSIX <c>realpath</c>).
/// </summary>
/// <remarks>
/// <see cref="File.ResolveLinkTarget(string, bool)"/> is not enough: it resolves a relative link target as text against
/// the directory of the path as typed, not against the directory the link physically lives in. Reached through a
/// symlinked directory (a Bazel runfiles tree links whole image directories), a link such as <c>../../../layer.tar</c>
/// then points somewhere else than it does for <c>cat</c>, and a perfectly readable blob looks dangling. Here every
/// component is resolved against the already-resolved physical prefix, and <c>..</c> means the parent of that physical
/// directory. Managed code only (lstat and readlink through <see cref="FileSystemInfo"/>), so it is portable and
/// NativeAOT-safe.
/// </remarks>
internal static class PhysicalPath
{
    /// <summary>
    /// The most symlinks one resolution follows before it calls the path a loop: the kernel's limit on Linux
    /// (<c>MAXSYMLINKS</c>, where <c>open</c> fails with <c>ELOOP</c>).
    /// </summary>
    public const int MaxLinks = 40;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    /// <summary>Resolves <paramref name="path"/> (relative paths against the current directory).</summary>
    /// <returns>
    /// Where the path leads. A missing component is not an error: the result says <see cref="PhysicalEntry.Missing"/>
    /// and names the place it would be, so that callers can tell "missing" from "dangling symlink".
    /// </returns>
    /// <exception cref="SymlinkLoopException">More than <see cref="MaxLinks"/> symlinks: a cycle, most likely.</exception>
    /// <exception cref="IOException">A component could not be examined.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory on the way may not be searched.</exception>
    public static ResolvedPath Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);

        // Not Path.GetFullPath for relative paths: it folds "a/link/.." away as text, which is exactly the mistake this
        // type exists to avoid. The current directory is already physical (getcwd). Windows' drive- or root-relative
        // forms ("C:x", "\x") have no physical meaning without Windows picking the drive, so it does.
        var full = Path.IsPathFullyQualified(path) ? path
            : Path.IsPathRooted(path) ? Path.GetFullPath(path)
            : Path.Join(Environment.CurrentDirectory, path);

        var current = Path.GetPathRoot(full)!;
        var pending = new Stack<string>();
        PushComponents(pending, full.AsSpan(current.Length));
        var isDirectory = true;
        var links = 0;

        while (pending.TryPop(out var name))
        {
            if (!isDirectory)
            {
                // "file/x", "file/." or "file/..": the kernel says ENOTDIR; for a caller that is as good as missing.
                return Missing(current, name, pending, links);
            }

            if (name == ".")
            {
                continue;
            }

            if (name == "..")
            {
                // Physically: the parent of the directory resolved so far (the root is its own parent).
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }

            var candidate = Path.Join(current, name);
            var entry = new FileInfo(candidate);
            var attributes = entry.Attributes;

            // FileSystemInfo reports -1 for an entry that does not exist (lstat failed) rather than throwing.
            if ((int)attributes == -1)
            {
                return Missing(current, name, pending, links);
            }

            // Attributes come from lstat, so ReparsePoint marks the link itself. Windows has reparse points that are no
            // links (their LinkTarget is null); those are ordinary entries here.
            if ((attributes & FileAttributes.ReparsePoint) != 0 && entry.LinkTarget is { } target)
            {
                if (++links > MaxLinks)
                {
                    throw new SymlinkLoopException(full);
                }

                if (Path.IsPathRooted(target))
                {
                    // An absolute target starts over at its root.
                    current = Path.GetPathRoot(target)!;
                    PushComponents(pending, target.AsSpan(current.Length));
                }
                else
                {
                    // A relative target continues from the physical directory that holds the link: `current`.
                    PushComponents(pending, target);
                }

                isDirectory = true;
                continue;
            }

            current = candidate;
            isDirectory = (attributes & FileAttributes.Directory) != 0;
        }

        return new ResolvedPath(current, isDirectory ? PhysicalEntry.Directory : PhysicalEntry.File, links);
    }

    /// <summary>Puts <paramref name="components"/> on top of <paramref name="pending"/>, the first on top.</summary>
    private static void PushComponents(Stack<string> pending, ReadOnlySpan<char> components)
    {
        var names = components.ToString().Split(Separators, StringSplitOptions.RemoveEmptyEntries);
        for (var i = names.Length - 1; i >= 0; i--)
        {
            pending.Push(names[i]);
        }
    }

    /// <summary>The place a missing entry would be: the physical prefix, then the rest of the path as written.</summary>
    private static ResolvedPath Missing(string current, string name, Stack<string> pending, int links)
    {
        var path = Path.Join(current, name);
        foreach (var rest in pending)
        {
            path = Path.Join(path, rest);
        }

        return new ResolvedPath(path, PhysicalEntry.Missing, links);
    }
}

/// <summary>What a resolved path names.</summary>
internal enum PhysicalEntry
{
    /// <summary>Nothing: some component of the path does not exist (or is not a directory but has children).</summary>
    Missing,

    /// <summary>A file, or anything else that is not a directory (a device, a socket, a pipe).</summary>
    File,

    /// <summary>A directory.</summary>
    Directory,
}

/// <summary>Where a path physically leads.</summary>
/// <param name="Path">
/// The physical path: absolute, without symlinks, <c>.</c> or <c>..</c>. When <paramref name="Entry"/> is
/// <see cref="PhysicalEntry.Missing"/>, the physical path of the deepest existing directory followed by the rest of the
/// path as written: where a dangling link leads.
/// </param>
/// <param name="Entry">Whether the path names a file, a directory or nothing.</param>
/// <param name="LinksFollowed">How many symlinks resolution followed; 0 if the path is physical already.</param>
internal readonly record struct ResolvedPath(string Path, PhysicalEntry Entry, int LinksFollowed);

/// <summary>Resolving a path followed more than <see cref="PhysicalPath.MaxLinks"/> symlinks: a symlink loop.</summary>
/// <param name="path">The path whose resolution gave up.</param>
/// <remarks>The message is written here, not taken from the runtime: the NativeAOT build strips the runtime's texts.</remarks>
internal sealed class SymlinkLoopException(string path)
    : IOException($"{path}: symlink loop (more than {PhysicalPath.MaxLinks} symbolic links to follow)")
{
    /// <summary>The path whose resolution gave up.</summary>
    public string PathResolved { get; } = path;
}
