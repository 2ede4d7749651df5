using System.Globalization;

namespace RegistryPush.Auth;

/// <summary>
/// Builds a run's credential chain and authentication handler from its environment and command line, in the
/// documented order (docs/authentication.md):
/// 1. <c>--username</c> + <c>--password-stdin</c>, or <c>REGISTRY_PUSH_USERNAME</c> + <c>REGISTRY_PUSH_PASSWORD</c>;
/// 2. <c>DOCKER_AUTH_CONFIG</c>;
/// 3. the Docker config file (credHelpers, credsStore, auths);
/// 4. podman/containers auth files;
/// 5. for ghcr.io, <c>GITHUB_TOKEN</c> with <c>GITHUB_ACTOR</c> or <c>GITHUB_USERNAME</c>;
/// 6. anonymous.
/// Every variable and stdin are read through <see cref="ICredentialInputs"/>, so in-process runs are isolated.
/// </summary>
public static class AuthSetup
{
    /// <summary>The user name variable of the explicit credentials.</summary>
    public const string UsernameVariable = "REGISTRY_PUSH_USERNAME";

    /// <summary>The password variable of the explicit credentials.</summary>
    public const string PasswordVariable = "REGISTRY_PUSH_PASSWORD";

    /// <summary>Seconds a credential helper may take (default 30).</summary>
    public const string HelperTimeoutVariable = "REGISTRY_PUSH_CREDENTIAL_HELPER_TIMEOUT";

    /// <summary>Builds the authentication handler for a run pushing to <paramref name="registries"/>.</summary>
    /// <param name="context">The run's environment and standard input.</param>
    /// <param name="username">The <c>--username</c> value, if given.</param>
    /// <param name="passwordStdin">Whether <c>--password-stdin</c> was given.</param>
    /// <param name="registries">The registries the run addresses; explicit credentials apply to these only.</param>
    /// <param name="log">Verbose output.</param>
    /// <exception cref="UsageException">Explicit credentials are incomplete or ambiguous.</exception>
    public static AuthenticationHandler CreateHandler(ICredentialInputs context, string? username, bool passwordStdin, IReadOnlyCollection<string> registries, Action<string> log)
    {
        var redactor = new Redactor();
        return new AuthenticationHandler(CreateChain(context, username, passwordStdin, registries, redactor), redactor, log);
    }

    /// <summary>Builds the credential chain (see the type's summary for the order).</summary>
    public static CredentialChain CreateChain(ICredentialInputs context, string? username, bool passwordStdin, IReadOnlyCollection<string> registries, Redactor redactor)
    {
        var environment = context.GetEnvironmentVariable;
        var sources = new List<ICredentialSource>();
        if (ReadExplicit(context, username, passwordStdin, registries) is { } explicitSource)
        {
            sources.Add(explicitSource);
        }

        var helpers = new CredentialHelper(environment, HelperTimeout(environment), redactor);
        sources.Add(new EnvironmentConfigSource(environment(EnvironmentConfigSource.Variable), helpers));
        if (DockerConfigPath(environment) is { } dockerConfig)
        {
            sources.Add(new DockerConfigSource(dockerConfig, helpers));
        }

        if (ContainersAuthPaths(environment) is { Count: > 0 } authFiles)
        {
            sources.Add(new ContainersAuthSource(authFiles, helpers));
        }

        sources.Add(new GitHubTokenSource(environment));
        return new CredentialChain(sources, redactor);
    }

    /// <summary><c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>; null without a home directory.</summary>
    public static string? DockerConfigPath(Func<string, string?> environment)
    {
        if (environment("DOCKER_CONFIG") is { Length: > 0 } directory)
        {
            return Path.Combine(directory, "config.json");
        }

        return Home(environment) is { } home ? Path.Combine(home, ".docker", "config.json") : null;
    }

