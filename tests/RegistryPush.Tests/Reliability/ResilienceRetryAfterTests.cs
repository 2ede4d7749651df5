using System.Diagnostics;
using System.Net;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// How long the request-level policy waits when the registry says (<c>Retry-After</c>), and what its retry
/// notices show.
/// </summary>
public sealed class ResilienceRetryAfterTests : ResilienceHandlerHarness
{
    [Fact]
    public async Task Retry_after_in_seconds_is_honoured_instead_of_the_backoff()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.TooManyRequests, retryAfter: "1"), Answer(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900), "the registry asked for one second");
        Warnings.ShouldHaveSingleItem().ShouldContain("in 1.0 s");
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.ServiceUnavailable, retryAfter: DateTimeOffset.UtcNow.AddSeconds(2).ToString("R")), Answer(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task A_retry_after_longer_than_a_minute_fails_at_once_with_a_warning_saying_why()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.TooManyRequests, retryAfter: "3600"), Answer(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        stub.Calls.ShouldBe(1);
        Warnings.ShouldHaveSingleItem().ShouldContain("3600 s");
    }

    [Fact]
    public async Task Retry_notices_never_show_query_values_of_upload_urls()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.ServiceUnavailable), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Get, uri: "https://r.example/v2/app/blobs/uploads/x?_state=opaque-state-1&X-Amz-Signature=sig-value-2");

        Warnings.ShouldHaveSingleItem().ShouldNotContain("opaque-state-1");
        Warnings.Single().ShouldNotContain("sig-value-2");
    }
}
