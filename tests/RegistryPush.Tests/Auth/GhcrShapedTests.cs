using System.Net;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// The set-ups of the container-registry auth guide our users follow, against a registry reached as ghcr.io (a real
/// token-auth registry behind <see cref="GhcrLoopback"/>): GitHub Actions' GITHUB_TOKEN, a laptop's GITHUB_USERNAME,
/// and GHCR's refusals.
/// </summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class GhcrShapedTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    private GhcrLoopback? _ghcr;

    private CliRunner GhcrCli(string standardInput = "")
    {
        _ghcr = new GhcrLoopback(Registries.Ghcr.Host, Registries.Tokens.Port);
        var cli = Cli(standardInput);
        cli.Interceptor = _ => _ghcr;
        return cli;
    }

    private void InGitHubActions(string token = AuthRegistries.OctocatToken)
    {
        Sandbox.Environment["GITHUB_ACTIONS"] = "true";
        Sandbox.Environment["GITHUB_TOKEN"] = token;
        Sandbox.Environment["GITHUB_ACTOR"] = AuthRegistries.Octocat;
    }

    [Fact]
    public async Task In_github_actions_github_token_and_actor_push_to_ghcr()
    {
        InGitHubActions();
        var repository = $"ghcr.io/octocat/{Unique("app")}";
        var result = await GhcrCli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldStartWith($"{repository}@sha256:");
        result.StandardError.ShouldContain("auth: ghcr.io asks for Bearer (token realm https://ghcr.io/token)");
        result.StandardError.ShouldContain("user 'octocat' from GITHUB_TOKEN (user from GITHUB_ACTOR)");
        var path = repository["ghcr.io/".Length..];
        Registries.Tokens.RequestsFor(path).ShouldContain(request => request.Service == "ghcr.io" && request.User == AuthRegistries.Octocat
            && request.Scopes.Contains($"repository:{path}:pull,push"));
    }

    [Fact]
    public async Task On_a_laptop_the_auth_guides_github_username_and_token_variables_push_to_ghcr()
    {
        Sandbox.Environment["GITHUB_TOKEN"] = AuthRegistries.OctocatToken;
        Sandbox.Environment["GITHUB_USERNAME"] = AuthRegistries.Octocat;

        var result = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(0, result.ToString());
    }

    [Fact]
    public async Task A_workflow_token_without_write_access_gets_the_actions_permission_advice()
    {
        InGitHubActions();

        // The token may write to octocat/*, not to another owner's package.
        var result = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/someone-else/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("credentials: user 'octocat' from GITHUB_TOKEN (user from GITHUB_ACTOR)");
        error.ShouldContain("permissions: packages: write");
        error.ShouldContain("Manage Actions access");
    }

    [Fact]
    public async Task Ghcrs_denied_write_package_answer_is_exit_3_with_the_package_permission_advice()
    {
        DockerConfigWith("ghcr.io", AuthRegistries.Octocat, AuthRegistries.OctocatToken);
        var cli = GhcrCli();
        _ghcr!.Override = static request => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/blobs/uploads/", StringComparison.Ordinal)
            ? GhcrLoopback.Denied()
            : null;

        var result = await cli.RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("403 DENIED: permission_denied: write_package; credentials: user 'octocat' from auths[\"ghcr.io\"]");
        error.ShouldContain("write:packages");
        error.ShouldContain("ghcr.io/<owner>/<name>");
    }

    [Fact]
    public async Task Ghcrs_installation_not_allowed_answer_points_at_the_workflow_permissions()
    {
        InGitHubActions();
        var cli = GhcrCli();
        _ghcr!.Override = static request => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/blobs/uploads/", StringComparison.Ordinal)
            ? GhcrLoopback.Denied("installation not allowed to Write organization package")
            : null;

        var result = await cli.RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("give the job 'permissions: packages: write'");
    }

    [Fact]
    public async Task An_expired_token_is_refused_by_the_realm_with_the_rotation_advice()
    {
        DockerConfigWith("ghcr.io", AuthRegistries.Octocat, "ghp_expired");

        var result = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("the token service https://ghcr.io/token refused user 'octocat'");
        error.ShouldContain("write:packages");
        error.ShouldContain("'docker logout ghcr.io'");
    }

    [Fact]
    public async Task A_name_invalid_answer_explains_ghcrs_naming_rule()
    {
        DockerConfigWith("ghcr.io", AuthRegistries.Octocat, AuthRegistries.OctocatToken);
        var cli = GhcrCli();
        _ghcr!.Override = static request => request.Method == HttpMethod.Put && request.RequestUri!.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("""{"errors":[{"code":"NAME_INVALID","message":"invalid repository name"}]}""") }
            : null;

        var result = await cli.RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("ghcr.io/<owner>/<repository>, all lowercase");
    }

    [Fact]
    public async Task A_refused_workflow_github_token_is_told_about_workflow_permissions_not_personal_tokens_or_docker_logout()
    {
        InGitHubActions(token: "ghs_notTheJobsToken");

        var result = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("the token service https://ghcr.io/token refused user 'octocat' from GITHUB_TOKEN (user from GITHUB_ACTOR)");
        error.ShouldContain("did not accept the workflow's GITHUB_TOKEN");
        error.ShouldContain("permissions: packages: write");
        error.ShouldContain("Manage Actions access");
        error.ShouldNotContain("personal access token");
        error.ShouldNotContain("docker logout");
    }

    [Fact]
    public async Task A_refused_laptop_github_token_is_told_to_export_a_new_token_not_to_docker_logout()
    {
        Sandbox.Environment["GITHUB_TOKEN"] = "ghp_expired";
        Sandbox.Environment["GITHUB_USERNAME"] = AuthRegistries.Octocat;

        var result = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("did not accept GITHUB_TOKEN as user 'octocat'");
        error.ShouldContain("export it as GITHUB_TOKEN");
        error.ShouldNotContain("docker logout");
    }

    [Fact]
    public async Task A_stale_docker_login_hiding_a_valid_github_token_is_named_with_how_to_let_the_token_through()
    {
        var config = DockerConfigWith("ghcr.io", AuthRegistries.Octocat, "ghp_staleLogin");
        InGitHubActions();

        var result = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"refused user 'octocat' from auths[\"ghcr.io\"] in {config}");
        error.ShouldContain($"GITHUB_TOKEN is set too but was not used, because auths[\"ghcr.io\"] in {config} comes first: if that login is stale, run 'docker logout ghcr.io' so that GITHUB_TOKEN is used");

        // The advice holds: without the stale login the same run pushes with GITHUB_TOKEN.
        File.Delete(config);
        var retried = await GhcrCli().RunAsync("push", Layout(), $"ghcr.io/octocat/{Unique("app")}", "--tag", "v1");
        retried.ExitCode.ShouldBe(0, retried.ToString());
    }

    [Fact]
    public async Task Auth_check_notes_a_github_token_hidden_by_a_docker_login()
    {
        var config = DockerConfigWith("ghcr.io", AuthRegistries.Octocat, AuthRegistries.OctocatToken);
        InGitHubActions();

        var result = await GhcrCli().RunAsync("auth", "check", $"ghcr.io/octocat/{Unique("app")}");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain($"note:        GITHUB_TOKEN is set too, but auths[\"ghcr.io\"] in {config} comes first, so GITHUB_TOKEN was not used");
    }
}
