using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Releases;

/// <summary>
/// A release of this repository made by <c>scripts/release.sh</c> (this machine's binary, the module archive,
/// SHA256SUMS) and served over loopback HTTP as GitHub would serve it: Bazel's downloader is pointed at the server by
/// a <c>rewrite</c> of the release URLs (<c>--experimental_downloader_config</c>), as users behind a mirror do. A
/// second server serves the same release with the binary's bytes changed after its checksum was pinned.
/// </summary>
public sealed partial class LocalRelease : IAsyncDisposable
{
    /// <summary>The version the test release is made as.</summary>
    public const string Version = "0.2.0";

    /// <summary>Where the test release claims to live on GitHub (the downloader rewrites it).</summary>
    public const string GitHub = "test-owner/registry-push";

    private readonly TempDirectory _directory = new();
    private readonly List<Process> _servers = [];

    private LocalRelease()
    {
    }

    /// <summary>The folder release.sh wrote.</summary>
    public string Folder => _directory.Combine("release");

    /// <summary>The module archive's file name.</summary>
    public static string ArchiveName => $"registry_push-{Version}.tar.gz";

    /// <summary>The linux-x64 binary's file name.</summary>
    public static string BinaryName => $"registry-push-{Version}-linux-x64";

    /// <summary>The archive's URL as published: <c>https://github.com/OWNER/REPO/releases/download/vV/FILE</c>.</summary>
    public static string ArchiveUrl => $"https://github.com/{GitHub}/releases/download/v{Version}/{ArchiveName}";

    /// <summary>The archive's sha256 (hex), for WORKSPACE's http_archive.</summary>
    public string ArchiveSha256 { get; private set; } = string.Empty;

    /// <summary>The archive's integrity (<c>sha256-BASE64</c>), for MODULE.bazel's archive_override.</summary>
    public string ArchiveIntegrity { get; private set; } = string.Empty;

    /// <summary>A downloader config that sends the release URLs to the server of the intact release.</summary>
    public string DownloaderConfig { get; private set; } = string.Empty;

    /// <summary>A downloader config that sends them to the server whose binary does not match its checksum.</summary>
    public string TamperedDownloaderConfig { get; private set; } = string.Empty;

    /// <summary>What the intact release's server logged (one line per request); read it with <see cref="RequestsSince"/>.</summary>
    private StringBuilder RequestLog { get; } = new();

    /// <summary>Runs release.sh and starts both servers.</summary>
    public static async Task<LocalRelease> MakeAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var release = new LocalRelease();
        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments([Path.Combine(repositoryRoot, "scripts", "release.sh"), "--version", Version, "--out", release.Folder, "--github", GitHub])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancellationToken);
        result.ExitCode.ShouldBe(0, $"scripts/release.sh:\n{result.StandardOutput}\n{result.StandardError}");

        var archive = await File.ReadAllBytesAsync(Path.Combine(release.Folder, ArchiveName), cancellationToken);
        var hash = SHA256.HashData(archive);
        release.ArchiveSha256 = Convert.ToHexStringLower(hash);
        release.ArchiveIntegrity = "sha256-" + Convert.ToBase64String(hash);

        var tampered = release._directory.Combine("tampered");
        Directory.CreateDirectory(tampered);
        foreach (var file in Directory.GetFiles(release.Folder))
        {
            File.Copy(file, Path.Combine(tampered, Path.GetFileName(file)));
        }

        await File.AppendAllTextAsync(Path.Combine(tampered, BinaryName), "not the released bytes", cancellationToken);

        release.DownloaderConfig = await release.ServeAsync(release.Folder, "intact", release.RequestLog, cancellationToken);
        release.TamperedDownloaderConfig = await release.ServeAsync(tampered, "tampered", new StringBuilder(), cancellationToken);
        return release;
    }

    /// <summary>Serves <paramref name="folder"/> on a free loopback port; returns a downloader config pointing the release there.</summary>
    private async Task<string> ServeAsync(string folder, string name, StringBuilder log, CancellationToken cancellationToken)
    {
        var server = new Process
        {
            StartInfo = new ProcessStartInfo("python3", ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", folder, "0"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && ServingPort().Match(text) is { Success: true } match)
            {
                port.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        server.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                lock (log)
                {
                    log.AppendLine(text);
                }
            }
        };
        server.Start();
        _servers.Add(server);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var listening = await port.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        var config = _directory.Combine($"downloader-{name}.cfg");
        await File.WriteAllTextAsync(
            config,
            $"rewrite github.com/{GitHub}/releases/download/v{Version}/(.*) http://127.0.0.1:{listening}/$1\n",
            cancellationToken);
        return config;
    }

    /// <summary>A mark in the intact server's request log, for <see cref="RequestsSince"/>.</summary>
    public int RequestMark()
    {
        lock (RequestLog)
        {
            return RequestLog.Length;
        }
    }

    /// <summary>What the intact server logged since <paramref name="mark"/>: the requests of one test.</summary>
    public string RequestsSince(int mark)
    {
        lock (RequestLog)
        {
            return RequestLog.ToString(mark, RequestLog.Length - mark);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            try
            {
                server.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            server.Dispose();
        }

        _directory.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"Serving HTTP on \S+ port (\d+)")]
    private static partial Regex ServingPort();
}

/// <summary>
/// One <see cref="LocalRelease"/> for the whole test run, made on first use (release.sh runs a NativeAOT publish).
/// </summary>
public sealed class LocalReleaseFixture : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private LocalRelease? _release;

    /// <summary>The release; made the first time a test asks.</summary>
    public async Task<LocalRelease> GetAsync(string repositoryRoot)
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return _release ??= await LocalRelease.MakeAsync(repositoryRoot, TestContext.Current.CancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_release is not null)
        {
            await _release.DisposeAsync();
        }

        _gate.Dispose();
    }
}
