using System.Text;
using RegistryPush.Oci;

namespace RegistryPush.Auth;

/// <summary>What kind of secret a <see cref="RegistryCredential"/> holds, which decides how it is presented.</summary>
public enum CredentialKind
{
    /// <summary>No secret: requests go out without credentials (public images, open registries).</summary>
    Anonymous,

    /// <summary>A user name and a password or personal access token (Basic, or exchanged for a bearer token).</summary>
    UsernamePassword,

    /// <summary>An OAuth2 refresh token (Docker's <c>identitytoken</c>), exchanged at the token realm.</summary>
    IdentityToken,

    /// <summary>A bearer token sent to the registry as it is (Docker's <c>registrytoken</c>).</summary>
    RegistryToken,
}

/// <summary>
/// Credentials for one registry and where they came from. The secret is reachable only inside the assembly and never
/// appears in <see cref="ToString"/>, so logging or interpolating a credential cannot leak it.
/// </summary>
public sealed class RegistryCredential
{
    private readonly Lazy<string> _fingerprint;

    private RegistryCredential(CredentialKind kind, string? username, string? secret, string source)
    {
        Kind = kind;
        Username = username;
        Secret = secret;
        Source = source;
        _fingerprint = new Lazy<string>(() => Convert.ToHexString(
            Sha256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{username}\n{secret}"))));
    }

    /// <summary>The kind of secret.</summary>
    public CredentialKind Kind { get; }

    /// <summary>The user name, when there is one (never secret; shown in messages).</summary>
    public string? Username { get; }

    /// <summary>Where the credentials came from, e.g. <c>docker-credential-desktop (credsStore in /home/u/.docker/config.json)</c>.</summary>
    public string Source { get; }

    /// <summary>The password or token. Internal: only the authentication code may touch it.</summary>
    internal string? Secret { get; }

    /// <summary>
    /// Identifies the credentials (a hash of kind, user and secret) so that tokens are cached and refresh tokens kept
    /// per identity, whichever repository's lookup found them, without a secret in a cache key.
    /// </summary>
    internal string Fingerprint => _fingerprint.Value;

    /// <summary>
    /// Credentials a later source of the chain holds for the same registry, which these hide; null when none. A refusal
    /// of these then says how to let the hidden ones through.
    /// </summary>
    public HiddenCredential? Hides { get; private init; }

    /// <summary>True when there is no secret to send.</summary>
    public bool IsAnonymous => Kind == CredentialKind.Anonymous;

    /// <summary>No credentials; <paramref name="source"/> says what was searched.</summary>
    public static RegistryCredential Anonymous(string source) => new(CredentialKind.Anonymous, null, null, source);

    /// <summary>A user name and password (or personal access token).</summary>
    public static RegistryCredential FromPassword(string username, string password, string source) =>
        new(CredentialKind.UsernamePassword, username, password, source);

    /// <summary>An OAuth2 refresh token; <paramref name="username"/> is optional.</summary>
    public static RegistryCredential FromIdentityToken(string? username, string token, string source) =>
        new(CredentialKind.IdentityToken, string.IsNullOrEmpty(username) ? null : username, token, source);

    /// <summary>A bearer token used as it is.</summary>
    public static RegistryCredential FromRegistryToken(string token, string source) =>
        new(CredentialKind.RegistryToken, null, token, source);

    /// <summary>The same credentials, noting that they hide <paramref name="hidden"/>.</summary>
    internal RegistryCredential Hiding(HiddenCredential hidden) => new(Kind, Username, Secret, Source) { Hides = hidden };

    /// <summary>A one-line description for messages: who, from where; never the secret.</summary>
    public string Describe() => Kind switch
    {
        CredentialKind.Anonymous => $"no credentials ({Source})",
        CredentialKind.UsernamePassword => $"user '{Username}' from {Source}",
        CredentialKind.IdentityToken => Username is null ? $"an identity token from {Source}" : $"user '{Username}' (identity token) from {Source}",
        _ => $"a registry token from {Source}",
    };

    /// <inheritdoc />
    public override string ToString() => Describe();

    /// <summary>
    /// The value of a Basic <c>Authorization</c> header (base64 of <c>user:secret</c>). Identity tokens without a user
    /// go out as user <c>&lt;token&gt;</c>, the name Docker's credential helpers use for them.
    /// </summary>
    internal string BasicParameter() =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username ?? "<token>"}:{Secret}"));

    /// <summary>Every form the secret could take in output (plain, and inside Basic headers), for redaction.</summary>
    internal IEnumerable<string> SecretForms()
    {
        if (string.IsNullOrEmpty(Secret))
        {
            yield break;
        }

        yield return Secret;
        yield return BasicParameter();
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(Secret));
    }
}

/// <summary>Credentials further down the chain that the chosen ones hide.</summary>
/// <param name="Source">The hidden source, e.g. <c>GITHUB_TOKEN</c>.</param>
/// <param name="HowToRemoveChosen">What the user does so that the chosen source stops answering, e.g. <c>run 'docker logout ghcr.io'</c>.</param>
public sealed record HiddenCredential(string Source, string HowToRemoveChosen);
