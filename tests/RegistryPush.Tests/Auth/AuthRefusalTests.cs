using System.Net;
using RegistryPush.Auth;
using RegistryPush.Registry;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// What the handshake does when a registry or its token service refuses: no blind retries, and an error
/// that names the credential source and what to do.
/// </summary>
public sealed class AuthRefusalTests : AuthenticationHandlerHarness
{
    [Fact]
    public async Task Denied_push_is_not_retried_and_is_explained_with_the_credential_source()
    {
        LogIn();
        var (client, _) = Build((request, body) => Ghcr(request, body, mayPush: static _ => false));
        await client.GetAsync($"{Registry}/v2/", Cancel);

        using var response = await client.PostAsync($"{Registry}/v2/octocat/app/blobs/uploads/", null, Cancel);
        var error = await RegistryResponseError.CreateAsync(response, "start upload to ghcr.io/octocat/app", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        error.ShouldBeOfType<AuthenticationException>().ExitCode.ShouldBe(3);
        error.Message.ShouldStartWith("start upload to ghcr.io/octocat/app: 403 DENIED: permission_denied: write_package; credentials: user 'octocat' from auths[\"ghcr.io\"] in ");
        error.Message.ShouldContain("write:packages");
        error.Message.ShouldContain("ghcr.io/<owner>/<name>");
        error.Message.ShouldNotContain("ghp_right");
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public async Task A_token_service_refusal_is_an_authentication_error_with_rotation_advice()
    {
        LogIn("ghp_wrong");
        var (client, _) = Build((request, body) => Ghcr(request, body));

        await client.GetAsync($"{Registry}/v2/", Cancel);
        var exception = await Should.ThrowAsync<AuthenticationException>(() => client.GetAsync($"{Registry}/v2/octocat/app/manifests/v1", Cancel));

        exception.Message.ShouldStartWith("ghcr.io: the token service https://ghcr.io/token refused user 'octocat' from auths[\"ghcr.io\"]");
        exception.Message.ShouldContain("401 UNAUTHORIZED: authentication required");
        exception.Message.ShouldContain("docker logout ghcr.io");
        exception.Message.ShouldNotContain("ghp_wrong");
    }

    [Fact]
    public async Task An_anonymous_ping_fetches_no_token_and_an_anonymous_push_gets_the_no_credentials_advice()
    {
        var (client, server) = Build((request, body) => request.RequestUri!.AbsolutePath == "/token" && request.Headers.Authorization is null
            ? FakeServer.Json("""{"token":"anon|"}""")
            : Ghcr(request, body));

        (await client.GetAsync($"{Registry}/v2/", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        server.To("/token").ShouldBeEmpty();
        using var response = await client.PostAsync($"{Registry}/v2/octocat/app/blobs/uploads/", null, Cancel);
        var error = await RegistryResponseError.CreateAsync(response, "start upload to ghcr.io/octocat/app", Cancel);

        server.To("/token").Count().ShouldBe(1, "anonymous tokens are fetched for repository requests (public pulls need them)");
        error.Message.ShouldContain("credentials: no credentials (none found for ghcr.io in");
        error.Message.ShouldContain("docker login ghcr.io");
        error.Message.ShouldContain("GITHUB_TOKEN");
    }

    [Fact]
    public async Task Refused_basic_credentials_are_not_resent_and_the_error_says_to_log_in_again()
    {
        Sandbox.WriteDockerConfig($$$$"""{"auths":{"registry.example":{"auth":"{{{{AuthSandbox.Base64("u:bad")}}}}"}}}""");
        var (client, server) = Build((_, _) => FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", "Basic realm=\"registry\""));

        using var response = await client.GetAsync("https://registry.example/v2/app/manifests/v1", Cancel);
        var error = await RegistryResponseError.CreateAsync(response, "HEAD manifest", Cancel);

        server.Requests.Count.ShouldBe(2);
        error.Message.ShouldContain("credentials: user 'u' from auths[\"registry.example\"]");
        error.Message.ShouldContain("docker logout registry.example");
    }

    [Fact]
    public async Task An_https_registry_sending_a_plain_http_realm_gets_no_credentials()
    {
        LogIn();
        var (client, server) = Build((_, _) => FakeServer.Status(HttpStatusCode.Unauthorized, null, "Bearer realm=\"http://ghcr.io/token\",service=\"ghcr.io\""));

        var exception = await Should.ThrowAsync<AuthenticationException>(() => client.GetAsync($"{Registry}/v2/octocat/app/manifests/v1", Cancel));

        exception.Message.ShouldContain("plain HTTP");
        server.To("/token").ShouldBeEmpty();
    }
}
