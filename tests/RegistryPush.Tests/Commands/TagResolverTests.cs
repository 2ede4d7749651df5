using RegistryPush.Cli;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Commands;

public sealed class TagResolverTests
{
    [Fact]
    public void Placeholders_are_filled_from_stamp_files()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("stable-status.txt"), "STABLE_GIT_COMMIT abc123\nBUILD_EMBED_LABEL 1.2.3\n");

        var tags = TagResolver.Resolve(["v{BUILD_EMBED_LABEL}", "{STABLE_GIT_COMMIT}", "latest"], [], [temp.Combine("stable-status.txt")], _ => { });

        tags.ShouldBe(["v1.2.3", "abc123", "latest"]);
    }

    [Fact]
    public void An_unstamped_placeholder_tag_is_skipped_with_a_warning_and_literal_tags_remain()
    {
        var warnings = new List<string>();

        var tags = TagResolver.Resolve(["latest", "{STABLE_GIT_COMMIT}"], [], [], warnings.Add);

        tags.ShouldBe(["latest"]);
        warnings.ShouldHaveSingleItem().ShouldContain("skipping tag '{STABLE_GIT_COMMIT}'");
        warnings[0].ShouldContain("--stamp");
    }

    [Fact]
    public void A_placeholder_whose_stamp_value_is_empty_is_skipped_like_an_unstamped_one()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("stable-status.txt"), "BUILD_EMBED_LABEL \nSTABLE_GIT_COMMIT abc\n");
        var warnings = new List<string>();

        var tags = TagResolver.Resolve(["{BUILD_EMBED_LABEL}", "{STABLE_GIT_COMMIT}"], [], [temp.Combine("stable-status.txt")], warnings.Add);

        tags.ShouldBe(["abc"]);
        warnings.ShouldHaveSingleItem().ShouldContain("no stamp value for {BUILD_EMBED_LABEL}");
    }

    [Fact]
    public void Tag_files_add_one_tag_per_line_and_duplicates_collapse()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("tags.txt"), "a\n\n b \na\n");

        TagResolver.Resolve(["a"], [temp.Combine("tags.txt")], [], _ => { }).ShouldBe(["a", "b"]);
    }

    [Fact]
    public void A_stamped_value_that_makes_an_invalid_tag_is_an_error_naming_both()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("status.txt"), "BUILD_EMBED_LABEL 1.0+build\n");

        var error = Should.Throw<UsageException>(() => TagResolver.Resolve(["{BUILD_EMBED_LABEL}"], [], [temp.Combine("status.txt")], _ => { }));

        error.Message.ShouldContain("'{BUILD_EMBED_LABEL}' became '1.0+build'");
    }

    [Fact]
    public void A_missing_tag_file_is_an_error_naming_it()
    {
        Should.Throw<UsageException>(() => TagResolver.Resolve([], ["/no/such/tags.txt"], [], _ => { }))
            .Message.ShouldContain("/no/such/tags.txt");
    }
}
