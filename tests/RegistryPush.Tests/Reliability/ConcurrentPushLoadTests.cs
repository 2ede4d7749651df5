using System.Diagnostics;
using System.Security.Cryptography;
using CliWrap.Buffered;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// Many pushes at once into one registry: 50 different images, each in its own process-equivalent run (separate
/// connection pools, credentials, retries), all sharing one base layer so that the registry sees the same blob
/// uploaded into 50 repositories concurrently. Every image must come out byte-exact.
/// </summary>
public sealed class ConcurrentPushLoadTests(RegistryFixture fixture)
{
    private const int Images = 50;

    [Fact]
    public async Task Fifty_concurrent_pushes_of_different_images_into_one_registry_all_arrive_byte_exact()
    {
        await PushManyAsync(FaultPlan.None, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task Fifty_concurrent_pushes_through_a_flaky_proxy_all_arrive_byte_exact()
    {
        // Every 7th upload answered 503, every 11th HEAD reset, every 13th manifest PUT 502: steady background noise.
        var plan = new FaultPlan()
            .Every(Traffic.BlobData, Fault.Respond(503), 7)
            .Every(Traffic.BlobHead, Fault.Reset(), 11)
            .Every(Traffic.ManifestPut, Fault.Respond(502), 13);

        await PushManyAsync(plan, TimeSpan.FromSeconds(90));
        plan.Applied.Sum().ShouldBeGreaterThan(10);
    }

    [Fact]
    public async Task Eight_native_binaries_pushing_one_image_index_to_one_repository_at_once_all_succeed_round_after_round()
    {
        // Eight CI jobs releasing the same multi-platform image: every blob and manifest is written by several pushes
        // at once. The distribution registry rewrites a blob's link file in place each time one of them commits it, so
        // a manifest checked in that instant is refused as MANIFEST_BLOB_UNKNOWN; without a retry about one push in
        // twenty failed with exit 4. Five rounds of eight make a race that rare show up.
        var binary = PublishedBinary.Path;
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var amd64 = layout.AddImage([600_000, 300_000, 40_000, 2_000]);
        var arm64 = layout.AddImage([500_000, 250_000, 30_000, 1_000], architecture: "arm64");
        var index = layout.AddIndex([amd64, arm64]);
        layout.AddIndexEntry(index);
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = temp.Path,
            ["DOCKER_CONFIG"] = temp.Combine("docker"),
            ["REGISTRY_AUTH_FILE"] = temp.Combine("auth.json"),
            ["XDG_RUNTIME_DIR"] = temp.Path,
            ["GITHUB_TOKEN"] = null,
            ["CI"] = "true",
        };

        for (var round = 0; round < 5; round++)
        {
            var repository = registry.NewRepository($"same{round}");
            var runs = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CliWrap.Cli.Wrap(binary)
                .WithArguments(["push", layout.Path, repository, "--tag", "latest", "--tag", "v1", "--tag", "v1.2"])
                .WithEnvironmentVariables(environment)
                .WithValidation(CliWrap.CommandResultValidation.None)
                .ExecuteBufferedAsync(TestContext.Current.CancellationToken).Task));

            runs.Where(static run => run.ExitCode != 0)
                .Select(static run => $"exit {run.ExitCode}: {run.StandardError.Trim().Split('\n')[^1]}")
                .ShouldBeEmpty($"round {round}: every concurrent push of the same image succeeds");
            foreach (var tag in new[] { "latest", "v1", "v1.2" })
            {
                (await Skopeo.InspectRawAsync($"{repository}:{tag}")).ShouldBe(File.ReadAllBytes(layout.BlobPath(index.Digest)));
            }
        }
    }

    [Fact]
    public async Task A_manifest_refused_as_blob_unknown_by_a_registry_that_lags_is_retried_and_the_push_succeeds()
    {
        // The answer the distribution registry gives while another push re-links a blob (see the test above), once.
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 20_000);
        var repository = registry.NewRepository("lagging");
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().On(Traffic.TagPut, Fault.Respond(400, body: LaggingAnswer)));

        var result = await new CliRunner().RunAsync("push", layout.Path, proxy.Through(repository), "--tag", "v1");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain("MANIFEST_BLOB_UNKNOWN");
        proxy.Faulted.Count.ShouldBe(1);
        (await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
    }

    [Fact]
    public async Task A_manifest_whose_blob_stays_unknown_fails_with_exit_code_4_after_the_retries_and_moves_no_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 20_000);
        var repository = registry.NewRepository("blob-unknown");
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().Always(Traffic.ManifestPut, Fault.Respond(400, body: LaggingAnswer)));

        var result = await new CliRunner().RunAsync("push", layout.Path, proxy.Through(repository), "--tag", "v1", "--retries", "2");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("MANIFEST_BLOB_UNKNOWN");
        proxy.Log.Count(static request => request.Method == "PUT" && request.Path.Contains("/manifests/", StringComparison.Ordinal)).ShouldBe(3, "one attempt and two retries");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    private const string LaggingAnswer =
        """{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}""";

    private async Task PushManyAsync(FaultPlan plan, TimeSpan budget)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var baseLayer = TestLayout.RandomBytes(400_000);
        var images = Enumerable.Range(0, Images).Select(i =>
        {
            var layout = TestLayout.Create(temp, $"image-{i}");
            var shared = new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layout.WriteBlob(baseLayer), baseLayer.Length);
            var manifest = layout.AddImage([20_000 + (i * 1_000), 5_000], extraLayers: [shared]);
            layout.AddIndexEntry(manifest);
            return (Layout: layout, Manifest: manifest, Repository: registry.NewRepository($"load{i}"));
        }).ToList();
        await using var proxy = FaultProxy.Start(registry.Host, plan);
        var clock = Stopwatch.StartNew();

        var results = await Task.WhenAll(images.Select(image =>
            new CliRunner().RunAsync("push", image.Layout.Path, proxy.Through(image.Repository), "--tag", "load")));

        var elapsed = clock.Elapsed;
        results.Where(static result => result.ExitCode != 0).ShouldBeEmpty();
        elapsed.ShouldBeLessThan(budget);

        using var http = new HttpClient { BaseAddress = new Uri($"http://{registry.Host}/") };
        using var gate = new SemaphoreSlim(8);
        await Task.WhenAll(images.Select(async image =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                (await Skopeo.InspectRawAsync($"{image.Repository}:load")).ShouldBe(File.ReadAllBytes(image.Layout.BlobPath(image.Manifest.Digest)));
                var path = image.Repository[(image.Repository.IndexOf('/', StringComparison.Ordinal) + 1)..];
                foreach (var blob in OciLayoutReader.Read(image.Layout.Path).Blobs)
                {
                    var bytes = await http.GetByteArrayAsync($"v2/{path}/blobs/{blob.Descriptor.Digest}", TestContext.Current.CancellationToken);
                    Convert.ToHexStringLower(SHA256.HashData(bytes)).ShouldBe(blob.Descriptor.Digest.Hex);
                    bytes.Length.ShouldBe((int)blob.Descriptor.Size);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
    }
}
