using System.Text;
using System.Text.Json;

namespace RegistryPush.Auth;

/// <summary>
/// One parsed credentials document — a Docker <c>config.json</c>, a podman <c>auth.json</c> or the JSON in
/// <c>DOCKER_AUTH_CONFIG</c> — and the two ways of looking a registry up in it.
/// </summary>
public sealed class CredentialsFile
{
    private CredentialsFile(string name, DockerConfigJson config)
    {
        Name = name;
        Config = config;
    }

    /// <summary>The file's path, or the variable it came from; named in every message about it.</summary>
    public string Name { get; }

    /// <summary>The parsed content.</summary>
    public DockerConfigJson Config { get; }

    /// <summary>Reads <paramref name="path"/>; null when it does not exist (a missing file is not an error).</summary>
    /// <exception cref="CredentialException">The file cannot be read or is not valid JSON.</exception>
    public static CredentialsFile? Load(string path)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new CredentialException($"cannot read credentials file {path}: {FileErrors.Describe(exception, path)}", exception);
        }

        return Parse(content, path);
    }

    /// <summary>Parses <paramref name="json"/>, naming it <paramref name="name"/> in errors.</summary>
    /// <exception cref="CredentialException">The content is not a valid credentials document.</exception>
    public static CredentialsFile Parse(ReadOnlySpan<byte> json, string name)
    {
        // Docker reads an empty file as an empty configuration, so this does too.
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new CredentialsFile(name, new DockerConfigJson());
        }

        try
        {
            var config = JsonSerializer.Deserialize(json, AuthJsonContext.Default.DockerConfigJson);
            return new CredentialsFile(name, config ?? new DockerConfigJson());
        }
        catch (JsonException exception)
        {
            // Only the position: the parser's own message can quote the text around the error, which may be a secret.
            var where = exception.LineNumber is { } line ? $" at line {line + 1}" : string.Empty;
            throw new CredentialException($"credentials file {name} is not valid JSON{where}: fix it or move it away", exception);
        }
    }

    /// <summary>Parses a JSON string (e.g. an environment variable).</summary>
    public static CredentialsFile Parse(string json, string name) => Parse(Encoding.UTF8.GetBytes(json), name);

    /// <summary>
    /// The <c>credHelpers</c> entry for <paramref name="host"/>: the exact key <c>docker login</c> would use first,
    /// then any key naming the same registry. Null when the host has no helper of its own.
    /// </summary>
    public (string Key, string Helper)? FindHelper(string host)
    {
        var helpers = Config.CredHelpers;
        if (helpers is null || helpers.Count == 0)
        {
            return null;
        }

        var exact = RegistryHostNames.DockerLoginKey(host);
        if (helpers.TryGetValue(exact, out var named) && !string.IsNullOrWhiteSpace(named))
        {
            return (exact, named);
        }

        foreach (var (key, helper) in helpers.OrderBy(static pair => pair.Key, StringComparer.Ordinal))
        {
            if (!string.IsNullOrWhiteSpace(helper) && RegistryHostNames.SameRegistry(RegistryHostNames.ParseKey(key).Host, host))
            {
                return (key, helper);
            }
        }

        return null;
    }

    /// <summary>
    /// Docker's lookup in <c>auths</c>: the exact key <c>docker login</c> writes for <paramref name="host"/>, else
    /// the first key (host-only keys before path-qualified ones) whose host, once normalised, is the same registry.
    /// Entries without any credentials (the <c>{}</c> placeholders a credential store leaves) do not count.
    /// </summary>
    /// <exception cref="CredentialException">The matching entry is malformed.</exception>
    public RegistryCredential? FindForHost(string host)
    {
        var auths = Config.Auths;
        if (auths is null || auths.Count == 0)
        {
            return null;
        }

        var exact = RegistryHostNames.DockerLoginKey(host);
        if (auths.TryGetValue(exact, out var exactEntry) && ToCredential(exact, exactEntry) is { } exactCredential)
        {
            return exactCredential;
        }

        var candidates = auths
            .Select(static pair => (pair.Key, pair.Value, Parsed: RegistryHostNames.ParseKey(pair.Key)))
            .Where(candidate => RegistryHostNames.SameRegistry(candidate.Parsed.Host, host))
            .OrderBy(static candidate => candidate.Parsed.Path.Length == 0 ? 0 : 1)
            .ThenBy(static candidate => candidate.Key, StringComparer.Ordinal);
        foreach (var (key, entry, _) in candidates)
        {
            if (ToCredential(key, entry) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }

    /// <summary>
    /// podman's lookup in <c>auths</c>: keys may name a registry, a namespace or a repository
    /// (<c>ghcr.io</c>, <c>ghcr.io/owner</c>, <c>ghcr.io/owner/app</c>); the most specific key covering
    /// <paramref name="repositoryPath"/> in whole path segments wins.
    /// </summary>
    /// <exception cref="CredentialException">The matching entry is malformed.</exception>
    public RegistryCredential? FindMostSpecific(string host, string? repositoryPath)
    {
        var auths = Config.Auths;
        if (auths is null || auths.Count == 0)
        {
            return null;
        }

        var candidates = auths
            .Select(static pair => (pair.Key, pair.Value, Parsed: RegistryHostNames.ParseKey(pair.Key)))
            .Where(candidate => RegistryHostNames.SameRegistry(candidate.Parsed.Host, host)
                && RegistryHostNames.PathCovers(candidate.Parsed.Path, repositoryPath))
            .OrderByDescending(static candidate => candidate.Parsed.Path.Length == 0 ? 0 : candidate.Parsed.Path.Count(static c => c == '/') + 1)
            .ThenBy(candidate => string.Equals(candidate.Parsed.Host, host, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(static candidate => candidate.Key, StringComparer.Ordinal);
        foreach (var (key, entry, _) in candidates)
        {
            if (ToCredential(key, entry) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }

    /// <summary>Turns an <c>auths</c> entry into credentials; null for an entry that holds none.</summary>
    /// <exception cref="CredentialException">The entry's <c>auth</c> field is not base64 of <c>user:password</c>.</exception>
    public RegistryCredential? ToCredential(string key, DockerAuthEntryJson? entry)
    {
        if (entry is null)
        {
            return null;
        }

        var source = $"auths[\"{key}\"] in {Name}";
        if (!string.IsNullOrEmpty(entry.RegistryToken))
        {
            return RegistryCredential.FromRegistryToken(entry.RegistryToken, source);
        }

        string? username = entry.Username;
        string? password = entry.Password;
        if (!string.IsNullOrWhiteSpace(entry.Auth))
        {
            (username, password) = DecodeAuth(entry.Auth, key);
        }

        if (!string.IsNullOrEmpty(entry.IdentityToken))
        {
            return RegistryCredential.FromIdentityToken(username, entry.IdentityToken, source);
        }

        if (!string.IsNullOrEmpty(username) && password is not null && (password.Length > 0 || !string.IsNullOrWhiteSpace(entry.Auth)))
        {
            return RegistryCredential.FromPassword(username, password, source);
        }

        return null;
    }

    private (string Username, string Password) DecodeAuth(string auth, string key)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(auth.Trim());
        }
        catch (FormatException exception)
        {
            throw new CredentialException(
                $"credentials file {Name}: auths[\"{key}\"].auth is not valid base64 (it must be base64 of user:password); log in again with docker login {key}",
                exception);
        }

        // Split at the first colon: passwords and tokens may contain colons, user names may not.
        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new CredentialException(
                $"credentials file {Name}: auths[\"{key}\"].auth does not decode to user:password; log in again with docker login {key}");
        }

        // Docker trims NUL padding some old tools left after the password.
        return (text[..colon], text[(colon + 1)..].Trim('\0'));
    }
}
