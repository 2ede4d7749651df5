using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// A <c>push-all</c> run is a release: it moves all its tags or none. Every image's manifests go in by digest before
/// any tag of any image moves, so a manifest the registry refuses for one image leaves every repository's tags as
/// they were. Real registry, real proxy, skopeo reading back.
/// </summary>
public sealed class AtomicReleaseTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task A_manifest_refused_for_one_image_of_a_plan_moves_no_tag_in_any_repository()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var images = Enumerable.Range(0, 3).Select(i => (Layout: Image(temp, i, 20_000), Repository: registry.NewRepository($"release{i}"))).ToList();
        var refused = images[1].Layout.Manifest.Digest.ToString();

        // The middle image's manifest is refused again and again (503, retried twice over about a second): ample
        // time for the other two images to have their tags moved, if anything moved tags before all manifests were in.
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan()
            .Always(r => r.Method == "PUT" && r.Path.EndsWith("/manifests/" + refused, StringComparison.Ordinal), Fault.Respond(503)));
        var plan = WritePlan(temp, images.Select(image => (image.Layout.Layout, proxy.Through(image.Repository))));

        var result = await _cli.RunAsync("push-all", plan, "--retries", "2");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain(refused);
        foreach (var (_, repository) in images)
        {
            (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty($"no tag may move in {repository}: {string.Join('\n', proxy.Log)}");
        }

        proxy.Log.ShouldNotContain(static request => request.Method == "PUT" && request.Path.Contains("/manifests/", StringComparison.Ordinal)
            && !request.Path.Contains("/manifests/sha256:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plan_writes_every_manifest_by_digest_before_the_first_tag_and_then_all_tags()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var images = Enumerable.Range(0, 3).Select(i => (Layout: Image(temp, i, 10_000), Repository: registry.NewRepository($"order{i}"))).ToList();
        await using var proxy = FaultProxy.Start(registry.Host);
        var plan = WritePlan(temp, images.Select(image => (image.Layout.Layout, proxy.Through(image.Repository))));

        var result = await _cli.RunAsync("push-all", plan);

        result.ExitCode.ShouldBe(0, result.ToString());
        var puts = proxy.Log.Where(static request => request.Method == "PUT" && request.Path.Contains("/manifests/", StringComparison.Ordinal))
            .OrderBy(static request => request.Number).ToList();
        var byDigest = puts.Select(static (request, i) => (request, i)).Where(static item => item.request.Path.Contains("/manifests/sha256:", StringComparison.Ordinal)).Select(static item => item.i).ToList();
        var byTag = puts.Select(static (request, i) => (request, i)).Where(static item => !item.request.Path.Contains("/manifests/sha256:", StringComparison.Ordinal)).Select(static item => item.i).ToList();
        byDigest.Count.ShouldBe(3);
        byTag.Count.ShouldBe(6);
        byDigest.Max().ShouldBeLessThan(byTag.Min(), string.Join('\n', puts));
        foreach (var ((layout, manifest), repository) in images)
        {
            (await Skopeo.ListTagsAsync(repository)).ShouldBe(["latest", "v1"], ignoreOrder: true);
            Digest.Sha256Of(await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(manifest.Digest);
        }
    }

    private static string WritePlan(TempDirectory temp, IEnumerable<(TestLayout Layout, string Repository)> images)
    {
        var plan = new JsonObject
        {
            ["images"] = new JsonArray(images.Select(static image => (JsonNode)new JsonObject
            {
                ["layout"] = image.Layout.Path,
                ["repository"] = image.Repository,
                ["tags"] = new JsonArray("v1", "latest"),
            }).ToArray()),
        };
        var path = temp.Combine("plan.json");
        File.WriteAllText(path, plan.ToJsonString());
        return path;
    }

    private static (TestLayout Layout, Descriptor Manifest) Image(TempDirectory temp, int index, int layerSize)
    {
        var layout = TestLayout.Create(temp, $"layout{index}");
        var manifest = layout.AddImage([layerSize]);
        layout.AddIndexEntry(manifest);
        return (layout, manifest);
    }
}
