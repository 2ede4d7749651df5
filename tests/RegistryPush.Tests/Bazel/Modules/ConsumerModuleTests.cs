using System.Text.Json.Nodes;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Modules;

/// <summary>
/// What users do: a module of their own depends on registry_push (bzlmod, Bazel 7.7.1), builds images in
/// rules_oci's shapes and pushes them with <c>bazel run</c>; everything is read back with skopeo.
/// </summary>
[Collection(Bazel7TestGroup.Name)]
public sealed class ConsumerModuleTests(ConsumerModuleFixture consumer, RegistryFixture registry)
{
    [Fact]
    public async Task An_image_whose_layer_blobs_link_out_of_its_layout_pushes_byte_exact_with_run_time_repository_and_tag()
    {
        var workspace = consumer.Workspace;
        var layout = consumer.Layout("app");
        var links = LayerLinksLeavingTheLayout(layout);
        links.Count.ShouldBeGreaterThan(0, "the test image must have rules_oci's out-of-tree layer links");
        foreach (var link in links)
        {
            // The push target carries what the links point at (where a runfiles tree is all there is, they must be there).
            File.Exists(consumer.BazelBin($"app_image_push.runfiles/_main/{Path.GetFileName(link)}")).ShouldBeTrue($"{link} is not in the push target's runfiles");
        }

        var repository = registry.Registry.NewRepository("consumer-app");
        using var temp = new TempDirectory();
        var digestFile = temp.Combine("pushed.digest");

        var result = await workspace.RunAsync("run", [], ["//:app_image_push"], ["--repository", repository, "--tag", "run-time", "--digest-file", digestFile]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var digest = consumer.BuildTimeDigest("app");
        digest.ShouldMatch("^sha256:[0-9a-f]{64}$");
        result.LastOutputLine.ShouldBe($"{repository}@{digest}");
        (await File.ReadAllTextAsync(digestFile, TestContext.Current.CancellationToken)).Trim().ShouldBe(digest);
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["latest", "run-time"]);
        await ReadBack.ShouldMatchLayoutAsync($"{repository}:run-time", digest, layout);
    }

    [Fact]
    public async Task A_rules_oci_shaped_index_without_schemaVersion_pushes_every_platform_byte_exact()
    {
        var workspace = consumer.Workspace;
        var layout = consumer.Layout("multi");
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json"), TestContext.Current.CancellationToken))!.AsObject();
        index.ContainsKey("schemaVersion").ShouldBeFalse("the test index must be shaped as rules_oci's oci_image_index");
        index.ContainsKey("mediaType").ShouldBeFalse();
        var repository = registry.Registry.NewRepository("consumer-multi");

        var result = await workspace.RunAsync("run", [], ["//:multi_image_push"], ["--repository", repository]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var digest = consumer.BuildTimeDigest("multi");
        result.LastOutputLine.ShouldBe($"{repository}@{digest}");
        var served = JsonNode.Parse(await Skopeo.InspectRawAsync($"{repository}:latest"))!;
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{repository}:latest")).ShouldBe(digest);
        served["manifests"]!.AsArray().Count.ShouldBe(2);
        await ReadBack.ShouldMatchLayoutAsync($"{repository}:latest", digest, layout);
    }

    [Fact]
    public async Task An_image_with_Docker_media_types_pushes_byte_exact()
    {
        var workspace = consumer.Workspace;
        var repository = registry.Registry.NewRepository("consumer-docker");

        var result = await workspace.RunAsync("run", [], ["//:docker_image_push"], ["--repository", repository]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var digest = consumer.BuildTimeDigest("docker");
        var served = await Skopeo.InspectRawAsync($"{repository}:latest");
        BazelFixture.Digest(served).ShouldBe(digest);
        JsonNode.Parse(served)!["mediaType"]!.GetValue<string>().ShouldBe("application/vnd.docker.distribution.manifest.v2+json");
        await ReadBack.ShouldMatchLayoutAsync($"{repository}:latest", digest, consumer.Layout("docker"));
    }

    [Fact]
    public async Task Stamping_fills_the_placeholder_tag_and_without_it_the_tag_is_skipped_with_a_warning()
    {
        var workspace = consumer.Workspace;
        var stamped = registry.Registry.NewRepository("consumer-stamped");
        var unstamped = registry.Registry.NewRepository("consumer-unstamped");

        var withStamp = await workspace.RunAsync("run", ["--stamp", "--embed_label=7.7.1"], ["//:app_image_push"], ["--repository", stamped]);
        var withoutStamp = await workspace.RunAsync("run", ["--nostamp"], ["//:app_image_push"], ["--repository", unstamped]);

        withStamp.ExitCode.ShouldBe(0, withStamp.ToString());
        (await Skopeo.ListTagsAsync(stamped)).Order(StringComparer.Ordinal).ShouldBe(["7.7.1", "latest"]);
        withoutStamp.ExitCode.ShouldBe(0, withoutStamp.ToString());
        withoutStamp.StandardError.ShouldContain("skipping tag '{BUILD_EMBED_LABEL}'");
        (await Skopeo.ListTagsAsync(unstamped)).ShouldBe(["latest"]);
    }

    [Fact]
    public async Task Image_push_all_pushes_every_shape_in_one_run_under_the_repository_prefix()
    {
        var workspace = consumer.Workspace;
        var prefix = $"{registry.Registry.Host}/all-{Guid.NewGuid():N}"[..(registry.Registry.Host.Length + 13)];

        var result = await workspace.RunAsync("run", [$"--@registry_push//bazel:repository_prefix={prefix}"], ["//:push_all"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.OutputLines.Order(StringComparer.Ordinal).ShouldBe(
            ConsumerModule.Images.Order(StringComparer.Ordinal).Select(name => $"{prefix}/{name}@{consumer.BuildTimeDigest(name)}"));
        foreach (var name in ConsumerModule.Images)
        {
            await ReadBack.ShouldMatchLayoutAsync($"{prefix}/{name}:latest", consumer.BuildTimeDigest(name), consumer.Layout(name));
        }
    }

    /// <summary>The targets of the layout's blobs that are relative symlinks leading out of the layout directory.</summary>
    private static List<string> LayerLinksLeavingTheLayout(string layout) =>
        Directory.EnumerateFiles(Path.Combine(layout, "blobs", "sha256"))
            .Select(static path => new FileInfo(path).LinkTarget)
            .OfType<string>()
            .Where(static target => !Path.IsPathRooted(target) && target.StartsWith("../../../", StringComparison.Ordinal))
            .ToList();
}
