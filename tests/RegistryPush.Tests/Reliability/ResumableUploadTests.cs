using System.Diagnostics;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// A failed upload is retried where it failed, never from scratch when the registry kept something: chunks resume
/// from the session's Range, a lost answer is noticed rather than the bytes resent, a lost session is replaced.
/// </summary>
public sealed class ResumableUploadTests
{
    /// <summary>Scripts aim at the layers: a config (a few hundred bytes) uploads alongside in its own lane.</summary>
    private const long LayerOnly = 10_000;

    private readonly CliRunner _cli = new();

    [Fact]
    public async Task A_chunk_whose_answer_was_lost_is_not_sent_again()
    {
        var fake = new FakeRegistry().Break(FakeStep.Patch, 2, FakeMisbehaviour.StoreThenDropConnection, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 500_000);

        var result = await PushAsync(fake, layout, "--chunked", "--chunk-size", "131072", "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Patches.Select(static patch => patch.ContentRange).ShouldBeUnique("every range goes out once: the registry's Range showed the lost chunk had arrived");
        fake.Log.ShouldContain(request => request.Method == HttpMethod.Get && request.Uri.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal));
        result.StandardError.ShouldContain("resuming from what the registry holds");
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_chunk_broken_off_midway_resumes_from_the_byte_the_registry_holds()
    {
        var fake = new FakeRegistry().Break(FakeStep.Patch, 3, FakeMisbehaviour.StoreHalfThenFail, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 500_000);

        var result = await PushAsync(fake, layout, "--chunked", "--chunk-size", "100000", "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Patches.ShouldContain(static patch => patch.ContentRange!.StartsWith("250000-", StringComparison.Ordinal));
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_session_the_registry_forgot_is_replaced_by_a_new_one_and_the_blob_sent_again()
    {
        var fake = new FakeRegistry().Break(FakeStep.Patch, 2, FakeMisbehaviour.LoseSession, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 300_000);
        var layer = layout.LayersOf(manifest)[0];

        var result = await PushAsync(fake, layout, "--chunked", "--chunk-size", "131072", "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain("starting a new upload session");
        fake.Patches.Count(static patch => patch.ContentRange == "0-131071").ShouldBe(2, "the new session starts from the first byte");
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
        fake.Blob(layer.Digest.ToString()).ShouldBe(File.ReadAllBytes(layout.BlobPath(layer.Digest)));
    }

    [Fact]
    public async Task A_closing_put_whose_answer_was_lost_is_confirmed_with_a_head_instead_of_a_new_upload()
    {
        var fake = new FakeRegistry().Break(FakeStep.Complete, 1, FakeMisbehaviour.StoreThenDropConnection, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 200_000);

        var result = await PushAsync(fake, layout, "--chunked", "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        StartedSessions(fake).ShouldBe(2, "one session per blob (layer and config): the lost answer did not cost a new one");
        result.StandardError.ShouldContain("starting a new upload session", customMessage: "the retry notice is printed before the HEAD finds the blob");
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_monolithic_upload_whose_answer_was_lost_is_not_uploaded_twice()
    {
        var fake = new FakeRegistry().Break(FakeStep.Monolithic, 1, FakeMisbehaviour.StoreThenDropConnection, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 700_000);

        var result = await PushAsync(fake, layout, "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        fake.Log.Count(static request => request.Method == HttpMethod.Put && request.Uri.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal))
            .ShouldBe(2, "layer and config once each: the HEAD showed the lost answer's blob had arrived");
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_monolithic_upload_answered_503_is_retried_in_a_new_session()
    {
        var fake = new FakeRegistry().Break(FakeStep.Monolithic, 1, FakeMisbehaviour.Unavailable, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 700_000);

        var result = await PushAsync(fake, layout, "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        StartedSessions(fake).ShouldBe(3);
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_status_check_answered_503_is_retried_like_any_request()
    {
        var fake = new FakeRegistry()
            .Break(FakeStep.Patch, 2, FakeMisbehaviour.StoreThenDropConnection, largerThan: LayerOnly)
            .Break(FakeStep.Status, 1, FakeMisbehaviour.Unavailable);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 400_000);

        var result = await PushAsync(fake, layout, "--chunked", "--chunk-size", "131072", "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    [Fact]
    public async Task A_chunk_that_never_gets_through_fails_the_push_with_exit_code_4_naming_the_blob_in_bounded_time()
    {
        var fake = new FakeRegistry().BreakFrom(FakeStep.Patch, 2, FakeMisbehaviour.Unavailable, largerThan: LayerOnly);

        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 300_000);
        var layer = layout.LayersOf(manifest)[0];
        var clock = Stopwatch.StartNew();

        var result = await PushAsync(fake, layout, "--chunked", "--chunk-size", "131072", "--jobs", "1", "--retries", "2");

        result.ExitCode.ShouldBe(4, result.ToString());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain(layer.Digest.ToString());
        error.ShouldContain("503");
        fake.Patches.Count(static patch => patch.ContentLength > LayerOnly).ShouldBe(1 + 3, "one good chunk, then the failing one tried three times (--retries 2)");
        fake.Manifest("app", "t").ShouldBeNull();
    }

    [Fact]
    public async Task A_503_saying_DENIED_is_a_refusal_exit_code_3_without_retrying()
    {
        var fake = new FakeRegistry().Break(FakeStep.Monolithic, 1, FakeMisbehaviour.UnavailableDenied, largerThan: LayerOnly);
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100_000);

        var result = await PushAsync(fake, layout, "--jobs", "1");

        result.ExitCode.ShouldBe(3, result.ToString());
        fake.Log.Count(static request => request.Method == HttpMethod.Put && request.ContentLength > LayerOnly).ShouldBe(1, "a refusal is not retried");
        fake.Manifest("app", "t").ShouldBeNull();
    }

    [Fact]
    public async Task With_verify_a_corrupt_blob_is_caught_before_any_of_it_is_sent()
    {
        var fake = new FakeRegistry();
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 100_000);
        var layer = layout.LayersOf(manifest)[0];
        layout.Corrupt(layer.Digest);

        var result = await PushAsync(fake, layout, "--verify", "--jobs", "1");

        result.ExitCode.ShouldBe(2, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain(layer.Digest.ToString());
        error.ShouldContain(layout.BlobPath(layer.Digest));
        fake.Log.ShouldNotContain(request => request.ContentLength == layer.Size);
    }

    [Fact]
    public async Task With_verify_every_uploaded_blob_is_confirmed_before_any_manifest_or_tag()
    {
        var fake = new FakeRegistry();
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 100_000, 50_000);
        var blobs = OciLayoutReader.Read(layout.Path).Blobs.Select(static blob => blob.Descriptor.Digest.ToString()).ToList();

        var result = await PushAsync(fake, layout, "--verify");

        result.ExitCode.ShouldBe(0, result.ToString());
        var log = fake.Log.ToList();
        var firstManifest = log.FindIndex(static request => request.Method == HttpMethod.Put && request.Uri.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal));
        foreach (var digest in blobs)
        {
            var upload = log.FindLastIndex(request => request.Method == HttpMethod.Put && Uri.UnescapeDataString(request.Uri.Query).Contains(digest, StringComparison.Ordinal));
            var confirm = log.FindLastIndex(request => request.Method == HttpMethod.Head && request.Uri.AbsolutePath.EndsWith(digest, StringComparison.Ordinal));
            confirm.ShouldBeGreaterThan(upload, $"{digest} is confirmed after its upload");
            confirm.ShouldBeLessThan(firstManifest, $"{digest} is confirmed before any manifest");
        }

        RegistryQuirkTests.AssertStored(fake, layout, manifest, "app");
    }

    private Task<CliResult> PushAsync(FakeRegistry fake, TestLayout layout, params string[] extra)
    {
        _cli.Interceptor = _ => fake.CreateHandler();
        return _cli.RunAsync(["push", layout.Path, "registry.example.test/app", "--tag", "t", .. extra]);
    }

    private static int StartedSessions(FakeRegistry fake) =>
        fake.Log.Count(static request => request.Method == HttpMethod.Post && request.Uri.AbsolutePath.EndsWith("/blobs/uploads/", StringComparison.Ordinal));
}
