using System.Collections.Concurrent;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Cli;

/// <summary>
/// Passes push events on to <paramref name="inner"/> and remembers which tags were sent and which the registry
/// confirmed, so that an interrupted push can say truthfully what it left behind.
/// </summary>
/// <param name="inner">The observer that shows progress.</param>
internal sealed class TagLedger(IPushObserver inner) : IPushObserver
{
    private readonly ConcurrentDictionary<string, bool> _tags = new(StringComparer.Ordinal);

    /// <summary>
    /// The line for an interruption: "no tag was moved" when no tag request had been sent, otherwise which tags moved,
    /// which may have (their request was on its way: the registry may have acted on it) and which did not.
    /// </summary>
    public string DescribeInterruption(IEnumerable<PushRequest> requests)
    {
        if (_tags.IsEmpty)
        {
            return RunInterruptedException.NoTagMoved;
        }

        var all = requests.SelectMany(static request => request.Tags.Select(tag => Name(request.Repository, tag))).Distinct(StringComparer.Ordinal).ToList();
        var moved = all.Where(tag => _tags.TryGetValue(tag, out var confirmed) && confirmed).ToList();
        var maybe = all.Where(tag => _tags.TryGetValue(tag, out var confirmed) && !confirmed).ToList();
        var untouched = all.Where(tag => !_tags.ContainsKey(tag)).ToList();
        var parts = new List<string>();
        if (moved.Count > 0)
        {
            parts.Add($"moved {string.Join(", ", moved)}");
        }

        if (maybe.Count > 0)
        {
            parts.Add($"may have moved (the request was on its way) {string.Join(", ", maybe)}");
        }

        if (untouched.Count > 0)
        {
            parts.Add($"not moved {string.Join(", ", untouched)}");
        }

        return $"interrupted while tags were being moved: {string.Join("; ", parts)}";
    }

    /// <inheritdoc />
    public void TagStarting(RepositoryReference repository, string tag)
    {
        _tags.TryAdd(Name(repository, tag), false);
        inner.TagStarting(repository, tag);
    }

    /// <inheritdoc />
    public void TagUnchanged(RepositoryReference repository, string tag, Digest digest) => inner.TagUnchanged(repository, tag, digest);

    /// <inheritdoc />
    public void TagPushed(RepositoryReference repository, string tag, Digest digest)
    {
        _tags[Name(repository, tag)] = true;
        inner.TagPushed(repository, tag, digest);
    }

    /// <inheritdoc />
    public void BlobStarted(RepositoryReference repository, Descriptor blob) => inner.BlobStarted(repository, blob);

    /// <inheritdoc />
    public void BlobProgress(RepositoryReference repository, Descriptor blob, long bytes) => inner.BlobProgress(repository, blob, bytes);

    /// <inheritdoc />
    public void BlobCompleted(BlobOutcome outcome) => inner.BlobCompleted(outcome);

    /// <inheritdoc />
    public void ManifestPushed(RepositoryReference repository, Descriptor manifest) => inner.ManifestPushed(repository, manifest);

    /// <inheritdoc />
    public void Warning(string message) => inner.Warning(message);

    /// <inheritdoc />
    public void Verbose(string message) => inner.Verbose(message);

    private static string Name(RepositoryReference repository, string tag) => $"{repository}:{tag}";
}
