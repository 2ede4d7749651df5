using RegistryPush.References;

namespace RegistryPush.Tests.References;

public sealed class RepositoryReferenceTests
{
    [Theory]
    [InlineData("ghcr.io/albeorla/hello_python", "ghcr.io", "albeorla/hello_python", false)]
    [InlineData("127.0.0.1:5000/app", "127.0.0.1:5000", "app", true)]
    [InlineData("localhost:5000/a/b/c", "localhost:5000", "a/b/c", true)]
    [InlineData("[::1]:5000/app", "[::1]:5000", "app", true)]
    [InlineData("registry.example.com:443/team/app-x.y__z", "registry.example.com:443", "team/app-x.y__z", false)]
    [InlineData("docker.io/nginx", "docker.io", "library/nginx", false)]
    [InlineData("GHCR.IO/owner/app", "ghcr.io", "owner/app", false)]
    public void Valid_repositories_split_into_registry_and_path(string text, string registry, string path, bool loopback)
    {
        var reference = RepositoryReference.Parse(text);

        reference.Registry.ShouldBe(registry);
        reference.Path.ShouldBe(path);
        reference.IsLoopback.ShouldBe(loopback);
    }

    [Fact]
    public void Docker_hub_is_spoken_to_at_its_api_host()
    {
        RepositoryReference.Parse("docker.io/library/nginx").ApiHost.ShouldBe("registry-1.docker.io");
    }

    [Theory]
    [InlineData("ghcr.io/Owner/App", "must be lowercase", "'ghcr.io/owner/app'")]
    [InlineData("owner/app", "has no registry host", "ghcr.io/owner/app")]
    [InlineData("ghcr.io/owner/app:v1", "includes a tag", "--tag v1")]
    [InlineData("ghcr.io/owner/app@sha256:abc", "must not contain a digest", "")]
    [InlineData("https://ghcr.io/owner/app", "must not have a scheme", "ghcr.io/owner/app")]
    [InlineData("ghcr.io/owner/-app", "invalid path component '-app'", "")]
    [InlineData("ghcr.io/owner//app", "invalid path component ''", "")]
    [InlineData("", "is empty", "")]
    [InlineData("ghcr.io/hello", "has no owner: GHCR repositories are ghcr.io/OWNER/NAME", "e.g. ghcr.io/OWNER/hello")]
    [InlineData("GHCR.io/hello", "has no owner", "ghcr.io/OWNER/hello")]
    public void Invalid_repositories_name_the_rule_and_the_fix(string text, string rule, string fix)
    {
        var error = Should.Throw<UsageException>(() => RepositoryReference.Parse(text));

        error.ExitCode.ShouldBe(2);
        error.Message.ShouldContain(rule);
        error.Message.ShouldContain(fix);
    }

    [Theory]
    [InlineData("latest", true)]
    [InlineData("1.2.3", true)]
    [InlineData("_x", true)]
    [InlineData("-x", false)]
    [InlineData(".x", false)]
    [InlineData("a+b", false)]
    [InlineData("", false)]
    public void Tags_follow_the_distribution_grammar(string tag, bool valid)
    {
        Tag.IsValid(tag).ShouldBe(valid);
    }

    [Fact]
    public void A_tag_of_129_characters_is_too_long()
    {
        Tag.IsValid(new string('a', 128)).ShouldBeTrue();
        Tag.IsValid(new string('a', 129)).ShouldBeFalse();
    }
}
