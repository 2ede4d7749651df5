namespace RegistryPush.Auth;

/// <summary>
/// What authentication did for one request, attached to the request (<see cref="HttpRequestMessage.Options"/>) so
/// that error reporting can name the credentials used and give the right advice.
/// </summary>
/// <param name="Registry">The registry, <c>host[:port]</c>.</param>
/// <param name="Repository">The repository path the request was for, if any.</param>
/// <param name="Credential">The credentials chosen for it.</param>
/// <param name="Notes">Remarks from the credential search.</param>
/// <param name="Scheme">The scheme the registry asked for (<c>Bearer</c>, <c>Basic</c>), or null if it never asked.</param>
/// <param name="ChallengeError">The <c>error</c> of the registry's last Bearer challenge, e.g. <c>insufficient_scope</c>.</param>
/// <param name="Redactor">The run's redactor, for scrubbing the registry's messages.</param>
public sealed record AuthAttempt(
    string Registry,
    string? Repository,
    RegistryCredential Credential,
    IReadOnlyList<string> Notes,
    string? Scheme,
    string? ChallengeError,
    Redactor Redactor)
{
    /// <summary>The key under which the attempt is stored in the request's options.</summary>
    public static readonly HttpRequestOptionsKey<AuthAttempt> OptionsKey = new("RegistryPush.AuthAttempt");

    /// <summary>The attempt recorded on <paramref name="response"/>'s request, if authentication handled it.</summary>
    public static AuthAttempt? Of(HttpResponseMessage response) =>
        response.RequestMessage?.Options.TryGetValue(OptionsKey, out var attempt) == true ? attempt : null;
}
