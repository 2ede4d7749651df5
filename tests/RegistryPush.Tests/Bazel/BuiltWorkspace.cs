using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel;

/// <summary>
/// A Bazel workspace whose targets a fixture builds once for many tests, and why it cannot be used when it cannot:
/// Bazel missing (the tests skip locally and fail in CI) or the build failed (every test fails with its output).
/// </summary>
/// <param name="what">What is built, for the failure message (e.g. "the example push targets").</param>
public sealed class BuiltWorkspace(string what) : IAsyncDisposable
{
    private BazelWorkspace? _workspace;
    private string? _unavailable;
    private BazelResult? _failedBuild;
    private string _bazelBin = string.Empty;

    /// <summary>The workspace; skips (locally) or fails (CI) when it is unavailable, fails when its build failed.</summary>
    public BazelWorkspace Workspace
    {
        get
        {
            TestEnvironment.Require(_unavailable is null, _unavailable ?? string.Empty);
            if (_failedBuild is not null)
            {
                Assert.Fail($"building {what} failed:\n{_failedBuild}");
            }

            return _workspace!;
        }
    }

    /// <summary>Path of a file under the workspace's bazel-bin.</summary>
    public string BazelBin(string relativePath)
    {
        _ = Workspace;
        return Path.Combine(_bazelBin, relativePath);
    }

    /// <summary>Records why there is no workspace (the tests that ask for it skip or fail with this reason).</summary>
    public void Unavailable(string reason) => _unavailable = reason;

    /// <summary>Builds <paramref name="targets"/> in <paramref name="workspace"/>, which this then owns.</summary>
    public async Task BuildAsync(BazelWorkspace workspace, IEnumerable<string> targets)
    {
        _workspace = workspace;
        var build = await workspace.RunAsync("build", [], targets);
        if (build.ExitCode != 0)
        {
            _failedBuild = build;
            return;
        }

        _bazelBin = await workspace.InfoAsync("bazel-bin");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_workspace is not null)
        {
            await _workspace.DisposeAsync();
        }
    }
}
