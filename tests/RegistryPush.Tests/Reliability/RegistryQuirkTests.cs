using System.Net;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// Registries' quirks, imitated by <see cref="FakeRegistry"/> where no real registry here can show them: each push
/// must succeed and leave exactly the layout's bytes in the registry.
/// </summary>
public sealed class RegistryQuirkTests
{
    private const int MiB = 1024 * 1024;
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task Ghcr_blobs_over_4_MiB_go_in_chunks_of_at_most_4_MiB_and_never_in_one_large_request()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { MaxBodyBytes = 4 * MiB, RangeOnNewSession = true } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 10 * MiB + 123, 3 * MiB);

        var result = await PushAsync(fake, layout, "ghcr.io/owner/app", "--chunk-size", (16 * MiB).ToString());

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Log.ShouldAllBe(request => request.ContentLength <= 4 * MiB);
        fake.Log.ShouldNotContain(request => request.Status == 416, "no request may be refused as too large");
        AssertStored(fake, layout, manifest, "owner/app");
    }

    [Fact]
    public async Task A_registry_that_refuses_a_large_put_with_416_gets_the_blob_in_chunks_instead()
    {
        // A registry with GHCR's ceiling under another name: the limit is learnt from the refusal.
        var fake = new FakeRegistry { Quirks = new FakeQuirks { MaxBodyBytes = 4 * MiB } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 9 * MiB);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Log.Count(request => request.Status == 416).ShouldBe(1, "one refused PUT, then chunks");
        fake.Patches.Count.ShouldBe(3);
        AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_chunk_refused_as_too_large_is_halved_until_the_registry_takes_it()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { MaxBodyBytes = 2 * MiB } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 5 * MiB);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--chunked", "--chunk-size", (8 * MiB).ToString());

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Patches.Where(patch => patch.Status is >= 200 and < 300).ShouldAllBe(patch => patch.ContentLength <= 2 * MiB);
        AssertStored(fake, layout, manifest, "app");
    }

    [Theory]
    [InlineData(HttpStatusCode.Accepted)]
    [InlineData(HttpStatusCode.Created)]
    [InlineData(HttpStatusCode.NoContent)]
    public async Task A_patch_answered_202_201_or_204_continues_the_upload(HttpStatusCode patchStatus)
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { PatchStatus = patchStatus } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 300_000, 70_000);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--chunked", "--chunk-size", "65536");

        result.ExitCode.ShouldBe(0, result.ToString());
        var expected = OciLayoutReader.Read(layout.Path).Blobs.Sum(static blob => (blob.Descriptor.Size + 65535) / 65536);
        fake.Patches.Count.ShouldBe((int)expected);
        AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task Ecr_gets_chunks_of_at_least_5_MiB_and_its_201_answers_to_patch_are_accepted()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { PatchStatus = HttpStatusCode.Created, EnforcedMinChunk = 5 * MiB } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 12 * MiB);

        var result = await PushAsync(fake, layout, "123456789012.dkr.ecr.us-east-1.amazonaws.com/app", "--chunked");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Patches.Count(static patch => patch.ContentLength == 5 * MiB).ShouldBe(2, "12 MiB go as 5 + 5 + 2, never in 4 MiB chunks");
        AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task An_announced_minimum_chunk_length_is_honoured_over_a_smaller_chunk_size()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { AnnouncedMinChunk = MiB, EnforcedMinChunk = MiB } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 3 * MiB + 5);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--chunked", "--chunk-size", "65536");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Patches.Count(static patch => patch.ContentLength == MiB).ShouldBe(3, "3 MiB + 5 go as 1 + 1 + 1 MiB + 5 bytes");
        AssertStored(fake, layout, manifest, "app");
    }

    [Theory]
    [InlineData(RangeStyle.Plain)]
    [InlineData(RangeStyle.BytesEquals)]
    [InlineData(RangeStyle.Rfc)]
    public async Task Range_headers_with_or_without_the_bytes_prefix_and_0_0_on_new_sessions_are_understood(RangeStyle style)
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { RangeStyle = style, RangeOnNewSession = true } }
            .Break(FakeStep.Patch, 2, FakeMisbehaviour.StoreHalfThenFail, largerThan: 10_000);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 400_000);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--chunked", "--chunk-size", "131072");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Patches.ShouldContain(patch => patch.ContentRange!.StartsWith("196608-", StringComparison.Ordinal), "the upload resumes mid-chunk, where the registry's Range says");
        AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_registry_that_keeps_only_part_of_each_chunk_gets_the_rest_from_where_its_range_says()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { ShortAccept = true } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 300_000);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--chunked", "--chunk-size", "65536");

        result.ExitCode.ShouldBe(0, result.ToString());
        AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task Artifactory_answering_403_to_heads_for_missing_blobs_does_not_stop_the_push()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { MissingStatus = HttpStatusCode.Forbidden } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 20_000, 30_000);

        var result = await PushAsync(fake, layout, "artifactory.example.test/docker-local/app", "--tag", "v1");

        result.ExitCode.ShouldBe(0, result.ToString());
        AssertStored(fake, layout, manifest, "docker-local/app");
        fake.Manifest("docker-local/app", "v1").ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
    }

    [Fact]
    public async Task A_real_denial_behind_a_403_head_still_fails_with_exit_code_3_and_writes_nothing()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { MissingStatus = HttpStatusCode.Forbidden, DenyPush = true } };
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 20_000);

        var result = await PushAsync(fake, layout, "artifactory.example.test/docker-local/app", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("DENIED");
        fake.Manifest("docker-local/app", "v1").ShouldBeNull();
        fake.Log.ShouldNotContain(request => request.Method == HttpMethod.Put);
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    public async Task A_mount_refused_with_401_or_400_falls_back_to_a_normal_upload(HttpStatusCode refusal)
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { MountStatus = refusal } };
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var first = layout.AddImage([40_000]);
        var second = layout.AddImage(layout.LayersOf(first));
        layout.AddIndexEntry(first, "first").AddIndexEntry(second, "second");
        var plan = temp.Combine("plan.json");
        File.WriteAllText(plan, $$"""
            {"images":[
              {"layout":"{{layout.Path}}","ref":"first","repository":"harbor.example.test/one/app","tags":["a"]},
              {"layout":"{{layout.Path}}","ref":"second","repository":"harbor.example.test/two/app","tags":["b"]}]}
            """);
        _cli.Interceptor = _ => fake.CreateHandler();

        var result = await _cli.RunAsync("push-all", plan);

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Log.ShouldContain(request => request.Uri.Query.Contains("mount=", StringComparison.Ordinal) && request.Status == (int)refusal);
        var shared = layout.LayersOf(first)[0].Digest.ToString();
        fake.Holds("one/app", shared).ShouldBeTrue();
        fake.Holds("two/app", shared).ShouldBeTrue();
        fake.Manifest("two/app", "b").ShouldBe(File.ReadAllBytes(layout.BlobPath(second.Digest)));
    }

    [Fact]
    public async Task Absolute_upload_urls_with_signed_queries_are_followed_and_never_printed()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { AbsoluteLocations = true } };
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 200_000);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--chunked", "--chunk-size", "65536", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldNotContain("secret");
        AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_huge_response_body_fails_the_push_in_one_line_with_exit_code_4()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { PingBodyBytes = 8 * MiB } };
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 1_000);

        var result = await PushAsync(fake, layout, "registry.example.test/app", "--tag", "v1");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("larger than");
        fake.Log.Count(static request => request.Uri.AbsolutePath == "/v2/").ShouldBe(1, "an oversized answer is a fault of the registry, not a hiccup to retry: " + string.Join('\n', fake.Log));
        fake.Log.ShouldNotContain(static request => request.Method != HttpMethod.Head && request.Uri.AbsolutePath != "/v2/", "nothing but the tag's HEAD comes before the ping");
    }

    private Task<CliResult> PushAsync(FakeRegistry fake, TestLayout layout, string repository, params string[] extra)
    {
        _cli.Interceptor = _ => fake.CreateHandler();
        return _cli.RunAsync(["push", layout.Path, repository, "--tag", "t", .. extra]);
    }

    internal static void AssertStored(FakeRegistry fake, TestLayout layout, Descriptor manifest, string repository)
    {
        var graph = OciLayoutReader.Read(layout.Path);
        foreach (var blob in graph.Blobs)
        {
            fake.Holds(repository, blob.Descriptor.Digest.ToString()).ShouldBeTrue($"{repository} lacks {blob.Descriptor.Digest}");
            fake.Blob(blob.Descriptor.Digest.ToString()).ShouldBe(File.ReadAllBytes(blob.Path));
        }

        fake.Manifest(repository, manifest.Digest.ToString()).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
    }
}
