using System.Security.Cryptography;
using System.Text;
using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Bazel;

/// <summary>What one Bazel command printed and returned.</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">Bazel's exit code (for <c>run</c>, the launched program's).</param>
/// <param name="StandardOutput">stdout: for <c>run</c>, the launched program's stdout.</param>
/// <param name="StandardError">stderr: Bazel's own messages, then the launched program's stderr.</param>
public sealed record BazelResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Non-empty stdout lines, trimmed.</summary>
    public IReadOnlyList<string> OutputLines =>
        StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The last non-empty stdout line (for a push, <c>REPOSITORY@DIGEST</c>).</summary>
    public string LastOutputLine => OutputLines is [.., var last] ? last : string.Empty;

    /// <inheritdoc />
    public override string ToString() => $"{Command}\nexit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>
/// Runs Bazel in one workspace the way this machine needs it: one <see cref="BazelInstallation"/>, its own output
/// base under /tmp (one Bazel server, shared by every test of a run, so the pusher is built once), no convenience
/// symlinks in the source tree, and quiet output.
/// </summary>
public sealed class BazelWorkspace : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(15);
    private readonly bool _ownsOutputBase;

    /// <summary>Creates a runner for the workspace at <paramref name="root"/>.</summary>
    /// <param name="root">The workspace directory (holds WORKSPACE or MODULE.bazel).</param>
    /// <param name="outputBase">Bazel's output base; created by Bazel.</param>
    /// <param name="ownsOutputBase">Whether <see cref="DisposeAsync"/> deletes the output base.</param>
    /// <param name="installation">The Bazel that runs it.</param>
    public BazelWorkspace(string root, string outputBase, bool ownsOutputBase, BazelInstallation installation)
    {
        Root = root;
        OutputBase = outputBase;
        Installation = installation;
        _ownsOutputBase = ownsOutputBase;
    }

    /// <summary>The workspace directory.</summary>
    public string Root { get; }

    /// <summary>Bazel's output base for this workspace.</summary>
    public string OutputBase { get; }

    /// <summary>The Bazel that runs this workspace.</summary>
    public BazelInstallation Installation { get; }

    /// <summary>
    /// The output base for a workspace in this test run: under /tmp, keyed by the workspace and this process, so two
    /// clones or two runs never share a Bazel server. <c>REGISTRY_PUSH_BAZEL_OUTPUT_BASE</c> names a persistent one
    /// instead (kept after the run: faster repeated local runs).
    /// </summary>
    /// <param name="root">The workspace directory.</param>
    /// <param name="name">Names the output base.</param>
    /// <param name="installation">The Bazel to run; default: Bazel 4.2.3 on the host.</param>
    public static BazelWorkspace ForTestRun(string root, string name, BazelInstallation? installation = null)
    {
        installation ??= BazelInstallation.Host(FindRepositoryRoot() ?? root);
        var persistent = Environment.GetEnvironmentVariable("REGISTRY_PUSH_BAZEL_OUTPUT_BASE");
        if (!string.IsNullOrEmpty(persistent))
        {
            return new BazelWorkspace(root, Path.Combine(persistent, name), ownsOutputBase: false, installation);
        }

        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..10];
        var outputBase = Path.Combine(Path.GetTempPath(), "registry-push-bazel", $"{name}-{key}-{Environment.ProcessId}");
        return new BazelWorkspace(root, outputBase, ownsOutputBase: true, installation);
    }
    /// <summary>
    /// The repository's root (holds MODULE.bazel and bazel/defs.bzl): <c>REGISTRY_PUSH_REPOSITORY_ROOT</c> when set
    /// (tests built outside the tree), else found upward from the test assembly.
    /// </summary>
    public static string? FindRepositoryRoot()
    {
        var starts = new[] { Environment.GetEnvironmentVariable("REGISTRY_PUSH_REPOSITORY_ROOT"), AppContext.BaseDirectory };
        foreach (var start in starts.OfType<string>().Where(static start => start.Length > 0))
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MODULE.bazel"))
                    && File.Exists(Path.Combine(directory.FullName, "bazel", "defs.bzl")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>Startup options: this workspace's output base, no ~/.bazelrc, and a server that goes away if a run dies.</summary>
    private string[] StartupOptions => [$"--output_base={OutputBase}", "--nohome_rc", "--max_idle_secs=900"];

    /// <summary>Runs <c>bazel COMMAND OPTIONS TARGETS [-- ARGUMENTS]</c> in the workspace.</summary>
    /// <param name="command">build, run, info, ...</param>
    /// <param name="options">Options after the common ones (later options win).</param>
    /// <param name="targets">Targets (or info keys).</param>
    /// <param name="arguments">For <c>run</c>: the program's arguments, after <c>--</c>.</param>
    public async Task<BazelResult> RunAsync(string command, IEnumerable<string> options, IEnumerable<string> targets, IEnumerable<string>? arguments = null)
    {
        List<string> all = [.. StartupOptions, command, .. BazelInstallation.QuietOptions, .. Installation.ExtraOptions];

        all.AddRange(options);
        all.AddRange(targets);
        if (arguments is not null)
        {
            all.Add("--");
            all.AddRange(arguments);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(CommandTimeout);
        var result = await CliWrap.Cli.Wrap(Installation.Program)
            .WithArguments([.. Installation.PrefixArguments, .. all])
            .WithWorkingDirectory(Root)
            .WithEnvironmentVariables(environment => environment
                .Set("BUILD_WORKING_DIRECTORY", null)
                .Set("BUILD_WORKSPACE_DIRECTORY", null)
                .Set("RUNFILES_DIR", null)
                .Set("RUNFILES_MANIFEST_FILE", null)
                .Set(Installation.Environment))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        return new BazelResult($"bazel ({Installation.Name}) " + string.Join(' ', all), result.ExitCode, result.StandardOutput, result.StandardError);
    }

    /// <summary><c>bazel info KEY</c> with the common options (e.g. <c>bazel-bin</c>).</summary>
    public async Task<string> InfoAsync(string key)
    {
        var result = await RunAsync("info", [], [key]);
        result.ExitCode.ShouldBe(0, result.ToString());
        return result.StandardOutput.Trim();
    }

    /// <summary>Stops the Bazel server and, when this run made it, deletes the output base.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CliWrap.Cli.Wrap(Installation.Program)
                .WithArguments([.. Installation.PrefixArguments, .. StartupOptions, "shutdown"])
                .WithEnvironmentVariables(Installation.Environment)
                .WithWorkingDirectory(Root)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync();
        }
        catch (Exception exception) when (exception is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // No bazel: nothing was started.
        }

        if (_ownsOutputBase && Directory.Exists(OutputBase))
        {
            // Bazel marks much of its output read-only; make it writable so it can go.
            await CliWrap.Cli.Wrap("chmod").WithArguments(["-R", "u+w", OutputBase]).WithValidation(CommandResultValidation.None).ExecuteAsync();
            try
            {
                Directory.Delete(OutputBase, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Best effort: /tmp is cleaned anyway.
            }
        }
    }
}
