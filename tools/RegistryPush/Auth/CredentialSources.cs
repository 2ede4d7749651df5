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
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken) =>
        Task.FromResult(registries.Any(registry => RegistryHostNames.SameRegistry(registry, query.Registry)) ? _credential : null);
}

/// <summary><c>DOCKER_AUTH_CONFIG</c>: a whole Docker config in a variable, as CI systems set it; its <c>auths</c> are read like Docker's.</summary>
public sealed class EnvironmentConfigSource(string? json) : ICredentialSource
{
    /// <summary>The variable's name.</summary>
    public const string Variable = "DOCKER_AUTH_CONFIG";

    private readonly Lazy<CredentialsFile?> _file = new(() => string.IsNullOrWhiteSpace(json) ? null : CredentialsFile.Parse(json, Variable));

    /// <inheritdoc />
    public string Name => Variable;

    /// <inheritdoc />
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken) =>
        Task.FromResult(_file.Value?.FindForHost(query.Registry));
}

/// <summary>
/// The Docker config file (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>), read as Docker
/// reads it: a host's <c>credHelpers</c> entry is the only source for that host; otherwise <c>credsStore</c>; then
/// <c>auths</c>, exact key first, then keys that normalise to the same registry.
/// </summary>
public sealed class DockerConfigSource(string path, CredentialHelper helpers) : ICredentialSource
{
    private readonly Lazy<CredentialsFile?> _file = new(() => CredentialsFile.Load(path));

    /// <inheritdoc />
    public string Name => path;

    /// <inheritdoc />
    public async Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken)
    {
        if (_file.Value is not { } file)
        {
            return null;
        }

        var serverUrl = RegistryHostNames.HelperServerUrl(query.Registry);
        if (file.FindHelper(query.Registry) is { } helper)
        {
            var fromHelper = await helpers.GetAsync(helper.Helper.Trim(), serverUrl, $"credHelpers[\"{helper.Key}\"] in {path}", cancellationToken).ConfigureAwait(false);
            if (fromHelper is null)
            {
                notes.Add($"docker-credential-{helper.Helper.Trim()} (credHelpers[\"{helper.Key}\"] in {path}) has no credentials for {serverUrl}");
            }

            return fromHelper;
        }

        if (!string.IsNullOrWhiteSpace(file.Config.CredsStore))
        {
            var store = file.Config.CredsStore.Trim();
            var fromStore = await helpers.GetAsync(store, serverUrl, $"credsStore in {path}", cancellationToken).ConfigureAwait(false);
            if (fromStore is not null)
            {
                return fromStore;
            }

            notes.Add($"docker-credential-{store} (credsStore in {path}) has no credentials for {serverUrl}");
        }

        return file.FindForHost(query.Registry);
    }
}

/// <summary>
/// podman/containers auth files (<c>REGISTRY_AUTH_FILE</c> if set; else <c>$XDG_RUNTIME_DIR/containers/auth.json</c>
/// then <c>$XDG_CONFIG_HOME/containers/auth.json</c>, by default <c>~/.config/containers/auth.json</c>), read in
/// order until one answers. Keys may be path-qualified; the most specific one covering the repository wins. A
/// file's <c>credHelpers</c> entry for the host is used as in Docker's file.
/// </summary>
public sealed class ContainersAuthSource(IReadOnlyList<string> paths, CredentialHelper helpers) : ICredentialSource
{
    private readonly Lazy<CredentialsFile?>[] _files = paths.Select(path => new Lazy<CredentialsFile?>(() => CredentialsFile.Load(path))).ToArray();

    /// <inheritdoc />
    public string Name => string.Join(", ", paths);

    /// <inheritdoc />
    public async Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken)
    {
        foreach (var lazy in _files)
        {
            if (lazy.Value is not { } file)
            {
                continue;
            }

            if (file.FindMostSpecific(query.Registry, query.RepositoryPath) is { } credential)
            {
                return credential;
            }

            if (file.FindHelper(query.Registry) is { } helper
                && await helpers.GetAsync(helper.Helper.Trim(), query.Registry, $"credHelpers[\"{helper.Key}\"] in {file.Name}", cancellationToken).ConfigureAwait(false) is { } fromHelper)
            {
                return fromHelper;
            }
        }

        return null;
    }
}

/// <summary>
/// For ghcr.io only: <c>GITHUB_TOKEN</c> with <c>GITHUB_ACTOR</c> (set by GitHub Actions) or <c>GITHUB_USERNAME</c>
/// (the seed's own variable) as the user, so CI and laptops following the seed's instructions work without a login.
/// </summary>
public sealed class GitHubTokenSource(Func<string, string?> environment) : ICredentialSource
{
    /// <summary>The one registry this source answers for.</summary>
    public const string Registry = "ghcr.io";

    /// <inheritdoc />
    public string Name => "GITHUB_TOKEN";

    /// <inheritdoc />
    public Task<RegistryCredential?> FindAsync(CredentialQuery query, ICollection<string> notes, CancellationToken cancellationToken)
    {
        if (!string.Equals(query.Registry, Registry, StringComparison.OrdinalIgnoreCase)
            || environment("GITHUB_TOKEN") is not { Length: > 0 } token)
        {
            return Task.FromResult<RegistryCredential?>(null);
        }

        foreach (var variable in new[] { "GITHUB_ACTOR", "GITHUB_USERNAME" })
        {
            if (environment(variable) is { Length: > 0 } user)
            {
                return Task.FromResult<RegistryCredential?>(
                    RegistryCredential.FromPassword(user.Trim(), token.Trim(), $"GITHUB_TOKEN (user from {variable})"));
            }
        }

        notes.Add("GITHUB_TOKEN is set but neither GITHUB_ACTOR nor GITHUB_USERNAME names the user, so it was not used");
        return Task.FromResult<RegistryCredential?>(null);
    }
}
