using System.Text;
using System.Text.Json;

namespace RegistryPush.Auth;

/// <summary>What a token sent to the registry grants.</summary>
/// <param name="Scopes">The granted scopes; null when the token is opaque and does not say.</param>
public sealed record TokenGrant(IReadOnlyList<TokenScope>? Scopes);

/// <summary>
/// Reads what a registry token grants, when the token is a JWT carrying distribution's <c>access</c> claim (Docker
/// Hub, Harbor, distribution's own token services). Opaque tokens (GHCR's) say nothing; the registry's answer to a
/// request is then the only evidence. Used by <c>auth check</c> to show whether push was granted.
/// </summary>
public static class TokenGrants
{
    /// <summary>The scopes <paramref name="token"/> grants, or null when it is not a JWT with an <c>access</c> claim.</summary>
    public static IReadOnlyList<TokenScope>? TryRead(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || FromBase64Url(parts[1]) is not { } payload)
        {
            return null;
        }

        try
        {
            var claims = JsonSerializer.Deserialize(payload, AuthJsonContext.Default.TokenClaimsJson);
            return claims?.Access?
                .Where(static access => !string.IsNullOrEmpty(access.Type) && !string.IsNullOrEmpty(access.Name))
                .Select(static access => new TokenScope(access.Type!, access.Name!, access.Actions ?? []))
                .ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[]? FromBase64Url(string text)
    {
        var padded = new StringBuilder(text.Replace('-', '+').Replace('_', '/'));
        while (padded.Length % 4 != 0)
        {
            padded.Append('=');
        }

        try
        {
            return Convert.FromBase64String(padded.ToString());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
