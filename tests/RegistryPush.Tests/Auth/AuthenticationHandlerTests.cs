using System.Net;
using System.Text;
using System.Web;
using RegistryPush.Auth;
using RegistryPush.Registry;

namespace RegistryPush.Tests.Auth;

/// <summary>The handshake against in-memory registries shaped like GHCR (token auth) and a Basic-auth registry.</summary>
public sealed class AuthenticationHandlerTests : IDisposable
{
    private const string Registry = "https://ghcr.io";
    private const string Challenge = "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\"";
    private readonly AuthSandbox _sandbox = new();
    private readonly List<string> _log = [];
    private int _tokens;

    public void Dispose() => _sandbox.Dispose();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>GHCR's shape: /v2/ challenges, the realm issues a token per GET, POST is 405, a token grants what it names.</summary>
    private HttpResponseMessage Ghcr(HttpRequestMessage request, string? body, Func<string, bool>? mayPush = null, int expiresIn = 300)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/token")
        {
            if (request.Method == HttpMethod.Post)
            {
                return FakeServer.Status(HttpStatusCode.MethodNotAllowed, """{"errors":[{"code":"UNSUPPORTED","message":"method not allowed"}]}""");
            }

            if (request.Headers.Authorization?.Parameter is not { } basic
                || !Encoding.UTF8.GetString(Convert.FromBase64String(basic)).EndsWith(":ghp_right", StringComparison.Ordinal))
            {
                return FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
            }

            var scopes = HttpUtility.ParseQueryString(request.RequestUri.Query).GetValues("scope") ?? [];
            var granted = string.Join(" ", scopes.Select(scope => mayPush is null || mayPush(scope) ? scope : scope.Replace(",push", string.Empty, StringComparison.Ordinal)));
            var token = $"tok{Interlocked.Increment(ref _tokens)}|{granted}";
            return FakeServer.Json($$$$"""{"token":"{{{{token}}}}","expires_in":{{{{expiresIn}}}} }""");
        }

        var authorization = request.Headers.Authorization;
        if (authorization?.Scheme != "Bearer")
        {
            return FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", Challenge);
        }

        if (path == "/v2/")
        {
            return FakeServer.Status(HttpStatusCode.OK);
        }

        var grants = authorization.Parameter!.Split('|')[1];
        var repository = path.Split("/blobs/")[0].Split("/manifests/")[0]["/v2/".Length..];
        var needsPush = request.Method != HttpMethod.Get && request.Method != HttpMethod.Head;
        var from = HttpUtility.ParseQueryString(request.RequestUri.Query)["from"];
        var allowed = grants.Contains($"repository:{repository}:pull{(needsPush ? ",push" : string.Empty)}", StringComparison.Ordinal)
            && (from is null || grants.Contains($"repository:{from}:pull", StringComparison.Ordinal));
        if (!allowed)
        {
            return needsPush && grants.Contains($"repository:{repository}:pull", StringComparison.Ordinal)
                ? FakeServer.Status(HttpStatusCode.Forbidden, """{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}""")
                : FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""",
                    $"{Challenge},scope=\"repository:{repository}:pull,push{(from is null ? string.Empty : $" repository:{from}:pull")}\",error=\"insufficient_scope\"");
        }

        return FakeServer.Status(request.Method == HttpMethod.Post ? HttpStatusCode.Accepted : HttpStatusCode.OK);
    }

    private (HttpClient Client, FakeServer Server) Build(Func<HttpRequestMessage, string?, HttpResponseMessage> respond, TimeProvider? time = null)
    {
        var server = new FakeServer(respond);
        var redactor = new Redactor();
        var chain = AuthSetup.CreateChain(_sandbox.Context(), null, false, ["ghcr.io"], redactor);
        var handler = new AuthenticationHandler(chain, redactor, _log.Add, time) { InnerHandler = server };
        return (new HttpClient(handler), server);
    }

    private void LogIn(string password = "ghp_right") =>
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("octocat:" + password)}}}}"}}}""");

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
    public async Task Identity_tokens_try_the_oauth_post_and_fall_back_to_get_when_it_is_refused()
    {
        _sandbox.WriteDockerConfig("""{"auths":{"ghcr.io":{"identitytoken":"refresh-abc"}}}""");
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
        _sandbox.WriteDockerConfig("""{"auths":{"ghcr.io":{"identitytoken":"refresh-1"}}}""");
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
        _sandbox.WriteDockerConfig("""{"auths":{"ghcr.io":{"registrytoken":"rt|repository:octocat/app:pull,push"}}}""");
        var (client, server) = Build((request, body) => Ghcr(request, body));
        await client.GetAsync($"{Registry}/v2/", Cancel);

        (await client.GetAsync($"{Registry}/v2/octocat/app/manifests/latest", Cancel)).StatusCode.ShouldBe(HttpStatusCode.OK);

        server.To("/token").ShouldBeEmpty();
    }

    [Fact]
    public async Task Basic_credentials_go_only_to_the_registry_host_never_to_an_upload_location_elsewhere()
    {
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"registry.example":{"auth":"{{{{AuthSandbox.Base64("u:basic-secret")}}}}"}}}""");
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
    public async Task Refused_basic_credentials_are_not_resent_and_the_error_says_to_log_in_again()
    {
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"registry.example":{"auth":"{{{{AuthSandbox.Base64("u:bad")}}}}"}}}""");
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

    [Fact]
    public async Task Open_registries_never_cause_credentials_to_be_looked_up()
    {
        _sandbox.WriteDockerConfig("{ this is broken");
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

        _log.ShouldContain("auth: ghcr.io asks for Bearer (token realm https://ghcr.io/token)");
        _log.ShouldContain(line => line.StartsWith("auth: ghcr.io/octocat/app: user 'octocat' from auths[\"ghcr.io\"]", StringComparison.Ordinal));
        _log.ShouldContain("auth: ghcr.io: token for repository:octocat/app:pull,push from https://ghcr.io/token (valid 300 s)");
        _log.ShouldAllBe(line => !line.Contains("ghp_right") && !line.Contains("tok1|") && !line.Contains("tok2|"));
    }
}
