using System.Diagnostics;
using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Integration;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// Pushes through <see cref="FaultProxy"/> to a real registry while the network and the registry misbehave on a
/// script. Every recoverable plan must end in a complete, byte-identical image (read back with skopeo, straight from
/// the registry); a plan that never recovers must fail with exit code 4 in bounded time and move no tag.
/// </summary>
public sealed class FaultPlanTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    /// <summary>The recoverable plans: a name, the plan, extra command-line arguments.</summary>
    public static TheoryData<string> RecoverablePlans => new(Plans.Keys);

    private static readonly Dictionary<string, (Func<FaultPlan> Plan, string[] Arguments)> Plans = new(StringComparer.Ordinal)
    {
        ["503 with Retry-After on the ping"] = (() => new FaultPlan().On(Traffic.Ping, Fault.Respond(503, retryAfter: "1")), []),
        ["500 on blob HEADs"] = (() => new FaultPlan().On(Traffic.BlobHead, Fault.Respond(500), times: 2), []),
        ["429 with Retry-After on opening uploads"] = (() => new FaultPlan().On(Traffic.StartUpload, Fault.Respond(429, retryAfter: "1")), []),
        ["502 then 504 on manifest puts"] = (() => new FaultPlan().On(Traffic.ManifestPut, Fault.Respond(502)).On(Traffic.ManifestPut, Fault.Respond(504)), []),
        ["408 on a tag"] = (() => new FaultPlan().On(Traffic.TagPut, Fault.Respond(408)), []),
        ["connection reset on blob HEADs"] = (() => new FaultPlan().On(Traffic.BlobHead, Fault.Reset(), times: 2), []),
        ["connection reset on a monolithic upload"] = (() => new FaultPlan().On(Traffic.BlobData, Fault.Reset()), []),
        ["503 on a monolithic upload"] = (() => new FaultPlan().On(Traffic.BlobData, Fault.Respond(503)), []),
        ["connection dropped in the middle of a monolithic upload"] = (() => new FaultPlan().On(Traffic.BodyOver(500_000), Fault.DropMidBody(300_000)), []),
        ["connection dropped in the middle of the first chunk"] = (() => new FaultPlan().On(Traffic.Chunk, Fault.DropMidBody(100_000)), ["--chunked", "--chunk-size", "262144", "--jobs", "1"]),
        ["connection dropped in the middle of a later chunk"] = (() => new FaultPlan().On(Traffic.Chunk, Fault.DropMidBody(100_000), skip: 2), ["--chunked", "--chunk-size", "262144", "--jobs", "1"]),
        ["503 on a chunk"] = (() => new FaultPlan().On(Traffic.Chunk, Fault.Respond(503), skip: 1), ["--chunked", "--chunk-size", "262144"]),
        ["answer lost after the registry stored a monolithic upload"] = (() => new FaultPlan().On(Traffic.BodyOver(500_000), Fault.DropResponse()), []),
        ["answer lost after the registry closed a chunked upload"] = (() => new FaultPlan().On(Traffic.BlobCommit, Fault.DropResponse()), ["--chunked", "--chunk-size", "262144"]),
        ["answer lost after a tag was written"] = (() => new FaultPlan().On(Traffic.TagPut, Fault.DropResponse()), []),
        ["a stalled answer beyond --timeout"] = (() => new FaultPlan().On(Traffic.BodyOver(500_000), Fault.SlowResponse(TimeSpan.FromSeconds(4))), ["--timeout", "1"]),
        ["a ping that hangs beyond --timeout"] = (() => new FaultPlan().On(Traffic.Ping, Fault.Delay(TimeSpan.FromSeconds(4))), ["--timeout", "1"]),
        ["every answer slowed down"] = (() => new FaultPlan().Always(Traffic.Any, Fault.SlowResponse(TimeSpan.FromMilliseconds(40))), []),
        ["a slow upload that takes longer than --timeout but keeps moving"] = (() => new FaultPlan().On(Traffic.BodyOver(500_000), Fault.Throttle(400_000)), ["--timeout", "2"]),
        ["a bit of everything"] = (() => new FaultPlan()
            .On(Traffic.Ping, Fault.Reset())
            .On(Traffic.BlobHead, Fault.Respond(503), skip: 1)
            .On(Traffic.StartUpload, Fault.Respond(500))
            .On(Traffic.BodyOver(500_000), Fault.DropMidBody(50_000))
            .On(Traffic.ManifestPut, Fault.Reset())
            .On(Traffic.TagPut, Fault.Respond(502)), []),
    };

    [Theory]
    [MemberData(nameof(RecoverablePlans))]
    public async Task A_push_through_a_recoverable_fault_plan_completes_byte_identical(string planName)
    {
        var registry = fixture.Registry;
        var (planFactory, arguments) = Plans[planName];
        var plan = planFactory();
        await using var proxy = FaultProxy.Start(registry.Host, plan);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_200_000, 300_000, 2_000);
        var repository = registry.NewRepository("fault");

        var result = await _cli.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "v1", "--tag", "latest", .. arguments]);

        result.ExitCode.ShouldBe(0, $"{planName}\n{result}\n{string.Join('\n', proxy.Log)}");
        plan.Applied.ShouldAllBe(count => count > 0, $"every fault of the plan must have happened: {string.Join('\n', proxy.Log)}");
        result.ErrorLines.ShouldBeEmpty();
        await AssertPushedAsync(layout, manifest, repository, temp, "v1", "latest");
    }

    [Fact]
    public async Task A_registry_that_never_recovers_fails_with_exit_code_4_in_bounded_time_and_leaves_the_existing_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var repository = registry.NewRepository("never");
        var (good, goodManifest) = TestLayout.SingleImage(temp, 5_000);
        (await _cli.RunAsync("push", good.Path, repository, "--tag", "stable")).ExitCode.ShouldBe(0);
        using var temp2 = new TempDirectory();
        var (next, nextManifest) = TestLayout.SingleImage(temp2, 800_000);
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().Always(Traffic.BlobData, Fault.Respond(503)));
        var clock = Stopwatch.StartNew();

        var result = await _cli.RunAsync("push", next.Path, proxy.Through(repository), "--tag", "stable", "--retries", "2");

        result.ExitCode.ShouldBe(4, result.ToString());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("503");
        error.ShouldContain("blob sha256:");
        proxy.Log.ShouldNotContain(static request => request.Method == "PUT" && request.Path.Contains("/manifests/", StringComparison.Ordinal));
        Digest.Sha256Of(await Skopeo.InspectRawAsync($"{repository}:stable")).ShouldBe(goodManifest.Digest, "the tag must stay on the image it had");
        nextManifest.Digest.ShouldNotBe(goodManifest.Digest);
    }

    [Fact]
    public async Task A_registry_that_resets_every_connection_fails_with_exit_code_4_and_one_line()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 5_000);
        var repository = registry.NewRepository("down");
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().Always(Traffic.Any, Fault.Reset()));
        var clock = Stopwatch.StartNew();

        var result = await _cli.RunAsync("push", layout.Path, proxy.Through(repository), "--tag", "v1", "--retries", "2");

        result.ExitCode.ShouldBe(4, result.ToString());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain(proxy.Host);
        proxy.Log.Count.ShouldBe(3, "the ping, tried three times");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_failed_push_re_run_completes_without_re_uploading_the_blobs_that_arrived()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 900_000, 700_000, 600_000);
        var repository = registry.NewRepository("rerun");
        var all = OciLayoutReader.Read(layout.Path).Blobs.Select(static blob => blob.Descriptor.Digest.ToString()).ToList();
        var failing = layout.LayersOf(manifest)[2].Digest.ToString();
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().Always(Traffic.UploadOf(failing), Fault.Respond(500)));

        // One layer at a time, largest first: the two larger layers arrive, the third fails (the config, in the
        // small-blob lane, may or may not have arrived).
        var failed = await _cli.RunAsync("push", layout.Path, proxy.Through(repository), "--tag", "v1", "--retries", "1", "--jobs", "1");
        failed.ExitCode.ShouldBe(4, failed.ToString());
        failed.ErrorLines.ShouldHaveSingleItem().ShouldContain(failing);
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
        var arrived = UploadedDigests(proxy.Log.Where(static request => request.Status == 201));
        arrived.ShouldNotContain(failing);
        arrived.ShouldContain(layout.LayersOf(manifest)[0].Digest.ToString());
        arrived.ShouldContain(layout.LayersOf(manifest)[1].Digest.ToString());

        proxy.Plan = FaultPlan.None;
        proxy.Log.Clear();
        var rerun = await _cli.RunAsync("push", layout.Path, proxy.Through(repository), "--tag", "v1", "--json");

        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        var uploadedNow = UploadedDigests(proxy.Log);
        uploadedNow.ShouldNotContain(digest => arrived.Contains(digest), "what arrived the first time is not sent again");
        uploadedNow.Concat(arrived).ShouldBe(all, ignoreOrder: true);
        var blobs = JsonNode.Parse(rerun.StandardOutput)!["images"]![0]!["blobs"]!.AsArray();
        blobs.Count(static blob => blob!["action"]!.GetValue<string>() == "exists").ShouldBe(arrived.Count);
        await AssertPushedAsync(layout, manifest, repository, temp, "v1");
    }

    [Fact]
    public async Task A_blob_file_that_shrinks_during_the_push_fails_with_exit_code_2_naming_the_file_without_retrying()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 400_000);
        var layer = layout.LayersOf(manifest)[0];
        var repository = registry.NewRepository("shrink");
        _cli.Interceptor = transport => new TruncateOnUpload(layout.BlobPath(layer.Digest)) { InnerHandler = transport };

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1", "--jobs", "1");

        result.ExitCode.ShouldBe(2, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain(layout.BlobPath(layer.Digest));
        error.ShouldContain("changed during the push");
        result.StandardError.ShouldNotContain("retry");
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Cookies_a_registry_sets_are_never_sent_back()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 50_000);
        var repository = registry.NewRepository("cookie");
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().Always(Traffic.Any, Fault.SetCookie("registry_session=abc; Path=/")));

        var result = await _cli.RunAsync("push", layout.Path, proxy.Through(repository), "--tag", "v1");

        result.ExitCode.ShouldBe(0, result.ToString());
        proxy.Log.Count.ShouldBeGreaterThan(3);
        proxy.Log.ShouldAllBe(static request => !request.HadCookie);
        await AssertPushedAsync(layout, manifest, repository, temp, "v1");
    }

    /// <summary>The digests of blobs whose bytes went out in <paramref name="requests"/> (monolithic PUTs carry <c>digest=</c>).</summary>
    internal static List<string> UploadedDigests(IEnumerable<ProxiedRequest> requests) => requests
        .Where(static request => request.Method == "PUT" && request.ContentLength > 0 && request.Target.Contains("digest=", StringComparison.Ordinal))
        .Select(static request => Uri.UnescapeDataString(request.Target[(request.Target.IndexOf("digest=", StringComparison.Ordinal) + 7)..].Split('&')[0]))
        .Distinct(StringComparer.Ordinal)
        .ToList();

    /// <summary>The registry serves the manifest under each tag byte for byte, and every blob byte for byte.</summary>
    internal static async Task AssertPushedAsync(TestLayout layout, Descriptor manifest, string repository, TempDirectory temp, params string[] tags)
    {
        var expected = File.ReadAllBytes(layout.BlobPath(manifest.Digest));
        foreach (var tag in tags)
        {
            (await Skopeo.InspectRawAsync($"{repository}:{tag}")).ShouldBe(expected);
        }

        await ReadBack.ShouldHoldEveryBlobOfAsync($"{repository}@{manifest.Digest}", layout.Path);
    }

    /// <summary>Cuts a blob file short the moment its upload session opens, as a build overwriting its output would.</summary>
    private sealed class TruncateOnUpload(string path) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Put && request.Content?.Headers.ContentLength > 100_000 && new FileInfo(path).Length > 1_000)
            {
                using var file = File.OpenWrite(path);
                file.SetLength(1_000);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
