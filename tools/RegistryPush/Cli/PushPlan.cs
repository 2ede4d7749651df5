using System.Text.Json;
using System.Text.Json.Serialization;

namespace RegistryPush.Cli;

/// <summary>The <c>push-all</c> plan file: several images pushed by one process.</summary>
/// <remarks>A key it does not know is an error, never ignored: <c>"tag"</c> for <c>"tags"</c> would push with no tag.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PushPlanJson
{
    /// <summary>The images to push.</summary>
    [JsonPropertyName("images")] public List<PlannedImageJson>? Images { get; init; }
}

/// <summary>One image of a plan.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PlannedImageJson
{
    /// <summary>The OCI layout directory; relative paths resolve against the plan file's directory.</summary>
    [JsonPropertyName("layout")] public string? Layout { get; init; }

    /// <summary>The target repository, <c>host[:port]/path</c>.</summary>
    [JsonPropertyName("repository")] public string? Repository { get; init; }

    /// <summary>Tags, possibly with <c>{KEY}</c> stamp placeholders.</summary>
    [JsonPropertyName("tags")] public List<string>? Tags { get; init; }

    /// <summary>Which entry of the layout's index.json to push, by <c>org.opencontainers.image.ref.name</c>.</summary>
    [JsonPropertyName("ref")] public string? Ref { get; init; }
}

/// <summary>Reads and checks a plan file.</summary>
public static class PushPlan
{
    /// <summary>Reads <paramref name="path"/>; every problem is a <see cref="UsageException"/> naming the file and the entry.</summary>
    public static IReadOnlyList<PlannedImageJson> Read(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read plan file {path}: {FileErrors.Describe(exception, path)}");
        }

        PushPlanJson? plan;
        try
        {
            plan = JsonSerializer.Deserialize(content, CliJsonContext.Default.PushPlanJson);
        }
        catch (JsonException exception) when (PlanKeys.Unknown(exception, content) is { } unknown)
        {
            throw new UsageException($"plan file {path}: {unknown}");
        }
        catch (JsonException exception) when (exception.InnerException is null && exception.Path is { Length: > 1 } where)
        {
            // Not a syntax error (those come from the reader, as the inner exception): a value of the wrong kind.
            throw new UsageException($"plan file {path}: the value at {where} has the wrong type (line {(exception.LineNumber ?? 0) + 1}; 'tags' is a list of strings, the other values are strings)");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"plan file {path} is not valid JSON (line {(exception.LineNumber ?? 0) + 1})");
        }

        var images = plan?.Images;
        if (images is null || images.Count == 0)
        {
            throw new UsageException($"plan file {path} lists no images");
        }

        for (var i = 0; i < images.Count; i++)
        {
            if (string.IsNullOrEmpty(images[i].Layout) || string.IsNullOrEmpty(images[i].Repository))
            {
                throw new UsageException($"plan file {path}: image {i} needs both 'layout' and 'repository'");
            }
        }

        return images;
    }
}
