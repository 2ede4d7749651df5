namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// A registry:2 container started with <paramref name="config"/> for as long as its owner lives (a fixture, or a
/// test class). When no container engine is reachable, tests that need it skip locally and fail in CI.
/// </summary>
/// <param name="config">The registry's configuration (YAML).</param>
/// <param name="name">Names the registry in the skip or failure message.</param>
public class ConfiguredRegistry(string config, string name) : IAsyncLifetime
{
    private RegistryContainer? _registry;
    private string _unavailable = $"the {name} did not start";

    /// <summary>The running registry; skips or fails the calling test when there is none.</summary>
    public RegistryContainer Registry
    {
        get
        {
            TestEnvironment.Require(_registry is not null, _unavailable);
            return _registry!;
        }
    }

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        try
        {
            _registry = await RegistryContainer.StartAsync(config);
        }
        catch (Exception exception)
        {
            _unavailable = $"cannot start a registry:2 container for the {name} ({exception.GetType().Name}: {exception.Message.Split('\n')[0]}); run scripts/test-env/setup.sh";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
