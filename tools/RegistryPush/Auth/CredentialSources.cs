namespace RegistryPush.Auth;

/// <summary>
/// Credentials given for this run: <c>--username</c> with <c>--password-stdin</c>, or <c>REGISTRY_PUSH_USERNAME</c>
/// with <c>REGISTRY_PUSH_PASSWORD</c>. They answer only for the registries the run was asked to push to, so they are
/// never sent to another host (an upload redirected to storage, a second registry of a plan).
/// </summary>
public sealed class ExplicitCredentialSource(string username, string password, string name, IReadOnlyCollection<string> registries) : ICredentialSource
{
    private readonly RegistryCredential _credential = RegistryCredential.FromPassword(username, password, name);

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public string HowToRemove(string registry) => name.StartsWith("--", StringComparison.Ordinal)
        ? "leave out --username and --password-stdin"
        : $"unset {AuthSetup.UsernameVariable} and {AuthSetup.PasswordVariable}";

    /// <inheritdoc />
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken) =>
        Task.FromResult(registries.Any(registry => RegistryHostNames.SameRegistry(registry, query.Registry)) ? _credential : null);
}

/// <summary>
/// <c>DOCKER_AUTH_CONFIG</c>: a whole Docker config in a variable, as CI systems set it, read exactly like the Docker
/// config file (<c>credHelpers</c>, <c>credsStore</c>, <c>auths</c>; see <see cref="DockerConfigLookup"/>).
/// </summary>
public sealed class EnvironmentConfigSource(string? json, CredentialHelper helpers) : ICredentialSource
{
    /// <summary>The variable's name.</summary>
    public const string Variable = "DOCKER_AUTH_CONFIG";

    private readonly Lazy<CredentialsFile?> _file = new(() => string.IsNullOrWhiteSpace(json) ? null : CredentialsFile.Parse(json, Variable));

    /// <inheritdoc />
    public string Name => Variable;

    /// <inheritdoc />
    public string HowToRemove(string registry) => $"unset {Variable} (or remove {registry} from it)";

    /// <inheritdoc />
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken) =>
        _file.Value is { } file ? DockerConfigLookup.FindAsync(file, query, notes, helpers, cancellationToken) : Task.FromResult<RegistryCredential?>(null);
}

/// <summary>
/// The Docker config file (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>), read as Docker
/// reads it (see <see cref="DockerConfigLookup"/>).
/// </summary>
public sealed class DockerConfigSource(string path, CredentialHelper helpers) : ICredentialSource
{
    private readonly Lazy<CredentialsFile?> _file = new(() => CredentialsFile.Load(path));

    /// <inheritdoc />
    public string Name => path;

    /// <inheritdoc />
    public string HowToRemove(string registry) => $"run 'docker logout {RegistryHostNames.DockerLoginKey(registry)}'";

    /// <inheritdoc />
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken) =>
        _file.Value is { } file ? DockerConfigLookup.FindAsync(file, query, notes, helpers, cancellationToken) : Task.FromResult<RegistryCredential?>(null);
}

/// <summary>
/// podman/containers auth files (<c>REGISTRY_AUTH_FILE</c> if set; else podman's own file — see
/// <see cref="AuthSetup.ContainersAuthPaths(Func{string, string?})"/> — then
/// <c>${XDG_CONFIG_HOME:-~/.config}/containers/auth.json</c>), read in order until one answers, as
/// containers-auth.json(5) describes: in each file a <c>credHelpers</c> entry for the host comes first and is that
/// file's only source for the host (a stale <c>auths</c> entry beside it is not used); otherwise keys may be
/// path-qualified and the most specific one covering the repository wins.
/// </summary>
public sealed class ContainersAuthSource(IReadOnlyList<string> paths, CredentialHelper helpers) : ICredentialSource
{
    private readonly Lazy<CredentialsFile?>[] _files = paths.Select(path => new Lazy<CredentialsFile?>(() => CredentialsFile.Load(path))).ToArray();

    /// <inheritdoc />
    public string Name => string.Join(", ", paths);

    /// <inheritdoc />
    public string HowToRemove(string registry) => $"run 'podman logout {registry}'";

    /// <inheritdoc />
    public async Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken)
    {
        foreach (var lazy in _files)
        {
            if (lazy.Value is not { } file)
            {
                continue;
            }

            if (file.FindHelper(query.Registry) is { } helper)
            {
                var chosenBy = $"credHelpers[\"{helper.Key}\"] in {file.Name}";
                if (await helpers.GetAsync(helper.Helper.Trim(), query.Registry, chosenBy, cancellationToken).ConfigureAwait(false) is { } fromHelper)
                {
                    return fromHelper;
                }

                // As podman and skopeo do: the helper has nothing, so this file has nothing; the next file may.
                notes.Add($"docker-credential-{helper.Helper.Trim()} ({chosenBy}) has no credentials for {query.Registry}");
                continue;
            }

            if (file.FindMostSpecific(query.Registry, query.RepositoryPath) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }
}

/// <summary>
/// For ghcr.io only: <c>GITHUB_TOKEN</c> with <c>GITHUB_ACTOR</c> (set by GitHub Actions) or <c>GITHUB_USERNAME</c>
/// (what docs/authentication.md has a laptop set) as the user, so CI and laptops set up that way work without a login.
/// It reads only variables, so the chain also asks it after an earlier source answered, to say what that hides.
/// </summary>
public sealed class GitHubTokenSource(Func<string, string?> environment) : IPassiveCredentialSource
{
    /// <summary>The one registry this source answers for.</summary>
    public const string Registry = "ghcr.io";

    /// <summary>The <see cref="RegistryCredential.Source"/> of the token with the workflow's <c>GITHUB_ACTOR</c> as user.</summary>
    public const string FromActions = "GITHUB_TOKEN (user from GITHUB_ACTOR)";

    /// <summary>The <see cref="RegistryCredential.Source"/> of the token with <c>GITHUB_USERNAME</c> as user.</summary>
    public const string FromUsername = "GITHUB_TOKEN (user from GITHUB_USERNAME)";

    /// <inheritdoc />
    public string Name => "GITHUB_TOKEN";

    /// <inheritdoc />
    public string? OnlyFor => Registry;

    /// <inheritdoc />
    public string HowToRemove(string registry) => "unset GITHUB_TOKEN";

    /// <inheritdoc />
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken)
    {
        if (!string.Equals(query.Registry, Registry, StringComparison.OrdinalIgnoreCase)
            || environment("GITHUB_TOKEN") is not { Length: > 0 } token)
        {
            return Task.FromResult<RegistryCredential?>(null);
        }

        foreach (var (variable, source) in new[] { ("GITHUB_ACTOR", FromActions), ("GITHUB_USERNAME", FromUsername) })
        {
            if (environment(variable) is { Length: > 0 } user)
            {
                return Task.FromResult<RegistryCredential?>(RegistryCredential.FromPassword(user.Trim(), token.Trim(), source));
            }
        }

        notes.Add("GITHUB_TOKEN is set but neither GITHUB_ACTOR nor GITHUB_USERNAME names the user, so it was not used");
        return Task.FromResult<RegistryCredential?>(null);
    }
}
