using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>Pushes to a real distribution registry with htpasswd (Basic) authentication.</summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class BasicAuthPushTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    [Fact]
    public async Task Pushing_with_docker_config_credentials_to_a_basic_auth_registry_succeeds()
    {
        DockerConfigWith(Registries.Basic.Host, AuthRegistries.BasicUser, AuthRegistries.BasicPassword);
        var repository = Registries.Basic.NewRepository("basic");
        var cli = Cli();

        var result = await cli.RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"auth: {Registries.Basic.Host} asks for Basic");
        cli.Requests.Count(static request => request.StatusCode == 401).ShouldBe(1, "only the ping goes out without credentials");
        await Skopeo.RunAsync("inspect", "--raw", "--tls-verify=false", "--creds", $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}", $"docker://{repository}:v1");
    }

    [Fact]
    public async Task A_wrong_password_fails_with_exit_3_naming_the_source_and_saying_to_log_in_again()
    {
        var config = DockerConfigWith(Registries.Basic.Host, AuthRegistries.BasicUser, "wrong");

        var result = await Cli().RunAsync("push", Layout(), Registries.Basic.NewRepository("basic"), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"401 Unauthorized; credentials: user '{AuthRegistries.BasicUser}' from auths[\"{Registries.Basic.Host}\"] in {config}");
        error.ShouldContain($"docker logout {Registries.Basic.Host}");
    }

    [Fact]
    public async Task Without_credentials_the_push_fails_with_exit_3_and_the_login_advice()
    {
        var result = await Cli().RunAsync("push", Layout(), Registries.Basic.NewRepository("basic"), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"no credentials (none found for {Registries.Basic.Host} in DOCKER_AUTH_CONFIG, ");
        error.ShouldContain($"docker login {Registries.Basic.Host}");
    }

    [Fact]
    public async Task A_cred_helper_in_a_podman_auth_file_wins_over_its_stale_auths_entry_and_the_push_succeeds()
    {
        Sandbox.WriteAnsweringHelper("fresh", AuthRegistries.BasicUser, AuthRegistries.BasicPassword);
        var file = Sandbox.WriteFile("containers/auth.json", $$$$"""
            {"auths":{"{{{{Registries.Basic.Host}}}}":{"auth":"{{{{Base64($"{AuthRegistries.BasicUser}:stale-password")}}}}"}},
             "credHelpers":{"{{{{Registries.Basic.Host}}}}":"fresh"}}
            """);
        Sandbox.Environment["REGISTRY_AUTH_FILE"] = file;
        var repository = Registries.Basic.NewRepository("helper");

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"user '{AuthRegistries.BasicUser}' from docker-credential-fresh (credHelpers[\"{Registries.Basic.Host}\"] in {file})");
        File.ReadAllLines(Sandbox.HelperLog).ShouldBe([Registries.Basic.Host]);
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}")).ShouldBe(["v1"]);
    }

    [Fact]
    public async Task A_cred_helper_named_in_docker_auth_config_is_run_and_the_push_succeeds()
    {
        Sandbox.WriteAnsweringHelper("ci", AuthRegistries.BasicUser, AuthRegistries.BasicPassword);
        Sandbox.Environment["DOCKER_AUTH_CONFIG"] = $$$$"""{"credHelpers":{"{{{{Registries.Basic.Host}}}}":"ci"}}""";
        var repository = Registries.Basic.NewRepository("envhelper");

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"docker-credential-ci (credHelpers[\"{Registries.Basic.Host}\"] in DOCKER_AUTH_CONFIG)");
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}")).ShouldBe(["v1"]);
    }

    [Fact]
    public async Task A_creds_store_named_in_docker_auth_config_is_run_and_the_push_succeeds()
    {
        Sandbox.WriteAnsweringHelper("store", AuthRegistries.BasicUser, AuthRegistries.BasicPassword);
        Sandbox.Environment["DOCKER_AUTH_CONFIG"] = """{"credsStore":"store"}""";

        var result = await Cli().RunAsync("push", Layout(), Registries.Basic.NewRepository("envstore"), "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain("docker-credential-store (credsStore in DOCKER_AUTH_CONFIG)");
    }

    [Fact]
    public async Task Without_credentials_for_a_registry_other_than_ghcr_github_token_is_said_to_apply_to_ghcr_only()
    {
        Sandbox.Environment["GITHUB_TOKEN"] = "ghs_forghcr";
        Sandbox.Environment["GITHUB_ACTOR"] = "octocat";

        var result = await Cli().RunAsync("push", Layout(), Registries.Basic.NewRepository("basic"), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("; GITHUB_TOKEN applies to ghcr.io only)");
        error.ShouldNotContain(", GITHUB_TOKEN");
        error.ShouldContain($"docker login {Registries.Basic.Host}");
    }
}
