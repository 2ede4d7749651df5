using RegistryPush.Auth;

namespace RegistryPush.Tests.Auth;

public sealed class RegistryHostNamesTests
{
    [Theory]
    [InlineData("ghcr.io", "ghcr.io", "")]
    [InlineData("https://ghcr.io", "ghcr.io", "")]
    [InlineData("https://ghcr.io/", "ghcr.io", "")]
    [InlineData("https://ghcr.io/v2/", "ghcr.io", "")]
    [InlineData("http://localhost:5000/v1/", "localhost:5000", "")]
    [InlineData("https://index.docker.io/v1/", "index.docker.io", "")]
    [InlineData("GHCR.IO/owner/app", "ghcr.io", "owner/app")]
    [InlineData("ghcr.io/owner/", "ghcr.io", "owner")]
    [InlineData("ghcr.io/v2", "ghcr.io", "")]
    [InlineData("https://quay.io/owner/app", "quay.io", "")]
    public void Keys_normalise_to_a_lowercase_host_and_an_optional_repository_path(string key, string host, string path)
    {
        RegistryHostNames.ParseKey(key).ShouldBe((host, path));
    }

    [Theory]
    [InlineData("docker.io")]
    [InlineData("index.docker.io")]
    [InlineData("registry-1.docker.io")]
    [InlineData("Docker.IO")]
    public void Every_docker_hub_alias_is_the_same_registry(string alias)
    {
        RegistryHostNames.SameRegistry(alias, "docker.io").ShouldBeTrue();
        RegistryHostNames.SameRegistry(alias, RegistryHostNames.ParseKey(RegistryHostNames.DockerHubLegacyKey).Host).ShouldBeTrue();
        RegistryHostNames.HelperServerUrl(alias).ShouldBe("https://index.docker.io/v1/");
    }

    [Fact]
    public void Other_hosts_are_asked_for_by_name_and_differ_by_port()
    {
        RegistryHostNames.HelperServerUrl("ghcr.io").ShouldBe("ghcr.io");
        RegistryHostNames.SameRegistry("localhost:5000", "localhost:5001").ShouldBeFalse();
        RegistryHostNames.SameRegistry("ghcr.io", "docker.io").ShouldBeFalse();
    }

    [Theory]
    [InlineData("", "owner/app", true)]
    [InlineData("owner", "owner/app", true)]
    [InlineData("owner/app", "owner/app", true)]
    [InlineData("owner/app", "owner/app/sub", true)]
    [InlineData("owner", "owner2/app", false)]
    [InlineData("owner/ap", "owner/app", false)]
    [InlineData("owner/app/sub", "owner/app", false)]
    [InlineData("owner", null, false)]
    public void A_key_path_covers_a_repository_only_at_whole_segments(string keyPath, string? repository, bool covers)
    {
        RegistryHostNames.PathCovers(keyPath, repository).ShouldBe(covers);
    }
}
