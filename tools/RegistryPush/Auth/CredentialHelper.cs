using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CliWrap;

namespace RegistryPush.Auth;

/// <summary>
/// Runs Docker credential helpers (<c>docker-credential-NAME get</c>: the server URL on stdin, JSON on stdout), the
/// way Docker does, but bounded: a helper that hangs is stopped after a timeout, and its output is capped. Every
/// failure is a <see cref="CredentialException"/> naming the helper and the configuration that chose it, quoting at
/// most the first line of its stderr and nothing of its stdout (where secrets are written); the exact
/// answer <c>credentials not found in native keychain</c> is not a failure but "no credentials". Answers are cached
/// per helper and server for the run, so a helper runs at most once per registry.
/// </summary>
public sealed class CredentialHelper
{
    /// <summary>What helpers print when they hold nothing for the server (docker-credential-helpers' standard message).</summary>
    public const string NotFoundMessage = "credentials not found in native keychain";

    /// <summary>The user name helpers use to mark the secret as an identity token.</summary>
    public const string IdentityTokenUsername = "<token>";

    /// <summary>How long a helper may take by default; long enough for a keychain to unlock, short enough for CI.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private const int MaxOutputBytes = 64 * 1024;

    // Helpers locate their stores through these; in-process runs (tests) have their own values, so pass them on.
    private static readonly string[] PassedVariables =
        ["PATH", "HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PASSWORD_STORE_DIR", "GNUPGHOME", "DBUS_SESSION_BUS_ADDRESS"];
    private readonly Func<string, string?> _environment;
    private readonly TimeSpan _timeout;
    private readonly Redactor _redactor;
    private readonly ConcurrentDictionary<(string Helper, string Server), Lazy<Task<RegistryCredential?>>> _answers = new();

    /// <summary>Creates a runner.</summary>
    /// <param name="environment">The run's environment (PATH to find helpers; PATH and HOME are passed on to them).</param>
    /// <param name="timeout">How long one helper may run.</param>
    /// <param name="redactor">Told about every secret a helper returns.</param>
    public CredentialHelper(Func<string, string?> environment, TimeSpan timeout, Redactor redactor)
    {
        _environment = environment;
        _timeout = timeout;
        _redactor = redactor;
    }

    /// <summary>
    /// Asks <c>docker-credential-<paramref name="helper"/></c> for <paramref name="serverUrl"/>'s credentials;
    /// null when it has none.
    /// </summary>
    /// <param name="helper">The helper's suffix, e.g. <c>desktop</c>, <c>pass</c>, <c>ecr-login</c>.</param>
    /// <param name="serverUrl">What to ask for (a host, or Docker Hub's legacy URL).</param>
    /// <param name="chosenBy">Which configuration named the helper, e.g. <c>credsStore in /home/u/.docker/config.json</c>.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <exception cref="CredentialException">The helper is missing, failed, hung or printed something other than credentials.</exception>
    public Task<RegistryCredential?> GetAsync(string helper, string serverUrl, string chosenBy, CancellationToken cancellationToken) =>
        _answers.GetOrAdd((helper, serverUrl), key => new Lazy<Task<RegistryCredential?>>(
            () => RunAsync(key.Helper, key.Server, chosenBy, cancellationToken))).Value;

