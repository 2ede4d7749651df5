using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Output;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>
/// Pushing an image to a second repository of the same registry in a later, separate run mounts its blobs from
/// where the first run put them (remembered in a small per-registry cache file) instead of uploading them again.
/// </summary>
public sealed class MountAcrossRunsTests(RegistryFixture fixture)
{
    [Fact]
    public async Task A_second_run_to_another_repository_mounts_every_blob_and_sends_no_layer_bytes()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 600_000, 300_000, 5_000);
        var cache = new Dictionary<string, string?> { ["REGISTRY_PUSH_CACHE_DIR"] = temp.Combine("cache") };
        var first = registry.NewRepository("first");
        var second = registry.NewRepository("second");
        await using var proxy = FaultProxy.Start(registry.Host);
        (await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(first), "--tag", "v1"], cache)).ExitCode.ShouldBe(0);
        proxy.Log.Clear();

        var result = await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(second), "--tag", "v1", "--json"], cache);

        result.ExitCode.ShouldBe(0, result.ToString());
        var blobs = JsonNode.Parse(result.StandardOutput)!["images"]![0]!["blobs"]!.AsArray();
        blobs.Select(static blob => blob!["action"]!.GetValue<string>()).ShouldAllBe(static action => action == "mounted");
        blobs.Sum(static blob => blob!["bytesSent"]!.GetValue<long>()).ShouldBe(0);
        proxy.Log.Where(static request => request.Path.Contains("/blobs/uploads/", StringComparison.Ordinal) && request.Method is "PUT" or "PATCH")
            .Sum(static request => request.ContentLength).ShouldBe(0, "no blob byte travels: " + string.Join('\n', proxy.Log));
        result.StandardError.ShouldContain("(0 B sent; of 4 blobs 0 uploaded, 4 mounted, 0 already there)");
        await FaultPlanTests.AssertPushedAsync(layout, manifest, second, temp, "v1");
    }

    [Fact]
    public async Task A_stale_hint_costs_nothing_the_blob_is_uploaded_in_the_session_the_refused_mount_opened()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 50_000);
        var cacheDirectory = temp.Combine("cache");
        var cache = new BlobLocationCache(cacheDirectory);
        var repository = registry.NewRepository("stale");
        foreach (var blob in OciLayoutReader.Read(layout.Path).Blobs)
        {
            cache.Remember(RegistryPush.References.RepositoryReference.Parse($"{registry.Host}/gone/never-pushed"), blob.Descriptor.Digest);
        }

        cache.Save(static note => throw new InvalidOperationException(note));
        var cli = new CliRunner().WithEnvironment("REGISTRY_PUSH_CACHE_DIR", cacheDirectory);

        var result = await cli.RunAsync("push", layout.Path, repository, "--tag", "v1");

        result.ExitCode.ShouldBe(0, result.ToString());
        cli.Requests.Count(static request => request.Method == HttpMethod.Post).ShouldBe(2, "one mount attempt per blob, whose session carries the upload");
        cli.Requests.ShouldAllBe(static request => request.Method != HttpMethod.Post || request.Uri.Query.Contains("mount=", StringComparison.Ordinal));
        await FaultPlanTests.AssertPushedAsync(layout, manifest, repository, temp, "v1");
        File.ReadAllText(cache.FileFor(registry.Host)).ShouldContain(repository[(registry.Host.Length + 1)..], customMessage: "the cache now points at where the blobs are");
    }
}
