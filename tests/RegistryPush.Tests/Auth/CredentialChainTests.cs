using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

/// <summary>The order of the credential chain, each link against the ones after it.</summary>
public sealed class CredentialChainTests : IDisposable
{
    private readonly AuthSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private void ConfigureEveryLaterSource()
    {
        _sandbox.Environment["DOCKER_AUTH_CONFIG"] = $$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("from-env-config:pw")}}}}"}}}""";
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("from-docker-config:pw")}}}}"}}}""");
        _sandbox.Environment["REGISTRY_AUTH_FILE"] = _sandbox.WriteFile("podman/auth.json", $$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("from-podman:pw")}}}}"}}}""");
        _sandbox.Environment["GITHUB_TOKEN"] = "ghs_fromactions";
        _sandbox.Environment["GITHUB_ACTOR"] = "from-github-token";
    }

    [Fact]
    public async Task Username_and_password_stdin_win_over_every_other_source()
    {
        ConfigureEveryLaterSource();
        _sandbox.Environment["REGISTRY_PUSH_USERNAME"] = "from-variables";
        _sandbox.Environment["REGISTRY_PUSH_PASSWORD"] = "pw";

        var resolution = await _sandbox.Chain("from-flag", passwordStdin: true, standardInput: "s3cret\r\n")
            .ResolveAsync(new("ghcr.io", "owner/app"), TestContext.Current.CancellationToken);

        resolution.Credential.Username.ShouldBe("from-flag");
        resolution.Credential.Secret.ShouldBe("s3cret");
        resolution.Credential.Source.ShouldBe("--username/--password-stdin");
    }

    [Fact]
    public async Task Registry_push_variables_come_next()
    {
        ConfigureEveryLaterSource();
        _sandbox.Environment["REGISTRY_PUSH_USERNAME"] = "from-variables";
        _sandbox.Environment["REGISTRY_PUSH_PASSWORD"] = "pw";

        var credential = (await _sandbox.ResolveAsync("ghcr.io", "owner/app")).Credential;

        credential.Username.ShouldBe("from-variables");
        credential.Source.ShouldBe("REGISTRY_PUSH_USERNAME/REGISTRY_PUSH_PASSWORD");
    }

    [Fact]
    public async Task Docker_auth_config_comes_before_the_docker_config_file()
    {
        ConfigureEveryLaterSource();

        var credential = (await _sandbox.ResolveAsync("ghcr.io", "owner/app")).Credential;

        credential.Username.ShouldBe("from-env-config");
        credential.Source.ShouldBe("auths[\"ghcr.io\"] in DOCKER_AUTH_CONFIG");
    }

    [Fact]
    public async Task The_docker_config_file_comes_before_podman_auth_files_and_github_token()
    {
        ConfigureEveryLaterSource();
        _sandbox.Environment.Remove("DOCKER_AUTH_CONFIG");

        (await _sandbox.ResolveAsync("ghcr.io", "owner/app")).Credential.Username.ShouldBe("from-docker-config");
    }

    [Fact]
    public async Task Podman_auth_files_come_before_github_token()
    {
        ConfigureEveryLaterSource();
        _sandbox.Environment.Remove("DOCKER_AUTH_CONFIG");
        _sandbox.WriteDockerConfig("{}");

        (await _sandbox.ResolveAsync("ghcr.io", "owner/app")).Credential.Username.ShouldBe("from-podman");
    }

    [Fact]
    public async Task Github_token_answers_for_ghcr_with_the_actor_as_user_and_nowhere_else()
    {
        _sandbox.Environment["GITHUB_TOKEN"] = "ghs_fromactions";
        _sandbox.Environment["GITHUB_ACTOR"] = "octocat";
        _sandbox.Environment["GITHUB_USERNAME"] = "ignored-when-actor-is-set";

        var ghcr = (await _sandbox.ResolveAsync("ghcr.io", "octocat/app")).Credential;
        var other = (await _sandbox.ResolveAsync("quay.io", "octocat/app")).Credential;

        ghcr.Username.ShouldBe("octocat");
        ghcr.Source.ShouldBe("GITHUB_TOKEN (user from GITHUB_ACTOR)");
        other.IsAnonymous.ShouldBeTrue();
    }

    [Fact]
    public async Task Github_username_names_the_user_when_there_is_no_actor_as_the_auth_guide_instructs()
    {
        _sandbox.Environment["GITHUB_TOKEN"] = "ghp_laptop";
        _sandbox.Environment["GITHUB_USERNAME"] = "albeorla";

        var credential = (await _sandbox.ResolveAsync("ghcr.io", "albeorla/hello_python")).Credential;

        credential.Username.ShouldBe("albeorla");
        credential.Source.ShouldBe("GITHUB_TOKEN (user from GITHUB_USERNAME)");
    }

    [Fact]
    public async Task Github_token_without_a_user_is_skipped_with_a_note()
    {
        _sandbox.Environment["GITHUB_TOKEN"] = "ghp_laptop";

        var resolution = await _sandbox.ResolveAsync("ghcr.io", "owner/app");

        resolution.Credential.IsAnonymous.ShouldBeTrue();
        resolution.Notes.ShouldContain(note => note.Contains("GITHUB_ACTOR", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_any_source_the_run_is_anonymous_and_says_where_it_looked()
    {
        var credential = (await _sandbox.ResolveAsync("ghcr.io", "owner/app")).Credential;

        credential.IsAnonymous.ShouldBeTrue();
        credential.Describe().ShouldContain(Path.Combine(_sandbox.Home, ".docker", "config.json"));
        credential.Describe().ShouldContain("DOCKER_AUTH_CONFIG");
    }

    [Fact]
    public async Task Docker_config_env_var_moves_the_config_file_and_home_is_then_not_read()
    {
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("home:pw")}}}}"}}}""");
        var elsewhere = _sandbox.WriteFile("ci-docker/config.json", $$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("ci:pw")}}}}"}}}""");
        _sandbox.Environment["DOCKER_CONFIG"] = Path.GetDirectoryName(elsewhere);

        var credential = (await _sandbox.ResolveAsync("ghcr.io")).Credential;

        credential.Username.ShouldBe("ci");
        credential.Source.ShouldContain(elsewhere);
    }

    [Fact]
    public async Task Xdg_runtime_auth_file_comes_before_the_config_home_one()
    {
        _sandbox.Environment["XDG_RUNTIME_DIR"] = _sandbox.Combine("run");
        _sandbox.WriteFile("run/containers/auth.json", $$$$"""{"auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("runtime:pw")}}}}"}}}""");
        _sandbox.WriteFile("home/.config/containers/auth.json", $$$$"""{"auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("config-home:pw")}}}}"},"docker.io":{"auth":"{{{{AuthSandbox.Base64("hub:pw")}}}}"}}}""");

        (await _sandbox.ResolveAsync("quay.io", "o/a")).Credential.Username.ShouldBe("runtime");
        (await _sandbox.ResolveAsync("registry-1.docker.io", "library/alpine")).Credential.Username.ShouldBe("hub");
    }

    [Fact]
    public async Task A_podman_repository_key_beats_a_docker_host_key_only_through_order_not_specificity()
    {
        // The Docker config comes first in the chain, so its host-wide entry answers even though podman's is more specific.
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("docker-host:pw")}}}}"}}}""");
        _sandbox.Environment["REGISTRY_AUTH_FILE"] = _sandbox.WriteFile("auth.json", $$$$"""{"auths":{"ghcr.io/owner/app":{"auth":"{{{{AuthSandbox.Base64("podman-repo:pw")}}}}"}}}""");

        (await _sandbox.ResolveAsync("ghcr.io", "owner/app")).Credential.Username.ShouldBe("docker-host");
    }

    [Fact]
    public void Username_without_password_stdin_is_a_usage_error()
    {
        Should.Throw<UsageException>(() => _sandbox.Chain("someone")).Message.ShouldContain("--password-stdin");
        Should.Throw<UsageException>(() => _sandbox.Chain(null, passwordStdin: true)).Message.ShouldContain("--username");
    }

    [Fact]
    public void Password_stdin_with_empty_input_is_a_usage_error()
    {
        Should.Throw<UsageException>(() => _sandbox.Chain("someone", passwordStdin: true, standardInput: "\n")).Message.ShouldContain("empty");
    }

    [Fact]
    public void Half_of_the_credential_variables_is_a_usage_error_naming_the_missing_one()
    {
        _sandbox.Environment["REGISTRY_PUSH_USERNAME"] = "someone";

        Should.Throw<UsageException>(() => _sandbox.Chain()).Message.ShouldContain("only REGISTRY_PUSH_USERNAME is set");
    }

    [Fact]
    public void Explicit_credentials_refuse_a_run_that_pushes_to_two_registries()
    {
        var exception = Should.Throw<UsageException>(() => _sandbox.Chain("someone", true, "pw", "ghcr.io", "quay.io"));

        exception.Message.ShouldContain("ghcr.io and quay.io");
    }

    [Fact]
    public async Task Explicit_credentials_answer_only_for_the_registry_of_the_run()
    {
        var chain = _sandbox.Chain("someone", true, "pw", "docker.io");

        (await chain.ResolveAsync(new("registry-1.docker.io", "library/x"), TestContext.Current.CancellationToken)).Credential.Username.ShouldBe("someone");
        (await chain.ResolveAsync(new("storage.example.com", null), TestContext.Current.CancellationToken)).Credential.IsAnonymous.ShouldBeTrue();
    }

    [Fact]
    public async Task A_malformed_docker_auth_config_is_an_error_naming_the_variable()
    {
        _sandbox.Environment["DOCKER_AUTH_CONFIG"] = "{not json";

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldContain("DOCKER_AUTH_CONFIG");
    }

    [Fact]
    public async Task A_malformed_docker_config_file_is_an_error_naming_the_file()
    {
        var path = _sandbox.WriteDockerConfig("{\"auths\": {");

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldContain(path);
    }

    [Fact]
    public async Task Sources_are_read_once_per_registry_and_repository()
    {
        _sandbox.WriteAnsweringHelper("counting", "user", "pw");
        _sandbox.WriteDockerConfig("""{"credsStore":"counting"}""");
        var chain = _sandbox.Chain();

        await chain.ResolveAsync(new("ghcr.io", "a/one"), TestContext.Current.CancellationToken);
        await chain.ResolveAsync(new("ghcr.io", "a/one"), TestContext.Current.CancellationToken);
        await chain.ResolveAsync(new("ghcr.io", "a/two"), TestContext.Current.CancellationToken);

        File.ReadAllLines(_sandbox.HelperLog).ShouldBe(["ghcr.io"], "one helper run per registry, however many repositories");
    }
}
