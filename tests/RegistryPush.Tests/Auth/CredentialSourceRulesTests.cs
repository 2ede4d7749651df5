using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// How each credential file is read where Docker, podman and skopeo read it alike: helpers in every config document,
/// podman's per-user file, and what the chosen credentials hide.
/// </summary>
public sealed class CredentialSourceRulesTests : IDisposable
{
    private readonly AuthSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task In_a_podman_auth_file_a_cred_helper_wins_over_a_stale_auths_entry_for_the_same_host()
    {
        _sandbox.WriteAnsweringHelper("fresh", "fresh-user", "fresh-pw");
        var file = _sandbox.WriteFile("containers/auth.json", $$$$"""
            {"auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("stale-user:stale-pw")}}}}"}},"credHelpers":{"quay.io":"fresh"}}
            """);
        _sandbox.Environment["REGISTRY_AUTH_FILE"] = file;

        var credential = (await _sandbox.ResolveAsync("quay.io", "owner/app")).Credential;

        credential.Username.ShouldBe("fresh-user");
        credential.Source.ShouldBe($"docker-credential-fresh (credHelpers[\"quay.io\"] in {file})");
        File.ReadAllLines(_sandbox.HelperLog).ShouldBe(["quay.io"]);
    }

    [Fact]
    public async Task A_podman_cred_helper_with_nothing_leaves_its_file_and_the_next_file_answers_as_in_podman()
    {
        _sandbox.WriteHelper("empty", "echo 'credentials not found in native keychain'; exit 1");
        _sandbox.WriteFile("run/containers/auth.json", $$$$"""
            {"auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("stale-user:pw")}}}}"}},"credHelpers":{"quay.io":"empty"}}
            """);
        _sandbox.WriteFile("home/.config/containers/auth.json", $$$$"""{"auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("next-file:pw")}}}}"}}}""");

        var resolution = await _sandbox.ResolveAsync("quay.io", "owner/app");

        resolution.Credential.Username.ShouldBe("next-file");
        resolution.Notes.ShouldContain(note => note.Contains("docker-credential-empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Docker_auth_config_cred_helpers_are_run_as_in_the_config_file()
    {
        _sandbox.WriteAnsweringHelper("ci", "from-helper", "pw");
        _sandbox.Environment["DOCKER_AUTH_CONFIG"] = $$$$"""{"credHelpers":{"quay.io":"ci"},"auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("stale:pw")}}}}"}}}""";

        var credential = (await _sandbox.ResolveAsync("quay.io")).Credential;

        credential.Username.ShouldBe("from-helper");
        credential.Source.ShouldBe("docker-credential-ci (credHelpers[\"quay.io\"] in DOCKER_AUTH_CONFIG)");
    }

    [Fact]
    public async Task Docker_auth_config_creds_store_is_asked_before_its_auths()
    {
        _sandbox.WriteAnsweringHelper("store", "from-store", "pw");
        _sandbox.Environment["DOCKER_AUTH_CONFIG"] = $$$$"""{"credsStore":"store","auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("stale:pw")}}}}"}}}""";

        var credential = (await _sandbox.ResolveAsync("quay.io")).Credential;

        credential.Username.ShouldBe("from-store");
        credential.Source.ShouldBe("docker-credential-store (credsStore in DOCKER_AUTH_CONFIG)");
    }

    [Fact]
    public void Without_xdg_runtime_dir_podmans_per_user_file_under_run_containers_is_its_primary_file()
    {
        string? Environment(string name) => name == "HOME" ? "/home/u" : null;

        AuthSetup.ContainersAuthPaths(Environment, userId: 0).ShouldBe(["/run/containers/0/auth.json", "/home/u/.config/containers/auth.json"]);
        AuthSetup.ContainersAuthPaths(Environment, userId: 1000).ShouldBe(["/run/containers/1000/auth.json", "/home/u/.config/containers/auth.json"]);
        AuthSetup.ContainersAuthPaths(Environment, userId: null).ShouldBe(["/home/u/.config/containers/auth.json"]);
    }

    [Fact]
    public void With_xdg_runtime_dir_the_per_user_file_under_run_containers_is_not_read_as_in_podman()
    {
        string? Environment(string name) => name switch { "HOME" => "/home/u", "XDG_RUNTIME_DIR" => "/run/user/1000", _ => null };

        AuthSetup.ContainersAuthPaths(Environment, userId: 1000).ShouldBe(["/run/user/1000/containers/auth.json", "/home/u/.config/containers/auth.json"]);
    }

    [Fact]
    public async Task A_docker_login_for_ghcr_notes_that_it_hides_a_github_token_that_is_set_too()
    {
        var config = _sandbox.WriteDockerConfig($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("octocat:ghp_stale")}}}}"}}}""");
        _sandbox.Environment["GITHUB_TOKEN"] = "ghs_valid";
        _sandbox.Environment["GITHUB_ACTOR"] = "octocat";

        var resolution = await _sandbox.ResolveAsync("ghcr.io", "octocat/app");

        resolution.Credential.Source.ShouldBe($"auths[\"ghcr.io\"] in {config}");
        resolution.Credential.Hides.ShouldBe(new HiddenCredential("GITHUB_TOKEN", "run 'docker logout ghcr.io'"));
        resolution.Notes.ShouldContain($"GITHUB_TOKEN is set too, but auths[\"ghcr.io\"] in {config} comes first, so GITHUB_TOKEN was not used");
    }

    [Fact]
    public async Task For_another_registry_github_token_is_not_listed_as_searched_but_said_to_apply_to_ghcr_only()
    {
        _sandbox.Environment["GITHUB_TOKEN"] = "ghs_valid";
        _sandbox.Environment["GITHUB_ACTOR"] = "octocat";

        var other = (await _sandbox.ResolveAsync("quay.io", "octocat/app")).Credential.Describe();
        var ghcr = await _sandbox.ResolveAsync("ghcr.io", "octocat/app");

        other.ShouldEndWith("; GITHUB_TOKEN applies to ghcr.io only)");
        other.ShouldNotContain(", GITHUB_TOKEN");
        ghcr.Credential.Source.ShouldBe("GITHUB_TOKEN (user from GITHUB_ACTOR)");
        ghcr.Credential.Hides.ShouldBeNull();
    }
}
