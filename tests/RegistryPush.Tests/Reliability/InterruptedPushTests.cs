using CliWrap;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// The published NativeAOT binary, killed (SIGKILL) in the middle of an upload, leaves no tag behind; run again, it
/// completes the push sending only the blobs that had not arrived.
/// </summary>
public sealed class InterruptedPushTests(RegistryFixture fixture)
{
    [Fact]
    public async Task A_push_killed_mid_upload_leaves_no_tag_and_a_re_run_sends_only_what_had_not_arrived()
    {
        var binary = PublishedBinary.Path;
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_500_000, 1_200_000, 1_000_000);
        var all = OciLayoutReader.Read(layout.Path).Blobs.Select(static blob => blob.Descriptor.Digest.ToString()).ToList();
        var repository = registry.NewRepository("killed");

        // One layer at a time, largest first; the third crawls at 100 kB/s, so the kill lands in the middle of its body.
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().On(Traffic.UploadOf(layout.LayersOf(manifest)[2].Digest.ToString()), Fault.Throttle(100_000)));
        using var kill = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var run = CliWrap.Cli.Wrap(binary)
            .WithArguments(["push", layout.Path, proxy.Through(repository), "--tag", "v1", "--jobs", "1"])
            .WithEnvironmentVariables(Environment(temp))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(kill.Token);
        await WaitUntilAsync(() => proxy.Log.Any(static request => request.Fault.StartsWith("throttle", StringComparison.Ordinal)), TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        await kill.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(async () => await run);

        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty("a killed push moves no tag");
        var arrived = FaultPlanTests.UploadedDigests(proxy.Log.Where(static request => request.Status == 201));
        var layers = layout.LayersOf(manifest).Select(static layer => layer.Digest.ToString()).ToList();
        arrived.ShouldContain(layers[0], string.Join('\n', proxy.Log));
        arrived.ShouldContain(layers[1]);
        arrived.ShouldNotContain(layers[2], "the third layer was cut off mid-body");

        proxy.Plan = FaultPlan.None;
        proxy.Log.Clear();
        var rerun = await CliWrap.Cli.Wrap(binary)
            .WithArguments(["push", layout.Path, proxy.Through(repository), "--tag", "v1"])
            .WithEnvironmentVariables(Environment(temp))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(TestContext.Current.CancellationToken);

        rerun.ExitCode.ShouldBe(0);
        var uploadedNow = FaultPlanTests.UploadedDigests(proxy.Log);
        uploadedNow.ShouldNotContain(digest => arrived.Contains(digest), "blobs that arrived before the kill are not sent again");
        uploadedNow.Concat(arrived).ShouldBe(all, ignoreOrder: true);
        await FaultPlanTests.AssertPushedAsync(layout, manifest, repository, temp, "v1");
    }

    private static Dictionary<string, string?> Environment(TempDirectory temp) => new()
    {
        // Keep the developer's own credentials out of the test: the registry is anonymous.
        ["HOME"] = temp.Path,
        ["DOCKER_CONFIG"] = temp.Combine("docker"),
        ["REGISTRY_AUTH_FILE"] = temp.Combine("auth.json"),
        ["XDG_RUNTIME_DIR"] = temp.Path,
        ["GITHUB_TOKEN"] = null,
        ["CI"] = null,
    };

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, "timed out waiting for the upload to start");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
