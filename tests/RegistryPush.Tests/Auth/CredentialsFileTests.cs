using System.Text;
using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

public sealed class CredentialsFileTests
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static CredentialsFile Parse(string json) => CredentialsFile.Parse(json, "/home/u/.docker/config.json");

    [Fact]
    public void An_auth_entry_splits_at_the_first_colon_so_passwords_may_hold_colons()
    {
        var file = Parse($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{Base64("octocat:ghp_a:b:c")}}}}"}}}""");

        var credential = file.FindForHost("ghcr.io").ShouldNotBeNull();
        credential.Kind.ShouldBe(CredentialKind.UsernamePassword);
        credential.Username.ShouldBe("octocat");
        credential.Secret.ShouldBe("ghp_a:b:c");
        credential.Source.ShouldBe("auths[\"ghcr.io\"] in /home/u/.docker/config.json");
    }

    [Fact]
    public void Username_and_password_fields_identity_tokens_and_registry_tokens_are_read()
    {
        var file = Parse("""
            {"auths":{
              "a.example":{"username":"u","password":"p"},
              "b.example":{"auth":"dTpw","identitytoken":"refresh-me"},
              "c.example":{"registrytoken":"bearer-me"},
              "d.example":{"IdentityToken":"case-does-not-matter"}
            }}
            """);

        file.FindForHost("a.example")!.Kind.ShouldBe(CredentialKind.UsernamePassword);
        var identity = file.FindForHost("b.example")!;
        identity.Kind.ShouldBe(CredentialKind.IdentityToken);
        identity.Username.ShouldBe("u");
        identity.Secret.ShouldBe("refresh-me");
        file.FindForHost("c.example")!.Kind.ShouldBe(CredentialKind.RegistryToken);
        file.FindForHost("d.example")!.Secret.ShouldBe("case-does-not-matter");
    }

    [Fact]
    public void The_exact_key_wins_over_keys_that_only_normalise_to_the_host()
    {
        var file = Parse($$$$"""
            {"auths":{
              "https://ghcr.io/v2/":{"auth":"{{{{Base64("normalised:1")}}}}"},
              "ghcr.io":{"auth":"{{{{Base64("exact:2")}}}}"}
            }}
            """);

        file.FindForHost("ghcr.io")!.Username.ShouldBe("exact");
    }

    [Theory]
    [InlineData("https://ghcr.io")]
    [InlineData("https://ghcr.io/")]
    [InlineData("https://ghcr.io/v1/")]
    [InlineData("http://ghcr.io/v2/")]
    [InlineData("GHCR.io")]
    public void Legacy_url_keys_match_their_host(string key)
    {
        var file = Parse($$$$"""{"auths":{"{{{{key}}}}":{"auth":"{{{{Base64("legacy:pw")}}}}"}}}""");

        file.FindForHost("ghcr.io")!.Username.ShouldBe("legacy");
    }

    [Theory]
    [InlineData("https://index.docker.io/v1/", "docker.io")]
    [InlineData("https://index.docker.io/v1/", "registry-1.docker.io")]
    [InlineData("docker.io", "registry-1.docker.io")]
    [InlineData("index.docker.io", "docker.io")]
    [InlineData("registry-1.docker.io", "index.docker.io")]
    public void Docker_hub_credentials_are_found_under_any_of_its_names(string key, string host)
    {
        var file = Parse($$$$"""{"auths":{"{{{{key}}}}":{"auth":"{{{{Base64("whale:pw")}}}}"}}}""");

        file.FindForHost(host)!.Username.ShouldBe("whale");
    }

    [Fact]
    public void Placeholder_entries_left_by_a_credential_store_hold_no_credentials()
    {
        var file = Parse("""{"auths":{"ghcr.io":{}},"credsStore":"desktop"}""");

        file.FindForHost("ghcr.io").ShouldBeNull();
        file.Config.CredsStore.ShouldBe("desktop");
    }

    [Fact]
    public void A_host_specific_helper_is_found_by_exact_key_or_by_alias()
    {
        var file = Parse("""{"credHelpers":{"https://ghcr.io":"gh","docker.io":"hub"}}""");

        file.FindHelper("ghcr.io").ShouldBe(("https://ghcr.io", "gh"));
        file.FindHelper("registry-1.docker.io").ShouldBe(("docker.io", "hub"));
        file.FindHelper("quay.io").ShouldBeNull();
    }

    [Fact]
    public void Podman_keys_match_the_most_specific_path_first_in_whole_segments()
    {
        var file = CredentialsFile.Parse($$$$"""
            {"auths":{
              "ghcr.io":{"auth":"{{{{Base64("registry:1")}}}}"},
              "ghcr.io/owner":{"auth":"{{{{Base64("namespace:2")}}}}"},
              "ghcr.io/owner/app":{"auth":"{{{{Base64("repository:3")}}}}"},
              "ghcr.io/own":{"auth":"{{{{Base64("prefix-trap:4")}}}}"}
            }}
            """, "/run/user/1000/containers/auth.json");

        file.FindMostSpecific("ghcr.io", "owner/app")!.Username.ShouldBe("repository");
        file.FindMostSpecific("ghcr.io", "owner/app/nested")!.Username.ShouldBe("repository");
        file.FindMostSpecific("ghcr.io", "owner/other")!.Username.ShouldBe("namespace");
        file.FindMostSpecific("ghcr.io", "owner2/app")!.Username.ShouldBe("registry");
        file.FindMostSpecific("ghcr.io", null)!.Username.ShouldBe("registry");
        file.FindMostSpecific("ghcr.io", "owner/app")!.Source.ShouldBe("auths[\"ghcr.io/owner/app\"] in /run/user/1000/containers/auth.json");
    }

    [Fact]
    public void A_podman_key_for_one_repository_does_not_answer_for_the_registry()
    {
        var file = Parse($$$$"""{"auths":{"quay.io/owner/app":{"auth":"{{{{Base64("only-app:1")}}}}"}}}""");

        file.FindMostSpecific("quay.io", "owner/other").ShouldBeNull();
        file.FindMostSpecific("quay.io", null).ShouldBeNull();
    }

    [Theory]
    [InlineData("{\"auths\":{\"ghcr.io\":{\"auth\":\"x\"}}", 1)]
    [InlineData("{\n  \"auths\": [1,\n  2}\n", 2)]
    [InlineData("{\"auths\":{\"ghcr.io\":\"not an object\"}}", 1)]
    public void A_malformed_file_is_an_error_naming_the_file_and_line(string json, int line)
    {
        var exception = Should.Throw<CredentialException>(() => Parse(json));

        exception.Message.ShouldContain("/home/u/.docker/config.json");
        exception.Message.ShouldContain($"line {line}");
        exception.ExitCode.ShouldBe(3);
    }

    [Fact]
    public void An_empty_file_is_an_empty_configuration_as_in_docker()
    {
        Parse("  \n").FindForHost("ghcr.io").ShouldBeNull();
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("bm9jb2xvbg==")] // "nocolon"
    [InlineData("OnB3")] // ":pw" (no user)
    public void A_bad_auth_field_is_an_error_naming_the_key_but_not_the_value(string auth)
    {
        var file = Parse($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{auth}}}}"}}}""");

        var exception = Should.Throw<CredentialException>(() => file.FindForHost("ghcr.io"));

        exception.Message.ShouldContain("auths[\"ghcr.io\"].auth");
        exception.Message.ShouldContain("/home/u/.docker/config.json");
        exception.Message.ShouldNotContain(auth);
    }

    [Fact]
    public void A_missing_file_is_not_an_error()
    {
        CredentialsFile.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "config.json")).ShouldBeNull();
    }
}
