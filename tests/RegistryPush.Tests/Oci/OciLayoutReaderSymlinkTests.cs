using System.Text.Json.Nodes;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Oci;

/// <summary>
/// Layouts as Bazel leaves them: directories reached through symlinks (runfiles trees) and blobs that are relative
/// symlinks pointing out of the image directory. Every path must mean what it means to the kernel (and to skopeo).
/// </summary>
public sealed class OciLayoutReaderSymlinkTests
{
    [Fact]
    public void A_rules_oci_image_read_directly_finds_its_layer_through_the_relative_link()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);

        var graph = OciLayoutReader.Read(tree.Image);

        graph.Root.ShouldBe(tree.Manifest);
        graph.Blobs.Single(blob => blob.Descriptor.Digest == tree.Layer).Path.ShouldBe(tree.LayerFile);
    }

    [Fact]
    public void A_rules_oci_image_read_through_a_runfiles_directory_symlink_finds_its_out_of_tree_layer()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        var runfiles = temp.Combine("runfiles", "_main", "app", "image");
        Directory.CreateDirectory(Path.GetDirectoryName(runfiles)!);
        Directory.CreateSymbolicLink(runfiles, tree.Image);

        var graph = OciLayoutReader.Read(runfiles);

        ShouldBeTheSameImage(graph, OciLayoutReader.Read(tree.Image), tree);
    }

    [Fact]
    public void A_rules_oci_image_read_through_a_relative_directory_symlink_finds_its_out_of_tree_layer()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        var alias = temp.Combine("elsewhere", "app", "image");
        Directory.CreateDirectory(Path.GetDirectoryName(alias)!);
        Directory.CreateSymbolicLink(alias, Path.Combine("..", "..", "out", "app", "image"));

        var graph = OciLayoutReader.Read(alias);

        ShouldBeTheSameImage(graph, OciLayoutReader.Read(tree.Image), tree);
    }

    [Fact]
    public void Manifests_and_configs_that_link_out_of_the_tree_are_read_through_a_symlinked_layout()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        var config = ConfigOf(tree.Layout, tree.Manifest);
        foreach (var (digest, name) in new[] { (tree.Manifest.Digest, "manifest.json"), (config, "config.json") })
        {
            File.Move(tree.Layout.BlobPath(digest), Path.Combine(tree.Root, "out", "app", name));
            File.CreateSymbolicLink(tree.Layout.BlobPath(digest), Path.Combine("..", "..", "..", name));
        }

        var runfiles = temp.Combine("runfiles-image");
        Directory.CreateSymbolicLink(runfiles, tree.Image);

        var graph = OciLayoutReader.Read(runfiles);

        graph.Root.ShouldBe(tree.Manifest);
        graph.Blobs.Single(blob => blob.Descriptor.Digest == config).Path.ShouldBe(Path.Combine(tree.Root, "out", "app", "config.json"));
    }

    [Fact]
    public void An_absolute_layer_link_is_read_through_a_symlinked_layout()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        File.Delete(tree.Layout.BlobPath(tree.Layer));
        File.CreateSymbolicLink(tree.Layout.BlobPath(tree.Layer), tree.LayerFile);
        var runfiles = temp.Combine("runfiles-image");
        Directory.CreateSymbolicLink(runfiles, tree.Image);

        var graph = OciLayoutReader.Read(runfiles);

        graph.Blobs.Single(blob => blob.Descriptor.Digest == tree.Layer).Path.ShouldBe(tree.LayerFile);
    }

    [Fact]
    public void A_layout_whose_blobs_folder_is_a_relative_symlink_follows_layer_links_from_where_the_blobs_really_are()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 1_000);
        var layer = layout.LayersOf(manifest)[0].Digest;
        var root = PhysicalRoot(temp);
        var store = Path.Combine(root, "store");
        Directory.CreateDirectory(store);
        Directory.Move(Path.Combine(layout.Path, "blobs"), Path.Combine(store, "blobs"));
        Directory.CreateSymbolicLink(Path.Combine(layout.Path, "blobs"), Path.Combine("..", "store", "blobs"));
        // From store/blobs/sha256 two levels up is store/, where the layer really is; from layout/blobs/sha256 as
        // typed it would be layout/.
        var layerFile = Path.Combine(store, "layer.tar");
        File.Move(layout.BlobPath(layer), layerFile);
        File.CreateSymbolicLink(layout.BlobPath(layer), Path.Combine("..", "..", "layer.tar"));

        var graph = OciLayoutReader.Read(layout.Path);

        graph.Root.ShouldBe(manifest);
        graph.Blobs.Single(blob => blob.Descriptor.Digest == layer).Path.ShouldBe(layerFile);
        graph.Blobs.ShouldAllBe(blob => blob.Path.StartsWith(store + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }

    [Fact]
    public void A_layout_reached_through_a_symlinked_parent_follows_layer_links_from_the_real_parent()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        var layout = TestLayout.Create(temp, Path.Combine("real", "parent", "layout"));
        var manifest = layout.AddImage([1_000]);
        layout.AddIndexEntry(manifest);
        var layer = layout.LayersOf(manifest)[0].Digest;
        // Four levels up from real/parent/layout/blobs/sha256 is real/; through the alias as typed it would be temp/.
        var layerFile = Path.Combine(root, "real", "shared", "layer.tar");
        Directory.CreateDirectory(Path.GetDirectoryName(layerFile)!);
        File.Move(layout.BlobPath(layer), layerFile);
        File.CreateSymbolicLink(layout.BlobPath(layer), Path.Combine("..", "..", "..", "..", "shared", "layer.tar"));
        Directory.CreateSymbolicLink(temp.Combine("alias"), Path.Combine("real", "parent"));

        var graph = OciLayoutReader.Read(temp.Combine("alias", "layout"));

        graph.Root.ShouldBe(manifest);
        graph.LayoutPath.ShouldBe(Path.Combine(root, "real", "parent", "layout"));
        graph.Blobs.Single(blob => blob.Descriptor.Digest == layer).Path.ShouldBe(layerFile);
    }

    [Fact]
    public void A_dangling_relative_link_names_the_blob_as_found_and_where_the_link_physically_leads()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        File.Delete(tree.Layout.BlobPath(tree.Layer));
        File.CreateSymbolicLink(tree.Layout.BlobPath(tree.Layer), Path.Combine("..", "..", "..", "gone.tar"));
        var runfiles = temp.Combine("runfiles-image");
        Directory.CreateSymbolicLink(runfiles, tree.Image);

        var error = Should.Throw<LayoutException>(() => OciLayoutReader.Read(runfiles));

        error.Message.ShouldContain("dangling");
        error.Message.ShouldContain(tree.Layer.ToString());
        error.Message.ShouldContain(Path.Combine(runfiles, "blobs", "sha256", tree.Layer.Hex));
        error.Message.ShouldContain(Path.Combine(tree.Root, "out", "app", "gone.tar"));
    }

    [Fact]
    public void A_missing_blob_in_a_layout_reached_through_a_symlink_is_missing_not_dangling()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        File.Delete(tree.Layout.BlobPath(tree.Layer));
        var runfiles = temp.Combine("runfiles-image");
        Directory.CreateSymbolicLink(runfiles, tree.Image);

        var error = Should.Throw<LayoutException>(() => OciLayoutReader.Read(runfiles));

        error.Message.ShouldContain($"blob {tree.Layer}");
        error.Message.ShouldContain("is missing");
        error.Message.ShouldNotContain("dangling");
    }

    [Fact]
    public void A_relative_symlink_cycle_is_a_layout_error_not_a_hang()
    {
        using var temp = new TempDirectory();
        var tree = RulesOciTree.Create(temp);
        var blobs = Path.GetDirectoryName(tree.Layout.BlobPath(tree.Layer))!;
        File.Delete(tree.Layout.BlobPath(tree.Layer));
        File.CreateSymbolicLink(tree.Layout.BlobPath(tree.Layer), "loop-a");
        File.CreateSymbolicLink(Path.Combine(blobs, "loop-a"), Path.Combine("..", "sha256", "loop-b"));
        File.CreateSymbolicLink(Path.Combine(blobs, "loop-b"), "loop-a");
        var runfiles = temp.Combine("runfiles-image");
        Directory.CreateSymbolicLink(runfiles, tree.Image);

        var error = Should.Throw<LayoutException>(() => OciLayoutReader.Read(runfiles));

        error.Message.ShouldContain($"blob {tree.Layer}");
        error.Message.ShouldContain("cannot be read");
        error.Message.ShouldContain("symlink loop");
    }

    [Fact]
    public void A_symlink_loop_in_the_layout_path_is_a_layout_error()
    {
        using var temp = new TempDirectory();
        Directory.CreateSymbolicLink(temp.Combine("a"), "b");
        Directory.CreateSymbolicLink(temp.Combine("b"), "a");

        var error = Should.Throw<LayoutException>(() => OciLayoutReader.Read(temp.Combine("a", "image")));

        error.Message.ShouldContain("symlink loop");
    }

    /// <summary>The direct read and the read through links must give the very same graph, down to the files.</summary>
    private static void ShouldBeTheSameImage(ImageGraph actual, ImageGraph direct, RulesOciTree tree)
    {
        actual.Root.ShouldBe(tree.Manifest);
        actual.Root.ShouldBe(direct.Root);
        actual.LayoutPath.ShouldBe(direct.LayoutPath);
        actual.Blobs.ShouldBe(direct.Blobs);
        actual.Manifests.Select(static m => m.Descriptor).ShouldBe(direct.Manifests.Select(static m => m.Descriptor));
        actual.Blobs.Single(blob => blob.Descriptor.Digest == tree.Layer).Path.ShouldBe(tree.LayerFile);
    }

    private static Digest ConfigOf(TestLayout layout, Descriptor manifest) => Digest.Parse(
        JsonNode.Parse(File.ReadAllBytes(layout.BlobPath(manifest.Digest)))!["config"]!["digest"]!.GetValue<string>(), "test");

    /// <summary>The temp directory without symlinks (on macOS the temp folder itself is reached through one).</summary>
    private static string PhysicalRoot(TempDirectory temp) => PhysicalPath.Resolve(temp.Path).Path;

    /// <summary>
    /// What rules_oci leaves in bazel-out: <c>out/app/image</c> with regular manifest and config blobs, and the layer
    /// blob a relative link <c>../../../layer.tar</c> to <c>out/app/layer.tar</c>, outside the image directory.
    /// </summary>
    private sealed record RulesOciTree(string Root, TestLayout Layout, Descriptor Manifest, Digest Layer, string LayerFile)
    {
        public string Image => Layout.Path;

        public static RulesOciTree Create(TempDirectory temp)
        {
            var root = PhysicalRoot(temp);
            var layout = TestLayout.Create(temp, Path.Combine("out", "app", "image"));
            var manifest = layout.AddImage([1_000]);
            layout.AddIndexEntry(manifest);
            var layer = layout.LayersOf(manifest)[0].Digest;
            var layerFile = Path.Combine(root, "out", "app", "layer.tar");
            File.Move(layout.BlobPath(layer), layerFile);
            File.CreateSymbolicLink(layout.BlobPath(layer), Path.Combine("..", "..", "..", "layer.tar"));
            return new RulesOciTree(root, layout, manifest, layer, layerFile);
        }
    }
}
