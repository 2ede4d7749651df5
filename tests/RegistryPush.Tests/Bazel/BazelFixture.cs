using System.Collections.Concurrent;
using System.Security.Cryptography;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel;

/// <summary>The Bazel tests run one at a time (one xunit collection): they share one Bazel server and its caches.</summary>
[CollectionDefinition(Name)]
public sealed class BazelTestGroup : ICollectionFixture<BazelFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Bazel";
}

/// <summary>
/// This repository as a Bazel workspace, with the example push targets built once (which builds registry-push from
/// source through the default toolchain). Without Bazel the tests skip locally and fail in CI.
/// </summary>
public sealed class BazelFixture : IAsyncLifetime
{
    /// <summary>Targets built up front; every test uses some of them.</summary>
    public static readonly string[] WarmTargets =
    [
        "//examples/hello:hello_image_push",
        "//examples/hello:hello.digest",
        "//examples/greeter:greeter_image_push",
        "//examples:push_all",
        "//tests/bazel/launcher:push_from_script",
    ];

    private readonly ConcurrentDictionary<string, Lazy<Task<BazelResult>>> _memo = new(StringComparer.Ordinal);
    private readonly BuiltWorkspace _built = new("the example push targets");

    /// <summary>The repository's workspace; skips (locally) or fails (CI) when Bazel is missing.</summary>
    public BazelWorkspace Workspace => _built.Workspace;

    /// <summary>The repository root.</summary>
    public string Root => Workspace.Root;

    /// <summary>Path of a file under bazel-bin, e.g. <c>examples/hello/hello_image_push.digest</c>.</summary>
    public string BazelBin(string relativePath) => _built.BazelBin(relativePath);

    /// <summary>The build-time digest of an image_push target, from its <c>.digest</c> file.</summary>
    public string BuildTimeDigest(string package, string name) =>
        File.ReadAllText(BazelBin($"{package}/{name}_image_push.digest")).Trim();

    /// <summary>The registry-push binary the default toolchain built (resolved out of a launcher's runfiles).</summary>
    public string PusherBinary()
    {
        var inRunfiles = BazelBin("examples/hello/hello_image_push.runfiles/registry_push/tools/RegistryPush/registry-push");
        var target = new FileInfo(inRunfiles).ResolveLinkTarget(returnFinalTarget: true);
        return target?.FullName ?? inRunfiles;
    }

    /// <summary>Runs <paramref name="run"/> once per <paramref name="key"/> for all tests (one Bazel call serving several checks).</summary>
    public Task<BazelResult> Once(string key, Func<Task<BazelResult>> run) =>
        _memo.GetOrAdd(key, _ => new Lazy<Task<BazelResult>>(run)).Value;

    /// <summary>sha256 digest (<c>sha256:hex</c>) of some bytes, as registries name manifests.</summary>
    public static string Digest(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        var (root, installation, unavailable) = BazelInstallation.Locate(BazelInstallation.Host);
        if (unavailable is not null)
        {
            _built.Unavailable(unavailable);
            return;
        }

        await _built.BuildAsync(BazelWorkspace.ForTestRun(root, "repository", installation), WarmTargets);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _built.DisposeAsync();
}
