using System.Net;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// What the request-level policy retries and what it returns at once: transient statuses and connection
/// failures against refusals, upload bodies, exhausted retries and cancellation.
/// </summary>
public sealed class ResilienceRetryTests : ResilienceHandlerHarness
{
    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_transient_status_is_retried_until_the_registry_answers(int status)
    {
        var stub = new StubHandler(Answer((HttpStatusCode)status), Answer((HttpStatusCode)status), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        stub.Calls.ShouldBe(3);
        Warnings.Count.ShouldBe(2);
        Warnings.ShouldAllBe(warning => warning.Contains($"{status}") && warning.Contains("retry"));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(405)]
    [InlineData(409)]
    [InlineData(416)]
    public async Task A_refusal_is_returned_at_once_and_never_retried(int status)
    {
        var stub = new StubHandler(Answer((HttpStatusCode)status), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Put);

        ((int)response.StatusCode).ShouldBe(status);
        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_503_whose_body_says_DENIED_is_a_refusal_and_is_not_retried()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.ServiceUnavailable, """{"errors":[{"code":"DENIED","message":"quota"}]}"""), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task When_retries_run_out_the_last_answer_is_returned()
    {
        var stub = new StubHandler(Enumerable.Range(0, 10).Select(_ => Answer(HttpStatusCode.BadGateway)).ToArray());

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.BadGateway);
        stub.Calls.ShouldBe(Fast.MaxRetries + 1);
    }

    [Fact]
    public async Task With_zero_retries_a_transient_failure_is_returned_after_one_attempt()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.ServiceUnavailable), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Get, settings: Fast with { MaxRetries = 0 });

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_request_carrying_upload_bytes_is_sent_once_whatever_the_answer()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.ServiceUnavailable), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Patch, replayable: false);

        response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_connection_reset_is_retried()
    {
        var stub = new StubHandler(
            Fail(new HttpRequestException(HttpRequestError.ConnectionError, "reset", new IOException("Connection reset by peer"))),
            Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Head);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        stub.Calls.ShouldBe(2);
    }

    [Fact]
    public async Task A_connection_closed_before_the_response_is_retried()
    {
        var stub = new StubHandler(Fail(new HttpRequestException(HttpRequestError.ResponseEnded, "ended")), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(HttpRequestError.NameResolutionError)]
    [InlineData(HttpRequestError.SecureConnectionError)]
    [InlineData(HttpRequestError.InvalidResponse)]
    public async Task Dns_tls_and_protocol_garbage_are_not_retried(HttpRequestError error)
    {
        var stub = new StubHandler(Fail(new HttpRequestException(error, "no")), Answer(HttpStatusCode.OK));

        await Should.ThrowAsync<HttpRequestException>(() => SendAsync(stub, HttpMethod.Get));

        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_cancelled_push_stops_retrying_at_once()
    {
        using var cancellation = new CancellationTokenSource();
        var stub = new StubHandler((_, _) =>
        {
            cancellation.Cancel();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        });

        await Should.ThrowAsync<OperationCanceledException>(() => SendAsync(stub, HttpMethod.Get, token: cancellation.Token));

        stub.Calls.ShouldBe(1);
    }
}
