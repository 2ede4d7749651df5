namespace RegistryPush.Auth;

/// <summary>
/// What building a run's credentials reads from outside the process: environment variables, and standard input for a
/// piped password. The command line's run context provides them, so a run in-process (as tests do) reads its own.
/// </summary>
public interface ICredentialInputs
{
    /// <summary>Reads an environment variable.</summary>
    Func<string, string?> GetEnvironmentVariable { get; }

    /// <summary>Standard input (<c>--password-stdin</c> reads it).</summary>
    TextReader StandardInput { get; }
}
