using System.Collections.Concurrent;

namespace RegistryPush.Auth;

/// <summary>Which credentials are wanted: a registry (<c>host[:port]</c>) and, when known, the repository path.</summary>
/// <param name="Registry">The registry as requests address it, e.g. <c>ghcr.io</c> or <c>127.0.0.1:5000</c>.</param>
/// <param name="RepositoryPath">The repository path (podman keys can be per repository); null for registry-wide requests.</param>
public sealed record CredentialQuery(string Registry, string? RepositoryPath);

/// <summary>One place credentials can come from. Implementations are consulted in the chain's order.</summary>
public interface ICredentialSource
{
    /// <summary>Where this source looks, for "looked in …" messages (e.g. a file path or a variable name).</summary>
    string Name { get; }

    /// <summary>The one registry this source answers for (<c>GITHUB_TOKEN</c>: ghcr.io), or null when it answers for any.</summary>
    string? OnlyFor => null;

    /// <summary>What a user does so that this source no longer answers for <paramref name="registry"/> (for advice).</summary>
    string HowToRemove(string registry);

    /// <summary>The credentials this source holds for <paramref name="query"/>, or null.</summary>
    /// <param name="query">What is wanted.</param>
    /// <param name="notes">Receives remarks worth showing (e.g. a variable that is set but incomplete).</param>
    /// <param name="cancellationToken">Cancels helper processes.</param>
    /// <exception cref="CredentialException">The source is broken (malformed file, failing helper).</exception>
    Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken);
}

/// <summary>
/// A source that answers from environment variables alone (no file read, no helper run), so the chain asks it even
/// after an earlier source answered, to tell the user which credentials the chosen ones hide (a stale
/// <c>docker login ghcr.io</c> in front of a valid <c>GITHUB_TOKEN</c>).
/// </summary>
public interface IPassiveCredentialSource : ICredentialSource;

/// <summary>The credentials chosen for a query, and what the search noticed on the way.</summary>
/// <param name="Credential">The chosen credentials (anonymous when no source had any).</param>
/// <param name="Notes">Remarks from the sources, e.g. "GITHUB_TOKEN is set but …".</param>
public sealed record CredentialResolution(RegistryCredential Credential, IReadOnlyList<string> Notes);

/// <summary>
/// The credential chain: asks each source in order and takes the first answer; anonymous when none answers.
/// Results are cached per registry and repository for the run, so files are read and helpers run once.
/// </summary>
public sealed class CredentialChain
{
    private readonly ConcurrentDictionary<(string Registry, string Path), Lazy<Task<CredentialResolution>>> _resolved = new();
    private readonly Redactor _redactor;

    /// <summary>Creates a chain over <paramref name="sources"/>, first match wins.</summary>
    public CredentialChain(IReadOnlyList<ICredentialSource> sources, Redactor redactor)
    {
        Sources = sources;
        _redactor = redactor;
    }

    /// <summary>The sources, in the order they are asked.</summary>
    public IReadOnlyList<ICredentialSource> Sources { get; }

    /// <summary>Finds the credentials for <paramref name="query"/>.</summary>
    /// <exception cref="CredentialException">A source is broken; the message names it.</exception>
    public Task<CredentialResolution> ResolveAsync(CredentialQuery query, CancellationToken cancellationToken) =>
        _resolved.GetOrAdd(
            (RegistryHostNames.Canonical(query.Registry), query.RepositoryPath ?? string.Empty),
            _ => new Lazy<Task<CredentialResolution>>(() => SearchAsync(query, cancellationToken))).Value;

    private async Task<CredentialResolution> SearchAsync(CredentialQuery query, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        for (var i = 0; i < Sources.Count; i++)
        {
            var source = Sources[i];
            if (!AppliesTo(source, query)
                || await source.FindAsync(query, notes, cancellationToken).ConfigureAwait(false) is not { } credential)
            {
                continue;
            }

            credential = await NoteHiddenAsync(credential, source, Sources.Skip(i + 1), query, notes, cancellationToken).ConfigureAwait(false);
            _redactor.Add(credential);
            return new CredentialResolution(credential, notes);
        }

        // Sources that never answer for this registry are not "searched"; say what they are for instead.
        var searched = string.Join(", ", Sources.Where(source => AppliesTo(source, query)).Select(static source => source.Name));
        var elsewhere = Sources.Where(source => !AppliesTo(source, query)).Select(static source => $"; {source.Name} applies to {source.OnlyFor} only");
        return new CredentialResolution(
            RegistryCredential.Anonymous($"none found for {query.Registry} in {(searched.Length == 0 ? "any source" : searched)}{string.Concat(elsewhere)}"),
            notes);
    }

    private async Task<RegistryCredential> NoteHiddenAsync(
        RegistryCredential chosen, ICredentialSource winner, IEnumerable<ICredentialSource> later, CredentialQuery query, List<string> notes, CancellationToken cancellationToken)
    {
        foreach (var source in later.OfType<IPassiveCredentialSource>().Where(source => AppliesTo(source, query)))
        {
            if (await source.FindAsync(query, [], cancellationToken).ConfigureAwait(false) is { } hidden)
            {
                _redactor.Add(hidden);
                notes.Add($"{source.Name} is set too, but {chosen.Source} comes first, so {source.Name} was not used");
                return chosen.Hiding(new HiddenCredential(source.Name, winner.HowToRemove(query.Registry)));
            }
        }

        return chosen;
    }

    private static bool AppliesTo(ICredentialSource source, CredentialQuery query) =>
        source.OnlyFor is not { } only || RegistryHostNames.SameRegistry(only, query.Registry);
}
