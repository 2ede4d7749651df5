using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Oci;

public sealed class PhysicalPathTests
{
    [Fact]
    public void A_path_without_links_resolves_to_itself_with_dots_folded()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        Directory.CreateDirectory(Path.Combine(root, "a", "b"));
        Directory.CreateDirectory(Path.Combine(root, "a", "c"));

        var resolved = PhysicalPath.Resolve(Path.Combine(root, "a", ".", "b", "..", "c"));

        resolved.ShouldBe(new ResolvedPath(Path.Combine(root, "a", "c"), PhysicalEntry.Directory, 0));
    }

    [Fact]
    public void A_relative_link_is_resolved_from_the_directory_that_holds_it_not_from_the_path_as_typed()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        var file = Path.Combine(root, "real", "file");
        Directory.CreateDirectory(Path.Combine(root, "real", "deep", "dir"));
        File.WriteAllText(file, "x");
        File.CreateSymbolicLink(Path.Combine(root, "real", "deep", "dir", "link"), Path.Combine("..", "..", "file"));
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine("real", "deep"));

        // As text, alias/dir/../../file would be <root>/file, which does not exist.
        var resolved = PhysicalPath.Resolve(Path.Combine(root, "alias", "dir", "link"));

        resolved.ShouldBe(new ResolvedPath(file, PhysicalEntry.File, 2));
    }

    [Fact]
    public void Dot_dot_after_a_symlinked_directory_is_the_parent_of_its_target()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        Directory.CreateDirectory(Path.Combine(root, "real", "deep"));
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine(root, "real", "deep"));

        PhysicalPath.Resolve(Path.Combine(root, "alias", "..")).Path.ShouldBe(Path.Combine(root, "real"));
    }

    [Fact]
    public void A_chain_of_links_is_followed_to_its_end_and_counted()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        var target = Path.Combine(root, "target");
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.WriteAllText(target, "x");
        File.CreateSymbolicLink(Path.Combine(root, "one"), "two");
        File.CreateSymbolicLink(Path.Combine(root, "two"), Path.Combine("sub", "three"));
        File.CreateSymbolicLink(Path.Combine(root, "sub", "three"), Path.Combine("..", "target"));

        PhysicalPath.Resolve(Path.Combine(root, "one")).ShouldBe(new ResolvedPath(target, PhysicalEntry.File, 3));
    }

    [Fact]
    public void An_absolute_link_starts_over_at_its_target()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        var target = Path.Combine(root, "far", "away", "file");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.CreateDirectory(Path.Combine(root, "near"));
        File.WriteAllText(target, "x");
        File.CreateSymbolicLink(Path.Combine(root, "near", "link"), target);

        PhysicalPath.Resolve(Path.Combine(root, "near", "link")).ShouldBe(new ResolvedPath(target, PhysicalEntry.File, 1));
    }

    [Fact]
    public void A_dangling_link_is_missing_and_names_where_it_leads()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        Directory.CreateDirectory(Path.Combine(root, "real", "dir"));
        File.CreateSymbolicLink(Path.Combine(root, "real", "dir", "link"), Path.Combine("..", "gone", "file"));
        Directory.CreateSymbolicLink(Path.Combine(root, "alias"), Path.Combine("real", "dir"));

        var resolved = PhysicalPath.Resolve(Path.Combine(root, "alias", "link"));

        resolved.ShouldBe(new ResolvedPath(Path.Combine(root, "real", "gone", "file"), PhysicalEntry.Missing, 2));
    }

    [Fact]
    public void A_missing_path_without_links_is_missing_with_no_links_followed()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);

        PhysicalPath.Resolve(Path.Combine(root, "no", "such")).ShouldBe(new ResolvedPath(Path.Combine(root, "no", "such"), PhysicalEntry.Missing, 0));
    }

    [Fact]
    public void A_path_below_a_file_is_missing()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        File.WriteAllText(Path.Combine(root, "file"), "x");

        PhysicalPath.Resolve(Path.Combine(root, "file", "child")).Entry.ShouldBe(PhysicalEntry.Missing);
        PhysicalPath.Resolve(Path.Combine(root, "file", "..")).Entry.ShouldBe(PhysicalEntry.Missing);
    }

    [Fact]
    public void A_symlink_loop_is_an_error_not_a_hang()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        File.CreateSymbolicLink(Path.Combine(root, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(root, "b"), "a");
        // A link into itself never repeats a path exactly, but it never ends either.
        Directory.CreateSymbolicLink(Path.Combine(root, "deeper"), Path.Combine("deeper", "x"));

        Should.Throw<SymlinkLoopException>(() => PhysicalPath.Resolve(Path.Combine(root, "a"))).Message.ShouldContain("symlink loop");
        Should.Throw<SymlinkLoopException>(() => PhysicalPath.Resolve(Path.Combine(root, "deeper")));
    }

    [Fact]
    public void Forty_links_in_a_row_resolve_like_the_kernel_and_forty_one_are_a_loop()
    {
        using var temp = new TempDirectory();
        var root = PhysicalRoot(temp);
        File.WriteAllText(Path.Combine(root, "link0"), "x");
        for (var i = 1; i <= PhysicalPath.MaxLinks + 1; i++)
        {
            File.CreateSymbolicLink(Path.Combine(root, $"link{i}"), $"link{i - 1}");
        }

        PhysicalPath.Resolve(Path.Combine(root, $"link{PhysicalPath.MaxLinks}")).ShouldBe(
            new ResolvedPath(Path.Combine(root, "link0"), PhysicalEntry.File, PhysicalPath.MaxLinks));
        Should.Throw<SymlinkLoopException>(() => PhysicalPath.Resolve(Path.Combine(root, $"link{PhysicalPath.MaxLinks + 1}")));
    }

    /// <summary>The temp directory without symlinks (on macOS the temp folder itself is reached through one).</summary>
    private static string PhysicalRoot(TempDirectory temp) => PhysicalPath.Resolve(temp.Path).Path;
}
