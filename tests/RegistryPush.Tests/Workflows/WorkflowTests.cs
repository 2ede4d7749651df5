using System.Text.RegularExpressions;
using RegistryPush.Tests.Bazel;
using YamlDotNet.RepresentationModel;

namespace RegistryPush.Tests.Workflows;

/// <summary>
/// The GitHub Actions workflows do what the container-registry auth guide our users follow promises: GHCR login
/// with the job's own token, least permissions, no pushes from pull requests, and only push targets that exist (asked of the real Bazel).
/// </summary>
[Collection(BazelTestGroup.Name)]
public sealed partial class WorkflowTests(BazelFixture bazel)
{
    private static readonly string Root = BazelWorkspace.FindRepositoryRoot()
        ?? throw new InvalidOperationException("cannot find the repository root from the test's directory");

    [Fact]
    public void The_publish_workflow_logs_in_to_ghcr_with_the_jobs_own_token()
    {
        var workflow = Load("container-publish.yml");

        var login = Steps(workflow).Single(step => Scalar(step, "uses")?.StartsWith("docker/login-action@", StringComparison.Ordinal) == true);

        Scalar(login, "uses").ShouldBe("docker/login-action@v3");
        var with = (YamlMappingNode)login.Children[new YamlScalarNode("with")];
        Scalar(with, "registry").ShouldBe("ghcr.io");
        Scalar(with, "username").ShouldBe("${{ github.actor }}");
        Scalar(with, "password").ShouldBe("${{ secrets.GITHUB_TOKEN }}");
    }

    [Fact]
    public void The_publish_workflow_asks_only_for_contents_read_and_packages_write()
    {
        var permissions = (YamlMappingNode)Load("container-publish.yml").Children[new YamlScalarNode("permissions")];

        permissions.Children.ToDictionary(static pair => ((YamlScalarNode)pair.Key).Value!, static pair => ((YamlScalarNode)pair.Value).Value!)
            .ShouldBe(new Dictionary<string, string> { ["contents"] = "read", ["packages"] = "write" });
    }

    [Fact]
    public void The_publish_workflow_never_runs_for_pull_requests()
    {
        var workflow = Load("container-publish.yml");

        var triggers = (YamlMappingNode)workflow.Children[new YamlScalarNode("on")];
        triggers.Children.Keys.Select(static key => ((YamlScalarNode)key).Value).ShouldNotContain("pull_request");
        triggers.Children.Keys.Select(static key => ((YamlScalarNode)key).Value).ShouldNotContain("pull_request_target");
        var push = (YamlMappingNode)triggers.Children[new YamlScalarNode("push")];
        ((YamlSequenceNode)push.Children[new YamlScalarNode("branches")]).Children.Select(static b => ((YamlScalarNode)b).Value).ShouldBe(["main"]);
        foreach (var job in Jobs(workflow))
        {
            Scalar(job, "if").ShouldBe("github.event_name != 'pull_request'");
        }
    }

    [Fact]
    public void The_ci_workflow_runs_the_same_script_as_ci_here_with_read_only_permissions()
    {
        var workflow = Load("ci.yml");

        Steps(workflow).Select(static step => Scalar(step, "run")).ShouldContain("bash .ci/run");
        var permissions = (YamlMappingNode)workflow.Children[new YamlScalarNode("permissions")];
        permissions.Children.Count.ShouldBe(1);
        Scalar(permissions, "contents").ShouldBe("read");
    }

    [Fact]
    public void The_release_workflow_runs_for_version_tags_only()
    {
        var triggers = (YamlMappingNode)Load("release.yml").Children[new YamlScalarNode("on")];

        triggers.Children.Keys.Select(static key => ((YamlScalarNode)key).Value).ShouldBe(["push"]);
        var push = (YamlMappingNode)triggers.Children[new YamlScalarNode("push")];
        push.Children.Keys.Select(static key => ((YamlScalarNode)key).Value).ShouldBe(["tags"]);
        ((YamlSequenceNode)push.Children[new YamlScalarNode("tags")]).Children.Select(static tag => ((YamlScalarNode)tag).Value).ShouldBe(["v*"]);
    }

