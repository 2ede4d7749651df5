namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// One plain registry shared by the whole test assembly (tests use distinct repositories). When no container engine
/// is reachable, tests that need it skip locally and fail in CI.
/// </summary>
public sealed class RegistryFixture() : ConfiguredRegistry(RegistryContainer.DefaultConfig, "test registry");
