using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

public sealed class TokenPrimitivesTests
{
    [Fact]
    public void Scopes_parse_and_print_in_the_specification_form_with_sorted_actions()
    {
        var scope = TokenScope.TryParse("repository:owner/app:push,pull").ShouldNotBeNull();

        scope.ResourceType.ShouldBe("repository");
        scope.Name.ShouldBe("owner/app");
        scope.ToString().ShouldBe("repository:owner/app:pull,push");
        TokenScope.TryParse("registry:catalog:*")!.Actions.ShouldBe(["*"]);
        TokenScope.TryParse("nonsense").ShouldBeNull();
    }

    [Fact]
    public void A_name_with_a_port_keeps_its_colon()
    {
        TokenScope.TryParse("repository:localhost:5000/app:pull")!.Name.ShouldBe("localhost:5000/app");
    }

    [Fact]
    public void Merging_unions_actions_per_resource_and_keeps_the_first_resource_first()
    {
        var merged = TokenScope.Merge([
            TokenScope.Pull("owner/app"),
            TokenScope.Pull("owner/base"),
            TokenScope.TryParse("repository:owner/app:push")!,
        ]);

        merged.Select(static scope => scope.ToString()).ShouldBe(["repository:owner/app:pull,push", "repository:owner/base:pull"]);
        TokenScope.Covers(merged, [TokenScope.PullPush("owner/app")]).ShouldBeTrue();
        TokenScope.Covers(merged, [TokenScope.PullPush("owner/base")]).ShouldBeFalse();
    }

    [Fact]
    public void A_token_is_renewed_a_fifth_of_its_lifetime_before_it_expires_but_at_most_thirty_seconds_early()
    {
        var start = DateTimeOffset.UnixEpoch;
        var minute = new BearerToken("t", start, TimeSpan.FromSeconds(60), null);
        var hour = new BearerToken("t", start, TimeSpan.FromHours(1), null);

        minute.IsFresh(start.AddSeconds(47)).ShouldBeTrue();
        minute.IsFresh(start.AddSeconds(48)).ShouldBeFalse();
        hour.IsFresh(start.AddSeconds(3569)).ShouldBeTrue();
        hour.IsFresh(start.AddSeconds(3570)).ShouldBeFalse();
    }

    [Fact]
    public async Task The_cache_shares_one_fetch_between_parallel_callers_and_refetches_a_stale_token()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch);
        var cache = new TokenCache(time);
        var fetches = 0;
        var gate = new TaskCompletionSource();
        async Task<BearerToken> FetchAsync()
        {
            var n = Interlocked.Increment(ref fetches);
            await gate.Task;
            return new BearerToken($"token-{n}", time.GetUtcNow(), TimeSpan.FromSeconds(60), null);
        }

        var parallel = Enumerable.Range(0, 8).Select(_ => cache.GetAsync("k", FetchAsync)).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(parallel);

        fetches.ShouldBe(1);
        results.ShouldAllBe(result => result.Token.Value == "token-1");
        results.Count(static result => !result.FromCache).ShouldBe(1);

        time.Now = time.Now.AddSeconds(50);
        (await cache.GetAsync("k", FetchAsync)).Token.Value.ShouldBe("token-2");
    }

    [Fact]
    public async Task A_failed_fetch_is_not_cached_and_an_invalidated_token_is_fetched_again()
    {
        var cache = new TokenCache(new ManualTime(DateTimeOffset.UnixEpoch));
        await Should.ThrowAsync<InvalidOperationException>(() => cache.GetAsync("k", static () => throw new InvalidOperationException("down")));

        var first = (await cache.GetAsync("k", static () => Task.FromResult(new BearerToken("a", DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1), null)))).Token;
        cache.Invalidate("k", first);
        var second = (await cache.GetAsync("k", static () => Task.FromResult(new BearerToken("b", DateTimeOffset.UnixEpoch, TimeSpan.FromHours(1), null)))).Token;

        second.Value.ShouldBe("b");
    }

    [Theory]
    [InlineData("https://ghcr.io/token", "https://ghcr.io/v2/")]
    [InlineData("https://auth.docker.io/token", "https://registry-1.docker.io/v2/")]
    [InlineData("http://127.0.0.1:9999/token", "http://127.0.0.1:5000/v2/")]
    [InlineData("http://localhost:9999/token", "http://localhost:5000/v2/")]
    [InlineData("https://10.0.0.8/token", "https://10.0.0.7/v2/")]
    public void Safe_realms_are_accepted(string realm, string registry)
    {
        RealmPolicy.Validate(realm, new Uri(registry)).ShouldBe(new Uri(realm));
    }

    [Theory]
    [InlineData("http://ghcr.io/token", "https://ghcr.io/v2/", "plain HTTP")]
    [InlineData("https://169.254.169.254/latest/meta-data", "https://evil.example/v2/", "link-local")]
    [InlineData("https://127.0.0.1/token", "https://evil.example/v2/", "this machine")]
    [InlineData("https://localhost/token", "https://evil.example/v2/", "this machine")]
    [InlineData("https://[::1]/token", "https://evil.example/v2/", "this machine")]
    [InlineData("file:///etc/passwd", "https://evil.example/v2/", "not an http(s) URL")]
    [InlineData("/token", "https://evil.example/v2/", "not an http(s) URL")]
    [InlineData("https://user:pw@auth.example/token", "https://evil.example/v2/", "user information")]
    public void Unsafe_realms_are_refused_with_the_reason(string realm, string registry, string reason)
    {
        var exception = Should.Throw<AuthenticationException>(() => RealmPolicy.Validate(realm, new Uri(registry)));

        exception.Message.ShouldContain(reason);
        exception.Message.ShouldNotContain("pw@");
    }

    [Fact]
    public void A_jwt_tokens_access_claim_tells_what_it_grants_and_an_opaque_token_tells_nothing()
    {
        static string Part(string json) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var jwt = $"{Part("""{"alg":"RS256"}""")}.{Part("""{"access":[{"type":"repository","name":"o/app","actions":["push","pull"]}]}""")}.c2ln";

        TokenGrants.TryRead(jwt)!.Select(static scope => scope.ToString()).ShouldBe(["repository:o/app:pull,push"]);
        TokenGrants.TryRead($"{Part("{}")}.{Part("{}")}.c2ln").ShouldBeNull();
        TokenGrants.TryRead("djE6b3BhcXVlLXRva2Vu").ShouldBeNull();
        TokenGrants.TryRead("a.!!!.c").ShouldBeNull();
    }

    [Fact]
    public void The_redactor_scrubs_every_known_secret_and_leaves_short_strings_alone()
    {
        var redactor = new Redactor();
        var credential = RegistryCredential.FromPassword("octocat", "ghp_supersecret", "test");
        redactor.Add(credential);
        redactor.Add("abc");

        var scrubbed = redactor.Scrub($"token ghp_supersecret header Basic {credential.BasicParameter()} abc");

        scrubbed.ShouldBe("token [REDACTED] header Basic [REDACTED] abc");
        credential.ToString().ShouldNotContain("ghp_supersecret");
        credential.ToString().ShouldBe("user 'octocat' from test");
    }

    internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
