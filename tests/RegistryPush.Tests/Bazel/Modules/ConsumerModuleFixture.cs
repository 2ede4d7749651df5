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
    private readonly BuiltWorkspace _built = new("the consumer module's targets");

    /// <summary>The consumer's workspace; skips (locally) or fails (CI) when Bazel 7 is missing.</summary>
    public BazelWorkspace Workspace => _built.Workspace;

    /// <summary>A path under the consumer's bazel-bin.</summary>
    public string BazelBin(string relativePath) => _built.BazelBin(relativePath);

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
            _built.Unavailable(unavailable);
            return;
        }

        ConsumerModule.Write(_directory.Path, root);

        // //:push_all needs a repository prefix, known only to its test: it is built there.
        await _built.BuildAsync(
            BazelWorkspace.ForTestRun(_directory.Path, "consumer7", installation),
            ConsumerModule.Images.Select(static name => $"//:{name}_image_push"));
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _built.DisposeAsync();
        _directory.Dispose();
    }
}
