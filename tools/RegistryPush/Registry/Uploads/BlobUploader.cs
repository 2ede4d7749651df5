using System.Globalization;
using Polly;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// Gets one blob into one repository with the fewest bytes: skip when present, mount when a sibling repository has
/// it, otherwise stream it from its file. A failed upload is retried where it failed: a broken chunk is resumed from
/// what the session holds (<see cref="ChunkedUpload"/>); a broken monolithic upload, a lost session or a failed close
/// starts a new session, after checking that the blob did not arrive after all.
/// </summary>
public sealed class BlobUploader
{
    private static readonly ResiliencePropertyKey<string> BlobKey = new("registry-push.blob");
    private readonly UploadOptions _options;
    private readonly IPushObserver _observer;
    private readonly DeferredRetry _sessions;
    private readonly DeferredRetry _chunks;
    private readonly BlobVerifier _verifier;

    /// <summary>Creates the uploader.</summary>
    /// <param name="options">Chunking, retries and verification.</param>
    /// <param name="observer">Progress, warnings and retry notices.</param>
    public BlobUploader(UploadOptions options, IPushObserver observer)
    {
        _options = options;
        _observer = observer;
        _verifier = new BlobVerifier(observer);
        _sessions = Retried(options.Retry, static exception => exception is UploadInterruptedException or UploadSessionLostException, "upload");
        _chunks = Retried(options.Retry, static exception => exception is UploadInterruptedException, "chunk");
    }

    /// <summary>Ensures <paramref name="blob"/> is in <paramref name="target"/>'s repository.</summary>
    /// <param name="target">The target repository.</param>
    /// <param name="blob">The blob and its file.</param>
    /// <param name="mountFrom">A repository of the same registry known to hold the blob, or null.</param>
    /// <param name="dryRun">Only check; send nothing.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<BlobOutcome> EnsureAsync<TRepository>(TRepository target, BlobFile blob, RepositoryReference? mountFrom, bool dryRun, CancellationToken cancellationToken)
        where TRepository : IBlobStore, IBlobMounter
    {
        var descriptor = blob.Descriptor;
        var repository = target.Repository;
        var probe = await target.FindBlobAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
        if (probe.Presence == BlobPresence.Present)
        {
            return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Exists, 0);
        }

        if (probe.Presence == BlobPresence.Forbidden)
        {
            _observer.Verbose($"HEAD blob {descriptor.Digest.Abbreviated} in {repository} answered 403; treating it as missing (Artifactory's answer for an absent blob); the upload will show a real denial");
        }

