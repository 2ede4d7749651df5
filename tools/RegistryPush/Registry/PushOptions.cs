using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>How a push runs.</summary>
/// <param name="Jobs">How many blobs travel at once.</param>
/// <param name="DryRun">Check what is missing; write nothing.</param>
/// <param name="Upload">Monolithic or chunked uploads.</param>
public sealed record PushOptions(int Jobs = PushOptions.DefaultJobs, bool DryRun = false, UploadOptions? Upload = null)
{
    /// <summary>Parallel blob uploads by default.</summary>
    public const int DefaultJobs = 4;

    /// <summary>Small requests in flight at once by default.</summary>
    public const int DefaultRequestJobs = 16;

    /// <summary>
    /// Blobs up to this size (configs, small layers) travel as small requests, not in an upload slot: at a typical
    /// uplink (100 Mbit/s) 256 KiB take about one round trip to send, so their cost is latency, not bandwidth.
    /// </summary>
    public const long SmallBlobBytes = 256 * 1024;

    /// <summary>
    /// How many small requests (manifest and blob existence checks, mounts, blobs up to <see cref="SmallBlobBytes"/>,
    /// manifests, tags) are in flight at once, besides the <see cref="Jobs"/> large uploads. Each costs the registry
    /// little and the push a round trip, so against a distant registry their count, not bandwidth, sets the time.
    /// </summary>
    public int RequestJobs { get; init; } = DefaultRequestJobs;

    /// <summary>Where blobs went in earlier runs (mount hints), and where to note where they go now; null for none.</summary>
    public IBlobLocations? Locations { get; init; }
}
