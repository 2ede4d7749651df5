using Polly;
using Polly.Retry;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// The Polly retry strategies a push uses: one for single requests (in <see cref="ResilienceHandler"/>), one for
/// protocol steps that span several requests (an upload session, a chunk with its resynchronisation). Both back off
/// exponentially with decorrelated jitter from <see cref="RetrySettings.BaseDelay"/>, capped at
/// <see cref="RetrySettings.MaxDelay"/>.
/// </summary>
public static class RetryPipelines
{
    /// <summary>
    /// The request strategy: retries the responses <paramref name="shouldRetryResponse"/> accepts and transient network
    /// failures, waiting what the registry asks when it asks (<paramref name="requestedWait"/>), otherwise the backoff.
    /// </summary>
    /// <param name="settings">Attempts and delays.</param>
    /// <param name="shouldRetryResponse">Decides for a response that is no success (a transient status, unless its body says DENIED; a rate limit; a lagging manifest answer).</param>
    /// <param name="requestedWait">The wait a response asks for (<c>Retry-After</c>, a rate limit's hint), or null for the backoff.</param>
    /// <param name="onRetry">Told about each retry before its wait.</param>
    public static ResiliencePipeline<HttpResponseMessage> ForRequests(
        RetrySettings settings,
        Func<HttpResponseMessage, ValueTask<bool>> shouldRetryResponse,
        Func<HttpResponseMessage, ValueTask<TimeSpan?>> requestedWait,
        Func<OnRetryArguments<HttpResponseMessage>, ValueTask> onRetry)
    {
        if (settings.MaxRetries <= 0)
        {
            return ResiliencePipeline<HttpResponseMessage>.Empty;
        }

        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = settings.TimeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = async args => args.Outcome switch
                {
                    // A caller's cancellation is not transient; a transient answer during cancellation ends in the
                    // backoff's delay throwing OperationCanceledException, which is what the caller expects.
                    { Exception: { } exception } => IsRetryableFailure(exception, args.Context.CancellationToken),
                    { Result: { IsSuccessStatusCode: false } response } => await shouldRetryResponse(response).ConfigureAwait(false),
                    _ => false,
                },
                DelayGenerator = args => args.Outcome.Result is { } response ? requestedWait(response) : new ValueTask<TimeSpan?>((TimeSpan?)null),
                OnRetry = onRetry,
            })
            .Build();
    }

    /// <summary>
    /// Whether a request that failed with <paramref name="exception"/> is worth another attempt: a transient network
    /// failure, unless the caller is cancelling (then the failure is the cancellation's doing).
    /// </summary>
    public static bool IsRetryableFailure(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && NetworkFailure.IsTransient(exception);

    /// <summary>A strategy for a multi-request operation: retries the exceptions <paramref name="shouldRetry"/> accepts.</summary>
    /// <param name="settings">Attempts and delays.</param>
    /// <param name="shouldRetry">Which failures are worth another attempt of the whole operation.</param>
    /// <param name="onRetry">Told about each retry before its wait.</param>
    public static ResiliencePipeline ForOperations(
        RetrySettings settings,
        Func<Exception, bool> shouldRetry,
        Func<OnRetryArguments<object>, ValueTask> onRetry)
    {
        if (settings.MaxRetries <= 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder { TimeProvider = settings.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = args => new ValueTask<bool>(
                    args.Outcome.Exception is { } exception && !args.Context.CancellationToken.IsCancellationRequested && shouldRetry(exception)),
                OnRetry = onRetry,
            })
            .Build();
    }
}
