using System.Collections.Concurrent;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry;

namespace RegistryPush.Output;

/// <summary>
/// Remembers across runs which repository of each registry last held each blob, so that a later push mounts rather
/// than uploads. One small text file per registry host (<c>DIGEST TAB REPOSITORY-PATH</c> lines, newest last) in
/// <c>$REGISTRY_PUSH_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/registry-push</c>, else <c>~/.cache/registry-push</c>.
/// It holds no secret (digests and repository names only), at most <see cref="MaxEntriesPerRegistry"/> blobs per
/// registry (the oldest are forgotten), is replaced atomically, and is safe to delete: a missing or damaged file is
/// an empty cache, and any failure to read or write it only costs the mounts it would have allowed.
/// </summary>
public sealed class BlobLocationCache : IBlobLocations
{
    /// <summary>Blobs remembered per registry; about 100 bytes each, so a file stays near 1 MiB at most.</summary>
    public const int MaxEntriesPerRegistry = 10_000;

    private const string Header = "# registry-push blob locations v1: DIGEST<TAB>REPOSITORY, newest last; safe to delete";
    private const long MaxFileBytes = 4 * 1024 * 1024;
    private readonly string _directory;
    private readonly ConcurrentDictionary<string, Lazy<Dictionary<Digest, string>>> _earlier = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Digest, (string Path, long Order)>> _learned = new(StringComparer.Ordinal);
    private long _sightings;

    /// <summary>A cache kept in <paramref name="directory"/>.</summary>
    public BlobLocationCache(string directory)
    {
        _directory = directory;
    }

    /// <summary>The cache the environment names; null when there is no place for one (no HOME at all).</summary>
    public static BlobLocationCache? FromEnvironment(Func<string, string?> environment)
    {
        var directory = environment("REGISTRY_PUSH_CACHE_DIR") is { Length: > 0 } explicitDirectory ? explicitDirectory
            : environment("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "registry-push")
            : environment("HOME") is { Length: > 0 } home ? Path.Combine(home, ".cache", "registry-push")
            : null;
        return directory is null ? null : new BlobLocationCache(directory);
    }

    /// <summary>The file that holds <paramref name="registry"/>'s entries.</summary>
    public string FileFor(string registry) =>
        Path.Combine(_directory, "blob-locations", string.Concat(registry.Select(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_')) + ".txt");

    /// <inheritdoc />
    public string? Find(string registry, Digest digest)
    {
        if (_learned.TryGetValue(registry, out var learned) && learned.TryGetValue(digest, out var now))
        {
            return now.Path;
        }

        return _earlier.GetOrAdd(registry, key => new Lazy<Dictionary<Digest, string>>(() => Load(FileFor(key)).ToDictionary())).Value.GetValueOrDefault(digest);
    }

    /// <inheritdoc />
    public void Remember(RepositoryReference repository, Digest digest) =>
        _learned.GetOrAdd(repository.Registry, static _ => new ConcurrentDictionary<Digest, (string, long)>())[digest] = (repository.Path, Interlocked.Increment(ref _sightings));

    /// <summary>
    /// Writes what this run learnt, merged into what the file holds now (another run may have written it meanwhile).
    /// Never fails the push: a problem is reported through <paramref name="note"/>.
    /// </summary>
    public void Save(Action<string> note)
    {
        foreach (var (registry, learned) in _learned)
        {
            var path = FileFor(registry);
            try
            {
                var merged = Load(path).Where(entry => !learned.ContainsKey(entry.Key))
                    .Concat(learned.OrderBy(static entry => entry.Value.Order).Select(static entry => KeyValuePair.Create(entry.Key, entry.Value.Path)))
                    .TakeLast(MaxEntriesPerRegistry)
                    .Select(static entry => $"{entry.Key}\t{entry.Value}");
                AtomicFile.WriteAllText(path, string.Join('\n', merged.Prepend(Header)) + "\n");
            }
            catch (RegistryPushException exception)
            {
                note($"cannot remember where blobs went ({exception.Message}); later pushes upload instead of mounting");
            }
        }
    }

    /// <summary>The entries of a cache file, oldest sighting first, one per digest; empty when it is missing, too large or unreadable.</summary>
    private static List<KeyValuePair<Digest, string>> Load(string path)
    {
        var lines = new List<KeyValuePair<Digest, string>>();
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length > MaxFileBytes)
            {
                return lines;
            }

            foreach (var line in File.ReadLines(path))
            {
                var tab = line.IndexOf('\t', StringComparison.Ordinal);
                if (tab > 0 && Digest.TryParse(line[..tab], out var digest, out _) && line[(tab + 1)..] is { Length: > 0 } repository
                    && !repository.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    lines.Add(KeyValuePair.Create(digest, repository));
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        // A digest seen again counts at its last sighting.
        var last = new Dictionary<Digest, int>();
        for (var i = 0; i < lines.Count; i++)
        {
            last[lines[i].Key] = i;
        }

        return lines.Where((entry, i) => last[entry.Key] == i).ToList();
    }
}
