using RegistryPush.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RegistryFixture))]

[assembly: AssemblyFixture(typeof(RegistryPush.Tests.Bazel.Releases.LocalReleaseFixture))]
