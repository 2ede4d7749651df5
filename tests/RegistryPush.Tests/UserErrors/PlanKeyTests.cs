using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.UserErrors;

/// <summary>
/// A <c>push-all</c> plan with a key the format does not know is bad input, not silently ignored.
/// </summary>
public sealed class PlanKeyTests(RegistryFixture fixture)
{
    private readonly CliRunner _cli = new();

    [Theory]
    [InlineData("""{"images":[{"layout":"LAYOUT","repository":"REPO","tag":["v1"]}]}""", "image 0 (REPO) has an unknown key 'tag'", "did you mean 'tags'")]
    [InlineData("""{"images":[{"layout":"LAYOUT","repository":"REPO","tags":["v1"]},{"layout":"LAYOUT","repository":"REPO","Tags":["v2"]}]}""", "image 1 (REPO) has an unknown key 'Tags'", "did you mean 'tags'")]
    [InlineData("""{"image":[{"layout":"LAYOUT","repository":"REPO","tags":["v1"]}]}""", "unknown top-level key 'image'", "did you mean 'images'")]
    [InlineData("""{"images":[{"layout":"LAYOUT","repository":"REPO","tags":["v1"],"platform":"linux/amd64"}]}""", "image 0 (REPO) has an unknown key 'platform'", "known keys: layout, repository, tags, ref")]
    public async Task A_plan_with_an_unknown_key_fails_with_exit_code_2_naming_the_key_and_the_image(string planText, string expected, string hint)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 2_000);
        var repository = registry.NewRepository("plan-key");
        var plan = temp.Combine("plan.json");
        File.WriteAllText(plan, planText.Replace("LAYOUT", layout.Path, StringComparison.Ordinal).Replace("REPO", repository, StringComparison.Ordinal));

        var result = await _cli.RunAsync("push-all", plan);

        PlainSentenceTests.AssertPlainError(result, 2, plan, expected.Replace("REPO", repository, StringComparison.Ordinal), hint);
        _cli.Requests.ShouldBeEmpty();
        (await Skopeo.ListTagsAsync(repository)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_plan_value_of_the_wrong_type_is_reported_as_such_and_a_syntax_error_as_invalid_JSON()
    {
        using var temp = new TempDirectory();
        var plan = temp.Combine("plan.json");
        File.WriteAllText(plan, """{"images":[{"layout":"x","repository":"127.0.0.1:1/app","tags":"v1"}]}""");
        var malformed = temp.Combine("malformed.json");
        File.WriteAllText(malformed, """{"images":[{"layout":"x",}]}""");

        var result = await _cli.RunAsync("push-all", plan);

        PlainSentenceTests.AssertPlainError(result, 2, plan, "$.images[0].tags", "wrong type");
        result.ErrorLines[0].ShouldNotContain("unknown key");
        PlainSentenceTests.AssertPlainError(await _cli.RunAsync("push-all", malformed), 2, malformed, "not valid JSON");
    }
}
