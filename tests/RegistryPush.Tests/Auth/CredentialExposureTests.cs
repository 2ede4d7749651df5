using System.Net;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// Where credentials go and where they never do: Basic only to the registry host, no look-up for an open
/// registry, no secret in verbose output.
/// </summary>
public sealed class CredentialExposureTests : AuthenticationHandlerHarness
{
    [Fact]
    public async Task Basic_credentials_go_only_to_the_registry_host_never_to_an_upload_location_elsewhere()
    {
        Sandbox.WriteDockerConfig($$$$"""{"auths":{"registry.example":{"auth":"{{{{AuthSandbox.Base64("u:basic-secret")}}}}"}}}""");
        var (client, server) = Build((request, _) => request.Headers.Authorization is null
            ? FakeServer.Status(HttpStatusCode.Unauthorized, null, "Basic realm=\"registry\"")
            : FakeServer.Status(HttpStatusCode.OK));

        await client.GetAsync("https://registry.example/v2/", Cancel);
        await client.PutAsync("https://storage.example/upload/abc?digest=sha256%3A1", null, Cancel);
        await client.GetAsync("https://registry.example/v2/app/manifests/v1", Cancel);

        var seen = server.Requests.ToList();
        seen.Where(static r => r.Uri.Host == "registry.example" && r.Authorization is not null)
            .ShouldAllBe(r => r.Authorization == $"Basic {AuthSandbox.Base64("u:basic-secret")}");
        seen.Where(static r => r.Uri.Host == "storage.example").ShouldAllBe(r => r.Authorization == null);
        seen.Count(static r => r.Uri.AbsolutePath == "/v2/app/manifests/v1").ShouldBe(1, "Basic is sent up front once learned");
    }

    [Fact]
    public async Task Open_registries_never_cause_credentials_to_be_looked_up()
    {
        Sandbox.WriteDockerConfig("{ this is broken");
        var (client, _) = Build((_, _) => FakeServer.Status(HttpStatusCode.OK));

        (await client.GetAsync("http://127.0.0.1:5000/v2/app/manifests/v1", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Verbose_output_names_the_source_and_the_token_scope_but_no_secret()
    {
        LogIn();
        var (client, _) = Build((request, body) => Ghcr(request, body));

        await client.GetAsync($"{Registry}/v2/", Cancel);
        await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel);

        Log.ShouldContain("auth: ghcr.io asks for Bearer (token realm https://ghcr.io/token)");
        Log.ShouldContain(line => line.StartsWith("auth: ghcr.io/octocat/app: user 'octocat' from auths[\"ghcr.io\"]", StringComparison.Ordinal));
        Log.ShouldContain("auth: ghcr.io: token for repository:octocat/app:pull,push from https://ghcr.io/token (valid 300 s)");
        Log.ShouldAllBe(line => !line.Contains("ghp_right") && !line.Contains("tok1|") && !line.Contains("tok2|"));
    }
}
