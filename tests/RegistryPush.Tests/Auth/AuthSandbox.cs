using System.Text;
using RegistryPush.Auth;
using RegistryPush.Cli;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// A throw-away home for credential tests: its own HOME, Docker config, podman auth files and a PATH directory
/// for credential-helper scripts, and nothing inherited from the developer's machine.
/// </summary>
public sealed class AuthSandbox : IDisposable
{
    private readonly TempDirectory _temp = new();

    public AuthSandbox()
    {
        Home = Directory.CreateDirectory(_temp.Combine("home")).FullName;
        Bin = Directory.CreateDirectory(_temp.Combine("bin")).FullName;
        Environment["HOME"] = Home;

        // podman's primary auth file is $XDG_RUNTIME_DIR/containers/auth.json, or without the variable the machine's
        // /run/containers/UID/auth.json: point it into the sandbox so no login on this machine leaks into a test.
        Environment["XDG_RUNTIME_DIR"] = _temp.Combine("run");

        // Helper scripts need a shell and coreutils; the sandbox's own bin comes first.
        Environment["PATH"] = $"{Bin}{Path.PathSeparator}/usr/bin{Path.PathSeparator}/bin";
        Environment[AuthSetup.HelperTimeoutVariable] = "5";
    }

    /// <summary>The environment a run sees (nothing else leaks in).</summary>
    public Dictionary<string, string?> Environment { get; } = new(StringComparer.Ordinal);

    public string Home { get; }

    public string Bin { get; }

    /// <summary>Where a helper script records what it was asked (one server URL per line).</summary>
    public string HelperLog => _temp.Combine("helper-requests.log");

    public string Combine(params string[] parts) => _temp.Combine(parts);

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <c>~/.docker/config.json</c>.</summary>
    public string WriteDockerConfig(string json)
    {
        var path = Path.Combine(Home, ".docker", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>Writes a file under the sandbox and returns its path.</summary>
    public string WriteFile(string relativePath, string content)
    {
        var path = _temp.Combine(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Writes an executable <c>docker-credential-NAME</c> shell script with <paramref name="body"/>.</summary>
    public string WriteHelper(string name, string body, bool executable = true)
    {
        var path = Path.Combine(Bin, $"docker-credential-{name}");
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        if (executable && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    /// <summary>A helper that logs the server URL it was asked for and answers with <paramref name="username"/> and <paramref name="secret"/>.</summary>
    public string WriteAnsweringHelper(string name, string username, string secret) => WriteHelper(name, $$$$"""
        server=$(cat)
        [ "$1" = get ] || exit 3
        printf '%s\n' "$server" >> '{{{{HelperLog}}}}'
        printf '{"ServerURL":"%s","Username":"{{{{username}}}}","Secret":"{{{{secret}}}}"}\n' "$server"
        """);

    public RunContext Context(string standardInput = "") => new(
        new StringWriter(), new StringWriter(), new StringReader(standardInput), name => Environment.GetValueOrDefault(name), _temp.Path);

    public CredentialChain Chain(string? username = null, bool passwordStdin = false, string standardInput = "", params string[] registries) =>
        AuthSetup.CreateChain(Context(standardInput), username, passwordStdin, registries.Length == 0 ? ["ghcr.io"] : registries, new Redactor());

    public Task<CredentialResolution> ResolveAsync(string registry, string? repository = null) =>
        Chain(registries: registry).ResolveAsync(new CredentialQuery(registry, repository), TestContext.Current.CancellationToken);

    public void Dispose() => _temp.Dispose();
}
