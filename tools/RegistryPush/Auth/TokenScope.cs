namespace RegistryPush.Auth;

/// <summary>
/// A token scope of the distribution token specification, <c>type:name:action[,action…]</c>, e.g.
/// <c>repository:owner/app:pull,push</c>. Actions are kept sorted and unique so equal scopes print equally.
/// </summary>
public sealed class TokenScope : IEquatable<TokenScope>
{
    /// <summary>Creates a scope.</summary>
    public TokenScope(string resourceType, string name, IEnumerable<string> actions)
    {
        ResourceType = resourceType;
        Name = name;
        Actions = actions.Where(static action => action.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The resource type, usually <c>repository</c> (sometimes with a class, <c>repository(plugin)</c>).</summary>
    public string ResourceType { get; }

    /// <summary>The resource name, e.g. <c>owner/app</c>.</summary>
    public string Name { get; }

    /// <summary>The actions, sorted.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary><c>repository:NAME:pull,push</c>: what a push needs.</summary>
    public static TokenScope PullPush(string repository) => new("repository", repository, ["pull", "push"]);

    /// <summary><c>repository:NAME:pull</c>: what a mount needs from its source repository.</summary>
    public static TokenScope Pull(string repository) => new("repository", repository, ["pull"]);

    /// <summary>Parses <c>type:name:actions</c>; the name may itself hold colons (the last colon starts the actions).</summary>
    public static TokenScope? TryParse(string text)
    {
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first + 1)
        {
            return null;
        }

        return new TokenScope(text[..first], text[(first + 1)..last], text[(last + 1)..].Split(',', StringSplitOptions.TrimEntries));
    }

    /// <summary>
    /// Unions scopes: one scope per resource, holding every action asked for it, in first-seen order of resources
    /// (some token services read only the first scope, so the one that matters most should come first).
    /// </summary>
    public static IReadOnlyList<TokenScope> Merge(IEnumerable<TokenScope> scopes)
    {
        var merged = new List<TokenScope>();
        foreach (var scope in scopes)
        {
            var index = merged.FindIndex(existing => existing.ResourceType == scope.ResourceType && existing.Name == scope.Name);
            if (index < 0)
            {
                merged.Add(scope);
            }
            else
            {
                merged[index] = new TokenScope(scope.ResourceType, scope.Name, merged[index].Actions.Concat(scope.Actions));
            }
        }

        return merged;
    }

    /// <summary>True when every action of every scope in <paramref name="wanted"/> is already in <paramref name="held"/>.</summary>
    public static bool Covers(IReadOnlyList<TokenScope> held, IEnumerable<TokenScope> wanted) =>
        wanted.All(scope => held.Any(existing => existing.ResourceType == scope.ResourceType && existing.Name == scope.Name
            && scope.Actions.All(action => existing.Actions.Contains(action, StringComparer.Ordinal))));

    /// <summary>A stable text for a set of scopes (cache keys, logs).</summary>
    public static string Format(IEnumerable<TokenScope> scopes) => string.Join(' ', scopes.Select(static scope => scope.ToString()));

    /// <inheritdoc />
    public override string ToString() => $"{ResourceType}:{Name}:{string.Join(',', Actions)}";

    /// <inheritdoc />
    public bool Equals(TokenScope? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TokenScope);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
