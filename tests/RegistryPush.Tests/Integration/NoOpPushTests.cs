using System.Text.Json.Nodes;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>
/// A re-push of an image the registry already holds under its tags, which is what most runs of a push target are,
/// costs one request per tag: a <c>HEAD</c> of the tag, and nothing else (no ping, no tag written again). A tag that
/// names anything else still moves, after everything under it is in.
/// </summary>
public sealed class NoOpPushTests(RegistryFixture fixture)
{
    [Fact]
    public async Task A_re_push_of_an_unchanged_image_sends_one_HEAD_of_its_tag_and_nothing_else()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 70_000, 3_000);
        var repository = fixture.Registry.NewRepository("noop");
        await using var proxy = FaultProxy.Start(fixture.Registry.Host);
        (await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "v1"])).ExitCode.ShouldBe(0);
        proxy.Log.Clear();

        var result = await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "v1"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.Trim().ShouldEndWith($"@{manifest.Digest}");
        var requests = proxy.Log.Select(static request => $"{request.Method} {request.Path}").ToList();
        requests.ShouldBe([$"HEAD /v2/{Path(repository)}/manifests/v1"], string.Join('\n', proxy.Log));
        result.StandardError.ShouldContain($":v1 already points at {manifest.Digest.Abbreviated}");
    }

    [Fact]
    public async Task Of_two_tags_only_the_one_that_names_something_else_is_written_and_it_then_names_the_image()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 40_000);
        var other = TestLayout.Create(temp, "other");
        other.AddIndexEntry(other.AddImage([41_000]));
        var repository = fixture.Registry.NewRepository("noop-two");
        await using var proxy = FaultProxy.Start(fixture.Registry.Host);
        (await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "kept"])).ExitCode.ShouldBe(0);
        (await PublishedBinary.RunAsync(["push", other.Path, proxy.Through(repository), "--tag", "moved"])).ExitCode.ShouldBe(0);
        proxy.Log.Clear();

        var result = await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "kept", "--tag", "moved"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var puts = proxy.Log.Where(static request => request.Method == "PUT").Select(static request => request.Path).ToList();
        puts.ShouldBe([$"/v2/{Path(repository)}/manifests/moved"], string.Join('\n', proxy.Log));
        proxy.Log.ShouldNotContain(static request => request.Method == "POST", "every blob is there already");
        await FaultPlanTests.AssertPushedAsync(layout, manifest, repository, temp, "kept", "moved");
    }

    [Fact]
    public async Task A_tag_that_names_another_image_is_moved_once_the_image_is_whole()
    {
        using var temp = new TempDirectory();
        var first = TestLayout.Create(temp, "first");
        first.AddIndexEntry(first.AddImage([30_000]));
        var second = TestLayout.Create(temp, "second");
        var manifest = second.AddImage([31_000]);
        second.AddIndexEntry(manifest);
        var repository = fixture.Registry.NewRepository("noop-moved");
        (await PublishedBinary.RunAsync(["push", first.Path, repository, "--tag", "latest"])).ExitCode.ShouldBe(0);

        var result = await PublishedBinary.RunAsync(["push", second.Path, repository, "--tag", "latest"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain("tagged ");
        await FaultPlanTests.AssertPushedAsync(second, manifest, repository, temp, "latest");
    }

    [Fact]
    public async Task A_plan_giving_one_tag_to_two_images_pushes_the_second_image_though_the_tag_names_the_first()
    {
        using var temp = new TempDirectory();
        var first = TestLayout.Create(temp, "first");
        first.AddIndexEntry(first.AddImage([20_000]));
        var second = TestLayout.Create(temp, "second");
        var secondManifest = second.AddImage([21_000]);
        second.AddIndexEntry(secondManifest);
        var repository = fixture.Registry.NewRepository("noop-shared-tag");
        (await PublishedBinary.RunAsync(["push", first.Path, repository, "--tag", "t"])).ExitCode.ShouldBe(0);
        var plan = temp.Combine("plan.json");
        File.WriteAllText(plan, new JsonObject
        {
            ["images"] = new JsonArray(
                new JsonObject { ["layout"] = first.Path, ["repository"] = repository, ["tags"] = new JsonArray("t") },
                new JsonObject { ["layout"] = second.Path, ["repository"] = repository, ["tags"] = new JsonArray("t") }),
        }.ToJsonString());

        var result = await PublishedBinary.RunAsync(["push-all", plan]);

        result.ExitCode.ShouldBe(0, result.ToString());
        await ReadBack.ShouldHoldEveryBlobOfAsync($"{repository}@{secondManifest.Digest}", second.Path);
    }

    [Fact]
    public async Task A_registry_failing_the_first_tag_question_fails_the_push_without_asking_again_for_every_tag()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10_000);
        var repository = fixture.Registry.NewRepository("noop-failing");
        await using var proxy = FaultProxy.Start(fixture.Registry.Host, new FaultPlan()
            .Always(static request => request.Method == "HEAD" && request.Path.Contains("/manifests/", StringComparison.Ordinal), Fault.Respond(503)));

        var result = await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "a", "--tag", "b", "--tag", "c", "--retries", "1"]);

        result.ExitCode.ShouldBe(4, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem(result.ToString()).ShouldContain("HEAD manifest a");
        proxy.Log.Select(static request => $"{request.Method} {request.Path}").ShouldBe(
            [$"HEAD /v2/{Path(repository)}/manifests/a", $"HEAD /v2/{Path(repository)}/manifests/a"], "one question and its one retry: " + string.Join('\n', proxy.Log));
    }

    private static string Path(string repository) => repository[(repository.IndexOf('/', StringComparison.Ordinal) + 1)..];
}
