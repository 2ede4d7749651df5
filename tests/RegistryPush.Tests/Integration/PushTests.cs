using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>Pushes to a real distribution registry and reads the result back with skopeo.</summary>
public sealed class PushTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task Pushing_a_single_image_with_several_tags_stores_byte_identical_manifest_and_blobs_under_every_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 300_000, 1_000, 5_000_000);
        var repository = registry.NewRepository("single");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1", "--tag", "latest", "--digest-file", temp.Combine("digest.txt"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldBe($"{repository}@{manifest.Digest}");
        File.ReadAllText(temp.Combine("digest.txt")).ShouldBe(manifest.Digest.ToString());
        foreach (var tag in new[] { "v1", "latest" })
        {
            var raw = await Skopeo.InspectRawAsync($"{repository}:{tag}");
            raw.ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
        }

        await ReadBack.ShouldHoldEveryBlobOfAsync($"{repository}:v1", layout.Path);
        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["latest", "v1"], ignoreOrder: true);
    }

    [Fact]
    public async Task Pushing_an_image_index_pushes_every_platform_manifest_and_the_index_byte_for_byte()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var amd64 = layout.AddImage([20_000, 30_000], architecture: "amd64");
        var arm64 = layout.AddImage([25_000], architecture: "arm64");
        var index = layout.AddIndex([amd64, arm64]);
        layout.AddIndexEntry(index);
        var repository = registry.NewRepository("index");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "multi");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldBe($"{repository}@{index.Digest}");
        (await Skopeo.InspectRawAsync($"{repository}:multi")).ShouldBe(File.ReadAllBytes(layout.BlobPath(index.Digest)));
        (await Skopeo.InspectRawAsync($"{repository}@{amd64.Digest}")).ShouldBe(File.ReadAllBytes(layout.BlobPath(amd64.Digest)));
        (await Skopeo.InspectRawAsync($"{repository}@{arm64.Digest}")).ShouldBe(File.ReadAllBytes(layout.BlobPath(arm64.Digest)));
        await ReadBack.ShouldHoldEveryBlobOfAsync($"{repository}:multi", layout.Path);
    }

    [Fact]
    public async Task Pushing_a_nested_docker_manifest_list_keeps_docker_media_types()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var image = layout.AddImage([10_000], docker: true);
        var inner = layout.AddIndex([image], docker: true);
        var outer = layout.AddIndex([inner]);
        layout.AddIndexEntry(outer);
        var repository = registry.NewRepository("nested");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "nested");

        result.ExitCode.ShouldBe(0, result.ToString());
        var raw = await Skopeo.InspectRawAsync($"{repository}@{image.Digest}");
        JsonNode.Parse(raw)!["mediaType"]!.GetValue<string>().ShouldBe(MediaTypes.DockerManifest);
        (await Skopeo.InspectRawAsync($"{repository}:nested")).ShouldBe(File.ReadAllBytes(layout.BlobPath(outer.Digest)));
    }

    [Fact]
    public async Task Pushing_the_same_image_twice_uploads_no_blob_bytes_the_second_time()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 200_000, 100_000);
        var repository = registry.NewRepository("twice");
        (await _cli.RunAsync("push", layout.Path, repository, "--tag", "one")).ExitCode.ShouldBe(0);

        var second = await _cli.RunAsync("push", layout.Path, repository, "--tag", "two", "--json");

        second.ExitCode.ShouldBe(0, second.ToString());
        var uploads = _cli.Requests.Where(static request => request.Uri.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal)).ToList();
        uploads.ShouldBeEmpty("the second push must not open any upload session");
        var blobs = JsonNode.Parse(second.StandardOutput)!["images"]![0]!["blobs"]!.AsArray();
        blobs.ShouldAllBe(blob => blob!["action"]!.GetValue<string>() == "exists" && blob["bytesSent"]!.GetValue<long>() == 0);
        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["one", "two"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_layout_written_by_umoci_and_rewritten_by_skopeo_pushes_byte_exactly()
    {
        TestEnvironment.RequireProgram("umoci");
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var umociLayout = temp.Combine("umoci");
        var rootfs = Directory.CreateDirectory(temp.Combine("files")).FullName;
        File.WriteAllBytes(Path.Combine(rootfs, "payload.bin"), TestLayout.RandomBytes(100_000));
        await RunAsync("umoci", "init", "--layout", umociLayout);
        await RunAsync("umoci", "new", "--image", $"{umociLayout}:base");
        await RunAsync("umoci", "insert", "--image", $"{umociLayout}:base", Path.Combine(rootfs, "payload.bin"), "/payload.bin");
        var skopeoLayout = temp.Combine("skopeo");
        await Skopeo.RunAsync("copy", $"oci:{umociLayout}:base", $"oci:{skopeoLayout}:rewritten");
        var repository = registry.NewRepository("foreign");

        foreach (var (path, name) in new[] { (umociLayout, "umoci"), (skopeoLayout, "skopeo") })
        {
            var expected = OciLayoutReader.Read(path).Root.Digest;
            var result = await _cli.RunAsync("push", path, repository, "--tag", name);

            result.ExitCode.ShouldBe(0, result.ToString());
            result.LastOutputLine.ShouldBe($"{repository}@{expected}");
            Digest.Sha256Of(await Skopeo.InspectRawAsync($"{repository}:{name}")).ShouldBe(expected);
        }
    }

    [Fact]
    public async Task Choosing_an_index_json_entry_by_ref_name_pushes_that_image()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var first = layout.AddImage([1_000]);
        var second = layout.AddImage([2_000]);
        layout.AddIndexEntry(first, "first").AddIndexEntry(second, "second");
        var repository = registry.NewRepository("ref");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--ref", "second", "--tag", "chosen");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldBe($"{repository}@{second.Digest}");
    }

    [Fact]
    public async Task Pushing_with_chunked_uploads_stores_the_same_bytes_as_a_monolithic_push()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 300_000, 70_000);
        var repository = registry.NewRepository("chunked");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "c", "--chunked", "--chunk-size", "65536");

        result.ExitCode.ShouldBe(0, result.ToString());
        var patches = _cli.Requests.Where(static request => request.Method == HttpMethod.Patch).ToList();
        patches.Count.ShouldBe(5 + 2 + 1, "300000 B in 64 KiB chunks is 5, 70000 B is 2, the config 1");
        patches.ShouldAllBe(patch => patch.ContentLength <= 65536);
        (await Skopeo.InspectRawAsync($"{repository}:c")).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
        await ReadBack.ShouldHoldEveryBlobOfAsync($"{repository}:c", layout.Path);
    }

    [Fact]
    public async Task Dry_run_reports_what_would_be_uploaded_and_writes_nothing()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10_000);
        var repository = registry.NewRepository("dry");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "never", "--dry-run", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonNode.Parse(result.StandardOutput)!["images"]![0]!["blobs"]!.AsArray()
            .ShouldAllBe(blob => blob!["action"]!.GetValue<string>() == "would-upload");
        _cli.Requests.ShouldAllBe(request => request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_dry_run_of_an_image_the_registry_already_holds_moves_no_tag()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 2_000);
        var repository = registry.NewRepository("dryheld");
        (await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1")).ExitCode.ShouldBe(0);

        // Everything the tag needs is there, so only the dry-run rule keeps the tag from moving.
        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v2", "--dry-run");

        result.ExitCode.ShouldBe(0, result.ToString());
        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["v1"]);
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        TestEnvironment.RequireProgram(program);
        var result = await CliWrap.Cli.Wrap(program).WithArguments(arguments)
            .WithValidation(CliWrap.CommandResultValidation.None)
            .ExecuteAsync(TestContext.Current.CancellationToken);
        result.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', arguments)}");
    }
}
