using System.Net;
using System.Web;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// The token handshake against an in-memory registry shaped like GHCR: the challenge learnt from the ping,
/// scopes asked for and merged, tokens renewed, identity and registry tokens.
/// </summary>
public sealed class TokenHandshakeTests : AuthenticationHandlerHarness
{
    [Fact]
    public async Task The_ping_learns_the_challenge_and_later_requests_carry_a_token_scoped_to_their_repository()
    {
        LogIn();
        var (client, server) = Build((request, body) => Ghcr(request, body));

        (await client.GetAsync($"{Registry}/v2/", Cancel)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the ping only learns the challenge");
        (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{Registry}/v2/octocat/app/blobs/sha256:abc"), Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.PostAsync($"{Registry}/v2/octocat/app/blobs/uploads/", null, Cancel)).StatusCode.ShouldBe(HttpStatusCode.Accepted);

        var tokenRequest = server.To("/token").ShouldHaveSingleItem();
        tokenRequest.Uri.Query.ShouldBe("?service=ghcr.io&scope=repository%3Aoctocat%2Fapp%3Apull%2Cpush");
        tokenRequest.Authorization.ShouldBe($"Basic {AuthSandbox.Base64("octocat:ghp_right")}");
        server.To("/v2/octocat/").ShouldAllBe(request => request.Authorization!.StartsWith("Bearer tok1|", StringComparison.Ordinal));
        server.To("/v2/octocat/").Count().ShouldBe(2, "authorized up front: no request needed a second try");
    }

    [Fact]
    public async Task A_mount_asks_for_pull_on_the_source_repository_too()
    {
        LogIn();
        var (client, server) = Build((request, body) => Ghcr(request, body));
        await client.GetAsync($"{Registry}/v2/", Cancel);

        var response = await client.PostAsync($"{Registry}/v2/octocat/app/blobs/uploads/?mount=sha256%3Aabc&from=octocat%2Fbase", null, Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        HttpUtility.ParseQueryString(server.To("/token").Last().Uri.Query).GetValues("scope")
            .ShouldBe(["repository:octocat/app:pull,push", "repository:octocat/base:pull"]);
    }

    [Fact]
    public async Task An_insufficient_scope_challenge_merges_its_scopes_and_retries_once()
    {
        LogIn();
        var (client, server) = Build((request, body) =>
        {
            // This manifest also needs pull access to another repository, which only the registry knows.
            if (request.RequestUri!.AbsolutePath == "/v2/octocat/app/manifests/needs-base"
                && request.Headers.Authorization?.Parameter?.Contains("repository:octocat/base:pull", StringComparison.Ordinal) != true)
            {
                return FakeServer.Status(HttpStatusCode.Unauthorized, null, $"{Challenge},scope=\"repository:octocat/base:pull\",error=\"insufficient_scope\"");
            }

            return Ghcr(request, body);
        });
        await client.GetAsync($"{Registry}/v2/", Cancel);

        var response = await client.GetAsync($"{Registry}/v2/octocat/app/manifests/needs-base", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        server.To("/v2/octocat/app/manifests/needs-base").Count().ShouldBe(2);
        HttpUtility.ParseQueryString(server.To("/token").Last().Uri.Query).GetValues("scope")
            .ShouldBe(["repository:octocat/app:pull,push", "repository:octocat/base:pull"]);
    }

    [Fact]
    public async Task A_token_near_its_expiry_is_replaced_before_use()
    {
        LogIn();
        var time = new TokenPrimitivesTests.ManualTime(DateTimeOffset.UnixEpoch);
        var (client, server) = Build((request, body) => Ghcr(request, body, expiresIn: 60), time);
        await client.GetAsync($"{Registry}/v2/", Cancel);
        await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel);

        time.Now = time.Now.AddSeconds(55);
        await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel);

        server.To("/token").Count().ShouldBe(2);
        server.To("/v2/octocat/").Last().Authorization.ShouldStartWith("Bearer tok2|");
    }

    [Fact]
    public async Task A_cached_token_the_registry_rejects_is_replaced_once()
    {
        LogIn();
        var revoked = "never";
        var (client, server) = Build((request, body) =>
            request.Headers.Authorization?.Parameter?.StartsWith(revoked, StringComparison.Ordinal) == true
                ? FakeServer.Status(HttpStatusCode.Unauthorized, null, $"{Challenge},scope=\"repository:octocat/app:pull,push\"")
                : Ghcr(request, body));
        await client.GetAsync($"{Registry}/v2/", Cancel);
        await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel);
        revoked = "tok1|";

        var response = await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        server.To("/token").Count().ShouldBe(2);
        server.To("/v2/octocat/app/manifests/latest").Count().ShouldBe(3, "one success, one rejection of the cached token, one retry");
    }

    [Fact]
    public async Task Identity_tokens_try_the_oauth_post_and_fall_back_to_get_when_it_is_refused()
    {
        Sandbox.WriteDockerConfig("""{"auths":{"ghcr.io":{"identitytoken":"refresh-abc"}}}""");
        var (client, server) = Build((request, body) => request.RequestUri!.AbsolutePath == "/token" && request.Method == HttpMethod.Get
            ? FakeServer.Json("""{"access_token":"via-get|repository:octocat/app:pull,push"}""")
            : Ghcr(request, body));
        await client.GetAsync($"{Registry}/v2/", Cancel);

        var response = await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var exchange = server.To("/token").TakeLast(2).ToList();
        exchange[0].Method.ShouldBe(HttpMethod.Post);
        var form = HttpUtility.ParseQueryString(exchange[0].Body!);
        form["grant_type"].ShouldBe("refresh_token");
        form["refresh_token"].ShouldBe("refresh-abc");
        form["scope"].ShouldBe("repository:octocat/app:pull,push");
        form["service"].ShouldBe("ghcr.io");
        exchange[1].Method.ShouldBe(HttpMethod.Get);
        exchange[1].Authorization.ShouldBe($"Basic {AuthSandbox.Base64("<token>:refresh-abc")}");
    }

    [Fact]
    public async Task An_oauth_answer_with_a_refresh_token_is_used_for_the_next_token()
    {
        Sandbox.WriteDockerConfig("""{"auths":{"ghcr.io":{"identitytoken":"refresh-1"}}}""");
        var (client, server) = Build((request, body) =>
        {
            if (request.RequestUri!.AbsolutePath == "/token" && request.Method == HttpMethod.Post)
            {
                var scope = HttpUtility.ParseQueryString(body!)["scope"];
                return FakeServer.Json($$$$"""{"access_token":"oauth|{{{{scope}}}}","refresh_token":"refresh-2","expires_in":600}""");
            }

            return Ghcr(request, body);
        });
        await client.GetAsync($"{Registry}/v2/", Cancel);
        await client.GetAsync($"{Registry}/v2/octocat/one/manifests/latest", Cancel);

        await client.GetAsync($"{Registry}/v2/octocat/two/manifests/latest", Cancel);

        var posts = server.To("/token").Where(static request => request.Method == HttpMethod.Post).ToList();
        HttpUtility.ParseQueryString(posts[0].Body!)["refresh_token"].ShouldBe("refresh-1");
        HttpUtility.ParseQueryString(posts[^1].Body!)["refresh_token"].ShouldBe("refresh-2");
    }

    [Fact]
    public async Task A_registry_token_is_sent_as_it_is_without_asking_the_realm()
    {
        Sandbox.WriteDockerConfig("""{"auths":{"ghcr.io":{"registrytoken":"rt|repository:octocat/app:pull,push"}}}""");
        var (client, server) = Build((request, body) => Ghcr(request, body));
        await client.GetAsync($"{Registry}/v2/", Cancel);

        (await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        server.To("/token").ShouldBeEmpty();
    }
}
