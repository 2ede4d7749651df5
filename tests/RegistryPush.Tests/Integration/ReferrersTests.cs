using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Registry;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Integration;

/// <summary>
/// Referrers (an SBOM, a signature: manifests with a <c>subject</c>) on a registry without the referrers API (the
/// distribution 2.8 registry here, as ghcr.io): each is listed in its subject's referrers index under the fallback tag
/// <c>sha256-HEX</c>, as distribution-spec 1.1 asks, so that skopeo reads the list and <c>oras discover</c> finds them.
/// </summary>
public sealed class ReferrersTests(RegistryFixture fixture)
{
    private const string SbomType = "application/spdx+json";
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task A_referrer_is_listed_under_its_subjects_fallback_tag_with_its_type_and_annotations()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, image, sbom, signature) = ImageWithReferrers(temp);
        var repository = registry.NewRepository("referrers");
        (await PushAsync(layout, repository, "image", "--tag", "v1")).ExitCode.ShouldBe(0);

        var pushed = await PushAsync(layout, repository, "sbom");

        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        (await Skopeo.InspectRawAsync($"{repository}@{sbom.Digest}")).ShouldBe(File.ReadAllBytes(layout.BlobPath(sbom.Digest)));
        var entry = (await ReferrersAsync(repository, image)).ShouldHaveSingleItem()!;
        entry["mediaType"]!.GetValue<string>().ShouldBe(MediaTypes.OciManifest);
        entry["digest"]!.GetValue<string>().ShouldBe(sbom.Digest.ToString());
        entry["size"]!.GetValue<long>().ShouldBe(sbom.Size);
        entry["artifactType"]!.GetValue<string>().ShouldBe(SbomType);
        entry["annotations"]!["org.opencontainers.image.created"]!.GetValue<string>().ShouldBe("2026-01-01T00:00:00Z");

        (await PushAsync(layout, repository, "signature")).ExitCode.ShouldBe(0);
        var both = await ReferrersAsync(repository, image);
        both.Select(static e => e!["digest"]!.GetValue<string>()).ShouldBe([sbom.Digest.ToString(), signature.Digest.ToString()]);
        both[1]!["artifactType"]!.GetValue<string>().ShouldBe("application/vnd.example.signature.config+json", "no artifactType: the config's media type");
        (await Skopeo.ListTagsAsync(repository)).ShouldBe(["v1", ReferrersTagSchema.TagFor(image.Digest)], ignoreOrder: true);
    }

    [Fact]
    public async Task Pushing_a_listed_referrer_again_leaves_its_subjects_list_as_it_was()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, image, _, _) = ImageWithReferrers(temp);
        var repository = registry.NewRepository("relisted");
        (await PushAsync(layout, repository, "sbom")).ExitCode.ShouldBe(0);
        var before = await Skopeo.InspectRawAsync($"{repository}:{ReferrersTagSchema.TagFor(image.Digest)}");

        var again = await PushAsync(layout, repository, "sbom");

        again.ExitCode.ShouldBe(0, again.ToString());
        _cli.Requests.ShouldNotContain(static request => request.Method == HttpMethod.Put, "nothing to write");
        (await Skopeo.InspectRawAsync($"{repository}:{ReferrersTagSchema.TagFor(image.Digest)}")).ShouldBe(before);
    }

    [Fact]
    public async Task Two_referrers_of_one_subject_in_one_push_all_are_both_listed()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, image, sbom, signature) = ImageWithReferrers(temp);
        var repository = registry.NewRepository("plan-referrers");
        var plan = temp.Combine("plan.json");
        File.WriteAllText(plan, new JsonObject
        {
            ["images"] = new JsonArray(
                new JsonObject { ["layout"] = layout.Path, ["ref"] = "image", ["repository"] = repository, ["tags"] = new JsonArray("v1") },
                new JsonObject { ["layout"] = layout.Path, ["ref"] = "sbom", ["repository"] = repository },
                new JsonObject { ["layout"] = layout.Path, ["ref"] = "signature", ["repository"] = repository }),
        }.ToJsonString());

        var result = await _cli.RunAsync("push-all", plan);

        result.ExitCode.ShouldBe(0, result.ToString());
        (await ReferrersAsync(repository, image)).Select(static e => e!["digest"]!.GetValue<string>())
            .ShouldBe([sbom.Digest.ToString(), signature.Digest.ToString()], ignoreOrder: true);
    }

    [Fact]
    public async Task Oras_discover_finds_the_referrers_of_the_pushed_image()
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, image, sbom, signature) = ImageWithReferrers(temp);
        var repository = registry.NewRepository("discover");
        (await PushAsync(layout, repository, "image", "--tag", "v1")).ExitCode.ShouldBe(0);
        (await PushAsync(layout, repository, "sbom")).ExitCode.ShouldBe(0);
        (await PushAsync(layout, repository, "signature")).ExitCode.ShouldBe(0);

        var all = await Oras.RunAsync("discover", "--plain-http", "--format", "json", $"{repository}:v1");
        var sboms = await Oras.RunAsync("discover", "--plain-http", "--format", "json", "--artifact-type", SbomType, $"{repository}@{image.Digest}");

        all.ShouldContain(sbom.Digest.ToString());
        all.ShouldContain(signature.Digest.ToString());
        sboms.ShouldContain(sbom.Digest.ToString());
        sboms.ShouldNotContain(signature.Digest.ToString());
    }

    /// <summary>A layout with an image and, attached to it, an SBOM (with artifactType) and a signature (config-typed).</summary>
    private static (TestLayout Layout, Descriptor Image, Descriptor Sbom, Descriptor Signature) ImageWithReferrers(TempDirectory temp)
    {
        var layout = TestLayout.Create(temp);
        var image = layout.AddImage([20_000]);
        var sbom = layout.AddArtifact(image, SbomType, """{"spdxVersion":"SPDX-2.3"}"""u8.ToArray(), SbomType,
            annotations: new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2026-01-01T00:00:00Z" });
        var signature = layout.AddArtifact(image, "application/vnd.example.signature.v1", TestLayout.RandomBytes(64), artifactType: null,
            configType: "application/vnd.example.signature.config+json");
        layout.AddIndexEntry(image, "image").AddIndexEntry(sbom, "sbom").AddIndexEntry(signature, "signature");
        return (layout, image, sbom, signature);
    }

    private Task<CliResult> PushAsync(TestLayout layout, string repository, string refName, params string[] extra) =>
        _cli.RunAsync(["push", layout.Path, repository, "--ref", refName, .. extra]);

    /// <summary>The entries of the referrers index under the subject's fallback tag, as skopeo reads it from the registry.</summary>
    private static async Task<JsonArray> ReferrersAsync(string repository, Descriptor subject)
    {
        var index = JsonNode.Parse(await Skopeo.InspectRawAsync($"{repository}:{ReferrersTagSchema.TagFor(subject.Digest)}"))!;
        index["mediaType"]!.GetValue<string>().ShouldBe(MediaTypes.OciIndex);
        return index["manifests"]!.AsArray();
    }
}
