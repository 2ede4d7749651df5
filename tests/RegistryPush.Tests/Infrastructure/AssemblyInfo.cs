using RegistryPush.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RegistryFixture))]
