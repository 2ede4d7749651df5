using System.Diagnostics;
using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

/// <summary>Real helper executables (shell scripts) behind credHelpers and credsStore.</summary>
public sealed class CredentialHelperTests : IDisposable
{
    private readonly AuthSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task A_cred_helper_gets_the_host_on_stdin_and_its_answer_is_used_with_its_name_as_source()
    {
        _sandbox.WriteAnsweringHelper("gh", "octocat", "ghp_fromhelper");
        var config = _sandbox.WriteDockerConfig("""{"credHelpers":{"ghcr.io":"gh"}}""");

        var credential = (await _sandbox.ResolveAsync("ghcr.io", "octocat/app")).Credential;

        credential.Username.ShouldBe("octocat");
        credential.Secret.ShouldBe("ghp_fromhelper");
        credential.Source.ShouldBe($"docker-credential-gh (credHelpers[\"ghcr.io\"] in {config})");
        File.ReadAllLines(_sandbox.HelperLog).ShouldBe(["ghcr.io"]);
    }

    [Fact]
    public async Task Docker_hub_is_asked_for_under_its_legacy_url_as_docker_does()
    {
        _sandbox.WriteAnsweringHelper("desktop", "whale", "pw");
        _sandbox.WriteDockerConfig("""{"credsStore":"desktop"}""");

        await _sandbox.ResolveAsync("registry-1.docker.io", "library/alpine");

        File.ReadAllLines(_sandbox.HelperLog).ShouldBe(["https://index.docker.io/v1/"]);
    }

    [Fact]
    public async Task The_token_user_name_marks_an_identity_token()
    {
        _sandbox.WriteAnsweringHelper("oauth", "<token>", "refresh-123");
        _sandbox.WriteDockerConfig("""{"credsStore":"oauth"}""");

        var credential = (await _sandbox.ResolveAsync("registry.example.com")).Credential;

        credential.Kind.ShouldBe(CredentialKind.IdentityToken);
        credential.Username.ShouldBeNull();
        credential.Secret.ShouldBe("refresh-123");
    }

