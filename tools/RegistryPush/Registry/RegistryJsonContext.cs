using System.Text.Json.Serialization;

namespace RegistryPush.Registry;

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

/// <summary>Source-generated JSON metadata for registry responses.</summary>
[JsonSerializable(typeof(RegistryErrorsJson))]
internal sealed partial class RegistryJsonContext : JsonSerializerContext;