    [Fact]
    public void The_release_workflow_builds_every_platforms_binary_on_that_platform_and_only_the_publish_job_may_write()
    {
        var workflow = Load("release.yml");
        var jobs = (YamlMappingNode)workflow.Children[new YamlScalarNode("jobs")];
        var binary = (YamlMappingNode)jobs.Children[new YamlScalarNode("binary")];
        var publish = (YamlMappingNode)jobs.Children[new YamlScalarNode("publish")];

        var include = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)binary.Children[new YamlScalarNode("strategy")])
            .Children[new YamlScalarNode("matrix")]).Children[new YamlScalarNode("include")];
        include.Children.Cast<YamlMappingNode>().Select(static entry => Scalar(entry, "platform"))
            .ShouldBe(["linux-x64", "linux-arm64", "macos-arm64", "macos-x64"], ignoreOrder: true);
        Scalar(binary, "runs-on").ShouldBe("${{ matrix.runner }}");
        StepsOf(binary).Select(static step => Scalar(step, "run")).OfType<string>().ShouldContain(static run => run.Contains("scripts/release.sh") && run.Contains("--binary-only"));
        StepsOf(publish).Select(static step => Scalar(step, "run")).OfType<string>().ShouldContain(static run => run.Contains("scripts/release.sh") && run.Contains("--binaries"));
        StepsOf(publish).Select(static step => Scalar(step, "run")).OfType<string>().ShouldContain(static run => run.Contains("sha256sum -c SHA256SUMS"));
        StepsOf(publish).Select(static step => Scalar(step, "run")).OfType<string>().ShouldContain(static run => run.StartsWith("gh release create", StringComparison.Ordinal));

        var top = (YamlMappingNode)workflow.Children[new YamlScalarNode("permissions")];
        top.Children.Count.ShouldBe(1);
        Scalar(top, "contents").ShouldBe("read");
        binary.Children.ContainsKey(new YamlScalarNode("permissions")).ShouldBeFalse("build jobs keep the read-only default");
        var write = (YamlMappingNode)publish.Children[new YamlScalarNode("permissions")];
        write.Children.Count.ShouldBe(1);
        Scalar(write, "contents").ShouldBe("write");
    }

    [Fact]
    public async Task Every_bazel_target_a_workflow_runs_exists_in_the_repository()
    {
        var targets = Directory.GetFiles(Path.Combine(Root, ".github", "workflows"), "*.yml")
            .SelectMany(path => Steps(Load(Path.GetFileName(path))))
            .Select(static step => Scalar(step, "run"))
            .OfType<string>()
            .SelectMany(static run => BazelRunTarget().Matches(run).Select(static match => match.Groups[1].Value))
            .Distinct()
            .ToList();
        targets.ShouldNotBeEmpty("the publish workflow must push through Bazel");

        // Analysis alone proves each label names a real, well-formed target (a typo fails with "no such target").
        var result = await bazel.Workspace.RunAsync("build", ["--nobuild"], targets);

        result.ExitCode.ShouldBe(0, result.ToString());
    }

    private static YamlMappingNode Load(string name)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(Root, ".github", "workflows", name));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<YamlMappingNode> Jobs(YamlMappingNode workflow) =>
        ((YamlMappingNode)workflow.Children[new YamlScalarNode("jobs")]).Children.Values.Cast<YamlMappingNode>();

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode workflow) => Jobs(workflow).SelectMany(StepsOf);

    private static IEnumerable<YamlMappingNode> StepsOf(YamlMappingNode job) =>
        ((YamlSequenceNode)job.Children[new YamlScalarNode("steps")]).Children.Cast<YamlMappingNode>();

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    [GeneratedRegex(@"bazel\s+run\b[^\n]*?\s(//[A-Za-z0-9_/.-]*:[A-Za-z0-9_.-]+)")]
    private static partial Regex BazelRunTarget();
}
