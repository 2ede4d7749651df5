namespace RegistryPush;

/// <summary>Makes text from users, servers and helpers safe to print as part of one line.</summary>
internal static class PrintableText
{
    /// <summary>Replaces every control character (line breaks, escapes) with a space; other text is kept as it is.</summary>
    public static string OneLine(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(static c => char.IsControl(c) ? ' ' : c)) : text;
}
