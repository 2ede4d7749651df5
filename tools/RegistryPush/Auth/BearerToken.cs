namespace RegistryPush.Auth;

/// <summary>A bearer token from a token service, and how long it may be used.</summary>
/// <param name="Value">The token (secret; never printed).</param>
/// <param name="ObtainedAt">When it arrived (this machine's clock: a service's <c>issued_at</c> is subject to clock skew).</param>
/// <param name="Lifetime">How long the service said it lasts (60 s when it did not say).</param>
/// <param name="RefreshToken">A refresh token the service handed out with it (OAuth2 flow), to use for the next token.</param>
public sealed record BearerToken(string Value, DateTimeOffset ObtainedAt, TimeSpan Lifetime, string? RefreshToken)
{
    /// <summary>The lifetime a token has when its service does not say (distribution token specification).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    /// <summary>
    /// True while the token is comfortably inside its lifetime. A token is renewed a fifth of its lifetime (at most
    /// 30 s) before it expires, so a request never leaves with a token that lapses on the way.
    /// </summary>
    public bool IsFresh(DateTimeOffset now)
    {
        var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, Lifetime.Ticks / 5));
        return now < ObtainedAt + Lifetime - margin;
    }

    /// <inheritdoc />
    public override string ToString() => $"bearer token (valid {Lifetime.TotalSeconds:0} s from {ObtainedAt:O})";
}
