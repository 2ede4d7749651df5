using Polly;
using RegistryPush.Oci;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// One blob sent in chunks through one upload session, as a state machine: each step either sends the next chunk
/// (<see cref="Next.Send"/>) or, after a chunk failed, first asks the session what it holds and continues from there
/// (<see cref="Next.Resync"/>). A chunk refused as too large is halved (<see cref="ChunkSizePolicy"/>). A session the
/// registry has forgotten ends the upload with <see cref="UploadSessionLostException"/>, so that a new one starts.
/// </summary>
/// <remarks>
/// The state lives in fields, not in a closure, because a step runs inside a retry pipeline: a failed step leaves
/// the state saying what the retry must do first.
/// </remarks>
internal sealed class ChunkedUpload
{
    private readonly IBlobStore _store;
    private readonly BlobFile _blob;
    private readonly ChunkSizePolicy _sizes;
    private readonly UploadProgress _progress;
    private readonly IPushObserver _observer;
    private UploadSession _session;
    private long _offset;
    private long _chunk;
    private Next _next = Next.Send;

    // Where the last chunk was refused for its size, so the resync can tell "too large" from "broken".
    private long? _refusedAt;

    /// <summary>Starts the upload of <paramref name="blob"/> through <paramref name="session"/>, from its first byte.</summary>
    public ChunkedUpload(IBlobStore store, BlobFile blob, UploadSession session, ChunkSizePolicy sizes, UploadProgress progress, IPushObserver observer)
    {
        _store = store;
        _blob = blob;
        _session = session;
        _sizes = sizes;
        _chunk = sizes.Initial;
        _progress = progress;
        _observer = observer;
    }

    /// <summary>What the next step does.</summary>
    private enum Next
    {
        /// <summary>Send the chunk at the offset.</summary>
        Send,

        /// <summary>Ask the session what it holds, then continue from there.</summary>
        Resync,
    }

    private long Size => _blob.Descriptor.Size;

    /// <summary>
    /// Sends every chunk, each step under <paramref name="chunks"/> (a failed step is retried with backoff), then closes
    /// the session. A chunk that used up its retries fails with the registry's or network's own error: another session
    /// would meet the same fault.
    /// </summary>
    public async Task RunAsync(DeferredRetry chunks, ResilienceContext context)
    {
        try
        {
            while (_offset < Size)
            {
                await chunks.ExecuteAsync(static (attempt, self) => new ValueTask(self.StepAsync(attempt.CancellationToken)), context, this).ConfigureAwait(false);
            }
        }
        catch (UploadInterruptedException exception)
        {
            throw exception.Failure;
        }

        try
        {
            await _store.CompleteChunkedUploadAsync(_session, _blob, context.CancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (NetworkFailure.IsTransient(exception))
        {
            throw new UploadInterruptedException(exception);
        }
    }

    private async Task StepAsync(CancellationToken cancellationToken)
    {
        if (_next == Next.Resync)
        {
            await ResyncAsync(cancellationToken).ConfigureAwait(false);
            if (_offset >= Size)
            {
                return;
            }
        }

        await SendChunkAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Continues from what the session holds; halves the chunk when the last one was refused for its size.</summary>
    private async Task ResyncAsync(CancellationToken cancellationToken)
    {
        var status = await _store.GetUploadStatusAsync(_session, _blob.Descriptor.Digest, cancellationToken).ConfigureAwait(false)
            ?? throw new UploadSessionLostException("the registry no longer knows the upload session");
        if (status.Committed is not { } committed || committed > Size)
        {
            throw new UploadSessionLostException("the registry's upload session reports an unusable Range");
        }

        _session = status.Session;
        if (_refusedAt == committed)
        {
            // The chunk was refused, not broken: too large for this registry.
            _chunk = _sizes.AfterRefusal(_chunk)
                ?? throw new UploadSessionLostException($"the registry refuses chunks of {_chunk} bytes at offset {committed}");
            _observer.Verbose($"{_blob.Descriptor.Digest.Abbreviated}: chunk refused; continuing with {_chunk}-byte chunks");
        }

        _offset = committed;
        _refusedAt = null;
        _next = Next.Send;
        _progress.ShowHeld(_offset);
    }

    private async Task SendChunkAsync(CancellationToken cancellationToken)
    {
        var length = Math.Min(_chunk, Size - _offset);
        try
        {
            var accepted = await _store.PatchChunkAsync(_session, _blob, _offset, length, _progress.OnBytesSent, cancellationToken).ConfigureAwait(false);
            _session = accepted.Session;
            var end = accepted.Committed ?? _offset + length;
            if (end > _offset + length || end < _offset)
            {
                throw new UploadSessionLostException($"the registry reports holding {end} bytes after a chunk ending at {_offset + length}");
            }

            // A registry may keep less than it was sent (a short write): continue from what it holds.
            _offset = end;
            _progress.ShowHeld(_offset);
        }
        catch (RegistryException exception) when (NetworkFailure.IsTransient(exception) || UploadFailures.IsTooLarge(exception))
        {
            _next = Next.Resync;
            _refusedAt = UploadFailures.IsTooLarge(exception) ? _offset : null;
            throw new UploadInterruptedException(exception);
        }
        catch (RegistryException exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new UploadSessionLostException("the registry no longer knows the upload session");
        }
    }
}
