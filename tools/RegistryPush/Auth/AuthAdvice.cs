namespace RegistryPush.Auth;

/// <summary>
/// Turns a refusal into a one-line message that says which credentials were used and what to do, drawn from the
/// GHCR troubleshooting users already follow (token scopes, expiry, <c>docker logout</c>, package permissions,
/// the workflow's <c>permissions: packages: write</c>). The advice fits where the credentials came from: a workflow's
/// <c>GITHUB_TOKEN</c> is not fixed by a personal access token, and a stale login hiding a valid <c>GITHUB_TOKEN</c>
/// is named. Advice for ghcr.io is specific; other registries get the general form.
/// </summary>
public static class AuthAdvice
{
    /// <summary>For a 401/403 or a DENIED/UNAUTHORIZED error from the registry.</summary>
    /// <param name="message">The failure so far: operation, status and the registry's error text.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="codes">The Distribution error codes in the body.</param>
    /// <param name="attempt">What authentication did for the request, when it handled it.</param>
    /// <param name="requestUri">The request, for the registry and repository when there is no attempt.</param>
    /// <param name="registry">
    /// The registry (<c>host[:port]</c>) the request was made for, when known. A refusal from another host means the
    /// registry sent the request there (an upload URL, a redirect), where credentials never go.
    /// </param>
    public static string ForRefusal(string message, int status, IReadOnlyCollection<string> codes, AuthAttempt? attempt, Uri? requestUri, string? registry = null)
    {
        var text = attempt?.Redactor.Scrub(message) ?? message;
        if (registry is not null && requestUri is not null && !string.Equals(requestUri.Authority, registry, StringComparison.OrdinalIgnoreCase))
        {
            return $"{text}; to fix: {Redirected(registry, requestUri.Authority)}";
        }

        registry = attempt?.Registry ?? registry ?? requestUri?.Authority ?? "the registry";
        var credential = attempt?.Credential;
        var used = credential is null ? string.Empty : $"; credentials: {credential.Describe()}";
        var notes = attempt is { Notes.Count: > 0 } ? $" ({string.Join("; ", attempt.Notes)})" : string.Empty;

        string advice;
        if (credential is null || credential.IsAnonymous)
        {
            advice = NoCredentials(registry);
        }
        else if (status == 403 || codes.Contains("DENIED") || attempt?.ChallengeError == "insufficient_scope")
        {
            advice = NotPermitted(registry, attempt?.Repository, credential, message);
        }
        else
        {
            advice = Rejected(registry, credential);
        }

        return $"{text}{used}{notes}; to fix: {advice}";
    }

    /// <summary>For a token service that refused the credentials (401/403 from the realm).</summary>
    public static string ForTokenRefusal(string message, int status, TokenRequest request)
    {
        var credential = request.Credential;
        var advice = credential.IsAnonymous ? NoCredentials(request.Registry)
            : status == 403 ? NotPermitted(request.Registry, request.Scopes.Count > 0 ? request.Scopes[0].Name : null, credential, message)
            : Rejected(request.Registry, credential);
        return $"{message}; to fix: {advice}";
    }

    /// <summary>For NAME_INVALID and TAG_INVALID.</summary>
    public static string ForInvalidName(string message, IReadOnlyCollection<string> codes, string? registry)
    {
        if (codes.Contains("TAG_INVALID"))
        {
            return $"{message}; to fix: {References.Tag.Rule}";
        }

        return IsGhcr(registry)
            ? $"{message}; to fix: name it ghcr.io/<owner>/<repository>, all lowercase, with <owner> your GitHub user or an organization you can write to"
            : $"{message}; to fix: repository names are lowercase letters, digits and the separators '.', '_', '__', '-' and '/'";
    }

    private static string Redirected(string registry, string otherHost) =>
        $"{registry} sent this request on to another host, {otherHost}, which asked for credentials; registry-push sends credentials only to {registry} itself, never to a host it is sent on to, so logging in again changes nothing: the registry's storage or proxy set-up must hand out upload and download URLs that need no credentials (e.g. presigned ones) or that point back at {registry}";

    private static string NoCredentials(string registry) => IsGhcr(registry)
        ? $"no credentials were found for {registry}: run 'echo $GITHUB_TOKEN | docker login ghcr.io -u USER --password-stdin' with a personal access token that has the write:packages scope, or in GitHub Actions set GITHUB_TOKEN and GITHUB_ACTOR (docker/login-action also works); see docs/authentication.md"
        : $"no credentials were found for {registry}: run 'docker login {registry}', or pass --username with --password-stdin; see docs/authentication.md";

    private static string Rejected(string registry, RegistryCredential credential)
    {
        if (!IsGhcr(registry))
        {
            return $"{registry} did not accept them: the password or token may be wrong, expired or revoked; run 'docker logout {registry}' and log in again";
        }

        return credential.Source switch
        {
            GitHubTokenSource.FromActions =>
                $"{registry} did not accept the workflow's GITHUB_TOKEN: pass the job's own token (GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}; it is valid only while the job runs), give the job 'permissions: packages: write', and in the package's settings under 'Manage Actions access' give this repository the Write role",
            GitHubTokenSource.FromUsername =>
                $"{registry} did not accept GITHUB_TOKEN as user '{credential.Username}': the token may be wrong, expired or revoked, or lack the write:packages scope, and GITHUB_USERNAME must be the token's owner; create a new personal access token with write:packages and export it as GITHUB_TOKEN",
            _ => $"{registry} did not accept them: the token may be wrong, expired or revoked, or lack the write:packages scope; {HiddenToken(credential) ?? "create a new personal access token with write:packages, then 'docker logout ghcr.io' and log in again"}",
        };
    }

    private static string NotPermitted(string registry, string? repository, RegistryCredential credential, string message)
    {
        var target = repository is null ? registry : $"{registry}/{repository}";
        if (!IsGhcr(registry))
        {
            return $"the credentials are valid but may not push to {target}: ask for write access to that repository, or push to one you own";
        }

        var fromActions = credential.Source == GitHubTokenSource.FromActions
            || message.Contains("installation", StringComparison.OrdinalIgnoreCase);
        var advice = fromActions
            ? $"the workflow's token may not write to {target}: give the job 'permissions: packages: write', and in the package's settings under 'Manage Actions access' give this repository the Write role (a package first pushed by hand does not grant it); the owner in ghcr.io/<owner>/<name> must be this repository's owner"
            : $"the token is valid but may not write to {target}: the owner in ghcr.io/<owner>/<name> must be you or an organization where you may publish packages, the package's settings must give you write access, and a personal access token needs the write:packages scope";
        return HiddenToken(credential) is { } hidden ? $"{advice}; {hidden}" : advice;
    }

    // A stale login in front of a GITHUB_TOKEN that would have worked: say which one won and how to let the other through.
    private static string? HiddenToken(RegistryCredential credential) => credential.Hides is { } hidden
        ? $"{hidden.Source} is set too but was not used, because {credential.Source} comes first: if that login is stale, {hidden.HowToRemoveChosen} so that {hidden.Source} is used, or log in again with a valid token"
        : null;

    private static bool IsGhcr(string? registry) => string.Equals(registry, "ghcr.io", StringComparison.OrdinalIgnoreCase);
}
