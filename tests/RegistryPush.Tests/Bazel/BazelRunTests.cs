using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel;

/// <summary><c>bazel run</c> of the example push targets against a real registry, read back with skopeo.</summary>
[Collection(BazelTestGroup.Name)]
public sealed class BazelRunTests(BazelFixture bazel, RegistryFixture registry)
{
    private const string HelloPush = "//examples/hello:hello_image_push";

    [Fact]
    public async Task Bazel_run_pushes_the_example_image_and_its_digest_equals_the_build_time_digest()
    {
        var workspace = bazel.Workspace;
        var repository = registry.Registry.NewRepository("bazel-run");
        using var temp = new TempDirectory();
        var digestFile = temp.Combine("pushed.digest");

        var result = await workspace.RunAsync("run", [], [HelloPush], ["--repository", repository, "--digest-file", digestFile]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var buildTimeDigest = bazel.BuildTimeDigest("examples/hello", "hello");
        buildTimeDigest.ShouldMatch("^sha256:[0-9a-f]{64}$");
        result.LastOutputLine.ShouldBe($"{repository}@{buildTimeDigest}");
        (await File.ReadAllTextAsync(digestFile, TestContext.Current.CancellationToken)).Trim().ShouldBe(buildTimeDigest);
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{repository}:latest")).ShouldBe(buildTimeDigest);
    }

    [Fact]
    public async Task An_unstamped_bazel_run_skips_the_placeholder_tag_with_a_warning_and_pushes_the_literal_tags()
    {
        var workspace = bazel.Workspace;
        var repository = registry.Registry.NewRepository("unstamped");

        var result = await workspace.RunAsync("run", ["--nostamp"], [HelloPush], ["--repository", repository]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain("skipping tag '{BUILD_EMBED_LABEL}'");
        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["latest"]);
    }

    [Fact]
    public async Task Bazel_run_with_stamp_and_an_embed_label_pushes_the_label_as_a_tag()
    {
        var workspace = bazel.Workspace;
        var repository = registry.Registry.NewRepository("stamped");

        var result = await workspace.RunAsync("run", ["--stamp", "--embed_label=1.2.3"], [HelloPush], ["--repository", repository]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldNotContain("skipping tag");
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["1.2.3", "latest"]);
    }

    [Fact]
    public async Task Run_time_arguments_add_tags_to_the_ones_in_BUILD()
    {
        var workspace = bazel.Workspace;
        var repository = registry.Registry.NewRepository("extra-tags");

        var result = await workspace.RunAsync("run", [], [HelloPush], ["--repository", repository, "--tag", "dev", "--tag=second"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["dev", "latest", "second"]);
    }

    [Fact]
    public async Task A_build_in_this_repository_prints_no_sandbox_debug_lines_although_Debians_bazelrc_asks_for_them()
    {
        var workspace = bazel.Workspace;

        // A new action environment makes the genrule run again, in Bazel's linux-sandbox; the demo's terminal would
        // show its set-up line by line under Debian's `build --sandbox_debug` unless .bazelrc turns it off.
        var result = await workspace.RunAsync("build", [$"--action_env=REGISTRY_PUSH_TEST_RUN={Guid.NewGuid():N}"], ["//tests/bazel/quiet:sandboxed"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldNotContain("linux-sandbox.cc", customMessage: result.ToString());
        result.StandardError.ShouldMatch(@"processes: .*\d+ linux-sandbox", "the layout action must have run in the sandbox: " + result);
    }

    [Fact]
    public async Task Image_push_all_pushes_every_image_in_one_run_to_the_repositories_under_the_prefix_setting()
    {
        var workspace = bazel.Workspace;
        var prefix = $"{registry.Registry.Host}/all-{Guid.NewGuid():N}"[..(registry.Registry.Host.Length + 13)];

        var result = await workspace.RunAsync("run", [$"--//bazel:repository_prefix={prefix}"], ["//examples:push_all"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        var hello = bazel.BuildTimeDigest("examples/hello", "hello");
        var greeter = bazel.BuildTimeDigest("examples/greeter", "greeter");
        result.OutputLines.Order(StringComparer.Ordinal).ShouldBe([$"{prefix}/greeter@{greeter}", $"{prefix}/hello@{hello}"]);
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{prefix}/hello:latest")).ShouldBe(hello);
        BazelFixture.Digest(await Skopeo.InspectRawAsync($"{prefix}/greeter:latest")).ShouldBe(greeter);
    }
}
