using System.Diagnostics;
using System.Net;
using RegistryPush.Registry.Resilience;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// The request-level policy's stall timeout (no progress, not slowness, ends a request) and its cap on
/// response bodies.
/// </summary>
public sealed class ResilienceStallAndCapTests : ResilienceHandlerHarness
{
    [Fact]
    public async Task A_request_that_makes_no_progress_is_abandoned_after_the_stall_timeout_and_retried()
    {
        var stub = new StubHandler(Hang(), Answer(HttpStatusCode.OK));
        var clock = Stopwatch.StartNew();

        using var response = await SendAsync(stub, HttpMethod.Get, settings: Fast with { StallTimeout = TimeSpan.FromMilliseconds(300) });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        stub.Calls.ShouldBe(2);
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5));
        Warnings.ShouldHaveSingleItem().ShouldContain("no progress");
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
