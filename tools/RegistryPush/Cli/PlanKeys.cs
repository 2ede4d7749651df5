using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RegistryPush.Cli;

/// <summary>Words the refusal of a key a plan file may not have: which key, where, and what was probably meant.</summary>
internal static partial class PlanKeys
{
    private static readonly string[] TopLevel = ["images"];
    private static readonly string[] PerImage = ["layout", "repository", "tags", "ref"];

    /// <summary>
    /// The sentence for a plan key the schema does not know, or null when <paramref name="exception"/> is another JSON
    /// error. No message text is parsed: the serializer puts the offending member's JSON path in the exception
    /// (<c>$.images[0].tag</c>); a syntax error comes from the reader (it is the inner exception), and a value of the
    /// wrong type fails at a key the schema knows, so a path ending in an unknown key is an unknown key.
    /// </summary>
    /// <param name="exception">The serializer's refusal.</param>
    /// <param name="content">The plan file's bytes, to name the image by its repository.</param>
    public static string? Unknown(JsonException exception, byte[] content)
    {
        if (exception.InnerException is not null || exception.Path is not { } path || PathPattern().Match(path) is not { Success: true } match)
        {
            return null;
        }

        var key = match.Groups["dotted"].Success ? match.Groups["dotted"].Value : match.Groups["quoted"].Value.Replace("\\'", "'", StringComparison.Ordinal);
        var image = match.Groups["image"];
        var known = image.Success ? PerImage : TopLevel;
        if (known.Contains(key, StringComparer.Ordinal))
        {
            return null;
        }

        var where = image.Success
            ? $"image {Describe(int.Parse(image.Value, CultureInfo.InvariantCulture), content)} has an unknown key '{key}'"
            : $"unknown top-level key '{key}'";
        var hint = Suggestions.Closest(key, known) is { } suggestion ? $"; did you mean '{suggestion}'?" : string.Empty;
        return $"{where} (known keys: {string.Join(", ", known)}){hint}";
    }

    /// <summary>"2 (ghcr.io/owner/app)": the image's index in "images" and, when it has one, its repository.</summary>
    private static string Describe(int index, byte[] content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (document.RootElement.TryGetProperty("images", out var images) && images.ValueKind == JsonValueKind.Array
                && index < images.GetArrayLength() && images[index] is { ValueKind: JsonValueKind.Object } entry
                && entry.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.String)
            {
                return $"{index} ({repository.GetString()})";
            }
        }
        catch (JsonException)
        {
            // The name is a courtesy; the index alone still says which image.
        }

        return $"{index} (counting from 0)";
    }

    // $.key, $.images[N].key, or the bracket form $['odd key'] / $.images[N]['odd key'].
    [GeneratedRegex(@"^\$(?:\.images\[(?<image>\d+)\])?(?:\.(?<dotted>[^.\[\]']+)|\['(?<quoted>(?:[^'\\]|\\.)*)'\])$")]
    private static partial Regex PathPattern();
}
