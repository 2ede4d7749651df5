using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel;

/// <summary>The generated launcher outside <c>bazel run</c>: straight from bazel-bin, through a symlink, from scripts.</summary>
[Collection(BazelTestGroup.Name)]
public sealed class LauncherTests(BazelFixture bazel, RegistryFixture registry)
{
    [Fact]
    public async Task The_launcher_runs_straight_from_bazel_bin_and_writes_relative_paths_to_the_current_directory()
    {
        var launcher = await BuiltLauncherAsync();
        var repository = registry.Registry.NewRepository("bazel-bin");
        using var cwd = new TempDirectory();

        var result = await RunAsync(launcher, cwd.Path, null, "--repository", repository, "--tag", "direct", "--digest-file", "out.digest");

        result.ExitCode.ShouldBe(0, Describe(result));
        var digest = bazel.BuildTimeDigest("examples/hello", "hello");
        result.StandardOutput.Trim().Split('\n')[^1].ShouldBe($"{repository}@{digest}");
        File.ReadAllText(cwd.Combine("out.digest")).Trim().ShouldBe(digest);
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["direct", "latest"]);
    }

    [Fact]
    public async Task The_launcher_resolves_relative_paths_against_BUILD_WORKING_DIRECTORY()
    {
        var launcher = await BuiltLauncherAsync();
        var repository = registry.Registry.NewRepository("working-dir");
        using var invokedFrom = new TempDirectory();
        using var tagDirectory = new TempDirectory();
        await File.WriteAllTextAsync(invokedFrom.Combine("more-tags.txt"), "from-file\n\n", TestContext.Current.CancellationToken);

        var result = await RunAsync(launcher, tagDirectory.Path, invokedFrom.Path, "--repository", repository, "--tag-file", "more-tags.txt", "--digest-file", "d.txt");

        result.ExitCode.ShouldBe(0, Describe(result));
        File.Exists(invokedFrom.Combine("d.txt")).ShouldBeTrue("--digest-file d.txt belongs in BUILD_WORKING_DIRECTORY");
        File.Exists(tagDirectory.Combine("d.txt")).ShouldBeFalse();
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["from-file", "latest"]);
    }

    [Fact]
    public async Task A_plain_script_with_someone_elses_RUNFILES_DIR_and_a_symlink_to_the_launcher_passes_its_arguments_through()
    {
        var launcher = await BuiltLauncherAsync();
        var repository = registry.Registry.NewRepository("script");
        using var temp = new TempDirectory();
        var link = temp.Combine("push-hello");
        File.CreateSymbolicLink(link, launcher);
        var script = temp.Combine("deploy.sh");
        await File.WriteAllTextAsync(script, """
            #!/usr/bin/env bash
            # As if started by another `bazel run`: a runfiles tree that is not the launcher's.
            export RUNFILES_DIR=/nonexistent/other.runfiles
            exec "$(dirname "$0")/push-hello" "$@"
            """, TestContext.Current.CancellationToken);

        var result = await CliWrap.Cli.Wrap("bash")
            .WithArguments([script, "--repository", repository, "--tag", "via-script"])
            .WithWorkingDirectory(temp.Path)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(0, Describe(result));
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["latest", "via-script"]);
    }

    [Fact]
    public async Task A_Bazel_built_script_runs_the_push_target_from_its_own_runfiles_with_the_arguments_passed_through()
    {
        var workspace = bazel.Workspace;
        var repository = registry.Registry.NewRepository("sh-binary");

        var result = await workspace.RunAsync("run", [], ["//tests/bazel/launcher:push_from_script"], ["--repository", repository, "--tag", "from-script"]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain("hello_image_push exited with 0");
        result.LastOutputLine.ShouldBe($"{repository}@{bazel.BuildTimeDigest("examples/hello", "hello")}");
        (await Skopeo.ListTagsAsync(repository)).Order(StringComparer.Ordinal).ShouldBe(["from-script", "latest"]);
    }

    [Fact]
    public async Task A_launcher_copied_away_from_its_runfiles_fails_with_exit_code_2_and_says_why()
    {
        var launcher = await BuiltLauncherAsync();
        using var temp = new TempDirectory();
        var copy = temp.Combine("hello_image_push");
        File.Copy(launcher, copy);

        var result = await RunAsync(copy, temp.Path, null, "--dry-run");

        result.ExitCode.ShouldBe(2, Describe(result));
        result.StandardError.ShouldContain("cannot find this target's runfiles");
    }

    /// <summary>bazel-bin's launcher, built (unstamped) now: a stamped test may have rebuilt it.</summary>
    private async Task<string> BuiltLauncherAsync()
    {
        var build = await bazel.Workspace.RunAsync("build", ["--nostamp"], ["//examples/hello:hello_image_push"]);
        build.ExitCode.ShouldBe(0, build.ToString());
        return bazel.BazelBin("examples/hello/hello_image_push");
    }

    private static Task<BufferedCommandResult> RunAsync(string program, string workingDirectory, string? buildWorkingDirectory, params string[] arguments) =>
        CliWrap.Cli.Wrap(program)
            .WithArguments(arguments)
            .WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(environment => environment
                .Set("BUILD_WORKING_DIRECTORY", buildWorkingDirectory)
                .Set("RUNFILES_DIR", null)
                .Set("RUNFILES_MANIFEST_FILE", null))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken)
            .Task;

    private static string Describe(BufferedCommandResult result) =>
        $"exit {result.ExitCode}\nstdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}";
}
