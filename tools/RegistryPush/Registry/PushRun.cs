using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>
/// Runs a whole push of one or many images, in the order that keeps every registry consistent: blobs (deduplicated
/// across images, largest first, in parallel), then every image's manifests children-first by digest, then all tags
/// last, so a tag never points at an image the registry does not wholly hold and a run moves all its tags or none.
/// </summary>
public sealed class PushRun(RegistryConnector connector, PushOptions options, IPushObserver observer)
{
    private readonly BlobUploader _uploader = new(options.Upload ?? new UploadOptions(), observer);
    private readonly ReferrersTagSchema _referrers = new(observer);
    private readonly int _uploadJobs = Math.Max(1, options.Jobs);
    private readonly int _requestJobs = Math.Max(1, options.RequestJobs);

    /// <summary>Pushes every request; fails as a whole before any tag moves if any blob or manifest fails.</summary>
    /// <param name="requests">The images, where they go and their tags.</param>
    /// <param name="tagsNow">
    /// What the requests' tags name now, when the caller already asked (<see cref="CurrentTags"/>, started while the
    /// layouts were being read); null to ask here.
    /// </param>
    /// <param name="cancellationToken">Cancels the push.</param>
    public async Task<IReadOnlyList<ImagePushResult>> PushAsync(
        IReadOnlyList<PushRequest> requests, Task<IReadOnlyDictionary<(string Repository, string Tag), Digest>>? tagsNow, CancellationToken cancellationToken)
    {
        // First the tags: when each already names its image, the image is whole in the registry and nothing is left
        // to send. A tag that names it also proves its image present without asking again by digest.
        var named = await (tagsNow ?? CurrentTags.FindAsync(connector, requests.Select(static request => (request.Repository, request.Tags)), _requestJobs, cancellationToken)).ConfigureAwait(false);
        // A tag is in place when it names this request's own image: two plan entries may give one tag to two images.
        bool InPlace(PushRequest request, string tag) =>
            named.TryGetValue((request.Repository.ToString(), tag), out var digest) && digest == request.Image.Root.Digest;
        var present = requests.Select(request => request.Tags.Any(tag => InPlace(request, tag))).ToArray();
        var registries = requests.Select(static request => request.Repository).DistinctBy(static repository => repository.Registry).ToList();
        foreach (var registry in registries)
        {
            await connector.ConnectAsync(registry, cancellationToken).ConfigureAwait(false);
        }

        if (present.Contains(false))
        {
            // Something will be written: make sure each registry is one before anything else is asked of it.
            foreach (var registry in registries)
            {
                await connector.VerifyAsync(registry, cancellationToken).ConfigureAwait(false);
            }
        }

        // An image the registry already holds under its digest has all its blobs and children (registries verify
        // that on manifest upload): only its tags remain to be written. These checks, like the manifests and tags
        // below, are small requests: left to Parallel.ForAsync's default (ProcessorCount at once), twenty images on
        // a 2-core CI runner would wait ten round trips instead of two.
        await Parallel.ForAsync(0, requests.Count, RequestLane(cancellationToken), async (i, token) =>
        {
            var request = requests[i];
            present[i] = present[i] || await connector.ClientFor(request.Repository)
                .ManifestExistsAsync(request.Image.Root.Digest.ToString(), token).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var pending = requests.Where((_, i) => !present[i]).ToList();
        var outcomes = await PushBlobsAsync(pending, cancellationToken).ConfigureAwait(false);

        // A release moves all its tags or none: every image's manifests go in by digest first (invisible to anyone
        // pulling by tag), and only when all of them are in does any tag move. A manifest refused in one image fails
        // the run before a single tag of any image has moved.
        if (!options.DryRun)
        {
            // Manifests with a subject whose registry said it listed them itself (OCI-Subject on the PUT).
            var listedByRegistry = new System.Collections.Concurrent.ConcurrentDictionary<(string, Digest), bool>();
            await Parallel.ForAsync(0, requests.Count, RequestLane(cancellationToken), async (i, token) =>
            {
                if (!present[i])
                {
                    await PushManifestsAsync(requests[i], listedByRegistry, token).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);

            // Tags are independent of each other once every image is whole: one round trip for all of them. So are
            // referrers lists under their fallback tags (also tags: they move with the others, never before).
            var tags = requests.SelectMany(static request => request.Tags.Select(tag => new TagWork(request, tag, null)))
                .Concat(requests.SelectMany(static request => request.Image.Manifests
                    .Where(static manifest => manifest.Referrer is not null)
                    .Select(manifest => new TagWork(request, null, manifest))))
                .DistinctBy(static work => (work.Request.Repository.ToString(), work.Tag, work.Referrer?.Descriptor.Digest));
            await Parallel.ForEachAsync(tags, RequestLane(cancellationToken), async (work, token) =>
            {
                var client = connector.ClientFor(work.Request.Repository);
                if (work.Referrer is { } referrer)
                {
                    var listed = listedByRegistry.ContainsKey((work.Request.Repository.ToString(), referrer.Descriptor.Digest));
                    await _referrers.EnsureListedAsync(client, referrer, listed, token).ConfigureAwait(false);
                    return;
                }

                // An interruption stops the tags that have not started; the ledger says which ones had.
                token.ThrowIfCancellationRequested();
                var root = work.Request.Image.Manifests[^1];
                if (InPlace(work.Request, work.Tag!))
                {
                    // Already there: writing it again would only cost a round trip (and the registry a write).
                    observer.TagUnchanged(work.Request.Repository, work.Tag!, root.Descriptor.Digest);
                    return;
                }

                observer.TagStarting(work.Request.Repository, work.Tag!);
                await client.TagAsync(root, work.Tag!, token).ConfigureAwait(false);
                observer.TagPushed(work.Request.Repository, work.Tag!, root.Descriptor.Digest);
            }).ConfigureAwait(false);
        }

        return requests.Select((request, i) => new ImagePushResult(
            request,
            present[i]
                ? request.Image.Blobs.Select(blob => new BlobOutcome(request.Repository, blob.Descriptor.Digest, blob.Descriptor.Size, BlobAction.Exists, 0)).ToList()
                : request.Image.Blobs.Select(blob => outcomes[(request.Repository.ToString(), blob.Descriptor.Digest)]).ToList(),
            options.DryRun ? [] : request.Tags,
            present[i])).ToList();
    }

    private async Task<Dictionary<(string Repository, Digest Digest), BlobOutcome>> PushBlobsAsync(List<PushRequest> requests, CancellationToken cancellationToken)
    {
        // One work item per (registry, blob): the first repository gets the bytes, the others mount them from it.
        var work = requests
            .SelectMany(request => request.Image.Blobs.Select(blob => (request.Repository, Blob: blob)))
            .GroupBy(static item => (item.Repository.Registry, item.Blob.Descriptor.Digest))
            .Select(static group => new BlobWork(group.First().Blob, group.Select(static item => item.Repository).DistinctBy(static r => r.Path).ToList()))
            .OrderByDescending(static item => item.Blob.Descriptor.Size)
            .ToList();

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<(string, Digest), BlobOutcome>();

        // Two lanes. Large blobs share the --jobs upload slots, largest first (the longest upload starts first, so
        // the last slot to finish finishes soonest). Small blobs are round trips rather than bandwidth: waiting for
        // a large upload's slot would put a config's three requests after gigabytes; they get their own lane.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] lanes =
        [
            RunLaneAsync(work.Where(static item => item.Blob.Descriptor.Size > PushOptions.SmallBlobBytes), _uploadJobs),
            RunLaneAsync(work.Where(static item => item.Blob.Descriptor.Size <= PushOptions.SmallBlobBytes), _requestJobs),
        ];
        try
        {
            await Task.WhenAll(lanes).ConfigureAwait(false);
        }
        catch when (!cancellationToken.IsCancellationRequested)
        {
            // Surface the failure that stopped the push, not the cancellation it caused in the other lane.
            var cause = lanes.Where(static lane => lane.IsFaulted)
                .SelectMany(static lane => lane.Exception!.InnerExceptions)
                .FirstOrDefault(static exception => exception is not OperationCanceledException);
            if (cause is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            }

            throw;
        }

        return new Dictionary<(string, Digest), BlobOutcome>(outcomes);

        async Task RunLaneAsync(IEnumerable<BlobWork> items, int jobs)
        {
            try
            {
                var parallel = new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = failed.Token };
                await Parallel.ForEachAsync(items, parallel, PushBlobAsync).ConfigureAwait(false);
            }
            catch
            {
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }

        async ValueTask PushBlobAsync(BlobWork item, CancellationToken token)
        {
            var first = item.Repositories[0];
            var firstOutcome = await _uploader.EnsureAsync(connector.ClientFor(first), item.Blob, EarlierLocation(first, item.Blob.Descriptor.Digest), options.DryRun, token).ConfigureAwait(false);
            Record(firstOutcome);
            if (item.Repositories.Count == 1)
            {
                return;
            }

            // A blob shared by many repositories (a base layer under twenty images) fans out into as many mounts:
            // small requests, bounded like the others rather than all at once.
            var mountSource = firstOutcome.Action == BlobAction.WouldUpload ? null : first;
            var mounts = new ParallelOptions { MaxDegreeOfParallelism = _requestJobs, CancellationToken = token };
            await Parallel.ForEachAsync(item.Repositories.Skip(1), mounts, async (repository, mountToken) =>
                Record(await _uploader.EnsureAsync(connector.ClientFor(repository), item.Blob, mountSource, options.DryRun, mountToken).ConfigureAwait(false)))
                .ConfigureAwait(false);
        }

        void Record(BlobOutcome outcome)
        {
            outcomes[(outcome.Repository.ToString(), outcome.Digest)] = outcome;
            if (outcome.Action != BlobAction.WouldUpload)
            {
                options.Locations?.Remember(outcome.Repository, outcome.Digest);
            }

            observer.BlobCompleted(outcome);
        }
    }

    /// <summary>Another repository of the same registry that held the blob in an earlier run: where to mount it from.</summary>
    private RepositoryReference? EarlierLocation(RepositoryReference target, Digest digest)
    {
        if (options.DryRun || options.Locations?.Find(target.Registry, digest) is not { } path || path == target.Path)
        {
            return null;
        }

        try
        {
            return RepositoryReference.Parse($"{target.Registry}/{path}");
        }
        catch (UsageException)
        {
            // A damaged cache entry is no hint at all.
            return null;
        }
    }

    /// <summary>Puts the image's manifests by digest, children before their parents.</summary>
    private async Task PushManifestsAsync(PushRequest request, System.Collections.Concurrent.ConcurrentDictionary<(string, Digest), bool> listedByRegistry, CancellationToken cancellationToken)
    {
        var client = connector.ClientFor(request.Repository);
        foreach (var manifest in request.Image.Manifests)
        {
            if (await client.PutManifestAsync(manifest, manifest.Descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false) && manifest.Referrer is not null)
            {
                listedByRegistry[(request.Repository.ToString(), manifest.Descriptor.Digest)] = true;
            }

            observer.ManifestPushed(request.Repository, manifest.Descriptor);
        }
    }

    private ParallelOptions RequestLane(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _requestJobs, CancellationToken = cancellationToken };

    /// <summary>One write of the tag phase: <paramref name="Tag"/> onto the image's root, or a referrer into its subject's list.</summary>
    private sealed record TagWork(PushRequest Request, string? Tag, ManifestBlob? Referrer);

    /// <summary>One blob to get into one registry: uploaded to the first repository, mounted into the others.</summary>
    private sealed record BlobWork(BlobFile Blob, List<RepositoryReference> Repositories);
}
