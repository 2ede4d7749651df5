using System.Runtime.ExceptionServices;
using Polly;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// A retried operation whose Polly pipeline is built only when its first attempt fails in a way worth another try.
/// Most operations succeed at once, and building a pipeline is not free under NativeAOT: Polly validates its options
/// through DataAnnotations reflection, which costs a push CPU and resident memory it otherwise never needs. The
/// pipeline then starts from that first failure, so its waits, counts and announcements are as if it had run it.
/// </summary>
/// <param name="shouldRetry">Which failures are worth another attempt (the pipeline's own rule, applied first here).</param>
/// <param name="build">Builds the pipeline.</param>
internal sealed class DeferredRetry(Func<Exception, bool> shouldRetry, Func<ResiliencePipeline> build)
{
    private readonly Lazy<ResiliencePipeline> _pipeline = new(build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Runs <paramref name="callback"/> once, and through the pipeline only if that attempt failed retryably.</summary>
    public async ValueTask ExecuteAsync<TState>(Func<ResilienceContext, TState, ValueTask> callback, ResilienceContext context, TState state)
    {
        ExceptionDispatchInfo first;
        try
        {
            await callback(context, state).ConfigureAwait(false);
            return;
        }
        catch (Exception exception) when (!context.CancellationToken.IsCancellationRequested && shouldRetry(exception))
        {
            first = ExceptionDispatchInfo.Capture(exception);
        }

        var replayed = false;
        await _pipeline.Value.ExecuteAsync(
            async (attempt, inner) =>
            {
                if (!replayed)
                {
                    replayed = true;
                    first.Throw();
                }

                await callback(attempt, inner).ConfigureAwait(false);
            },
            context,
            state).ConfigureAwait(false);
    }
}
