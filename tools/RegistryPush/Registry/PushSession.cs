using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>One image to push: the layout's graph, where it goes, and the tags to point at it.</summary>
/// <param name="Image">The image read from its layout.</param>
/// <param name="Repository">The target repository.</param>
/// <param name="Tags">Tags to move to the image once all of it is in the registry; may be empty.</param>
public sealed record PushRequest(ImageGraph Image, RepositoryReference Repository, IReadOnlyList<string> Tags);

/// <summary>How a push runs.</summary>
/// <param name="Jobs">How many blobs travel at once.</param>
/// <param name="DryRun">Check what is missing; write nothing.</param>
/// <param name="Upload">Monolithic or chunked uploads.</param>
public sealed record PushOptions(int Jobs = PushOptions.DefaultJobs, bool DryRun = false, UploadOptions? Upload = null)
{
    /// <summary>Parallel blob uploads by default.</summary>
    public const int DefaultJobs = 4;
}

/// <summary>What one image's push did.</summary>
/// <param name="Request">What was asked.</param>
/// <param name="Blobs">The outcome for each blob.</param>
/// <param name="TagsPushed">The tags that now point at the image (none on a dry run).</param>
/// <param name="ManifestAlreadyPresent">The registry already had the image under its digest, so only tags were written.</param>
public sealed record ImagePushResult(PushRequest Request, IReadOnlyList<BlobOutcome> Blobs, IReadOnlyList<string> TagsPushed, bool ManifestAlreadyPresent)
{
    /// <summary>The pushed image's digest.</summary>
    public Digest Digest => Request.Image.Root.Digest;

    /// <summary><c>REPOSITORY@DIGEST</c>, the immutable reference to what was pushed.</summary>
    public string Reference => $"{Request.Repository}@{Digest}";
}

/// <summary>
/// Pushes one or many images in the order that keeps every registry consistent: blobs (deduplicated across images,
/// largest first, in parallel), then manifests children-first by digest, then tags last, so a tag never points at
/// an image the registry does not wholly hold.
/// </summary>
public sealed class PushSession(RegistryConnector connector, PushOptions options, IPushObserver observer)
{
    private readonly BlobUploader _uploader = new(options.Upload ?? new UploadOptions(), observer);

    /// <summary>Pushes every request; fails as a whole before any tag moves if any blob or manifest fails.</summary>
    public async Task<IReadOnlyList<ImagePushResult>> PushAsync(IReadOnlyList<PushRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var registry in requests.Select(static request => request.Repository).DistinctBy(static repository => repository.Registry))
        {
            await connector.ConnectAsync(registry, cancellationToken).ConfigureAwait(false);
        }

        // An image the registry already holds under its digest has all its blobs and children (registries verify
        // that on manifest upload): only its tags remain to be written.
        var present = new bool[requests.Count];
        await Parallel.ForAsync(0, requests.Count, cancellationToken, async (i, token) =>
        {
            var request = requests[i];
            present[i] = await connector.ClientFor(request.Repository)
                .ManifestExistsAsync(request.Image.Root.Digest.ToString(), token).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var pending = requests.Where((_, i) => !present[i]).ToList();
        var outcomes = await PushBlobsAsync(pending, cancellationToken).ConfigureAwait(false);

        var results = new ImagePushResult[requests.Count];
        await Parallel.ForAsync(0, requests.Count, cancellationToken, async (i, token) =>
        {
            var request = requests[i];
            var blobs = present[i]
                ? request.Image.Blobs.Select(blob => new BlobOutcome(request.Repository, blob.Descriptor.Digest, blob.Descriptor.Size, BlobAction.Exists, 0)).ToList()
                : request.Image.Blobs.Select(blob => outcomes[(request.Repository.ToString(), blob.Descriptor.Digest)]).ToList();
            var tags = await PushManifestsAndTagsAsync(request, present[i], token).ConfigureAwait(false);
            results[i] = new ImagePushResult(request, blobs, tags, present[i]);
        }).ConfigureAwait(false);
        return results;
    }

    private async Task<Dictionary<(string Repository, Digest Digest), BlobOutcome>> PushBlobsAsync(List<PushRequest> requests, CancellationToken cancellationToken)
    {
        // One work item per (registry, blob): the first repository gets the bytes, the others mount them from it.
        var work = requests
            .SelectMany(request => request.Image.Blobs.Select(blob => (request.Repository, Blob: blob)))
            .GroupBy(static item => (item.Repository.Registry, item.Blob.Descriptor.Digest))
            .Select(static group => (Blob: group.First().Blob, Repositories: group.Select(static item => item.Repository).DistinctBy(static r => r.Path).ToList()))
            .OrderByDescending(static item => item.Blob.Descriptor.Size)
            .ToList();

        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<(string, Digest), BlobOutcome>();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Jobs), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(work, parallel, async (item, token) =>
        {
            var first = item.Repositories[0];
            var firstOutcome = await _uploader.EnsureAsync(connector.ClientFor(first), item.Blob, mountFrom: null, options.DryRun, token).ConfigureAwait(false);
            Record(firstOutcome);
            var mountSource = firstOutcome.Action == BlobAction.WouldUpload ? null : first;
            await Task.WhenAll(item.Repositories.Skip(1).Select(async repository =>
                Record(await _uploader.EnsureAsync(connector.ClientFor(repository), item.Blob, mountSource, options.DryRun, token).ConfigureAwait(false))))
                .ConfigureAwait(false);
        }).ConfigureAwait(false);
        return new Dictionary<(string, Digest), BlobOutcome>(outcomes);

        void Record(BlobOutcome outcome)
        {
            outcomes[(outcome.Repository.ToString(), outcome.Digest)] = outcome;
            observer.BlobCompleted(outcome);
        }
    }

    private async Task<IReadOnlyList<string>> PushManifestsAndTagsAsync(PushRequest request, bool alreadyPresent, CancellationToken cancellationToken)
    {
        if (options.DryRun)
        {
            return [];
        }

        var client = connector.ClientFor(request.Repository);
        var root = request.Image.Manifests[^1];
        if (!alreadyPresent)
        {
            foreach (var manifest in request.Image.Manifests)
            {
                await client.PutManifestAsync(manifest, manifest.Descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false);
                observer.ManifestPushed(request.Repository, manifest.Descriptor);
            }
        }

        foreach (var tag in request.Tags)
        {
            await client.PutManifestAsync(root, tag, cancellationToken).ConfigureAwait(false);
            observer.TagPushed(request.Repository, tag, root.Descriptor.Digest);
        }

        return request.Tags;
    }
}
