using System.Text.RegularExpressions;
using RegistryPush.References;

namespace RegistryPush.Cli;

/// <summary>
/// Collects tags from <c>--tag</c> and <c>--tag-file</c>, fills <c>{KEY}</c> placeholders from Bazel workspace-status
/// files (<c>--stamp-info</c>), and validates the result. A tag whose placeholders cannot be filled (an unstamped
/// build) is skipped with a warning, so literal tags still push.
/// </summary>
public static partial class TagResolver
{
    /// <summary>Resolves the final, validated, de-duplicated tag list.</summary>
    /// <param name="tags">Tags given on the command line or in a plan, possibly with placeholders.</param>
    /// <param name="tagFiles">Files with one tag per line.</param>
    /// <param name="stampFiles">Workspace-status files: <c>KEY value</c> lines.</param>
    /// <param name="warn">Told about each skipped tag.</param>
    public static IReadOnlyList<string> Resolve(IEnumerable<string> tags, IEnumerable<string> tagFiles, IEnumerable<string> stampFiles, Action<string> warn)
    {
        var stamp = ReadStampFiles(stampFiles);
        var templates = tags.Concat(tagFiles.SelectMany(ReadTagFile));
        var resolved = new List<string>();
        foreach (var template in templates)
        {
            var missing = new List<string>();
            var tag = PlaceholderPattern().Replace(template, match =>
            {
                // An empty value counts as unfilled: `--stamp` without `--embed_label` writes BUILD_EMBED_LABEL empty.
                if (stamp.TryGetValue(match.Groups[1].Value, out var value) && value.Length > 0)
                {
                    return value;
                }

                missing.Add(match.Groups[1].Value);
                return match.Value;
            });

            if (missing.Count > 0)
            {
                warn(stamp.Count == 0
                    ? $"skipping tag '{template}': {{{missing[0]}}} needs stamping (build with --stamp)"
                    : $"skipping tag '{template}': no stamp value for {string.Join(", ", missing.Select(static key => "{" + key + "}"))}");
                continue;
            }

            if (tag == template)
            {
                Tag.Validate(tag);
            }
            else if (!Tag.IsValid(tag))
            {
                throw new UsageException(
                    $"tag '{template}' became '{tag}' after stamping, which is not a valid tag: {Tag.Rule}");
            }

            if (!resolved.Contains(tag, StringComparer.Ordinal))
            {
                resolved.Add(tag);
            }
        }

        return resolved;
    }

    private static IEnumerable<string> ReadTagFile(string path) =>
        ReadLines(path, "tag file").Select(static line => line.Trim()).Where(static line => line.Length > 0);

    private static Dictionary<string, string> ReadStampFiles(IEnumerable<string> paths)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            foreach (var line in ReadLines(path, "stamp file"))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var key = space < 0 ? line : line[..space];
                if (key.Length > 0)
                {
                    values[key] = space < 0 ? string.Empty : line[(space + 1)..].Trim();
                }
            }
        }

        return values;
    }

    private static string[] ReadLines(string path, string what)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {what} {path}: {FileErrors.Describe(exception, path)}");
        }
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex PlaceholderPattern();
}
