using System.Text.Json.Serialization;
using RegistryPush.Registry;

namespace RegistryPush.Output;

/// <summary>The <c>--json</c> result: one document on stdout.</summary>
public sealed record PushReportJson
{
    /// <summary>One entry per image pushed.</summary>
    [JsonPropertyName("images")] public required List<ImageReportJson> Images { get; init; }

    /// <summary>Whether nothing was written (<c>--dry-run</c>).</summary>
    [JsonPropertyName("dryRun")] public bool DryRun { get; init; }

    /// <summary>Wall-clock duration of the push in milliseconds.</summary>
    [JsonPropertyName("durationMs")] public long DurationMs { get; init; }
}

/// <summary>The result for one image.</summary>
public sealed record ImageReportJson
{
    /// <summary><c>REPOSITORY@DIGEST</c>.</summary>
    [JsonPropertyName("reference")] public required string Reference { get; init; }

    /// <summary>The repository.</summary>
    [JsonPropertyName("repository")] public required string Repository { get; init; }

    /// <summary>The digest of the pushed manifest or index.</summary>
    [JsonPropertyName("digest")] public required string Digest { get; init; }

    /// <summary>The media type of the pushed manifest or index.</summary>
    [JsonPropertyName("mediaType")] public required string MediaType { get; init; }

    /// <summary>Tags that now point at the image; on a dry run, the tags the push would move.</summary>
    [JsonPropertyName("tags")] public required List<string> Tags { get; init; }

    /// <summary>What happened to each blob.</summary>
    [JsonPropertyName("blobs")] public required List<BlobReportJson> Blobs { get; init; }
}

/// <summary>What happened to one blob.</summary>
public sealed record BlobReportJson
{
    /// <summary>The blob's digest.</summary>
    [JsonPropertyName("digest")] public required string Digest { get; init; }

    /// <summary>The blob's size in bytes.</summary>
    [JsonPropertyName("size")] public long Size { get; init; }

    /// <summary><c>exists</c>, <c>mounted</c>, <c>uploaded</c> or <c>would-upload</c>.</summary>
    [JsonPropertyName("action")] public required string Action { get; init; }

    /// <summary>Bytes sent for this blob.</summary>
    [JsonPropertyName("bytesSent")] public long BytesSent { get; init; }
}

/// <summary>Builds the <c>--json</c> document from push results.</summary>
public static class PushReport
{
    /// <summary>Describes <paramref name="results"/>.</summary>
    public static PushReportJson From(IReadOnlyList<ImagePushResult> results, bool dryRun, TimeSpan duration) => new()
    {
        DryRun = dryRun,
        DurationMs = (long)duration.TotalMilliseconds,
        Images = results.Select(result => new ImageReportJson
        {
            Reference = result.Reference,
            Repository = result.Request.Repository.ToString(),
            Digest = result.Digest.ToString(),
            MediaType = result.Request.Image.Root.MediaType,
            // A dry run moves no tag, but what a script asks of it is which tags the real push would move.
            Tags = [.. dryRun ? result.Request.Tags : result.TagsPushed],
            Blobs = result.Blobs.Select(static blob => new BlobReportJson
            {
                Digest = blob.Digest.ToString(),
                Size = blob.Size,
                Action = blob.Action switch
                {
                    BlobAction.Exists => "exists",
                    BlobAction.Mounted => "mounted",
                    BlobAction.Uploaded => "uploaded",
                    _ => "would-upload",
                },
                BytesSent = blob.BytesSent,
            }).ToList(),
        }).ToList(),
    };
}
