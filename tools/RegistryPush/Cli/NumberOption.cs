using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RegistryPush.Cli;

/// <summary>
/// Whole-number options whose errors are sentences: without a parser of our own the library answers a typo with
/// "Cannot parse argument 'abc' for option '--jobs' as expected type 'System.Int32'". The range is checked here too,
/// so an option's rule is written once and its error reads the same for "abc" and for "0".
/// </summary>
internal static class NumberOption
{
    /// <summary>An <see cref="int"/> option accepting <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public static Option<int> Whole(string name, string[] aliases, int minimum, int maximum, int defaultValue, string description) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => (int)Parse(result, name, minimum, maximum, $"a whole number from {minimum} to {maximum}"),
        };

    /// <summary>A <see cref="long"/> option accepting <paramref name="minimum"/> or more.</summary>
    public static Option<long> AtLeast(string name, long minimum, long defaultValue, string unit, string description) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result => Parse(result, name, minimum, long.MaxValue, $"a whole number of {unit}, at least {minimum}"),
        };

    private static long Parse(ArgumentResult result, string name, long minimum, long maximum, string rule)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        result.AddError($"{name} must be {rule}, got '{PrintableText.OneLine(text)}'");
        return minimum;
    }
}
