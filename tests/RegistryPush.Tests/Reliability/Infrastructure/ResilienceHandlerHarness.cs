using System.Collections.Concurrent;
using System.Net;
using System.Text;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// Drives one request through a <see cref="ResilienceHandler"/> over a scripted stub, collecting its retry notices:
/// the shared set-up of the request-level policy's tests.
/// </summary>
public abstract class ResilienceHandlerHarness
{
    /// <summary>Short waits, so that retries cost milliseconds; a stall timeout far beyond any scripted answer.</summary>
    protected static readonly RetrySettings Fast = new()
    {
        MaxRetries = 3,
        BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(20),
        StallTimeout = TimeSpan.FromSeconds(5),
    };

    /// <summary>The retry notices the handler wrote, in order.</summary>
    protected ConcurrentQueue<string> Warnings { get; } = new();

    /// <summary>Sends one request through the policy over <paramref name="stub"/>.</summary>
    protected async Task<HttpResponseMessage> SendAsync(
        StubHandler stub,
        HttpMethod method,
        RetrySettings? settings = null,
        bool replayable = true,
        HttpContent? content = null,
        string uri = "https://registry.example/v2/app/blobs/sha256:abc",
        CancellationToken? token = null)
    {
        var handler = ResilienceHandler.Over(stub, settings ?? Fast, Warnings.Enqueue);
        using var invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (!replayable)
        {
            request.Options.Set(ResilienceHandler.Replayable, false);
        }

        var effective = token ?? TestContext.Current.CancellationToken;
        return await invoker.SendAsync(request, effective);
    }

    /// <summary>A scripted answer: <paramref name="status"/>, with a body and a <c>Retry-After</c> when given.</summary>
    protected static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Answer(HttpStatusCode status, string? body = null, string? retryAfter = null) =>
        (_, _) =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json") };
            if (retryAfter is not null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            }

            return Task.FromResult(response);
        };

    /// <summary>A scripted failure: the request throws <paramref name="exception"/>.</summary>
    protected static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Fail(Exception exception) =>
        (_, _) => Task.FromException<HttpResponseMessage>(exception);

    /// <summary>A scripted hang: no answer until cancelled.</summary>
    protected static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Hang() =>
        async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            throw new InvalidOperationException("unreachable");
        };

    /// <summary>Answers with the scripted functions in turn (the last one repeats).</summary>
    protected sealed class StubHandler(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] script) : HttpMessageHandler
    {
        private int _calls;

        /// <summary>How many requests reached the stub.</summary>
        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls) - 1;
            return script[Math.Min(call, script.Length - 1)](request, cancellationToken);
        }
    }
}
