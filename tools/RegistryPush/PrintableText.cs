namespace RegistryPush;

/// <summary>Makes text from users, servers and helpers safe to print as part of one line.</summary>
/// <remarks>
/// A value printed raw can forge output: a line break starts a line a CI runner reads as a command (<c>::error::</c>),
/// an escape sequence moves the cursor or recolours what follows, and a Unicode line separator or bidirectional
/// override makes a log viewer show something other than what is there. Every value that came from outside (a config
/// file, a registry's answer, a helper's output, an argument) passes through <see cref="OneLine"/> before it is printed.
/// </remarks>
internal static class PrintableText
{
    /// <summary>The longest excerpt <see cref="Excerpt"/> keeps.</summary>
    public const int MaxExcerptLength = 300;

    /// <summary>
    /// Replaces every control character (line breaks, escapes, C1 controls), Unicode line and paragraph separator and
    /// bidirectional override with a space; other text is kept as it is.
    /// </summary>
    public static string OneLine(string text) =>
        text.Any(IsUnprintable) ? string.Concat(text.Select(static c => IsUnprintable(c) ? ' ' : c)) : text;

    /// <summary>True for a character that changes the terminal or the line structure instead of showing as text.</summary>
    public static bool IsUnprintable(char c) =>
        char.IsControl(c)
        || c is '\u2028' or '\u2029' // line and paragraph separators
        || c is >= '\u202A' and <= '\u202E' // bidirectional embeddings and overrides
        || c is >= '\u2066' and <= '\u2069'; // bidirectional isolates

    /// <summary>
    /// A server's or helper's words as part of an error line: <see cref="OneLine"/>, trimmed, and cut at
    /// <see cref="MaxExcerptLength"/> characters (with "…"), so that no answer can flood the line.
    /// </summary>
    public static string Excerpt(string text)
    {
        var oneLine = OneLine(text).Trim();
        return oneLine.Length > MaxExcerptLength ? oneLine[..MaxExcerptLength] + "…" : oneLine;
    }
}
