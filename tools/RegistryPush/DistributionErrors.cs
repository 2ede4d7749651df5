using System.Text.Json;
using System.Text.Json.Serialization;

namespace RegistryPush;

/// <summary>
/// The error body of the Distribution API (<c>{"errors":[{"code":…,"message":…}]}</c>), which registries and their
/// token services both answer with, and the capped reading of any answer's body.
/// </summary>
internal static class DistributionErrors
{
    /// <summary>Registries' error bodies are small; anything larger is not read (a hostile or broken server cannot exhaust memory).</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Reads the error list of a failed response, at most <see cref="MaxErrorBodyBytes"/> of it, tolerating bodies that are not JSON.</summary>
    public static async Task<IReadOnlyList<RegistryErrorJson>> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await ReadCappedAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return [];
        }

        try
        {
            var parsed = JsonSerializer.Deserialize(body, DistributionJsonContext.Default.RegistryErrorsJson);
            return parsed?.Errors ?? (parsed?.Message is { } message ? [new RegistryErrorJson { Message = message }] : []);
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Reads at most <paramref name="maxBytes"/> of <paramref name="content"/>.</summary>
    public static async Task<byte[]> ReadCappedAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[maxBytes];
        var total = 0;
        int read;
        while (total < maxBytes && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return buffer[..total];
    }
}

/// <summary>The error body of the Distribution API: <c>{"errors":[{"code":…,"message":…,"detail":…}]}</c>.</summary>
public sealed record RegistryErrorsJson
{
    /// <summary>The errors the registry reported.</summary>
    [JsonPropertyName("errors")] public List<RegistryErrorJson>? Errors { get; init; }

    /// <summary>A GitHub API-style body's one message (<c>{"message":…,"documentation_url":…}</c>), read when there is no error list.</summary>
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>One error of a Distribution API error body.</summary>
public sealed record RegistryErrorJson
{
    /// <summary>The error code, e.g. <c>DENIED</c> or <c>DIGEST_INVALID</c>.</summary>
    [JsonPropertyName("code")] public string? Code { get; init; }

    /// <summary>The registry's human-readable message.</summary>
    [JsonPropertyName("message")] public string? Message { get; init; }
}

/// <summary>Source-generated JSON metadata for Distribution API error bodies.</summary>
[JsonSerializable(typeof(RegistryErrorsJson))]
internal sealed partial class DistributionJsonContext : JsonSerializerContext;
