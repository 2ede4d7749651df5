namespace RegistryPush.Auth;

/// <summary>
/// How Docker reads one config document (<c>config.json</c> or the JSON in <c>DOCKER_AUTH_CONFIG</c>): a host's
/// <c>credHelpers</c> entry is the only source for that host; otherwise <c>credsStore</c>; then <c>auths</c>, exact
/// key first, then keys that normalise to the same registry (used also when the store has nothing, which Docker
/// would not do: the only difference is that such entries are found instead of ignored).
/// </summary>
public static class DockerConfigLookup
{
    /// <summary>The credentials <paramref name="file"/> holds for <paramref name="query"/>, or null.</summary>
    /// <exception cref="CredentialException">A helper failed, or a matching entry is malformed.</exception>
    public static async Task<RegistryCredential?> FindAsync(CredentialsFile file, CredentialQuery query, ICollection<string> notes, CredentialHelper helpers, CancellationToken cancellationToken)
    {
        var serverUrl = RegistryHostNames.HelperServerUrl(query.Registry);
        if (file.FindHelper(query.Registry) is { } helper)
        {
            var chosenBy = $"credHelpers[\"{helper.Key}\"] in {file.Name}";
            var fromHelper = await helpers.GetAsync(helper.Helper.Trim(), serverUrl, chosenBy, cancellationToken).ConfigureAwait(false);
            if (fromHelper is null)
            {
                notes.Add($"docker-credential-{helper.Helper.Trim()} ({chosenBy}) has no credentials for {serverUrl}");
            }

            return fromHelper;
        }

        if (!string.IsNullOrWhiteSpace(file.Config.CredsStore))
        {
            var store = file.Config.CredsStore.Trim();
            var fromStore = await helpers.GetAsync(store, serverUrl, $"credsStore in {file.Name}", cancellationToken).ConfigureAwait(false);
            if (fromStore is not null)
            {
                return fromStore;
            }

            notes.Add($"docker-credential-{store} (credsStore in {file.Name}) has no credentials for {serverUrl}");
        }

        return file.FindForHost(query.Registry);
    }
}
