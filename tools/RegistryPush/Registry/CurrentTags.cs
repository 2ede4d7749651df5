using System.Collections.Concurrent;
using RegistryPush.Oci;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>
/// Asks what a run's tags name now, with one <c>HEAD</c> per tag and nothing before it (no <c>GET /v2/</c> ping: a
/// 401 is answered when it comes). A re-push of an unchanged image, which is what most runs of a push target are,
/// ends with these answers: a tag that names the image proves the registry holds all of it, because a registry
/// accepts a manifest only once everything it references is there. Needing only names, not the layout, the question
/// can be on its way while the layout is still being read.
/// </summary>
public static class CurrentTags
{
    /// <summary>The digest each (repository, tag) names now; tags that name nothing (or did not say) are absent.</summary>
    /// <param name="connector">Where the registries are.</param>
    /// <param name="targets">Each repository with the tags the run will point at its image.</param>
    /// <param name="jobs">How many questions are in flight at once.</param>
    /// <param name="cancellationToken">Cancels the questions.</param>
    public static async Task<IReadOnlyDictionary<(string Repository, string Tag), Digest>> FindAsync(
        RegistryConnector connector, IEnumerable<(RepositoryReference Repository, IReadOnlyList<string> Tags)> targets, int jobs, CancellationToken cancellationToken)
    {
        var probes = targets
            .SelectMany(static target => target.Tags.Select(tag => (target.Repository, Tag: tag)))
            .DistinctBy(static probe => (probe.Repository.ToString(), probe.Tag))
            .ToList();
        var named = new ConcurrentDictionary<(string, string), Digest>();
        if (probes.Count == 0)
        {
            return named;
        }

        foreach (var registry in probes.Select(static probe => probe.Repository).DistinctBy(static repository => repository.Registry))
        {
            await connector.ConnectAsync(registry, cancellationToken).ConfigureAwait(false);
        }

        // The first answer teaches the registry's challenge (and brings the token); the others then reuse it rather
        // than each meeting a 401 and asking the token service at once.
        await ProbeAsync(probes[0], cancellationToken).ConfigureAwait(false);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(probes.Skip(1), parallel, ProbeAsync).ConfigureAwait(false);
        return named;

        async ValueTask ProbeAsync((RepositoryReference Repository, string Tag) probe, CancellationToken token)
        {
            if (await connector.ClientFor(probe.Repository).FindTagAsync(probe.Tag, token).ConfigureAwait(false) is { } digest)
            {
                named[(probe.Repository.ToString(), probe.Tag)] = digest;
            }
        }
    }
}
