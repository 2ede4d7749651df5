using System.Globalization;
using Polly;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Resilience;

namespace RegistryPush.Registry;

/// <summary>How blobs travel: one monolithic PUT by default, chunked PATCHes where the registry needs them.</summary>
/// <param name="MaxChunkBytes">The largest chunk sent; 4 MiB by default because GHCR refuses larger PATCH bodies.</param>
/// <param name="ForceChunked">Always upload in chunks (for registries that refuse monolithic uploads).</param>
public sealed record UploadOptions(long MaxChunkBytes = UploadOptions.DefaultMaxChunkBytes, bool ForceChunked = false)
{
    /// <summary>4 MiB.</summary>
    public const long DefaultMaxChunkBytes = 4 * 1024 * 1024;

    /// <summary>The smallest chunk ever sent (except a blob's last): halving a refused chunk stops here.</summary>
    public const long SmallestChunkBytes = 64 * 1024;

    /// <summary>How often a failed upload session or chunk is tried again, and how long to wait in between.</summary>
    public RetrySettings Retry { get; init; } = RetrySettings.Default;

    /// <summary>
    /// <c>--verify</c>: hash each blob's file before sending it (a corrupt file fails before a byte leaves), and
    /// confirm with a <c>HEAD</c> after each upload or mount that the registry serves the blob at its size.
    /// </summary>
    public bool Verify { get; init; }
}

/// <summary>
/// Gets one blob into one repository with the fewest bytes: skip when present, mount when a sibling repository has
/// it, otherwise stream it from its file. A failed upload is retried where it failed: a broken chunk is resumed from
/// what the session holds (<c>GET</c> on the upload URL → <c>Range</c>); a broken monolithic upload, a lost session
/// or a failed close starts a new session, after checking that the blob did not arrive after all.
/// </summary>
public sealed class BlobUploader
{
    private readonly UploadOptions _options;
    private readonly IPushObserver _observer;
    // Built on first use: a push whose blobs are all there already never needs them, and building one costs
    // a no-op push noticeable CPU under NativeAOT (Polly validates its options through reflection).
    private readonly Lazy<ResiliencePipeline> _sessions;
    private readonly Lazy<ResiliencePipeline> _chunks;
    private static readonly ResiliencePropertyKey<string> BlobKey = new("registry-push.blob");
    private readonly BlobFileVerifier _files = new();

    /// <summary>Creates the uploader.</summary>
    /// <param name="options">Chunking, retries and verification.</param>
    /// <param name="observer">Progress, warnings and retry notices.</param>
    public BlobUploader(UploadOptions options, IPushObserver observer)
    {
        _options = options;
        _observer = observer;
        _sessions = new(() => RetryPipelines.ForOperations(
            options.Retry,
            static exception => exception is UploadInterruptedException or UploadSessionLostException,
            args => Notice(args.Context, args.Outcome.Exception, "upload", args.AttemptNumber, args.RetryDelay)));
        _chunks = new(() => RetryPipelines.ForOperations(
            options.Retry,
            static exception => exception is UploadInterruptedException,
            args => Notice(args.Context, args.Outcome.Exception, "chunk", args.AttemptNumber, args.RetryDelay)));
    }

