namespace RegistryPush.Cli;

/// <summary>
/// Everything a run touches outside the process's own memory, so that tests can run the real program in-process:
/// the standard streams, the environment, and (for fault injection) the HTTP transport.
/// </summary>
/// <param name="Out">Standard output: machine-readable results only.</param>
/// <param name="Error">Standard error: everything for humans.</param>
/// <param name="In">Standard input (passwords arrive here).</param>
/// <param name="GetEnvironmentVariable">Reads an environment variable.</param>
/// <param name="CurrentDirectory">The directory relative paths are resolved against.</param>
public sealed record RunContext(
    TextWriter Out,
    TextWriter Error,
    TextReader In,
    Func<string, string?> GetEnvironmentVariable,
    string CurrentDirectory) : Auth.ICredentialInputs
{
    /// <summary>Replaces the socket transport (tests inject faults or count requests here); null means the real one.</summary>
    public Func<bool, HttpMessageHandler>? TransportFactory { get; init; }

    /// <summary>Whether stderr is an interactive terminal (live progress) rather than a log.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Whether stdout is an interactive terminal (help is wrapped to fit) rather than a pipe or file.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>The context of the real process (its standard streams opened without terminal set-up: see <see cref="StandardStreams"/>).</summary>
    public static RunContext FromProcess() => new(
        StandardStreams.Output(),
        StandardStreams.Error(),
        StandardStreams.Input(),
        Environment.GetEnvironmentVariable,
        Environment.CurrentDirectory)
    {
        // IsErrorRedirected and IsOutputRedirected only ask the descriptor (isatty); they leave the terminal alone.
        ErrorIsTerminal = !Console.IsErrorRedirected,
        OutputIsTerminal = !Console.IsOutputRedirected,
    };

    /// <inheritdoc />
    TextReader Auth.ICredentialInputs.StandardInput => In;

    /// <summary>Resolves <paramref name="path"/> against <see cref="CurrentDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, CurrentDirectory);
}
