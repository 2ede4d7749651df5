using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Modules;

/// <summary>The Bazel 7.7.1 tests run one at a time (one xunit collection): they share the chroot's Bazel servers.</summary>
[CollectionDefinition(Name)]
public sealed class Bazel7TestGroup : ICollectionFixture<ConsumerModuleFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Bazel 7";
}

/// <summary>
/// A consumer module (<see cref="ConsumerModule"/>) on Bazel 7.7.1 with the default, from-source toolchain, its
/// targets built once. Without the chroot the tests skip locally and fail in CI.
/// </summary>
public sealed class ConsumerModuleFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private BazelWorkspace? _workspace;
    private string? _unavailable;
    private BazelResult? _failedBuild;
    private string _bazelBin = string.Empty;

    /// <summary>This repository's root.</summary>
    public string RepositoryRoot { get; private set; } = string.Empty;

    /// <summary>The consumer's workspace; skips (locally) or fails (CI) when Bazel 7 is missing.</summary>
    public BazelWorkspace Workspace
    {
        get
        {
            TestEnvironment.Require(_unavailable is null, _unavailable ?? string.Empty);
            if (_failedBuild is not null)
            {
                Assert.Fail($"building the consumer module's targets failed:\n{_failedBuild}");
            }

            return _workspace!;
        }
    }

    /// <summary>A path under the consumer's bazel-bin.</summary>
    public string BazelBin(string relativePath)
    {
        _ = Workspace;
        return Path.Combine(_bazelBin, relativePath);
    }

    /// <summary>The build-time digest of the consumer's image_push target <paramref name="name"/>.</summary>
    public string BuildTimeDigest(string name) => File.ReadAllText(BazelBin($"{name}_image_push.digest")).Trim();

    /// <summary>The layout directory of an image_push target's image, as built.</summary>
    public string Layout(string name) => BazelBin($"{name}_image");

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var (root, installation, unavailable) = BazelInstallation.Locate(BazelInstallation.Sid);
        if (unavailable is not null)
        {
            _unavailable = unavailable;
            return;
        }

        RepositoryRoot = root;

        ConsumerModule.Write(_directory.Path, root);
        _workspace = BazelWorkspace.ForTestRun(_directory.Path, "consumer7", installation);
        // //:push_all needs a repository prefix, known only to its test: it is built there.
        var build = await _workspace.RunAsync("build", [], [.. ConsumerModule.Images.Select(static name => $"//:{name}_image_push")]);
        if (build.ExitCode != 0)
        {
            _failedBuild = build;
            return;
        }

        _bazelBin = await _workspace.InfoAsync("bazel-bin");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_workspace is not null)
        {
            await _workspace.DisposeAsync();
        }

        _directory.Dispose();
    }
}
