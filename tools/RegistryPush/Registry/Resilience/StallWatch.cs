namespace RegistryPush.Registry.Resilience;

/// <summary>
/// A cancellation that fires when nothing has happened for a while: every sign of progress (a body write, the
/// response headers, a response body read) re-arms it. One per request attempt.
/// </summary>
internal sealed class StallWatch : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private int _disposed;

    public StallWatch(TimeSpan timeout, CancellationToken caller)
    {
        Timeout = timeout;
        _caller = caller;
        _source = CancellationTokenSource.CreateLinkedTokenSource(caller);
        _source.CancelAfter(timeout);
    }

    /// <summary>The allowed time without progress.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Cancelled when the caller cancels or the request stalls.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>True when the watch fired because of a stall, not because the caller cancelled.</summary>
    public bool Stalled => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    /// <summary>Something moved: re-arm the timer.</summary>
    public void Progress()
    {
        if (Volatile.Read(ref _disposed) != 0 || _source.IsCancellationRequested)
        {
            return;
        }

        try
        {
            _source.CancelAfter(Timeout);
        }
        catch (ObjectDisposedException)
        {
            // A body write that finished after the attempt ended; nothing to watch any more.
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _source.Dispose();
        }
    }
}
