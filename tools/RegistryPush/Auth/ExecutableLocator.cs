namespace RegistryPush.Auth;

/// <summary>
/// Finds a program on a PATH given as text. The PATH comes from the run's environment rather than this process's,
/// so in-process runs (tests) see the helpers they put there.
/// </summary>
public static class ExecutableLocator
{
    /// <summary>The full path of <paramref name="name"/> in the first PATH directory holding it as an executable file, or null.</summary>
    /// <param name="name">The program's file name, without directory.</param>
    /// <param name="path">The PATH value (directories separated by <see cref="Path.PathSeparator"/>).</param>
    /// <param name="pathExtensions">On Windows, the PATHEXT value (e.g. <c>.EXE;.CMD</c>); ignored elsewhere.</param>
    public static string? Find(string name, string? path, string? pathExtensions = null)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        var suffixes = OperatingSystem.IsWindows()
            ? (pathExtensions ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries).Prepend(string.Empty).ToArray()
            : [string.Empty];
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            // An empty or relative PATH entry would mean "the current directory": never run a helper from there.
            if (!Path.IsPathFullyQualified(directory))
            {
                continue;
            }

            foreach (var suffix in suffixes)
            {
                var candidate = Path.Combine(directory, name + suffix);
                if (IsExecutableFile(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string candidate)
    {
        if (!File.Exists(candidate))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(candidate) & AnyExecute) != 0;
    }
}