        if (dryRun)
        {
            // The registry checks every blob it is sent against its digest, and refuses a corrupt one (exit 2): a dry
            // run checks what the push would send the same way, so that its "would succeed" holds.
            await _verifier.VerifyFileOnceAsync(blob, cancellationToken).ConfigureAwait(false);
            return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.WouldUpload, 0);
        }

        if (_options.Verify)
        {
            await _verifier.VerifyFileOnceAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        UploadSession? session = null;
        if (mountFrom is not null)
        {
            session = await target.TryMountAsync(descriptor.Digest, mountFrom, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                await ConfirmAsync(target, blob, cancellationToken).ConfigureAwait(false);
                return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Mounted, 0);
            }
        }

        _observer.BlobStarted(repository, descriptor);
        var upload = new Upload(target, blob, session, _options.ForceChunked, RegistryQuirks.For(repository.Registry), new UploadProgress(repository, descriptor, _observer));
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BlobKey, $"blob {descriptor.Digest.Abbreviated} to {repository}");
        try
        {
            await _sessions.ExecuteAsync(static (context, state) => new ValueTask(state.self.AttemptAsync(state.upload, context)), context, (self: this, upload)).ConfigureAwait(false);
        }
        catch (UploadInterruptedException exception)
        {
            // Out of retries: the registry's or network's own error, naming the blob, is what the user needs.
            throw exception.Failure;
        }
        catch (UploadSessionLostException exception)
        {
            throw new RegistryException($"upload blob {descriptor.Digest} to {repository}: {exception.Message}");
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        await ConfirmAsync(target, blob, cancellationToken).ConfigureAwait(false);
        return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Uploaded, upload.Progress.BytesSent);
    }

    /// <summary>One attempt of the blob's upload session: a fresh session unless it is the first attempt.</summary>
    private async Task AttemptAsync(Upload upload, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        var store = upload.Store;
        var blob = upload.Blob;
        if (upload.Attempts++ > 0)
        {
            // The last attempt may have stored the blob and lost only the answer: then there is nothing to resend.
            if ((await store.FindBlobAsync(blob.Descriptor.Digest, cancellationToken).ConfigureAwait(false)).Presence == BlobPresence.Present)
            {
                upload.Progress.ShowHeld(blob.Descriptor.Size);
                return;
            }

            upload.Progress.ShowHeld(0);
        }

        var session = upload.TakeFirstSession() ?? await store.StartUploadAsync(cancellationToken).ConfigureAwait(false);
        if (upload.Chunked || ChunkSizePolicy.MustChunk(blob.Descriptor.Size, upload.Quirks, session))
        {
            await UploadChunkedAsync(upload, session, context).ConfigureAwait(false);
            return;
        }

        try
        {
            await store.PutBlobAsync(session, blob, upload.Progress.OnBytesSent, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (UploadFailures.IsTooLarge(exception))
        {
            // Some registries cap one request's body (GHCR at 4 MiB, answering 416); chunks get through where one PUT cannot.
            _observer.Verbose($"{blob.Descriptor.Digest.Abbreviated}: monolithic upload refused as too large ({(int)exception.StatusCode!}); uploading in chunks");
            upload.Chunked = true;
            upload.Progress.ShowHeld(0);
            var fresh = await store.StartUploadAsync(cancellationToken).ConfigureAwait(false);
            await UploadChunkedAsync(upload, fresh, context).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (NetworkFailure.IsTransient(exception))
        {
            throw new UploadInterruptedException(exception);
        }
    }

    private async Task UploadChunkedAsync(Upload upload, UploadSession session, ResilienceContext context)
    {
        var sizes = ChunkSizePolicy.For(_options.MaxChunkBytes, upload.Quirks, session);
        var chunked = new ChunkedUpload(upload.Store, upload.Blob, session, sizes, upload.Progress, _observer);
        var chunkContext = ResilienceContextPool.Shared.Get(context.CancellationToken);
        chunkContext.Properties.Set(BlobKey, context.Properties.GetValue(BlobKey, "blob"));
        try
        {
            await chunked.RunAsync(_chunks, chunkContext).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(chunkContext);
        }
    }

    private Task ConfirmAsync(IBlobStore store, BlobFile blob, CancellationToken cancellationToken) =>
        _options.Verify ? _verifier.ConfirmServedAsync(store, blob, cancellationToken) : Task.CompletedTask;

    private ValueTask Notice(ResilienceContext context, Exception? exception, string what, int attempt, TimeSpan delay)
    {
        var blob = context.Properties.GetValue(BlobKey, "blob");
        var reason = exception switch
        {
            UploadInterruptedException interrupted => interrupted.Failure.Message,
            null => "failed",
            _ => exception.Message,
        };
        _observer.Warning(string.Create(CultureInfo.InvariantCulture,
            $"{what} of {blob} failed ({reason}); {(what == "chunk" ? "resuming from what the registry holds" : "starting a new upload session")}, retry {attempt + 1} of {_options.Retry.MaxRetries} in {delay.TotalSeconds:0.0} s"));
        return default;
    }

    /// <summary>The state of one blob's upload across its session attempts.</summary>
    private sealed class Upload(IBlobStore store, BlobFile blob, UploadSession? firstSession, bool chunked, RegistryQuirks quirks, UploadProgress progress)
    {
        private UploadSession? _firstSession = firstSession;

        public IBlobStore Store { get; } = store;

        public BlobFile Blob { get; } = blob;

        public RegistryQuirks Quirks { get; } = quirks;

        public UploadProgress Progress { get; } = progress;

        /// <summary>Monolithic uploads were refused as too large (or chunks were asked for): every attempt sends chunks.</summary>
        public bool Chunked { get; set; } = chunked;

        public int Attempts { get; set; }

        /// <summary>The session a refused mount opened, used by the first attempt only.</summary>
        public UploadSession? TakeFirstSession() => Interlocked.Exchange(ref _firstSession, null);
    }

    private DeferredRetry Retried(RetrySettings settings, Func<Exception, bool> shouldRetry, string what) =>
        new(shouldRetry, () => RetryPipelines.ForOperations(
            settings, shouldRetry, args => Notice(args.Context, args.Outcome.Exception, what, args.AttemptNumber, args.RetryDelay)));
}
