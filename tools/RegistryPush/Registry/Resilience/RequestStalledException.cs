namespace RegistryPush.Registry.Resilience;

/// <summary>A request made no progress for the stall timeout: no body byte went out and no response byte came in.</summary>
public sealed class RequestStalledException(TimeSpan timeout, Exception? inner = null)
    : HttpRequestException($"no progress for {timeout.TotalSeconds:0.#} s (raise --timeout for a very slow link)", inner)
{
    /// <summary>The stall timeout that expired.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
