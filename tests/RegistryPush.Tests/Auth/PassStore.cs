using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// A real <c>pass</c> password store for the real <c>docker-credential-pass</c> (Debian's
/// golang-docker-credential-helpers): a gpg key made in batch mode without a passphrase, the store and gpg's home inside
/// the sandbox, and the sandbox's environment pointed at them, so the pusher's helper run finds what was stored.
/// </summary>
public sealed class PassStore : IAsyncDisposable
{
    private readonly AuthSandbox _sandbox;

    private PassStore(AuthSandbox sandbox)
    {
        _sandbox = sandbox;
    }

    private Dictionary<string, string?> Environment => _sandbox.Environment;

    /// <summary>Makes the key and the store; skips (locally) or fails (CI) without pass, gpg or the helper.</summary>
    public static async Task<PassStore> CreateAsync(AuthSandbox sandbox)
    {
        foreach (var program in new[] { "pass", "gpg", "docker-credential-pass" })
        {
            TestEnvironment.RequireProgram(program);
        }

        var store = new PassStore(sandbox);
        var gnupg = Directory.CreateDirectory(sandbox.Combine("gnupg")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            // gpg refuses a home that others can read.
            File.SetUnixFileMode(gnupg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        store.Environment["GNUPGHOME"] = gnupg;
        store.Environment["PASSWORD_STORE_DIR"] = sandbox.Combine("password-store");
        await store.RunAsync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "RegistryPush test <registry-push@example.invalid>", "default", "default", "never"]);
        var keys = await store.RunAsync("gpg", ["--batch", "--list-secret-keys", "--with-colons"]);
        var fingerprint = keys.Split('\n').First(static line => line.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9];
        await store.RunAsync("pass", ["init", fingerprint]);
        return store;
    }

    /// <summary>Stores credentials for <paramref name="serverUrl"/> as <c>docker login</c> does: <c>docker-credential-pass store</c>.</summary>
    public Task StoreAsync(string serverUrl, string username, string secret) =>
        RunAsync("docker-credential-pass", ["store"], $$"""{"ServerURL":"{{serverUrl}}","Username":"{{username}}","Secret":"{{secret}}"}""");

    private async Task<string> RunAsync(string program, string[] arguments, string standardInput = "")
    {
        var result = await CliWrap.Cli.Wrap(program)
            .WithArguments(arguments)
            .WithEnvironmentVariables(Environment)
            .WithStandardInputPipe(PipeSource.FromString(standardInput))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        result.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    /// <summary>Stops the gpg-agent that gpg started for this store's home.</summary>
    public async ValueTask DisposeAsync()
    {
        await CliWrap.Cli.Wrap("gpgconf")
            .WithArguments(["--kill", "gpg-agent"])
            .WithEnvironmentVariables(Environment)
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync();
    }
}