    private async Task<RegistryCredential?> RunAsync(string helper, string serverUrl, string chosenBy, CancellationToken cancellationToken)
    {
        var program = $"docker-credential-{helper}";
        var named = $"credential helper {program} ({chosenBy})";
        if (helper.Length == 0 || helper.IndexOfAny(['/', '\\']) >= 0 || helper.Contains("..", StringComparison.Ordinal))
        {
            throw new CredentialException($"{named}: '{helper}' is not a helper name (expected e.g. 'desktop', 'pass', 'osxkeychain')");
        }

        var path = _environment("PATH");
        var executable = ExecutableLocator.Find(program, path, _environment("PATHEXT"))
            ?? throw new CredentialException($"{named} is not installed: no executable {program} on PATH; install it, or remove it from the configuration");

        var stdout = new CappedBuffer(MaxOutputBytes);
        var stderr = new CappedBuffer(MaxOutputBytes);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        CommandResult result;
        try
        {
            result = await CliWrap.Cli.Wrap(executable)
                .WithArguments(["get"])
                .WithStandardInputPipe(PipeSource.FromString(serverUrl))
                .WithStandardOutputPipe(PipeTarget.Create(stdout.CopyFromAsync))
                .WithStandardErrorPipe(PipeTarget.Create(stderr.CopyFromAsync))
                .WithEnvironmentVariables(variables =>
                {
                    foreach (var name in PassedVariables)
                    {
                        if (_environment(name) is { } value)
                        {
                            variables.Set(name, value);
                        }
                    }
                })
                .WithValidation(CommandResultValidation.None)
                .ExecuteAsync(timeout.Token)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CredentialException(
                $"{named} did not answer within {_timeout.TotalSeconds:0.#} s and was stopped (is it waiting for a keychain to unlock?)", exception);
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            throw new CredentialException($"{named} could not be started: {exception.Message}", exception);
        }

        var output = stdout.ToString().Trim();
        if (result.ExitCode != 0)
        {
            if (output == NotFoundMessage)
            {
                return null;
            }

            // stdout is where a helper writes the secret, and a helper failing half-way may have written it there, so
            // nothing of it is repeated (docker-credential-helpers also print their errors there: the user runs the
            // helper by hand to see them). stderr is meant for people: its first line is quoted, cleaned and capped.
            var detail = FirstLine(stderr.ToString().Trim());
            var hidden = output.Length > 0 ? $"; what it printed on standard output is not shown (it may hold a secret): run 'echo {serverUrl} | {program} get' to see it" : string.Empty;
            throw new CredentialException(
                $"{named} failed (exit code {result.ExitCode}){(detail.Length > 0 ? ": " + detail : string.Empty)}{hidden}");
        }

        HelperCredentialsJson? answer;
        try
        {
            answer = stdout.Truncated ? null : JsonSerializer.Deserialize(output, AuthJsonContext.Default.HelperCredentialsJson);
        }
        catch (JsonException)
        {
            answer = null;
        }

        // Never quote garbage output: it may well contain the secret.
        if (answer is null)
        {
            throw new CredentialException($"{named} printed something that is not credentials JSON ({{\"Username\":…,\"Secret\":…}})");
        }

        if (string.IsNullOrEmpty(answer.Secret))
        {
            return null;
        }

        var source = $"{program} ({chosenBy})";
        var credential = answer.Username == IdentityTokenUsername
            ? RegistryCredential.FromIdentityToken(null, answer.Secret, source)
            : string.IsNullOrEmpty(answer.Username)
                ? throw new CredentialException($"{named} returned a secret without a user name")
                : RegistryCredential.FromPassword(answer.Username, answer.Secret, source);
        _redactor.Add(credential);
        return credential;
    }

    private string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        line = _redactor.Scrub(PrintableText.OneLine(line));
        return line.Length > 200 ? line[..200] + "…" : line;
    }

    /// <summary>Collects a stream up to a limit and drains the rest, so a helper flooding its output cannot exhaust memory or block.</summary>
    private sealed class CappedBuffer(int limit)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public bool Truncated { get; private set; }

        public async Task CopyFromAsync(Stream source, CancellationToken cancellationToken)
        {
            var chunk = new byte[8192];
            int read;
            while ((read = await source.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var room = limit - _buffer.WrittenCount;
                if (room > 0)
                {
                    _buffer.Write(chunk.AsSpan(0, Math.Min(room, read)));
                }

                Truncated |= read > room;
            }
        }

        public override string ToString() => Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }
}
