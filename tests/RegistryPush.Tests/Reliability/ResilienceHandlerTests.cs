using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Tests.Reliability;

/// <summary>The request-level policy: what is retried, how long it waits, what is never retried, stalls and caps.</summary>
public sealed class ResilienceHandlerTests
{
    private static readonly RetrySettings Fast = new()
    {
        MaxRetries = 3,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(20),
        StallTimeout = TimeSpan.FromSeconds(5),
    };

    private readonly ConcurrentQueue<string> _warnings = new();

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
        _warnings.Count.ShouldBe(2);
        _warnings.ShouldAllBe(warning => warning.Contains($"{status}") && warning.Contains("retry"));
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
    public async Task Retry_after_in_seconds_is_honoured_instead_of_the_backoff()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.TooManyRequests, retryAfter: "1"), Answer(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(stub, HttpMethod.Get);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(900), "the registry asked for one second");
        _warnings.ShouldHaveSingleItem().ShouldContain("in 1.0 s");
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
        _warnings.ShouldHaveSingleItem().ShouldContain("3600 s");
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
    public async Task A_request_that_makes_no_progress_is_abandoned_after_the_stall_timeout_and_retried()
    {
        var stub = new StubHandler(Hang(), Answer(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(stub, HttpMethod.Get, settings: Fast with { StallTimeout = TimeSpan.FromMilliseconds(300) });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        stub.Calls.ShouldBe(2);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        _warnings.ShouldHaveSingleItem().ShouldContain("no progress");
    }

    [Fact]
    public async Task A_request_that_never_progresses_fails_as_stalled_once_retries_run_out()
    {
        var stub = new StubHandler(Hang(), Hang(), Hang());

        var exception = await Should.ThrowAsync<RequestStalledException>(() =>
            SendAsync(stub, HttpMethod.Get, settings: Fast with { MaxRetries = 2, StallTimeout = TimeSpan.FromMilliseconds(200) }));

        exception.Message.ShouldContain("no progress for 0.2 s");
        stub.Calls.ShouldBe(3);
    }

    [Fact]
    public async Task A_slow_upload_that_keeps_moving_is_never_cut_by_the_stall_timeout()
    {
        // 30 pieces of 64 KiB, one every 100 ms: three seconds in all, far beyond the one-second stall timeout.
        var received = 0L;
        var stub = new StubHandler(async (request, token) =>
        {
            await using var body = await request.Content!.ReadAsStreamAsync(token);
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, token)) > 0)
            {
                received += read;
            }

            return new HttpResponseMessage(HttpStatusCode.Created);
        });
        using var content = new SlowContent(pieces: 30, pieceBytes: 64 * 1024, pause: TimeSpan.FromMilliseconds(100));

        using var response = await SendAsync(stub, HttpMethod.Put, settings: Fast with { StallTimeout = TimeSpan.FromSeconds(1) }, content: content);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        received.ShouldBe(30 * 64 * 1024);
        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_response_body_over_the_cap_is_refused_without_being_read_into_memory()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.OK, new string('x', 2 * 1024 * 1024)));

        var exception = await Should.ThrowAsync<HttpRequestException>(() => SendAsync(stub, HttpMethod.Get));

        exception.HttpRequestError.ShouldBe(HttpRequestError.ConfigurationLimitExceeded);
        exception.Message.ShouldContain("larger than 1048576 bytes");
        stub.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task A_streamed_response_body_without_a_length_is_also_capped()
    {
        var stub = new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)
        {
            Content = new StreamContent(new EndlessStream()),
        }));

        var exception = await Should.ThrowAsync<HttpRequestException>(() => SendAsync(stub, HttpMethod.Get));

        exception.HttpRequestError.ShouldBe(HttpRequestError.ConfigurationLimitExceeded);
    }

    [Fact]
    public async Task Retry_notices_never_show_query_values_of_upload_urls()
    {
        var stub = new StubHandler(Answer(HttpStatusCode.ServiceUnavailable), Answer(HttpStatusCode.OK));

        using var response = await SendAsync(stub, HttpMethod.Get, uri: "https://r.example/v2/app/blobs/uploads/x?_state=opaque-state-1&X-Amz-Signature=sig-value-2");

        _warnings.ShouldHaveSingleItem().ShouldNotContain("opaque-state-1");
        _warnings.Single().ShouldNotContain("sig-value-2");
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

    private async Task<HttpResponseMessage> SendAsync(
        StubHandler stub,
        HttpMethod method,
        RetrySettings? settings = null,
        bool replayable = true,
        HttpContent? content = null,
        string uri = "https://registry.example/v2/app/blobs/sha256:abc",
        CancellationToken? token = null)
    {
        var handler = ResilienceHandler.Over(stub, settings ?? Fast, _warnings.Enqueue);
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (!replayable)
        {
            request.Options.Set(ResilienceHandler.Replayable, false);
        }

        var effective = token ?? TestContext.Current.CancellationToken;
        return await invoker.SendAsync(request, effective);
    }

    private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string? body = null, string? retryAfter = null) =>
        (_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json") };
            if (retryAfter is not null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            }

            return Task.FromResult(response);
        };

    private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Fail(Exception exception) =>
        (_, _) => Task.FromException<HttpResponseMessage>(exception);

    private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Hang() =>
        async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        };

    /// <summary>Answers with the scripted functions in turn (the last one repeats).</summary>
    private sealed class StubHandler(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] script) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls) - 1;
            return script[Math.Min(call, script.Length - 1)](request, cancellationToken);
        }
    }

    /// <summary>A body written in pieces with pauses between them: slow, but never stalled.</summary>
    private sealed class SlowContent(int pieces, int pieceBytes, TimeSpan pause) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            var piece = new byte[pieceBytes];
            for (var i = 0; i < pieces; i++)
            {
                await stream.WriteAsync(piece, cancellationToken);
                await Task.Delay(pause, cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = (long)pieces * pieceBytes;
            return true;
        }
    }

    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'x', offset, count);
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
