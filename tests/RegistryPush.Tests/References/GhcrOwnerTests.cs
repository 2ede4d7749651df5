using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.References;

/// <summary>
/// GHCR names are <c>ghcr.io/OWNER/NAME</c>: a name without an owner is refused before any network traffic, by every
/// command that takes a repository, with GHCR's naming rule and exit code 2.
/// </summary>
public sealed class GhcrOwnerTests : IDisposable
{
    private const string Expected = "registry-push: error: repository 'ghcr.io/hello' has no owner: GHCR repositories are ghcr.io/OWNER/NAME, where OWNER is your GitHub user or an organization you publish to, e.g. ghcr.io/OWNER/hello";
    private readonly TempDirectory _temp = new();
    private readonly CliRunner _cli = new();

    public void Dispose() => _temp.Dispose();

    private void AssertRefused(CliResult result)
    {
        result.ExitCode.ShouldBe(2, result.ToString());
        result.ErrorLines.ShouldBe([Expected]);
        _cli.Requests.ShouldBeEmpty("the name is refused before anything is sent");
    }

    [Fact]
    public async Task Push_refuses_a_ghcr_repository_without_an_owner()
    {
        var (layout, _) = TestLayout.SingleImage(_temp, 100);

        AssertRefused(await _cli.RunAsync("push", layout.Path, "ghcr.io/hello", "--tag", "v1"));
    }

    [Fact]
    public async Task Push_all_refuses_a_plan_naming_a_ghcr_repository_without_an_owner()
    {
        var (layout, _) = TestLayout.SingleImage(_temp, 100);
        var plan = _temp.Combine("plan.json");
        File.WriteAllText(plan, $$"""{"images":[{"layout":"{{layout.Path}}","repository":"ghcr.io/hello","tags":["v1"]}]}""");

        AssertRefused(await _cli.RunAsync("push-all", plan));
    }

    [Fact]
    public async Task Auth_check_refuses_a_ghcr_repository_without_an_owner_instead_of_saying_push_is_allowed()
    {
        var result = await _cli.RunAsync("auth", "check", "ghcr.io/hello");

        AssertRefused(result);
        result.StandardOutput.ShouldNotContain("push:");
    }
}
