using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary><c>registry-push auth check REPOSITORY</c> against real registries.</summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class AuthCheckTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    [Fact]
    public async Task Auth_check_names_the_source_and_reports_pull_and_push_granted()
    {
        Sandbox.WriteAnsweringHelper("desktop", AuthRegistries.Alice, AuthRegistries.AlicePassword);
        var config = Sandbox.WriteDockerConfig("""{"credsStore":"desktop"}""");
        var repository = $"{Registries.Token.Host}/alice/{Unique("check")}";
        var cli = Cli();

        var result = await cli.RunAsync("auth", "check", repository);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain($"credentials: user 'alice' from docker-credential-desktop (credsStore in {config})");
        result.StandardOutput.ShouldContain($"asks for Bearer tokens from {Registries.Tokens.Realm} (service registry-push-test)");
        result.StandardOutput.ShouldContain("pull:        allowed (the repository does not exist yet");
        result.StandardOutput.ShouldContain($"token:       grants repository:{repository[(Registries.Token.Host.Length + 1)..]}:pull,push");
        result.StandardOutput.ShouldContain("push:        allowed");
        cli.Requests.ShouldContain(static request => request.Method == HttpMethod.Delete && request.Uri.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal),
            "the probe's upload session is cancelled");
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.Alice}:{AuthRegistries.AlicePassword}")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Auth_check_for_a_pull_only_user_reports_push_refused_with_exit_3_and_advice()
    {
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Reader, AuthRegistries.ReaderPassword);

        var path = $"alice/{Unique("check")}";

        var result = await Cli().RunAsync("auth", "check", $"{Registries.Token.Host}/{path}");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("pull:        allowed");
        result.StandardOutput.ShouldContain($"token:       grants repository:{path}:pull{Environment.NewLine}");
        result.StandardOutput.ShouldContain("push:        refused");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("may not push to");
    }

    [Fact]
    public async Task Auth_check_without_credentials_on_a_basic_registry_says_how_to_log_in()
    {
        var result = await Cli().RunAsync("auth", "check", Registries.Basic.NewRepository("check"));

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("credentials: no credentials");
        result.StandardOutput.ShouldContain("pull:        refused");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain($"docker login {Registries.Basic.Host}");
    }

    [Fact]
    public async Task Auth_check_with_a_wrong_password_is_refused_by_the_token_service_with_exit_3()
    {
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Alice, "wrong");

        var result = await Cli().RunAsync("auth", "check", $"{Registries.Token.Host}/alice/{Unique("check")}");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("pull:        refused");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("refused user 'alice'");
    }

    [Fact]
    public async Task Auth_check_with_explicit_credentials_on_the_basic_registry_grants_push()
    {
        var result = await Cli(AuthRegistries.BasicPassword).RunAsync(
            "auth", "check", Registries.Basic.NewRepository("check"), "--username", AuthRegistries.BasicUser, "--password-stdin");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("asks for Basic");
        result.StandardOutput.ShouldContain("push:        allowed");
    }
}

/// <summary><c>auth check</c> against the plain registry everyone shares.</summary>
public sealed class OpenRegistryAuthCheckTests(RegistryFixture fixture)
{
    [Fact]
    public async Task Auth_check_on_an_open_registry_reports_no_authentication_and_push_allowed()
    {
        var result = await new CliRunner().RunAsync("auth", "check", fixture.Registry.NewRepository("open"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("asks for no authentication");
        result.StandardOutput.ShouldContain("push:        allowed");
    }
}
