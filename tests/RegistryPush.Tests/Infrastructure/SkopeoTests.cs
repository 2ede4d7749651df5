namespace RegistryPush.Tests.Infrastructure;

/// <summary>The read-back helpers must be able to fail: "no tags" is only ever the registry's own answer.</summary>
public sealed class SkopeoTests(RegistryFixture fixture)
{
    [Fact]
    public async Task Listing_tags_of_a_repository_the_registry_does_not_know_gives_an_empty_list()
    {
        (await Skopeo.ListTagsAsync(fixture.Registry.NewRepository("unknown"))).ShouldBeEmpty();
    }

    [Fact]
    public async Task Listing_tags_fails_the_test_when_skopeo_cannot_reach_the_registry()
    {
        _ = fixture.Registry;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        string? failure = null;
        try
        {
            await Skopeo.ListTagsAsync($"127.0.0.1:{port}/nothing-listens");
        }
        catch (ShouldAssertException exception)
        {
            failure = exception.Message;
        }

        failure.ShouldNotBeNull("an unreachable registry must not read as a repository without tags");
        failure.ShouldContain("connection refused");
    }
}
