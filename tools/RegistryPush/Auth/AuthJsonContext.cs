using System.Text.Json.Serialization;

namespace RegistryPush.Auth;

/// <summary>A Docker <c>config.json</c>, a podman <c>auth.json</c> or <c>DOCKER_AUTH_CONFIG</c>: only what authentication reads.</summary>
public sealed class DockerConfigJson
{
    /// <summary>Credentials by registry key (<c>ghcr.io</c>, <c>https://index.docker.io/v1/</c>, <c>quay.io/owner</c>).</summary>
    [JsonPropertyName("auths")] public Dictionary<string, DockerAuthEntryJson?>? Auths { get; init; }

    /// <summary>The credential helper for every registry without its own (<c>docker-credential-NAME</c>).</summary>
    [JsonPropertyName("credsStore")] public string? CredsStore { get; init; }

    /// <summary>A credential helper per registry host.</summary>
    [JsonPropertyName("credHelpers")] public Dictionary<string, string?>? CredHelpers { get; init; }
}

/// <summary>One <c>auths</c> entry.</summary>
public sealed class DockerAuthEntryJson
{
    /// <summary>Base64 of <c>user:password</c>.</summary>
    [JsonPropertyName("auth")] public string? Auth { get; init; }

    /// <summary>The user name, when not inside <see cref="Auth"/>.</summary>
    [JsonPropertyName("username")] public string? Username { get; init; }

    /// <summary>The password, when not inside <see cref="Auth"/>.</summary>
    [JsonPropertyName("password")] public string? Password { get; init; }

    /// <summary>An OAuth2 refresh token.</summary>
    [JsonPropertyName("identitytoken")] public string? IdentityToken { get; init; }

    /// <summary>A bearer token for the registry, used as it is.</summary>
    [JsonPropertyName("registrytoken")] public string? RegistryToken { get; init; }
}

/// <summary>What <c>docker-credential-NAME get</c> prints.</summary>
public sealed class HelperCredentialsJson
{
    /// <summary>The user name; <c>&lt;token&gt;</c> marks <see cref="Secret"/> as an identity token.</summary>
    [JsonPropertyName("Username")] public string? Username { get; init; }

    /// <summary>The password or token.</summary>
    [JsonPropertyName("Secret")] public string? Secret { get; init; }
}

/// <summary>A token service's answer (distribution token specification and its OAuth2 variant).</summary>
public sealed class TokenResponseJson
{
    /// <summary>The bearer token.</summary>
    [JsonPropertyName("token")] public string? Token { get; init; }

    /// <summary>The same, under its OAuth2 name; some services send only this one.</summary>
    [JsonPropertyName("access_token")] public string? AccessToken { get; init; }

    /// <summary>Seconds the token stays valid; 60 when absent.</summary>
    [JsonPropertyName("expires_in")] public long? ExpiresIn { get; init; }

    /// <summary>A refresh token to use instead of the original credentials from now on (OAuth2 flow).</summary>
    [JsonPropertyName("refresh_token")] public string? RefreshToken { get; init; }
}

/// <summary>An OAuth2 error body (<c>{"error":…,"error_description":…}</c>).</summary>
public sealed class OAuthErrorJson
{
    /// <summary>The error code, e.g. <c>invalid_grant</c>.</summary>
    [JsonPropertyName("error")] public string? Error { get; init; }

    /// <summary>Human-readable detail.</summary>
    [JsonPropertyName("error_description")] public string? Description { get; init; }
}

/// <summary>The claims of a registry JWT that <c>auth check</c> reports (what the token grants).</summary>
public sealed class TokenClaimsJson
{
    /// <summary>The granted resources and actions.</summary>
    [JsonPropertyName("access")] public List<TokenAccessJson>? Access { get; init; }
}

/// <summary>One granted resource of a registry JWT.</summary>
public sealed class TokenAccessJson
{
    /// <summary>The resource type, e.g. <c>repository</c>.</summary>
    [JsonPropertyName("type")] public string? Type { get; init; }

    /// <summary>The resource name, e.g. <c>owner/app</c>.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>The granted actions, e.g. <c>pull</c>, <c>push</c>.</summary>
    [JsonPropertyName("actions")] public List<string>? Actions { get; init; }
}

/// <summary>
/// Source-generated JSON metadata for authentication. Property names match case-insensitively, as Go's
/// <c>encoding/json</c> does when Docker reads the same files (<c>"IdentityToken"</c> works there, so here too).
/// </summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(DockerConfigJson))]
[JsonSerializable(typeof(HelperCredentialsJson))]
[JsonSerializable(typeof(TokenResponseJson))]
[JsonSerializable(typeof(OAuthErrorJson))]
[JsonSerializable(typeof(TokenClaimsJson))]
internal sealed partial class AuthJsonContext : JsonSerializerContext;
