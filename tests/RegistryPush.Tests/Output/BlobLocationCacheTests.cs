using RegistryPush.Oci;
using RegistryPush.Output;
using RegistryPush.References;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Output;

/// <summary>The cache of where blobs went: per registry, bounded, tolerant of damage, holding nothing but digests and names.</summary>
public sealed class BlobLocationCacheTests
{
    private static readonly RepositoryReference Repository = RepositoryReference.Parse("ghcr.io/owner/app");

    [Fact]
    public void What_one_run_remembers_the_next_run_finds_per_registry()
    {
        using var temp = new TempDirectory();
        var digest = Digest.Sha256Of("layer"u8);
        var first = new BlobLocationCache(temp.Path);
        first.Remember(Repository, digest);
        first.Save(static note => throw new InvalidOperationException(note));

        var next = new BlobLocationCache(temp.Path);

        next.Find("ghcr.io", digest).ShouldBe("owner/app");
        next.Find("registry.example", digest).ShouldBeNull("another registry cannot mount from ghcr.io");
        File.ReadAllLines(next.FileFor("ghcr.io")).Skip(1).ShouldBe([$"{digest}\towner/app"], "digests and repository names, nothing else");
    }

    [Fact]
    public void The_cache_keeps_the_newest_entries_up_to_its_bound()
    {
        using var temp = new TempDirectory();
        var cache = new BlobLocationCache(temp.Path);
        var digests = Enumerable.Range(0, BlobLocationCache.MaxEntriesPerRegistry + 5).Select(static i => Digest.Sha256Of(BitConverter.GetBytes(i))).ToList();
        foreach (var digest in digests)
        {
            cache.Remember(Repository, digest);
        }

        cache.Save(static note => throw new InvalidOperationException(note));
        var second = new BlobLocationCache(temp.Path);
        second.Remember(RepositoryReference.Parse("ghcr.io/owner/other"), digests[^1]);
        second.Save(static note => throw new InvalidOperationException(note));

        var lines = File.ReadAllLines(cache.FileFor("ghcr.io"));
        lines.Length.ShouldBe(BlobLocationCache.MaxEntriesPerRegistry + 1, "the entries and a header");
        lines[^1].ShouldBe($"{digests[^1]}\towner/other", "a blob seen again is the newest, where it was last seen");
        new BlobLocationCache(temp.Path).Find("ghcr.io", digests[0]).ShouldBeNull("the oldest are forgotten");
    }

    [Fact]
    public void A_damaged_cache_file_is_an_empty_cache_and_is_replaced_on_the_next_save()
    {
        using var temp = new TempDirectory();
        var cache = new BlobLocationCache(temp.Path);
        var path = cache.FileFor("ghcr.io");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0xff, 0x00, (byte)'\t', (byte)'\n', .. "not-a-digest\towner/app\nsha256:zz\tx\n"u8]);
        var digest = Digest.Sha256Of("layer"u8);

        cache.Find("ghcr.io", digest).ShouldBeNull();
        cache.Remember(Repository, digest);
        cache.Save(static note => throw new InvalidOperationException(note));

        File.ReadAllLines(path).Skip(1).ShouldBe([$"{digest}\towner/app"]);
    }

    [Fact]
    public void A_cache_that_cannot_be_written_only_costs_its_mounts()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("file"), "a file where the cache directory should be");
        var cache = new BlobLocationCache(temp.Combine("file"));
        cache.Remember(Repository, Digest.Sha256Of("layer"u8));
        var notes = new List<string>();

        cache.Save(notes.Add);

        notes.ShouldHaveSingleItem().ShouldContain("later pushes upload instead of mounting");
    }

    [Theory]
    [InlineData("/explicit", "/xdg", "/home/u", "/explicit")]
    [InlineData(null, "/xdg", "/home/u", "/xdg/registry-push")]
    [InlineData(null, null, "/home/u", "/home/u/.cache/registry-push")]
    public void The_cache_lives_where_the_environment_says(string? explicitDirectory, string? xdg, string? home, string expected)
    {
        var environment = new Dictionary<string, string?> { ["REGISTRY_PUSH_CACHE_DIR"] = explicitDirectory, ["XDG_CACHE_HOME"] = xdg, ["HOME"] = home };

        var cache = BlobLocationCache.FromEnvironment(name => environment.GetValueOrDefault(name));

        cache.ShouldNotBeNull().FileFor("ghcr.io").ShouldBe(Path.Combine(expected, "blob-locations", "ghcr.io.txt"));
    }

    [Fact]
    public void Without_any_home_there_is_no_cache() =>
        BlobLocationCache.FromEnvironment(static _ => null).ShouldBeNull();
}
