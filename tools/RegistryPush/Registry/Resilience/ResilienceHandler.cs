using System.Globalization;
using System.Net;
using Polly;
using Polly.Retry;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// The bottom of every request pipeline, just above the socket: gives each attempt of a request a stall timeout
/// (no progress for <see cref="RetrySettings.StallTimeout"/> abandons it; a slow upload that keeps moving is never
/// cut), reads response bodies into memory up to a size cap under that same timeout, and retries transient failures
/// with backoff through Polly. Requests marked not <see cref="Replayable"/> (blob bytes sent into an upload session,
/// which a blind resend would corrupt) get one attempt here; their retry is the upload session's business.
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    /// <summary>Set to false on a request that must not be resent as is (a PATCH or PUT carrying blob bytes).</summary>
    public static readonly HttpRequestOptionsKey<bool> Replayable = new("registry-push.replayable");

    private static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("registry-push.request");
    private readonly RetrySettings _settings;
    private readonly Action<string> _warn;
    private ResiliencePipeline<HttpResponseMessage>? _pipeline;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpResponseMessage, IReadOnlyList<RegistryErrorJson>> _errors = [];

    /// <summary>Creates the handler.</summary>
    /// <param name="settings">Attempts, delays and the stall timeout.</param>
    /// <param name="warn">Told about each retry (one line, URL redacted).</param>
    public ResilienceHandler(RetrySettings settings, Action<string> warn)
    {
        _settings = settings;
        _warn = warn;
    }

    /// <summary>
    /// The retry pipeline, built the first time a request needs a second attempt. Most runs never do, and building
    /// it is not free under NativeAOT: Polly validates its options through DataAnnotations reflection, which cost
    /// a re-push of an unchanged image more CPU than its one request (15% of its samples in <c>perf record</c>).
    /// </summary>
    private ResiliencePipeline<HttpResponseMessage> Pipeline =>
        LazyInitializer.EnsureInitialized(ref _pipeline, () => RetryPipelines.ForRequests(_settings, ShouldRetryResponseAsync, RequestedWaitAsync, OnRetryAsync));

    /// <summary>The handler over <paramref name="transport"/>.</summary>
    public static ResilienceHandler Over(HttpMessageHandler transport, RetrySettings settings, Action<string> warn) =>
        new(settings, warn) { InnerHandler = transport };

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(Replayable, out var replayable) && !replayable)
        {
            return await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }

        // The first attempt goes out directly; only an answer that calls for another one brings in the pipeline,
        // which then starts from that answer (its decision, wait and announcement are the same as if it had sent it).
        var first = new FirstAttempt();
        try
        {
            first.Response = await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
            if (_settings.MaxRetries <= 0 || first.Response.IsSuccessStatusCode || !await ShouldRetryResponseAsync(first.Response).ConfigureAwait(false))
            {
                return first.Response;
            }
        }
        catch (Exception exception) when (_settings.MaxRetries > 0 && RetryPipelines.IsRetryableFailure(exception, cancellationToken))
        {
            first.Failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RequestKey, request);
        try
        {
            return await Pipeline.ExecuteAsync(
                static (context, state) => state.First.TryReplay(out var answer)
                    ? answer
                    : new ValueTask<HttpResponseMessage>(state.Self.SendOnceAsync(context.Properties.GetValue(RequestKey, null!), context.CancellationToken)),
                context,
                (Self: this, First: first)).ConfigureAwait(false);
        }
        finally
        {
            // Cancelled before the pipeline ran its first attempt: the answer it would have replayed is ours to free.
            if (!first.Replayed)
            {
                first.Response?.Dispose();
            }

            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The outcome of a request's first attempt, handed to the retry pipeline as its own first attempt.</summary>
    private sealed class FirstAttempt
    {
        public bool Replayed { get; private set; }

        public HttpResponseMessage? Response { get; set; }

        public System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure { get; set; }

        /// <summary>The first outcome, once; false afterwards (then the pipeline sends anew).</summary>
        public bool TryReplay(out ValueTask<HttpResponseMessage> answer)
        {
            answer = default;
            if (Replayed)
            {
                return false;
            }

            Replayed = true;
            Failure?.Throw();
            answer = new ValueTask<HttpResponseMessage>(Response!);
            return true;
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var watch = new StallWatch(_settings.StallTimeout, cancellationToken);
        var body = request.Content;
        if (body is not null)
        {
            request.Content = new WatchedContent(body, watch.Progress);
        }

        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, watch.Token).ConfigureAwait(false);
            watch.Progress();
            await BufferBodyAsync(request, response, watch).ConfigureAwait(false);
            return response;
        }
        catch (Exception exception) when (watch.Stalled && exception is OperationCanceledException or HttpRequestException or IOException)
        {
            response?.Dispose();
            throw new RequestStalledException(_settings.StallTimeout, exception);
        }
        catch
        {
            response?.Dispose();
            throw;
        }
        finally
        {
            if (body is not null)
            {
                request.Content = body;
            }
        }
    }

    /// <summary>
    /// Reads the response body (registries answer with small JSON) into memory under the stall watch, so that no later
    /// read can hang, and refuses bodies over the cap so that no server can exhaust memory.
    /// </summary>
    private async Task BufferBodyAsync(HttpRequestMessage request, HttpResponseMessage response, StallWatch watch)
    {
        var content = response.Content;
        if (request.Method == HttpMethod.Head || response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified || content.Headers.ContentLength == 0)
        {
            return;
        }

        var cap = _settings.MaxResponseBodyBytes;
        if (content.Headers.ContentLength > cap)
        {
            throw TooLarge(request, cap);
        }

        var buffer = new MemoryStream();
        await using (var stream = await content.ReadAsStreamAsync(watch.Token).ConfigureAwait(false))
        {
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, watch.Token).ConfigureAwait(false)) > 0)
            {
                watch.Progress();
                if (buffer.Length + read > cap)
                {
                    throw TooLarge(request, cap);
                }

                buffer.Write(chunk, 0, read);
            }
        }

        var buffered = new ReplayableContent(buffer.GetBuffer(), (int)buffer.Length);
        foreach (var header in content.Headers.NonValidated)
        {
            buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        buffered.Headers.ContentLength = buffer.Length;
        response.Content = buffered;
        content.Dispose();
    }

    private static HttpRequestException TooLarge(HttpRequestMessage request, int cap) =>
        new(HttpRequestError.ConfigurationLimitExceeded, $"the response to {request.Method} {TraceHandler.Redact(request.RequestUri)} is larger than {cap} bytes; refusing to read it");

    private async ValueTask<bool> ShouldRetryResponseAsync(HttpResponseMessage response)
    {
        var errors = await ErrorsOfAsync(response).ConfigureAwait(false);
        if (RetryableAnswers.MayBeLaggingManifestAnswer(response))
        {
            // A manifest PUT refused while another push of the same content rewrites a blob's link: worth another try.
            return RetryableAnswers.IsLaggingManifestAnswer(errors);
        }

        // GHCR's secondary rate limit is a 403, often coded DENIED, yet a pause to wait out: the only 403 retried.
        if (!RateLimits.IsSecondaryRateLimit(response.StatusCode, errors))
        {
            // "DENIED" under a 429 or 503 (some registries' quota answers) is a refusal, not a hiccup.
            if (!NetworkFailure.IsTransientStatus(response.StatusCode) || errors.Any(static error => RetryableAnswers.IsRefusalCode(error.Code)))
            {
                return false;
            }
        }

        if (RateLimits.Wait(response, errors, _settings.TimeProvider.GetUtcNow(), _settings.SecondaryRateLimitWait) is { } wait && wait > _settings.MaxRetryAfter)
        {
            _warn(string.Create(CultureInfo.InvariantCulture,
                $"{response.RequestMessage?.Method} {TraceHandler.Redact(response.RequestMessage?.RequestUri)}: {(int)response.StatusCode}; the registry asks to wait {wait.TotalSeconds:0} s, longer than the {_settings.MaxRetryAfter.TotalSeconds:0} s registry-push waits: giving up"));
            return false;
        }

        return true;
    }

    private async ValueTask<TimeSpan?> RequestedWaitAsync(HttpResponseMessage response) =>
        RateLimits.Wait(response, await ErrorsOfAsync(response).ConfigureAwait(false), _settings.TimeProvider.GetUtcNow(), _settings.SecondaryRateLimitWait);

    /// <summary>
    /// The answer's error list, read once: deciding, timing and announcing a retry all look at it, and not every
    /// response body can be read twice.
    /// </summary>
    private async ValueTask<IReadOnlyList<RegistryErrorJson>> ErrorsOfAsync(HttpResponseMessage response)
    {
        if (_errors.TryGetValue(response, out var known))
        {
            return known;
        }

        var errors = await DistributionErrors.ReadAsync(response, CancellationToken.None).ConfigureAwait(false);
        _errors.AddOrUpdate(response, errors);
        return errors;
    }

    private async ValueTask OnRetryAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        var request = args.Context.Properties.GetValue(RequestKey, null!);
        var reason = args.Outcome switch
        {
            { Exception: { } exception } => NetworkFailure.Brief(exception),
            { Result: { } lagging } when RetryableAnswers.MayBeLaggingManifestAnswer(lagging) =>
                $"{(int)lagging.StatusCode} MANIFEST_BLOB_UNKNOWN: the registry does not see a blob the manifest references yet (another push of the same content may be writing it)",
            { Result: { } response } => $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(),
            _ => "failed",
        };
        if (args.Outcome.Result is { } limited
            && RateLimits.IsSecondaryRateLimit(limited.StatusCode, await ErrorsOfAsync(limited).ConfigureAwait(false)))
        {
            reason += " (secondary rate limit)";
        }

        _warn(string.Create(CultureInfo.InvariantCulture,
            $"{request.Method} {TraceHandler.Redact(request.RequestUri)}: {reason}; retry {args.AttemptNumber + 1} of {_settings.MaxRetries} in {args.RetryDelay.TotalSeconds:0.0} s"));
    }
}
