namespace RegistryPush.Auth;

/// <summary>
/// Turns a refusal into a one-line message that says which credentials were used and what to do, drawn from the
/// GHCR troubleshooting users already follow (token scopes, expiry, <c>docker logout</c>, package permissions,
/// the workflow's <c>permissions: packages: write</c>). Advice for ghcr.io is specific; other registries get the
/// general form.
/// </summary>
public static class AuthAdvice
{
    /// <summary>For a 401/403 or a DENIED/UNAUTHORIZED error from the registry.</summary>
    /// <param name="message">The failure so far: operation, status and the registry's error text.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="codes">The Distribution error codes in the body.</param>
    /// <param name="attempt">What authentication did for the request, when it handled it.</param>
    /// <param name="requestUri">The request, for the registry and repository when there is no attempt.</param>
    public static string ForRefusal(string message, int status, IReadOnlyCollection<string> codes, AuthAttempt? attempt, Uri? requestUri)
    {
        var registry = attempt?.Registry ?? requestUri?.Authority ?? "the registry";
        var text = attempt?.Redactor.Scrub(message) ?? message;
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

    private static string NoCredentials(string registry) => IsGhcr(registry)
        ? $"no credentials were found for {registry}: run 'echo $GITHUB_TOKEN | docker login ghcr.io -u USER --password-stdin' with a personal access token that has the write:packages scope, or in GitHub Actions set GITHUB_TOKEN and GITHUB_ACTOR (docker/login-action also works); see docs/authentication.md"
        : $"no credentials were found for {registry}: run 'docker login {registry}', or pass --username with --password-stdin; see docs/authentication.md";

    private static string Rejected(string registry, RegistryCredential credential) => IsGhcr(registry)
        ? $"{registry} did not accept them: the token may be wrong, expired or revoked, or lack the write:packages scope; create a new personal access token with write:packages, then 'docker logout ghcr.io' and log in again{(credential.Source.StartsWith("GITHUB_TOKEN", StringComparison.Ordinal) ? " (in GitHub Actions, GITHUB_TOKEN expires when the job ends)" : string.Empty)}"
        : $"{registry} did not accept them: the password or token may be wrong, expired or revoked; run 'docker logout {registry}' and log in again";

    private static string NotPermitted(string registry, string? repository, RegistryCredential credential, string message)
    {
        var target = repository is null ? registry : $"{registry}/{repository}";
        if (!IsGhcr(registry))
        {
            return $"the credentials are valid but may not push to {target}: ask for write access to that repository, or push to one you own";
        }

        var fromActions = credential.Source.StartsWith("GITHUB_TOKEN", StringComparison.Ordinal)
            || message.Contains("installation", StringComparison.OrdinalIgnoreCase);
        return fromActions
            ? $"the workflow's token may not write to {target}: give the job 'permissions: packages: write', and in the package's settings under 'Manage Actions access' give this repository the Write role (a package first pushed by hand does not grant it); the owner in ghcr.io/<owner>/<name> must be this repository's owner"
            : $"the token is valid but may not write to {target}: the owner in ghcr.io/<owner>/<name> must be you or an organization where you may publish packages, the package's settings must give you write access, and a personal access token needs the write:packages scope";
    }

    private static bool IsGhcr(string? registry) => string.Equals(registry, "ghcr.io", StringComparison.OrdinalIgnoreCase);
}
