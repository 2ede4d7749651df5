using System.Collections.Concurrent;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>
/// Finds which of a run's tags already name their image, with one <c>HEAD</c> per tag and nothing before it (no
/// <c>GET /v2/</c> ping: a 401 is answered when it comes). A re-push of an unchanged image, which is what most runs
/// of a push target are, then ends here: a tag that names the image proves the registry holds all of it, because a
/// registry accepts a manifest only once everything it references is there.
/// </summary>
internal static class CurrentTags
{
    /// <summary>The (repository, tag) pairs whose tag already names the request's image.</summary>
    public static async Task<IReadOnlySet<(string Repository, string Tag)>> FindAsync(
        RegistryConnector connector, IReadOnlyList<PushRequest> requests, int jobs, CancellationToken cancellationToken)
    {
        var probes = requests
            .SelectMany(static request => request.Tags.Select(tag => (Request: request, Tag: tag)))
            .DistinctBy(static probe => (probe.Request.Repository.ToString(), probe.Tag))
            .ToList();
        var current = new ConcurrentDictionary<(string, string), byte>();
        if (probes.Count == 0)
        {
            return new HashSet<(string, string)>();
        }

        // The first answer teaches the registry's challenge (and fetches the token); the others then reuse it
        // rather than each meeting a 401 and asking the token service at once.
        await ProbeAsync(probes[0], cancellationToken).ConfigureAwait(false);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(probes.Skip(1), parallel, ProbeAsync).ConfigureAwait(false);
        return current.Keys.ToHashSet();

        async ValueTask ProbeAsync((PushRequest Request, string Tag) probe, CancellationToken token)
        {
            var named = await connector.ClientFor(probe.Request.Repository).FindTagAsync(probe.Tag, token).ConfigureAwait(false);
            if (named == probe.Request.Image.Root.Digest)
            {
                current.TryAdd((probe.Request.Repository.ToString(), probe.Tag), 0);
            }
        }
    }
}
