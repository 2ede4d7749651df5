using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// The real <c>docker-credential-pass</c> behind a real <c>pass</c> store and gpg, against the Basic-auth registry:
/// what a developer's machine with <c>"credsStore": "pass"</c> or a per-registry <c>credHelpers</c> entry holds.
/// </summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class PassCredentialHelperTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    [Fact]
    public async Task A_docker_config_creds_store_of_pass_gives_the_stored_credentials_and_the_secret_is_never_printed()
    {
        await using var store = await PassStore.CreateAsync(Sandbox);
        await store.StoreAsync(Registries.Basic.Host, AuthRegistries.BasicUser, AuthRegistries.BasicPassword);
        var config = Sandbox.WriteDockerConfig("""{"credsStore":"pass"}""");
        var repository = Registries.Basic.NewRepository("pass");

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"user '{AuthRegistries.BasicUser}' from docker-credential-pass (credsStore in {config})");
        result.ToString().ShouldNotContain(AuthRegistries.BasicPassword);
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}")).ShouldBe(["v1"]);
    }

    [Fact]
    public async Task A_pass_cred_helper_in_a_podman_auth_file_wins_over_its_stale_auths_entry()
    {
        await using var store = await PassStore.CreateAsync(Sandbox);
        await store.StoreAsync(Registries.Basic.Host, AuthRegistries.BasicUser, AuthRegistries.BasicPassword);
        var file = Sandbox.WriteFile("containers/auth.json", $$$$"""
            {"auths":{"{{{{Registries.Basic.Host}}}}":{"auth":"{{{{Base64($"{AuthRegistries.BasicUser}:stale-password")}}}}"}},
             "credHelpers":{"{{{{Registries.Basic.Host}}}}":"pass"}}
            """);
        Sandbox.Environment["REGISTRY_AUTH_FILE"] = file;
        var repository = Registries.Basic.NewRepository("passhelper");

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"user '{AuthRegistries.BasicUser}' from docker-credential-pass (credHelpers[\"{Registries.Basic.Host}\"] in {file})");
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}")).ShouldBe(["v1"]);
    }

    [Fact]
    public async Task After_a_real_docker_login_into_a_pass_creds_store_the_push_finds_what_docker_stored()
    {
        TestEnvironment.RequireProgram("docker");
        var dockerHost = System.Environment.GetEnvironmentVariable("DOCKER_HOST");
        TestEnvironment.Require(!string.IsNullOrEmpty(dockerHost), "DOCKER_HOST names no Docker API (scripts/test-env/setup.sh sets podman's)");
        await using var store = await PassStore.CreateAsync(Sandbox);
        var config = Sandbox.WriteDockerConfig("""{"credsStore":"pass"}""");
        // The Docker API's login (podman's here) speaks plain HTTP to `localhost`, not to 127.0.0.1.
        var host = Registries.Basic.Host.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);

        var login = await CliWrap.Cli.Wrap("docker")
            .WithArguments(["login", host, "-u", AuthRegistries.BasicUser, "--password-stdin"])
            .WithEnvironmentVariables(new Dictionary<string, string?>(Sandbox.Environment) { ["DOCKER_HOST"] = dockerHost })
            .WithStandardInputPipe(PipeSource.FromString(AuthRegistries.BasicPassword))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        login.ExitCode.ShouldBe(0, $"docker login: {login.StandardOutput}{login.StandardError}");
        var repository = $"{host}/{Unique("dockerlogin")}";

        var result = await Cli().RunAsync("push", Layout(), repository, "--tag", "v1", "-v");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldContain($"user '{AuthRegistries.BasicUser}' from docker-credential-pass (credsStore in {config})");
        result.ToString().ShouldNotContain(AuthRegistries.BasicPassword);
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}")).ShouldBe(["v1"]);
    }
}
