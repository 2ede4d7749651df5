namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// One plain registry shared by the whole test assembly (tests use distinct repositories). When no container engine
/// is reachable, tests that need it skip locally and fail in CI.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private RegistryContainer? _registry;
    private string _unavailable = "the test registry did not start";

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
            _registry = await RegistryContainer.StartAsync();
        }
        catch (Exception exception)
        {
            _unavailable = $"cannot start a registry:2 container ({exception.GetType().Name}: {exception.Message.Split('\n')[0]}); run scripts/test-env/setup.sh";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}
