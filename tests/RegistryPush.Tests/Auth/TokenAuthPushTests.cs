using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// Pushes to a real distribution registry with token authentication (its realm is the test token service), with
/// credentials from every source of the chain.
/// </summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class TokenAuthPushTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    private string AliceRepository() => $"{Registries.Token.Host}/alice/{Unique("app")}";

    private async Task AssertPushedAsync(CliResult result, string repository, string source)
    {
        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldStartWith($"{repository}@sha256:");
        var path = repository[(repository.IndexOf('/', StringComparison.Ordinal) + 1)..];
        Registries.Tokens.RequestsFor(path).ShouldContain(request => request.User == AuthRegistries.Alice && request.Scopes.Contains($"repository:{path}:pull,push"));
        if (source.Length > 0)
        {
            result.StandardError.ShouldContain(source);
        }

        await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", "--creds", $"{AuthRegistries.Alice}:{AuthRegistries.AlicePassword}", $"docker://{repository}:v1");
    }

    [Fact]
    public async Task Pushing_with_username_and_password_stdin_gets_a_push_token_and_succeeds()
    {
        var repository = AliceRepository();

        var result = await Cli(AuthRegistries.AlicePassword + "\n").RunAsync(
            "push", Layout(), repository, "--tag", "v1", "--username", AuthRegistries.Alice, "--password-stdin", "-v");

        await AssertPushedAsync(result, repository, "user 'alice' from --username/--password-stdin");
    }

    [Fact]
    public async Task Pushing_with_registry_push_variables_succeeds()
    {
        Sandbox.Environment["REGISTRY_PUSH_USERNAME"] = AuthRegistries.Alice;
        Sandbox.Environment["REGISTRY_PUSH_PASSWORD"] = AuthRegistries.AlicePassword;
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        await AssertPushedAsync(result, repository, "REGISTRY_PUSH_USERNAME/REGISTRY_PUSH_PASSWORD");
    }

    [Fact]
    public async Task Pushing_with_docker_auth_config_succeeds()
    {
        Sandbox.Environment["DOCKER_AUTH_CONFIG"] = $$$$"""{"auths":{"{{{{Registries.Token.Host}}}}":{"auth":"{{{{Base64($"{AuthRegistries.Alice}:{AuthRegistries.AlicePassword}")}}}}"}}}""";
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        await AssertPushedAsync(result, repository, "in DOCKER_AUTH_CONFIG");
    }

    [Fact]
    public async Task Pushing_with_a_docker_login_entry_in_config_json_succeeds()
    {
        var config = DockerConfigWith($"http://{Registries.Token.Host}", AuthRegistries.Alice, AuthRegistries.AlicePassword);
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        await AssertPushedAsync(result, repository, $"in {config}");
    }

    [Fact]
    public async Task Pushing_with_a_cred_helper_succeeds_and_runs_the_helper_once()
    {
        Sandbox.WriteAnsweringHelper("test", AuthRegistries.Alice, AuthRegistries.AlicePassword);
        Sandbox.WriteDockerConfig($$$$"""{"credHelpers":{"{{{{Registries.Token.Host}}}}":"test"}}""");
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        await AssertPushedAsync(result, repository, "docker-credential-test (credHelpers[");
        File.ReadAllLines(Sandbox.HelperLog).ShouldBe([Registries.Token.Host]);
    }

    [Fact]
    public async Task Pushing_with_a_creds_store_succeeds()
    {
        Sandbox.WriteAnsweringHelper("store", AuthRegistries.Alice, AuthRegistries.AlicePassword);
        Sandbox.WriteDockerConfig("""{"credsStore":"store"}""");
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        await AssertPushedAsync(result, repository, "docker-credential-store (credsStore in");
    }

    [Fact]
    public async Task Pushing_with_an_identity_token_falls_back_from_the_refused_oauth_post_to_get()
    {
        Sandbox.WriteAnsweringHelper("oauth", "<token>", AuthRegistries.AliceIdentityToken);
        Sandbox.WriteDockerConfig("""{"credsStore":"oauth"}""");
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1");

        await AssertPushedAsync(result, repository, string.Empty);
        Registries.Tokens.RequestsFor(repository[(Registries.Token.Host.Length + 1)..])
            .ShouldContain(static request => request.Method == "POST" && request.GrantType == "refresh_token");
    }

    [Fact]
    public async Task Pushing_with_a_podman_auth_file_uses_its_most_specific_key()
    {
        var repository = AliceRepository();
        var path = repository[(Registries.Token.Host.Length + 1)..];
        Sandbox.Environment["REGISTRY_AUTH_FILE"] = Sandbox.WriteFile("containers/auth.json", $$$$"""
            {"auths":{
              "{{{{Registries.Token.Host}}}}":{"auth":"{{{{Base64("reader:wrong-password")}}}}"},
              "{{{{Registries.Token.Host}}}}/{{{{path}}}}":{"auth":"{{{{Base64($"{AuthRegistries.Alice}:{AuthRegistries.AlicePassword}")}}}}"}
            }}
            """);

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        await AssertPushedAsync(result, repository, $"auths[\"{Registries.Token.Host}/{path}\"]");
    }

    [Fact]
    public async Task Pushing_one_image_to_two_repositories_mounts_with_a_token_that_can_read_the_first()
    {
        var first = AliceRepository();
        var second = AliceRepository();
        var layout = Layout();
        var plan = Temp.Combine("plan.json");
        File.WriteAllText(plan, $$$$"""{"images":[{"layout":"{{{{layout}}}}","repository":"{{{{first}}}}","tags":["v1"]},{"layout":"{{{{layout}}}}","repository":"{{{{second}}}}","tags":["v1"]}]}""");
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Alice, AuthRegistries.AlicePassword);
        var cli = Cli();

        var result = await cli.RunAsync("push-all", plan, "--jobs", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        cli.Requests.ShouldContain(static request => request.Uri.Query.Contains("mount=", StringComparison.Ordinal) && request.StatusCode == 201);
        var firstPath = first[(Registries.Token.Host.Length + 1)..];
        var secondPath = second[(Registries.Token.Host.Length + 1)..];
        Registries.Tokens.RequestsFor(secondPath).ShouldContain(request =>
            request.Scopes.SequenceEqual(new[] { $"repository:{secondPath}:pull,push", $"repository:{firstPath}:pull" }));
    }

    [Fact]
    public async Task A_user_who_may_only_pull_is_refused_with_exit_3_and_permission_advice()
    {
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Reader, AuthRegistries.ReaderPassword);
        var repository = AliceRepository();

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("401");
        error.ShouldContain("credentials: user 'reader' from auths[");
        error.ShouldContain("may not push to");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_token_service_with_exit_3_and_login_advice()
    {
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Alice, "not-the-password");

        var result = await Cli().RunAsync("push", Layout(), AliceRepository(), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"the token service {Registries.Tokens.Realm} refused user 'alice' from auths[");
        error.ShouldContain($"docker logout {Registries.Token.Host}");
    }

    [Fact]
    public async Task Without_credentials_the_push_is_refused_with_the_login_advice()
    {
        var result = await Cli().RunAsync("push", Layout(), AliceRepository(), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("no credentials");
        error.ShouldContain($"docker login {Registries.Token.Host}");
    }

    [Theory]
    [InlineData("echo 'error getting credentials - err: the keychain is locked' >&2; exit 1", "failed (exit code 1): error getting credentials - err: the keychain is locked")]
    [InlineData("sleep 30", "did not answer within 1 s")]
    [InlineData("echo 'garbage'", "not credentials JSON")]
    [InlineData(null, "is not installed")]
    public async Task A_broken_cred_helper_fails_the_push_with_exit_3_naming_helper_and_config(string? body, string problem)
    {
        if (body is not null)
        {
            Sandbox.WriteHelper("broken", body);
        }

        var config = Sandbox.WriteDockerConfig($$$$"""{"credHelpers":{"{{{{Registries.Token.Host}}}}":"broken"}}""");
        Sandbox.Environment["REGISTRY_PUSH_CREDENTIAL_HELPER_TIMEOUT"] = "1";

        var result = await Cli().RunAsync("push", Layout(), AliceRepository(), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"docker-credential-broken (credHelpers[\"{Registries.Token.Host}\"] in {config})");
        error.ShouldContain(problem);
    }

    [Fact]
    public async Task A_malformed_docker_config_fails_with_exit_3_naming_the_file_and_no_stack_trace()
    {
        var config = Sandbox.WriteDockerConfig("{\"auths\": {\"x\": ");

        var result = await Cli().RunAsync("push", Layout(), AliceRepository(), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldBe($"registry-push: error: credentials file {config} is not valid JSON at line 1: fix it or move it away");
        result.StandardError.ShouldNotContain("   at ");
    }
}
