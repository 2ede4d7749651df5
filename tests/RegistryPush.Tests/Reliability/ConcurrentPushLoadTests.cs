using System.Diagnostics;
using System.Security.Cryptography;
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
