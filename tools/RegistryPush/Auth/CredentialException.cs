namespace RegistryPush.Auth;

/// <summary>
/// Credentials could not be obtained: a malformed config file, a credential helper that failed, hung, printed garbage
/// or is missing, or contradictory explicit credentials. Exit code 3 (authentication), like a refusal: the push
/// cannot authenticate either way. The message names the file, variable or helper at fault and never a secret.
/// </summary>
public sealed class CredentialException(string message, Exception? inner = null) : RegistryPushException(message, inner)
{
    /// <inheritdoc />
    public override int ExitCode => ExitCodes.AuthenticationFailed;
}
