using System.Collections.Concurrent;

namespace RegistryPush.Auth;

/// <summary>
/// Bearer tokens of a run, in memory only, by (realm, service, scopes, credentials). Parallel requests wanting the
/// same token share one fetch; a token near its expiry is fetched anew; a failed fetch is not cached.
/// </summary>
public sealed class TokenCache(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<BearerToken>>> _entries = new(StringComparer.Ordinal);

    /// <summary>The cached fresh token for <paramref name="key"/>, else the one <paramref name="fetch"/> returns.</summary>
    /// <returns>The token, and whether it came from the cache (rather than this call's fetch).</returns>
    public async Task<(BearerToken Token, bool FromCache)> GetAsync(string key, Func<Task<BearerToken>> fetch)
    {
        while (true)
        {
            var mine = new Lazy<Task<BearerToken>>(fetch);
            var entry = _entries.GetOrAdd(key, mine);
            BearerToken token;
            try
            {
                token = await entry.Value.ConfigureAwait(false);
            }
            catch
            {
                _entries.TryRemove(new KeyValuePair<string, Lazy<Task<BearerToken>>>(key, entry));
                throw;
            }

            if (token.IsFresh(time.GetUtcNow()))
            {
                return (token, !ReferenceEquals(entry, mine));
            }

            // Stale: drop it (unless another caller already replaced it) and fetch again.
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<BearerToken>>>(key, entry));
        }
    }

    /// <summary>Forgets <paramref name="token"/> (the registry rejected it), unless a newer one already replaced it.</summary>
    public void Invalidate(string key, BearerToken token)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.IsValueCreated && entry.Value.IsCompletedSuccessfully
            && ReferenceEquals(entry.Value.Result, token))
        {
            _entries.TryRemove(new KeyValuePair<string, Lazy<Task<BearerToken>>>(key, entry));
        }
    }
}
