using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>
/// Non-distributable (foreign) layers: the image spec says they are never uploaded unless the user allows it, so a
/// layout that holds one pushes without it by default and with it under <c>--allow-nondistributable-artifacts</c>.
/// A real registry configured, as registries that take such images are, to accept layer URLs.
/// </summary>
public sealed class ForeignLayerTests(ForeignLayerTests.UrlRegistry fixture) : IClassFixture<ForeignLayerTests.UrlRegistry>
{
    private readonly CliRunner _cli = new();

    /// <summary>The non-distributable layer media types of the OCI image spec and of Docker.</summary>
    public static TheoryData<string> MediaTypes => new(
        "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");

    [Theory]
    [MemberData(nameof(MediaTypes))]
    public async Task A_non_distributable_layer_present_in_the_layout_is_not_uploaded_by_default(string mediaType)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var (manifest, foreign) = layout.AddImageWithForeignLayer(mediaType, 30_000, "https://downloads.example.test/base-layer.tar.gz");
        layout.AddIndexEntry(manifest);
        var repository = registry.NewRepository("foreign");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1");

        result.ExitCode.ShouldBe(0, result.ToString());
        _cli.Requests.ShouldNotContain(request => request.Uri.Query.Contains(Uri.EscapeDataString(foreign.Digest.ToString()), StringComparison.Ordinal)
            || request.Uri.AbsolutePath.EndsWith(foreign.Digest.ToString(), StringComparison.Ordinal), "the layer is not even asked about");
        (await BlobAsync(repository, foreign.Digest)).ShouldBeNull("the registry must not hold the foreign layer");
        (await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
        result.StandardError.ShouldContain($"not uploading 1 non-distributable layer(s) ({foreign.Digest.Abbreviated})");
        result.StandardError.ShouldContain("--allow-nondistributable-artifacts");
    }

    [Theory]
    [MemberData(nameof(MediaTypes))]
    public async Task With_allow_nondistributable_artifacts_the_layer_is_uploaded_and_served_byte_for_byte(string mediaType)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var (manifest, foreign) = layout.AddImageWithForeignLayer(mediaType, 30_000, "https://downloads.example.test/base-layer.tar.gz");
        layout.AddIndexEntry(manifest);
        var repository = registry.NewRepository("foreign");

        var result = await _cli.RunAsync("push", layout.Path, repository, "--tag", "v1", "--allow-nondistributable-artifacts");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardError.ShouldNotContain("non-distributable");
        (await BlobAsync(repository, foreign.Digest)).ShouldBe(File.ReadAllBytes(layout.BlobPath(foreign.Digest)));
        (await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
    }

    /// <summary>The blob's bytes as the registry serves them, or null when it does not hold it.</summary>
    private static async Task<byte[]?> BlobAsync(string repository, Digest digest)
    {
        var slash = repository.IndexOf('/', StringComparison.Ordinal);
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://{repository[..slash]}/v2/{repository[(slash + 1)..]}/blobs/{digest}", TestContext.Current.CancellationToken);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken) : null;
    }

    /// <summary>
    /// A registry that accepts manifests listing layer URLs (distribution refuses them unless configured to, as
    /// registries serving Windows images are).
    /// </summary>
    public sealed class UrlRegistry() : ConfiguredRegistry(
        RegistryContainer.DefaultConfig + """

            validation:
              manifests:
                urls:
                  allow:
                    - ^https://
            """,
        "registry that accepts layer URLs");
}