    [Fact]
    public async Task A_cred_helper_is_the_only_source_for_its_host_even_when_auths_has_an_entry()
    {
        _sandbox.WriteHelper("empty", "echo 'credentials not found in native keychain'; exit 1");
        _sandbox.WriteDockerConfig($$$$"""{"credHelpers":{"ghcr.io":"empty"},"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("stale:pw")}}}}"}}}""");

        var resolution = await _sandbox.ResolveAsync("ghcr.io");

        resolution.Credential.IsAnonymous.ShouldBeTrue();
        resolution.Notes.ShouldContain(note => note.Contains("docker-credential-empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cred_helpers_win_over_the_creds_store()
    {
        _sandbox.WriteAnsweringHelper("specific", "specific-user", "pw");
        _sandbox.WriteAnsweringHelper("store", "store-user", "pw");
        _sandbox.WriteDockerConfig("""{"credsStore":"store","credHelpers":{"ghcr.io":"specific"}}""");

        (await _sandbox.ResolveAsync("ghcr.io")).Credential.Username.ShouldBe("specific-user");
        (await _sandbox.ResolveAsync("quay.io")).Credential.Username.ShouldBe("store-user");
    }

    [Fact]
    public async Task When_the_creds_store_has_nothing_auths_entries_with_credentials_still_answer()
    {
        _sandbox.WriteHelper("store", "echo 'credentials not found in native keychain'; exit 1");
        _sandbox.WriteDockerConfig($$$$"""{"credsStore":"store","auths":{"quay.io":{"auth":"{{{{AuthSandbox.Base64("file-user:pw")}}}}"},"ghcr.io":{}}}""");

        (await _sandbox.ResolveAsync("quay.io")).Credential.Username.ShouldBe("file-user");
        (await _sandbox.ResolveAsync("ghcr.io")).Credential.IsAnonymous.ShouldBeTrue();
    }

    [Fact]
    public async Task A_failing_helper_is_an_error_naming_the_helper_and_the_config_file_without_repeating_its_stdout()
    {
        _sandbox.WriteHelper("broken", "echo 'error getting credentials - err: keychain is locked'; exit 1");
        var config = _sandbox.WriteDockerConfig("""{"credsStore":"broken"}""");

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldBe(
            $"credential helper docker-credential-broken (credsStore in {config}) failed (exit code 1); what it printed on standard output is not shown (it may hold a secret): run 'echo ghcr.io | docker-credential-broken get' to see it");
        exception.ExitCode.ShouldBe(3);
    }

    [Theory]
    [InlineData("printf '{\"ServerURL\":\"ghcr.io\",\"Username\":\"u\",\"Secret\":\"helper-stdout-secret\"}\\n'; exit 1")]
    [InlineData("echo 'helper-stdout-secret'; echo 'pass: decryption failed' >&2; exit 2")]
    public async Task A_helper_that_fails_after_printing_its_secret_on_stdout_is_reported_without_it(string body)
    {
        _sandbox.WriteHelper("leaky", body);
        _sandbox.WriteDockerConfig("""{"credHelpers":{"ghcr.io":"leaky"}}""");

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldContain("docker-credential-leaky");
        exception.Message.ShouldContain("failed (exit code");
        exception.Message.ShouldNotContain("helper-stdout-secret");
    }

    [Fact]
    public async Task A_helper_that_fails_is_reported_with_the_first_line_of_its_stderr()
    {
        _sandbox.WriteHelper("stderr", "echo 'pass: gpg: decryption failed' >&2; exit 2");
        _sandbox.WriteDockerConfig("""{"credHelpers":{"ghcr.io":"stderr"}}""");

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldContain("gpg: decryption failed");
        exception.Message.ShouldContain("credHelpers[\"ghcr.io\"]");
    }

    [Fact]
    public async Task A_hanging_helper_is_stopped_after_the_timeout_and_named()
    {
        _sandbox.WriteHelper("hang", "sleep 30");
        _sandbox.WriteDockerConfig("""{"credsStore":"hang"}""");
        _sandbox.Environment["REGISTRY_PUSH_CREDENTIAL_HELPER_TIMEOUT"] = "1";
        var clock = Stopwatch.StartNew();

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        exception.Message.ShouldContain("docker-credential-hang");
        exception.Message.ShouldContain("did not answer within 1 s");
    }

    [Theory]
    [InlineData("echo 'Username: someone, Secret: helper-garbage-secret'")]
    [InlineData("printf '{\"Username\":\"u\",\"Secret\":\"helper-garbage-secret\"'")]
    [InlineData("echo '[\"helper-garbage-secret\"]'")]
    [InlineData("head -c 200000 /dev/zero | tr '\\0' 'x'")]
    public async Task A_helper_printing_garbage_is_an_error_that_does_not_repeat_the_output(string body)
    {
        _sandbox.WriteHelper("garbage", body);
        _sandbox.WriteDockerConfig("""{"credsStore":"garbage"}""");

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldContain("docker-credential-garbage");
        exception.Message.ShouldContain("not credentials JSON");
        exception.Message.ShouldNotContain("helper-garbage-secret");
    }

    [Fact]
    public async Task A_helper_missing_from_path_is_an_error_naming_it_and_the_config()
    {
        var config = _sandbox.WriteDockerConfig("""{"credsStore":"desktop"}""");

        var exception = await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"));

        exception.Message.ShouldBe($"credential helper docker-credential-desktop (credsStore in {config}) is not installed: no executable docker-credential-desktop on PATH; install it, or remove it from the configuration");
    }

    [Fact]
    public async Task A_helper_file_that_is_not_executable_counts_as_missing()
    {
        _sandbox.WriteHelper("noexec", "exit 0", executable: false);
        _sandbox.WriteDockerConfig("""{"credsStore":"noexec"}""");

        (await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"))).Message.ShouldContain("not installed");
    }

    [Fact]
    public async Task A_helper_name_with_a_path_is_refused()
    {
        _sandbox.WriteDockerConfig("""{"credsStore":"../../bin/sh"}""");

        (await Should.ThrowAsync<CredentialException>(() => _sandbox.ResolveAsync("ghcr.io"))).Message.ShouldContain("not a helper name");
    }

    [Fact]
    public async Task A_helper_answer_without_a_secret_means_no_credentials()
    {
        _sandbox.WriteHelper("blank", """echo '{"ServerURL":"ghcr.io","Username":"","Secret":""}'""");
        _sandbox.WriteDockerConfig("""{"credsStore":"blank"}""");

        (await _sandbox.ResolveAsync("ghcr.io")).Credential.IsAnonymous.ShouldBeTrue();
    }

    [Fact]
    public async Task Helpers_see_the_runs_home_directory()
    {
        _sandbox.WriteHelper("home", """printf '{"Username":"%s","Secret":"pw"}' "$HOME" """);
        _sandbox.WriteDockerConfig("""{"credsStore":"home"}""");

        (await _sandbox.ResolveAsync("ghcr.io")).Credential.Username.ShouldBe(_sandbox.Home);
    }
}
