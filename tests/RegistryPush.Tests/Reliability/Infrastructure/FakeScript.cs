namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>The protocol steps a script can break.</summary>
public enum FakeStep
{
    /// <summary>A PATCH chunk.</summary>
    Patch,

    /// <summary>A monolithic PUT (with a body).</summary>
    Monolithic,

    /// <summary>The PUT closing a chunked upload.</summary>
    Complete,

    /// <summary>The GET asking a session for its Range.</summary>
    Status,

    /// <summary>A POST opening a session.</summary>
    Start,

    /// <summary>A blob HEAD.</summary>
    HeadBlob,

    /// <summary>A manifest PUT.</summary>
    PutManifest,
}

/// <summary>How a scripted step misbehaves.</summary>
public enum FakeMisbehaviour
{
    /// <summary>Do the work, then lose the answer (the client sees a connection reset).</summary>
    StoreThenDropConnection,

    /// <summary>Keep only the first half of the body, answer 500.</summary>
    StoreHalfThenFail,

    /// <summary>Answer 500 and forget the session.</summary>
    LoseSession,

    /// <summary>Answer 503 without doing anything.</summary>
    Unavailable,

    /// <summary>Answer 503 with a <c>DENIED</c> error body.</summary>
    UnavailableDenied,

    /// <summary>GHCR's 429: <c>TOOMANYREQUESTS</c>, the wait in the body as <c>retry-after: 800ms</c>, no header.</summary>
    GhcrTooManyRequests,

    /// <summary>GitHub's secondary rate limit: 403 <c>DENIED</c> "You have exceeded a secondary rate limit", <c>Retry-After: 1</c>.</summary>
    GhcrSecondaryRateLimit,
}

/// <summary>
/// The scripted failures of a <see cref="FakeRegistry"/>: which occurrence of which protocol step misbehaves, and how.
/// Thread-safe: the pusher's requests run in parallel.
/// </summary>
internal sealed class FakeScript
{
    private readonly List<Entry> _entries = [];

    /// <summary>Makes occurrences <paramref name="from"/> to <paramref name="to"/> (1-based) of <paramref name="step"/> misbehave.</summary>
    public void Add(FakeStep step, int from, int to, FakeMisbehaviour what, long largerThan)
    {
        lock (_entries)
        {
            _entries.Add(new Entry(step, from, to, what, largerThan));
        }
    }

    /// <summary>
    /// Counts one request of <paramref name="step"/> of an upload now <paramref name="size"/> bytes long against every
    /// entry it concerns, and returns the misbehaviour of the first entry whose range it falls in, or null.
    /// </summary>
    public FakeMisbehaviour? Next(FakeStep step, long size = 0)
    {
        lock (_entries)
        {
            FakeMisbehaviour? chosen = null;
            foreach (var entry in _entries.Where(entry => entry.Step == step && (entry.LargerThan == 0 || size > entry.LargerThan)))
            {
                entry.Seen++;
                if (chosen is null && entry.Seen >= entry.From && entry.Seen <= entry.To)
                {
                    chosen = entry.What;
                }
            }

            return chosen;
        }
    }

    private sealed class Entry(FakeStep step, int from, int to, FakeMisbehaviour what, long largerThan)
    {
        public FakeStep Step { get; } = step;

        public int From { get; } = from;

        public int To { get; } = to;

        public FakeMisbehaviour What { get; } = what;

        public long LargerThan { get; } = largerThan;

        public int Seen { get; set; }
    }
}