    /// <summary>Ensures <paramref name="blob"/> is in <paramref name="client"/>'s repository.</summary>
    /// <param name="client">The target repository.</param>
    /// <param name="blob">The blob and its file.</param>
    /// <param name="mountFrom">A repository of the same registry known to hold the blob, or null.</param>
    /// <param name="dryRun">Only check; send nothing.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    public async Task<BlobOutcome> EnsureAsync(RegistryClient client, BlobFile blob, RepositoryReference? mountFrom, bool dryRun, CancellationToken cancellationToken)
    {
        var descriptor = blob.Descriptor;
        var repository = client.Repository;
        var probe = await client.FindBlobAsync(descriptor.Digest, cancellationToken).ConfigureAwait(false);
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
            await _files.VerifyOnceAsync(blob, cancellationToken).ConfigureAwait(false);
            return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.WouldUpload, 0);
        }

        if (_options.Verify)
        {
            await _files.VerifyOnceAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        UploadSession? session = null;
        if (mountFrom is not null)
        {
            session = await client.TryMountAsync(descriptor.Digest, mountFrom, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                await ConfirmAsync(client, blob, cancellationToken).ConfigureAwait(false);
                return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Mounted, 0);
            }
        }

        _observer.BlobStarted(repository, descriptor);
        var upload = new Upload(client, blob, session, _options.ForceChunked, RegistryQuirks.For(repository.Registry), _observer);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(BlobKey, $"blob {descriptor.Digest.Abbreviated} to {repository}");
        try
        {
            await _sessions.Value.ExecuteAsync(static (context, state) => new ValueTask(state.self.AttemptAsync(state.upload, context)), context, (self: this, upload)).ConfigureAwait(false);
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

        await ConfirmAsync(client, blob, cancellationToken).ConfigureAwait(false);
        return new BlobOutcome(repository, descriptor.Digest, descriptor.Size, BlobAction.Uploaded, upload.BytesSent);
    }

    /// <summary>One attempt of the blob's upload session: a fresh session unless it is the first attempt.</summary>
    private async Task AttemptAsync(Upload upload, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        var client = upload.Client;
        var blob = upload.Blob;
        if (upload.Attempts++ > 0)
        {
            // The last attempt may have stored the blob and lost only the answer: then there is nothing to resend.
            if ((await client.FindBlobAsync(blob.Descriptor.Digest, cancellationToken).ConfigureAwait(false)).Presence == BlobPresence.Present)
            {
                upload.RewindProgress(blob.Descriptor.Size);
                return;
            }

            upload.RewindProgress(0);
        }

        var session = upload.TakeFirstSession() ?? await client.StartUploadAsync(cancellationToken).ConfigureAwait(false);
        if (upload.Chunked || ShouldChunk(upload, session))
        {
            await UploadChunkedAsync(upload, session, context).ConfigureAwait(false);
            return;
        }

        try
        {
            await client.PutBlobAsync(session, blob, upload.OnBytesSent, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (UploadFailures.IsTooLarge(exception))
        {
            // Some registries cap one request's body (GHCR at 4 MiB, answering 416); chunks get through where one PUT cannot.
            _observer.Verbose($"{blob.Descriptor.Digest.Abbreviated}: monolithic upload refused as too large ({(int)exception.StatusCode!}); uploading in chunks");
            upload.Chunked = true;
            upload.RewindProgress(0);
            var fresh = await client.StartUploadAsync(cancellationToken).ConfigureAwait(false);
            await UploadChunkedAsync(upload, fresh, context).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (UploadFailures.IsTransient(exception))
        {
            throw new UploadInterruptedException(exception);
        }
    }

    private static bool ShouldChunk(Upload upload, UploadSession session) =>
        session.MinimumChunkBytes is not null
        || upload.Quirks.MaxRequestBodyBytes is { } ceiling && upload.Blob.Descriptor.Size > ceiling;

    /// <summary>
    /// Sends the blob in chunks through <paramref name="session"/>. A failed chunk is retried (with backoff) after
    /// asking the session what it holds, from that offset; a chunk refused as too large is halved. A session the
    /// registry has forgotten ends this attempt (<see cref="UploadSessionLostException"/>) so that a new one starts.
    /// </summary>
    private async Task UploadChunkedAsync(Upload upload, UploadSession session, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        var client = upload.Client;
        var blob = upload.Blob;
        var digest = blob.Descriptor.Digest;
        var size = blob.Descriptor.Size;
        var minimum = Math.Max(session.MinimumChunkBytes ?? 0, upload.Quirks.MinChunkBytes ?? 0);
        var chunk = Math.Max(Math.Min(_options.MaxChunkBytes, upload.Quirks.MaxRequestBodyBytes ?? long.MaxValue), minimum);
        long offset = 0;
        var resync = false;
        long? refusedAt = null;

        var chunkContext = ResilienceContextPool.Shared.Get(cancellationToken);
        chunkContext.Properties.Set(BlobKey, context.Properties.GetValue(BlobKey, "blob"));
        try
        {
            while (offset < size)
            {
                await _chunks.Value.ExecuteAsync(
                    async chunkAttempt =>
                    {
                        var token = chunkAttempt.CancellationToken;
                        if (resync)
                        {
                            var status = await client.GetUploadStatusAsync(session, digest, token).ConfigureAwait(false)
                                ?? throw new UploadSessionLostException("the registry no longer knows the upload session");
                            if (status.Committed is not { } committed || committed > size)
                            {
                                throw new UploadSessionLostException("the registry's upload session reports an unusable Range");
                            }

                            session = status.Session;
                            if (refusedAt == committed)
                            {
                                // The chunk was refused, not broken: too large for this registry. Halve it.
                                if (chunk / 2 < Math.Max(minimum, UploadOptions.SmallestChunkBytes))
                                {
                                    throw new UploadSessionLostException($"the registry refuses chunks of {chunk} bytes at offset {committed}");
                                }

                                chunk /= 2;
                                _observer.Verbose($"{digest.Abbreviated}: chunk refused; continuing with {chunk}-byte chunks");
                            }

                            offset = committed;
                            refusedAt = null;
                            resync = false;
                            upload.RewindProgress(offset);
                            if (offset >= size)
                            {
                                return;
                            }
                        }

                        var length = Math.Min(chunk, size - offset);
                        try
                        {
                            var accepted = await client.PatchChunkAsync(session, blob, offset, length, upload.OnBytesSent, token).ConfigureAwait(false);
                            session = accepted.Session;
                            var end = accepted.Committed ?? offset + length;
                            if (end > offset + length || end < offset)
                            {
                                throw new UploadSessionLostException($"the registry reports holding {end} bytes after a chunk ending at {offset + length}");
                            }

                            // A registry may keep less than it was sent (a short write): continue from what it holds.
                            offset = end;
                            upload.RewindProgress(offset);
                        }
                        catch (RegistryException exception) when (UploadFailures.IsTransient(exception) || UploadFailures.IsTooLarge(exception))
                        {
                            resync = true;
                            refusedAt = UploadFailures.IsTooLarge(exception) ? offset : null;
                            throw new UploadInterruptedException(exception);
                        }
                        catch (RegistryException exception) when (exception.StatusCode == System.Net.HttpStatusCode.NotFound)
                        {
                            throw new UploadSessionLostException("the registry no longer knows the upload session");
                        }
                    },
                    chunkContext).ConfigureAwait(false);
            }
        }
        catch (UploadInterruptedException exception)
        {
            // A chunk used up its retries; another session would meet the same fault.
            throw exception.Failure;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(chunkContext);
        }

        try
        {
            await client.CompleteChunkedUploadAsync(session, blob, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryException exception) when (UploadFailures.IsTransient(exception))
        {
            throw new UploadInterruptedException(exception);
        }
    }

    /// <summary><c>--verify</c>: the registry must now serve the blob, at its size.</summary>
    private async Task ConfirmAsync(RegistryClient client, BlobFile blob, CancellationToken cancellationToken)
    {
        if (!_options.Verify)
        {
            return;
        }

        var digest = blob.Descriptor.Digest;
        var probe = await client.FindBlobAsync(digest, cancellationToken).ConfigureAwait(false);
        switch (probe)
        {
            case { Presence: BlobPresence.Present, Size: null }:
                return;
            case { Presence: BlobPresence.Present, Size: { } size } when size == blob.Descriptor.Size:
                return;
            case { Presence: BlobPresence.Present, Size: { } size }:
                throw new RegistryException($"verify: {client.Repository} serves blob {digest} as {size} bytes; the layout's is {blob.Descriptor.Size}");
            case { Presence: BlobPresence.Forbidden }:
                _observer.Warning($"verify: cannot confirm blob {digest.Abbreviated} in {client.Repository}: HEAD answered 403");
                return;
            default:
                throw new RegistryException($"verify: {client.Repository} does not serve blob {digest} after its upload was accepted");
        }
    }

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

    /// <summary>The state of one blob's upload across its attempts.</summary>
    private sealed class Upload(RegistryClient client, BlobFile blob, UploadSession? firstSession, bool chunked, RegistryQuirks quirks, IPushObserver observer)
    {
        private UploadSession? _firstSession = firstSession;
        private long _sent;
        private long _shown;

        public RegistryClient Client { get; } = client;

        public BlobFile Blob { get; } = blob;

        public RegistryQuirks Quirks { get; } = quirks;

        public bool Chunked { get; set; } = chunked;

        public int Attempts { get; set; }

        /// <summary>Every byte that went out, resends included.</summary>
        public long BytesSent => Interlocked.Read(ref _sent);

        public UploadSession? TakeFirstSession() => Interlocked.Exchange(ref _firstSession, null);

        public void OnBytesSent(long bytes)
        {
            Interlocked.Add(ref _sent, bytes);
            Interlocked.Add(ref _shown, bytes);
            observer.BlobProgress(Client.Repository, Blob.Descriptor, bytes);
        }

        /// <summary>Makes the progress shown match what the registry holds after a resume or restart.</summary>
        public void RewindProgress(long held)
        {
            var shown = Interlocked.Exchange(ref _shown, held);
            if (shown != held)
            {
                observer.BlobProgress(Client.Repository, Blob.Descriptor, held - shown);
            }
        }
    }
}
