using System.Globalization;
using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.UserErrors;

/// <summary>
/// The published binary, sent SIGINT (Ctrl-C) or SIGTERM (what CI runners and container engines send) in the middle of
/// a push, stops with the signal's exit code (130, 143) and one line that tells the truth about the tags.
/// </summary>
public sealed class InterruptionTests(RegistryFixture fixture)
{
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_during_the_upload_ends_with_the_signals_exit_code_and_says_no_tag_was_moved(string signal, int exitCode)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 2_000_000, 3_000);
        var repository = registry.NewRepository("signal");

        // The large layer crawls at 100 kB/s: the signal lands in the middle of its body.
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan().Always(Traffic.UploadOf(layout.LayersOf(manifest)[0].Digest.ToString()), Fault.Throttle(100_000)));
        var result = await RunAndSignalAsync(
            ["push", layout.Path, proxy.Through(repository), "--tag", "v1", "--tag", "latest"],
            temp,
            () => proxy.Log.Any(static request => request.Fault.StartsWith("throttle", StringComparison.Ordinal)),
            signal);

        await proxy.DisposeAsync();
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty($"an interrupted upload moves no tag\n{result}");
        result.ExitCode.ShouldBe(exitCode, result.ToString());
        result.ErrorLines.ShouldBe(["registry-push: error: interrupted; no tag was moved"], result.ToString());
        result.StandardError.ShouldNotContain("internal error", Case.Insensitive);
    }

    [Fact]
    public async Task A_signal_while_tags_are_being_moved_says_which_moved_and_which_may_have()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 3_000);
        var repository = registry.NewRepository("signal-tags");

        // Tag 'held' waits in the proxy; tag 'moved' goes straight through. The signal comes while 'held' is waiting.
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan()
            .Always(static request => Traffic.TagPut(request) && request.Path.EndsWith("/manifests/held", StringComparison.Ordinal), Fault.Delay(TimeSpan.FromSeconds(60))));
        var shown = proxy.Through(repository);
        var result = await RunAndSignalAsync(
            ["push", layout.Path, shown, "--tag", "moved", "--tag", "held"],
            temp,
            () => proxy.Log.Any(static request => request.Method == "PUT" && request.Path.EndsWith("/manifests/held", StringComparison.Ordinal))
                && proxy.Log.Any(static request => request.Method == "PUT" && request.Path.EndsWith("/manifests/moved", StringComparison.Ordinal) && request.Status == 201),
            "INT");
        await proxy.DisposeAsync();

        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["moved"], result.ToString());
        result.ExitCode.ShouldBe(130, result.ToString());
        var line = result.ErrorLines.ShouldHaveSingleItem(result.ToString());
        line.ShouldBe($"registry-push: error: interrupted while tags were being moved: moved {shown}:moved; may have moved (the request was on its way) {shown}:held");
    }

    /// <summary>Starts the binary, waits for <paramref name="ready"/>, sends <c>kill -SIGNAL</c>, and collects the result.</summary>
    private static async Task<CliResult> RunAndSignalAsync(string[] arguments, TempDirectory temp, Func<bool> ready, string signal)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        var run = CliWrap.Cli.Wrap(PublishedBinary.Path)
            .WithArguments(arguments)
            .WithEnvironmentVariables(new Dictionary<string, string?>
            {
                ["HOME"] = temp.Path,
                ["DOCKER_CONFIG"] = temp.Combine("docker"),
                ["REGISTRY_AUTH_FILE"] = temp.Combine("auth.json"),
                ["XDG_RUNTIME_DIR"] = temp.Path,
                ["GITHUB_TOKEN"] = null,
                ["CI"] = null,
            })
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!ready())
        {
            run.Task.IsCompleted.ShouldBeFalse("the push ended before the moment to interrupt it");
            DateTime.UtcNow.ShouldBeLessThan(deadline, "timed out waiting for the moment to interrupt the push");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // Process.Kill can only send SIGKILL; kill(1) sends the signal a user or a CI runner would.
        await CliWrap.Cli.Wrap("kill").WithArguments([$"-{signal}", run.ProcessId.ToString(CultureInfo.InvariantCulture)]).ExecuteAsync(TestContext.Current.CancellationToken);
        var result = await run;
        return new CliResult(result.ExitCode, result.StandardOutput, result.StandardError);
    }
}
