namespace RegistryPush.Tests.Bazel;

/// <summary>
/// Bad repositories and tags stop the build at analysis time, naming the value and the rule it breaks
/// (targets in tests/bazel/analysis/BUILD.bazel; one Bazel call analyzes them all).
/// </summary>
[Collection(BazelTestGroup.Name)]
public sealed class AnalysisTests(BazelFixture bazel)
{
    private const string Package = "//tests/bazel/analysis";
    private const string RepositoryRule = "Rule: a repository is HOST[:PORT]/PATH";
    private const string TagRule = "Rule: a tag is 1 to 128 characters";

    /// <summary>Target (without <c>_image_push</c>), the message it must fail with, and the rule it must quote.</summary>
    public static TheoryData<string, string, string> BadTargets => new()
    {
        { "bad_uppercase_repository", "repository \"ghcr.io/Albeorla/hello\" is invalid: 'Albeorla' has uppercase letters; registries such as ghcr.io accept lowercase only (did you mean 'ghcr.io/albeorla/hello'?)", RepositoryRule },
        { "bad_repository_with_tag", "repository \"ghcr.io/albeorla/hello:latest\" is invalid: it ends with a tag (':latest'); put tags in `tags`", RepositoryRule },
        { "bad_repository_without_host", "repository \"albeorla/hello\" is invalid: it has no registry host; write HOST/PATH, e.g. ghcr.io/albeorla/hello", RepositoryRule },
        { "bad_repository_separator", "repository \"ghcr.io/albeorla/hello..world\" is invalid: 'hello..world' joins words with '..'", RepositoryRule },
        { "bad_repository_scheme", "repository \"https://ghcr.io/albeorla/hello\" is invalid: it has a scheme; drop 'https://'", RepositoryRule },
        { "Bad_Name", "repository \"ghcr.io/albeorla/Bad_Name\" is invalid: 'Bad_Name' has uppercase letters", RepositoryRule },
        { "bad_tag_with_space", "tag \"release 1\" is invalid: it contains ' '", TagRule },
        { "bad_tag_leading_dot", "tag \".hidden\" is invalid: it starts with '.'", TagRule },
        { "bad_tag_placeholder_key", "tag \"v{BUILD-LABEL}\" is invalid: placeholder '{BUILD-LABEL}' must name a workspace status key", TagRule },
        { "bad_tag_unclosed_placeholder", "tag \"{BUILD_EMBED_LABEL\" is invalid: '{' without a matching '}'", TagRule },
        { "bad_tag_too_long", "is invalid: it is longer than 128 characters", TagRule },
    };

    [Theory]
    [MemberData(nameof(BadTargets))]
    public async Task A_bad_repository_or_tag_fails_analysis_with_the_value_and_the_rule(string target, string message, string rule)
    {
        var result = await AnalyzeBadTargetsAsync();

        result.ExitCode.ShouldNotBe(0, result.ToString());
        var block = ErrorBlock(result.StandardError, $"{Package}:{target}_image_push: ");
        block.ShouldContain(message, Case.Sensitive, result.StandardError);
        block.ShouldContain(rule);
    }

    [Fact]
    public async Task Image_push_all_refuses_a_push_whose_tags_are_only_known_at_run_time()
    {
        var result = await AnalyzeBadTargetsAsync();

        ErrorBlock(result.StandardError, $"{Package}:bad_push_all_with_tag_file: ")
            .ShouldContain($"{Package}:with_tag_file_image_push uses tag_file, which image_push_all cannot read at build time");
    }

    [Fact]
    public async Task Valid_repositories_tags_and_the_default_prefix_pass_analysis()
    {
        var targets = new[] { "good_loopback", "good_separators", "good_ipv6_and_localhost", "good_localhost", "good_default" }
            .Select(static name => $"{Package}:{name}_image_push");

        var result = await bazel.Workspace.RunAsync("build", ["--nobuild"], targets);

        result.ExitCode.ShouldBe(0, result.ToString());
    }

    [Fact]
    public async Task An_invalid_repository_prefix_setting_fails_analysis_naming_the_flag_and_its_value()
    {
        var result = await bazel.Workspace.RunAsync("build", ["--nobuild", "--//bazel:repository_prefix=ghcr.io/Albeorla"], ["//examples/hello:hello_image_push"]);

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StandardError.ShouldContain("--//bazel:repository_prefix=ghcr.io/Albeorla is not a valid repository prefix: 'Albeorla' has uppercase letters");
    }

    private Task<BazelResult> AnalyzeBadTargetsAsync() => bazel.Once("analysis-bad-targets", () =>
    {
        var targets = BadTargets.Select(static row => $"{Package}:{row.Data.Item1}_image_push")
            .Append($"{Package}:bad_push_all_with_tag_file");
        return bazel.Workspace.RunAsync("build", ["--nobuild", "--keep_going"], targets);
    });

    /// <summary>The text from a target's "label: " error line to the next error.</summary>
    private static string ErrorBlock(string output, string start)
    {
        var at = output.IndexOf(start, StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0, $"no error for '{start}' in:\n{output}");
        var end = output.IndexOf("\nERROR:", at, StringComparison.Ordinal);
        return end < 0 ? output[at..] : output[at..end];
    }
}
