namespace RegistryPush.Auth;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header (RFC 7235 §2.1): a scheme and either auth parameters or a
/// token68. Scheme and parameter names compare case-insensitively; values are kept exactly, unquoted.
/// </summary>
public sealed class AuthChallenge
{
    /// <summary>Creates a challenge.</summary>
    /// <param name="scheme">The auth scheme, e.g. <c>Bearer</c>.</param>
    /// <param name="parameters">The auth parameters; the first occurrence of a name wins.</param>
    /// <param name="token68">The token68 form's value, when the challenge has one instead of parameters.</param>
    public AuthChallenge(string scheme, IEnumerable<KeyValuePair<string, string>> parameters, string? token68 = null)
    {
        Scheme = scheme;
        Token68 = token68;
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in parameters)
        {
            map.TryAdd(name, value);
        }

        Parameters = map;
    }

    /// <summary>The auth scheme as sent.</summary>
    public string Scheme { get; }

    /// <summary>Auth parameters by case-insensitive name.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>The token68 value, for schemes that use one.</summary>
    public string? Token68 { get; }

    /// <summary>True for the Bearer scheme (any case).</summary>
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the Basic scheme (any case).</summary>
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>A parameter's value, or null.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>The scopes the challenge names (<c>scope</c> holds one or more, separated by spaces).</summary>
    public IReadOnlyList<string> Scopes =>
        this["scope"]?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    /// <summary>
    /// The challenge to answer: Bearer with a realm first (it supports scoped tokens), then Basic; null when the
    /// registry offers neither.
    /// </summary>
    public static AuthChallenge? Preferred(IEnumerable<AuthChallenge> challenges)
    {
        var list = challenges as IReadOnlyCollection<AuthChallenge> ?? challenges.ToList();
        return list.FirstOrDefault(static challenge => challenge.IsBearer && !string.IsNullOrEmpty(challenge["realm"]))
            ?? list.FirstOrDefault(static challenge => challenge.IsBasic);
    }

    /// <inheritdoc />
    public override string ToString() =>
        Token68 is not null
            ? $"{Scheme} {Token68}"
            : $"{Scheme} {string.Join(", ", Parameters.Select(static pair => $"{pair.Key}=\"{pair.Value}\""))}".TrimEnd();
}
