using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// Runs the published binary as a user whom file permissions bind. Tests run as root in CI containers, and root reads
/// a file whatever its mode, so a <c>chmod 000</c> proves nothing there: as root, the binary runs as <c>nobody</c>
/// through <c>setpriv</c> (util-linux); as anyone else, as itself.
/// </summary>
public static class Unprivileged
{
    /// <summary>Runs <c>registry-push</c> with <paramref name="arguments"/> as a user without root's privileges.</summary>
    /// <param name="arguments">The binary's arguments.</param>
    /// <param name="home">HOME (and the Docker/podman config locations) for the run; must be readable by that user.</param>
    public static async Task<CliResult> RunAsync(string[] arguments, string home)
    {
        var binary = PublishedBinary.Path;
        var command = Environment.IsPrivilegedProcess
            ? CliWrap.Cli.Wrap(SetPriv()).WithArguments(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", binary, .. arguments])
            : CliWrap.Cli.Wrap(binary).WithArguments(arguments);
        var result = await command
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["HOME"] = home,
                ["DOCKER_CONFIG"] = Path.Combine(home, "docker"),
                ["REGISTRY_AUTH_FILE"] = Path.Combine(home, "auth.json"),
                ["XDG_RUNTIME_DIR"] = home,
                ["GITHUB_TOKEN"] = null,
                ["CI"] = null,
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary>Takes every permission away from <paramref name="path"/> (<c>chmod 000</c>).</summary>
    public static void MakeUnreadable(string path)
    {
        TestEnvironment.Require(!OperatingSystem.IsWindows(), "file modes are a Unix notion");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.None);
        }
    }

    /// <summary>Makes <paramref name="directory"/> and everything in it readable by every user (temp folders are 0700).</summary>
    public static void OpenToEveryone(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Searchable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(directory, Searchable);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(entry).LinkTarget is null)
            {
                File.SetUnixFileMode(entry, Directory.Exists(entry) ? Searchable : Readable);
            }
        }
    }

    private static string SetPriv()
    {
        var path = new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists);
        TestEnvironment.Require(path is not null, "running as root, and setpriv (util-linux) is not installed to drop privileges: a chmod 000 file stays readable to root");
        return path!;
    }
}
