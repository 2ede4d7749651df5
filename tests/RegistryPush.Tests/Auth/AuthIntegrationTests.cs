using System.Text;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>Shared set-up for tests that run the real CLI against the authenticating registries.</summary>
public abstract class AuthIntegrationTest(AuthRegistries registries) : IDisposable
{
    protected AuthRegistries Registries { get; } = registries;

    protected AuthSandbox Sandbox { get; } = new();

    protected TempDirectory Temp { get; } = new();

    /// <summary>A runner seeing only the sandbox's environment.</summary>
    protected CliRunner Cli(string standardInput = "")
    {
        var cli = new CliRunner { StandardInput = standardInput, CurrentDirectory = Temp.Path };
        foreach (var (name, value) in Sandbox.Environment)
        {
            cli.WithEnvironment(name, value);
        }

        return cli;
    }

    /// <summary>A small image to push.</summary>
    protected string Layout() => TestLayout.SingleImage(Temp, 3_000, 1_000).Layout.Path;

    protected static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    protected static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    protected string DockerConfigWith(string host, string user, string password) =>
        Sandbox.WriteDockerConfig($$$$"""{"auths":{"{{{{host}}}}":{"auth":"{{{{Base64($"{user}:{password}")}}}}"}}}""");

    public void Dispose()
    {
        Sandbox.Dispose();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