    /// <summary>
    /// The auth files podman and skopeo read, in their order (containers-auth.json(5)): <c>REGISTRY_AUTH_FILE</c> alone
    /// when set; otherwise their primary file — <c>$XDG_RUNTIME_DIR/containers/auth.json</c>, or on Linux without
    /// <c>XDG_RUNTIME_DIR</c> (root in CI containers, <c>sudo podman login</c>) <c>/run/containers/UID/auth.json</c> —
    /// then <c>${XDG_CONFIG_HOME:-~/.config}/containers/auth.json</c>.
    /// </summary>
    public static IReadOnlyList<string> ContainersAuthPaths(Func<string, string?> environment) =>
        ContainersAuthPaths(environment, ProcessIdentity.UserId);

    /// <summary>As <see cref="ContainersAuthPaths(Func{string, string?})"/>, for the user <paramref name="userId"/> (null off Linux).</summary>
    public static IReadOnlyList<string> ContainersAuthPaths(Func<string, string?> environment, uint? userId)
    {
        if (environment("REGISTRY_AUTH_FILE") is { Length: > 0 } explicitFile)
        {
            return [explicitFile];
        }

        var paths = new List<string>();
        if (environment("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            paths.Add(Path.Combine(runtime, "containers", "auth.json"));
        }
        else if (userId is { } uid)
        {
            paths.Add(string.Create(CultureInfo.InvariantCulture, $"/run/containers/{uid}/auth.json"));
        }

        var configHome = environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg ? xdg
            : Home(environment) is { } home ? Path.Combine(home, ".config") : null;
        if (configHome is not null)
        {
            paths.Add(Path.Combine(configHome, "containers", "auth.json"));
        }

        return paths;
    }

    private static ExplicitCredentialSource? ReadExplicit(ICredentialInputs context, string? username, bool passwordStdin, IReadOnlyCollection<string> registries)
    {
        string name;
        string password;
        if (username is not null || passwordStdin)
        {
            if (string.IsNullOrWhiteSpace(username) || !passwordStdin)
            {
                throw new UsageException("--username and --password-stdin go together: pass the user with --username and pipe the password or token to standard input");
            }

            password = TrimLineEnd(context.StandardInput.ReadToEnd());
            if (password.Length == 0)
            {
                throw new UsageException("--password-stdin: standard input is empty; pipe the password or token, e.g. echo \"$TOKEN\" | registry-push … --password-stdin");
            }

            name = "--username/--password-stdin";
        }
        else
        {
            var user = context.GetEnvironmentVariable(UsernameVariable);
            var secret = context.GetEnvironmentVariable(PasswordVariable);
            if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(secret))
            {
                return null;
            }

            if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(secret))
            {
                throw new UsageException($"{UsernameVariable} and {PasswordVariable} go together, but only {(string.IsNullOrEmpty(user) ? PasswordVariable : UsernameVariable)} is set");
            }

            username = user;
            password = secret;
            name = $"{UsernameVariable}/{PasswordVariable}";
        }

        var distinct = registries.Select(RegistryHostNames.Canonical).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count > 1)
        {
            throw new UsageException(
                $"{name} give one set of credentials, but this run pushes to {string.Join(" and ", distinct)}; log in to each registry instead (docker login), see docs/authentication.md");
        }

        return new ExplicitCredentialSource(username!.Trim(), password, name, registries);
    }

    private static TimeSpan HelperTimeout(Func<string, string?> environment)
    {
        var text = environment(HelperTimeoutVariable);
        if (string.IsNullOrEmpty(text))
        {
            return CredentialHelper.DefaultTimeout;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"{HelperTimeoutVariable}='{text}' is not a number of seconds between 0 and 3600");
    }

    private static string? Home(Func<string, string?> environment) =>
        environment("HOME") is { Length: > 0 } home ? home
        : OperatingSystem.IsWindows() && environment("USERPROFILE") is { Length: > 0 } profile ? profile
        : null;

    // echo adds a newline, Windows adds a carriage return too; nothing else is trimmed (passwords may end in spaces).
    private static string TrimLineEnd(string text) => text.TrimEnd('\n').TrimEnd('\r').TrimEnd('\n');
}
