using System.Text.RegularExpressions;

namespace RegistryPush.References;

/// <summary>Tag validation against the distribution grammar: <c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>.</summary>
public static partial class Tag
{
    /// <summary>The grammar in words, for error messages and advice.</summary>
    public const string Rule = "a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'";

    /// <summary>Throws <see cref="UsageException"/> naming the tag and the rule when <paramref name="tag"/> is invalid.</summary>
    public static string Validate(string tag)
    {
        if (!TagPattern().IsMatch(tag))
        {
            throw new UsageException(
                $"tag '{tag}' is invalid: {Rule}");
        }

        return tag;
    }

    /// <summary>True when <paramref name="tag"/> follows the grammar.</summary>
    public static bool IsValid(string tag) => TagPattern().IsMatch(tag);

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();
}
