namespace RegistryPush.Registry.Resilience;

/// <summary>
/// How hard a push tries before it gives up: how many times a failed request (or a failed blob upload session) is
/// tried again, how long to wait between tries, and how long a request may go without any progress.
/// </summary>
public sealed record RetrySettings
{
    /// <summary>Retries after the first attempt, by default.</summary>
    public const int DefaultMaxRetries = 4;

    /// <summary>The largest <c>--retries</c> accepted.</summary>
    public const int MaxMaxRetries = 20;

    /// <summary>Seconds without progress before a request is abandoned, by default.</summary>
    public const int DefaultStallTimeoutSeconds = 60;

    /// <summary>The settings of a run without <c>--retries</c> or <c>--timeout</c>.</summary>
    public static RetrySettings Default { get; } = new();

    /// <summary>How many times a failed request or upload session is tried again (0 = never).</summary>
    public int MaxRetries { get; init; } = DefaultMaxRetries;

    /// <summary>The median wait before the first retry; later waits grow exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait the backoff computes between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest <c>Retry-After</c> honoured. A registry asking for a longer pause (Docker Hub's hourly rate limit)
    /// fails the request at once: sleeping for an hour inside a CI job helps nobody.
    /// </summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The wait before retrying a GHCR secondary rate limit (a 403) that names no <c>Retry-After</c>: GitHub asks for
    /// at least a minute.
    /// </summary>
    public TimeSpan SecondaryRateLimitWait { get; init; } = RateLimits.SecondaryRateLimitWait;

    /// <summary>
    /// How long one request may make no progress (no byte of the body sent, no response header or body byte
    /// received) before it is abandoned and retried. Not a limit on the request's total duration: a multi-gigabyte
    /// layer may take as long as it needs while bytes keep moving.
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(DefaultStallTimeoutSeconds);

    /// <summary>The largest response body read into memory; registries' answers are small JSON documents.</summary>
    public int MaxResponseBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>The clock for backoff delays (tests substitute one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
