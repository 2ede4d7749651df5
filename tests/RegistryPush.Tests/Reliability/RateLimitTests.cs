using System.Net;
using RegistryPush.Registry;
using RegistryPush.Registry.Resilience;
using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// GHCR's rate limits: a 429 whose wait is in the body (<c>retry-after: 800ms</c>) and GitHub's 403 "secondary rate
/// limit" are waited out as the registry asks, and retried; every other 403 stays a refusal. The fake registry answers
/// as GHCR does (no GHCR is reachable from the tests).
/// </summary>
public sealed class RateLimitTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task The_published_binary_waits_out_ghcrs_rate_limit_answers_from_a_real_proxy_and_completes_the_push()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 30_000);
        var repository = registry.NewRepository("ratelimit");
        await using var proxy = FaultProxy.Start(registry.Host, new FaultPlan()
            .On(Traffic.StartUpload, Fault.Respond(429, body: """{"errors":[{"code":"TOOMANYREQUESTS","message":"retry-after: 800ms, allowed: 2000/minute"}]}"""))
            .On(Traffic.ManifestPut, Fault.Respond(403, retryAfter: "1", body: """{"errors":[{"code":"DENIED","message":"permission_denied: You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}]}""")));

        var result = await PublishedBinary.RunAsync(["push", layout.Path, proxy.Through(repository), "--tag", "v1"],
            new Dictionary<string, string?> { ["REGISTRY_PUSH_CACHE_DIR"] = temp.Combine("cache") });

        result.ExitCode.ShouldBe(0, result.ToString());
        proxy.Plan.Applied.ShouldAllBe(static count => count == 1);
        result.StandardError.ShouldContain("429 Injected; retry 1 of 4 in 0.8 s");
        result.StandardError.ShouldContain("(secondary rate limit); retry 1 of 4 in 1.0 s");
        await FaultPlanTests.AssertPushedAsync(layout, manifest, repository, temp, "v1");
    }

    [Fact]
    public async Task A_429_whose_body_names_the_wait_in_milliseconds_is_retried_after_exactly_that_wait()
    {
        var fake = new FakeRegistry().Break(FakeStep.Start, 1, FakeMisbehaviour.GhcrTooManyRequests);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 20_000);

        var result = await PushAsync(fake, layout);

        result.ExitCode.ShouldBe(0, result.ToString());
        var notice = result.StandardError.Split('\n').Where(static line => line.Contains("retry 1 of", StringComparison.Ordinal)).ShouldHaveSingleItem();
        notice.ShouldContain("429");
        notice.ShouldContain("in 0.8 s", customMessage: "the body's 800 ms, not the backoff");
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "owner/app");
    }

    [Fact]
    public async Task Ghcrs_403_secondary_rate_limit_is_retried_after_the_wait_it_names_and_the_push_completes()
    {
        var fake = new FakeRegistry().Break(FakeStep.Start, 1, FakeMisbehaviour.GhcrSecondaryRateLimit);
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 20_000);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await PushAsync(fake, layout);

        result.ExitCode.ShouldBe(0, result.ToString());
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900), "Retry-After: 1 asks for a second");
        var notice = result.StandardError.Split('\n').Where(static line => line.Contains("retry 1 of", StringComparison.Ordinal)).ShouldHaveSingleItem();
        notice.ShouldContain("403 Forbidden (secondary rate limit)");
        notice.ShouldContain("in 1.0 s");
        RegistryQuirkTests.AssertStored(fake, layout, manifest, "owner/app");
    }

    [Fact]
    public async Task A_secondary_rate_limit_that_outlasts_the_retries_fails_with_exit_code_4_saying_so_without_login_advice()
    {
        var fake = new FakeRegistry().BreakFrom(FakeStep.PutManifest, 1, FakeMisbehaviour.GhcrSecondaryRateLimit);
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 20_000);

        var result = await PushAsync(fake, layout, "--retries", "1");

        result.ExitCode.ShouldBe(4, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain("secondary rate limit");
        error.ShouldContain("wait a few minutes");
        error.ShouldNotContain("login", Case.Insensitive);
        fake.Log.Count(static request => request.Method == HttpMethod.Put && request.Uri.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal)).ShouldBe(2);
    }

    [Fact]
    public async Task Any_other_403_is_a_refusal_with_exit_code_3_and_is_never_retried()
    {
        var fake = new FakeRegistry { Quirks = new FakeQuirks { DenyPush = true } };
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 20_000);

        var result = await PushAsync(fake, layout);

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardError.ShouldNotContain("retry");
        // At most one attempt per blob (the refusal of one may stop the other blob's before it starts).
        fake.Log.Count(static request => request.Method == HttpMethod.Post).ShouldBeInRange(1, 2);
    }

    [Theory]
    [InlineData("retry-after: 1.16676ms, allowed: 44000/minute", 1.16676)]
    [InlineData("retry-after: 880.092µs, allowed: 44000/minute", 0.880092)]
    [InlineData("toomanyrequests: retry-after: 333.939671ms", 333.939671)]
    [InlineData("retry-after: 1.5s", 1500)]
    [InlineData("Retry-After: 2m0s", 120_000)]
    public void The_wait_in_a_ghcr_error_body_is_read_as_a_go_duration(string message, double milliseconds)
    {
        var wait = RateLimits.FromBody([new RegistryErrorJson { Code = "TOOMANYREQUESTS", Message = message }]);

        wait.ShouldNotBeNull();
        wait.Value.TotalMilliseconds.ShouldBe(milliseconds, tolerance: 0.001);
    }

    [Theory]
    [InlineData("too many requests")]
    [InlineData("retry-after: soon")]
    [InlineData("retry-after: 5 minutes")]
    public void A_body_without_a_readable_wait_leaves_the_wait_to_the_backoff(string message) =>
        RateLimits.FromBody([new RegistryErrorJson { Message = message }]).ShouldBeNull();

    [Fact]
    public void A_secondary_rate_limit_naming_no_wait_is_waited_out_for_a_minute_as_github_asks()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden);
        RegistryErrorJson[] errors = [new() { Message = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." }];

        RateLimits.IsSecondaryRateLimit(HttpStatusCode.Forbidden, errors).ShouldBeTrue();
        RateLimits.Wait(response, errors, DateTimeOffset.UtcNow, RateLimits.SecondaryRateLimitWait).ShouldBe(TimeSpan.FromMinutes(1));
        RateLimits.IsSecondaryRateLimit(HttpStatusCode.Forbidden, [new RegistryErrorJson { Code = "DENIED", Message = "requested access to the resource is denied" }]).ShouldBeFalse();
    }

    [Fact]
    public async Task A_github_api_style_body_without_an_error_list_is_still_read()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.Forbidden)
        {
            Content = new StringContent("""{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/"}"""),
        };

        var errors = await DistributionErrors.ReadAsync(response, TestContext.Current.CancellationToken);

        RateLimits.IsSecondaryRateLimit(response.StatusCode, errors).ShouldBeTrue();
    }

    private Task<CliResult> PushAsync(FakeRegistry fake, TestLayout layout, params string[] extra)
    {
        _cli.Interceptor = _ => fake.CreateHandler();
        return _cli.RunAsync(["push", layout.Path, "registry.example.test/owner/app", "--tag", "t", .. extra]);
    }
}
