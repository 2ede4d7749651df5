using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Oci;

public sealed class OciLayoutReaderTests
{
    [Fact]
    public void Reading_an_image_lists_config_and_layers_once_and_the_manifest_last()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var shared = new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layout.WriteBlob([1, 2, 3]), 3);
        var first = layout.AddImage([10], extraLayers: [shared]);
        var second = layout.AddImage([20], extraLayers: [shared]);
        var index = layout.AddIndex([first, second]);
        layout.AddIndexEntry(index);

        var graph = OciLayoutReader.Read(layout.Path);

        graph.Root.ShouldBe(index);
        graph.Manifests.Select(static m => m.Descriptor.Digest).ShouldBe([first.Digest, second.Digest, index.Digest]);
        graph.Blobs.Count(blob => blob.Descriptor.Digest == shared.Digest).ShouldBe(1);
        graph.Blobs.Count.ShouldBe(5, "two configs, two own layers, one shared layer");
    }

    [Fact]
    public void Blobs_reached_through_symlinks_are_read_from_their_targets()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_000);
        var layer = layout.LayersOf(manifest)[0].Digest;
        var elsewhere = temp.Combine("elsewhere.bin");
        File.Move(layout.BlobPath(layer), elsewhere);
        File.CreateSymbolicLink(layout.BlobPath(layer), "../../../elsewhere.bin");

        var graph = OciLayoutReader.Read(layout.Path);

        graph.Blobs.Single(blob => blob.Descriptor.Digest == layer).Path.ShouldBe(elsewhere);
    }

    [Fact]
    public void A_symlink_loop_is_a_layout_error_naming_the_blob()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_000);
        var layer = layout.LayersOf(manifest)[0].Digest;
        layout.Delete(layer);
        File.CreateSymbolicLink(layout.BlobPath(layer), layout.BlobPath(layer));

        var error = Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path));

        error.Message.ShouldContain(layer.ToString());
    }

    [Fact]
    public void A_dangling_symlink_is_reported_as_such()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_000);
        var layer = layout.LayersOf(manifest)[0].Digest;
        layout.Delete(layer);
        File.CreateSymbolicLink(layout.BlobPath(layer), temp.Combine("gone"));

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("dangling symlink");
    }

    [Fact]
    public void Index_json_that_is_not_json_is_an_error_naming_the_file()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);
        File.WriteAllText(Path.Combine(layout.Path, "index.json"), "{ not json");

        var error = Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path));

        error.Message.ShouldContain("index.json is not valid JSON");
    }

    [Fact]
    public void A_huge_index_json_is_refused_without_reading_it()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);
        using (var file = File.OpenWrite(Path.Combine(layout.Path, "index.json")))
        {
            file.SetLength(OciLayoutReader.MaxManifestBytes + 1);
        }

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("over the");
    }

    [Fact]
    public void A_missing_oci_layout_marker_says_the_directory_is_not_a_layout()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);
        File.Delete(Path.Combine(layout.Path, "oci-layout"));

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("is not an OCI image layout");
    }

    [Fact]
    public void An_unsupported_layout_version_is_refused()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);
        File.WriteAllText(Path.Combine(layout.Path, "oci-layout"), """{"imageLayoutVersion":"2.0.0"}""");

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("unsupported imageLayoutVersion '2.0.0'");
    }

    [Fact]
    public void An_unsupported_digest_algorithm_is_named()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        File.WriteAllText(Path.Combine(layout.Path, "index.json"),
            """{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"md5:d41d8cd98f00b204e9800998ecf8427e","size":2}]}""");

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("unsupported algorithm 'md5'");
    }

    [Fact]
    public void An_unknown_manifest_media_type_is_named()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var digest = layout.WriteBlob("{}"u8);
        File.WriteAllText(Path.Combine(layout.Path, "index.json"),
            $$"""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.example.thing","digest":"{{digest}}","size":2}]}""");

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("unsupported media type 'application/vnd.example.thing'");
    }

    [Fact]
    public void A_manifest_whose_bytes_do_not_match_its_digest_is_corrupt()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 10);
        layout.Corrupt(manifest.Digest);

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("does not match its digest");
    }

    [Fact]
    public void A_manifest_declaring_a_different_media_type_than_its_descriptor_is_refused()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var docker = layout.AddImage([10], docker: true);
        layout.AddIndexEntry(docker with { MediaType = MediaTypes.OciManifest });

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain("differs from the descriptor");
    }

    [Fact]
    public void A_ref_name_that_is_absent_lists_the_choices()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        layout.AddIndexEntry(layout.AddImage([10]), "one");

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path, "two")).Message.ShouldContain("no entry named 'two' (choices: one)");
    }

    [Fact]
    public void A_non_distributable_layer_absent_from_the_layout_is_not_pushed()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var foreign = new Descriptor("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Digest.Sha256Of("foreign"u8), 7);
        layout.AddIndexEntry(layout.AddImage([10], docker: true, extraLayers: [foreign]));

        var graph = OciLayoutReader.Read(layout.Path);

        graph.Blobs.ShouldNotContain(blob => blob.Descriptor.Digest == foreign.Digest);
    }

    [Fact]
    public void A_non_distributable_layer_present_in_the_layout_is_withheld_unless_its_upload_is_allowed()
    {
        using var temp = new TempDirectory();
        var layout = TestLayout.Create(temp);
        var (manifest, foreign) = layout.AddImageWithForeignLayer("application/vnd.oci.image.layer.nondistributable.v1.tar", 100, "https://example.test/l.tar");
        layout.AddIndexEntry(manifest);

        var withheld = OciLayoutReader.Read(layout.Path);
        var allowed = OciLayoutReader.Read(layout.Path, allowNonDistributable: true);

        withheld.Blobs.ShouldNotContain(blob => blob.Descriptor.Digest == foreign.Digest);
        withheld.WithheldLayers.ShouldHaveSingleItem().Digest.ShouldBe(foreign.Digest);
        allowed.Blobs.ShouldContain(blob => blob.Descriptor.Digest == foreign.Digest);
        allowed.WithheldLayers.ShouldBeEmpty();
    }
}
