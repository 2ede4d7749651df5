using System.Net;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// A real CNCF distribution registry (<c>registry:2</c>) in a container, started through Testcontainers (on machines
/// without Docker, through podman's Docker API; see scripts/test-env). Each test pushes to its own repository.
/// </summary>
public sealed class RegistryContainer : IAsyncDisposable
{
    /// <summary>The port the registry listens on inside the container.</summary>
    public const int InternalPort = 5000;

    /// <summary>The plain configuration: filesystem storage, deletes allowed, no auth.</summary>
    public const string DefaultConfig = """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: /var/lib/registry
          delete:
            enabled: true
        http:
          addr: :5000
        """;

    private const string ConfigPath = "/etc/docker/registry/test-config.yml";
    private readonly IContainer _container;

    private RegistryContainer(IContainer container)
    {
        _container = container;
    }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host => $"127.0.0.1:{_container.GetMappedPublicPort(InternalPort)}";

    /// <summary>A repository no other test uses, e.g. <c>127.0.0.1:PORT/push-1a2b3c4d</c>.</summary>
    public string NewRepository(string prefix = "test") => $"{Host}/{prefix}-{Guid.NewGuid():N}"[..(Host.Length + prefix.Length + 10)];

    /// <summary>
    /// Starts a registry with <paramref name="config"/> and extra <paramref name="files"/> (container path → bytes);
    /// <paramref name="tls"/> when the configuration serves HTTPS (readiness is then checked over TLS).
    /// </summary>
    public static async Task<RegistryContainer> StartAsync(string config = DefaultConfig, IReadOnlyDictionary<string, byte[]>? files = null, bool tls = false, CancellationToken cancellationToken = default)
    {
        var builder = new ContainerBuilder("registry:2")
            .WithPortBinding(InternalPort, assignRandomHostPort: true)
            .WithCreateParameterModifier(static parameters =>
            {
                // Keep test traffic on loopback: the default binding is 0.0.0.0.
                foreach (var bindings in parameters.HostConfig?.PortBindings?.Values ?? [])
                {
                    foreach (var binding in bindings)
                    {
                        binding.HostIP = "127.0.0.1";
                    }
                }
            })
            .WithResourceMapping(System.Text.Encoding.UTF8.GetBytes(config), ConfigPath)
            .WithCommand("serve", ConfigPath)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(request => (tls ? request.UsingTls().UsingHttpMessageHandler(AnyCertificate()) : request)
                .ForPort(InternalPort)
                .ForPath("/v2/")
                .ForStatusCode(HttpStatusCode.OK)
                .ForStatusCode(HttpStatusCode.Unauthorized),
                static wait => wait.WithInterval(TimeSpan.FromMilliseconds(100)).WithTimeout(TimeSpan.FromSeconds(60))));
        foreach (var (path, content) in files ?? new Dictionary<string, byte[]>())
        {
            builder = builder.WithResourceMapping(content, path);
        }

        var container = builder.Build();
        await container.StartAsync(cancellationToken);
        return new RegistryContainer(container);
    }

    /// <summary>The readiness check only asks whether the registry answers; trust is what the tests themselves examine.</summary>
    private static HttpClientHandler AnyCertificate() => new() { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _container.DisposeAsync();
}
