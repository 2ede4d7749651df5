using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// A planted Docker config whose user name holds line breaks, a GitHub workflow command and terminal escapes: the
/// published binary shows the name, cleaned, and no output line is one the config wrote.
/// </summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class ForgedConfigOutputTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    private const string ForgedUser = "me\n::error::forged\r\n::warning file=x::y\u001b[2J\u001b]0;owned\u0007\u009b31m\u2028done";

    [Fact]
    public async Task Auth_check_prints_a_forged_user_name_from_config_json_as_one_cleaned_line()
    {
        PlantConfig();

        var result = await PublishedBinary.RunAsync(["auth", "check", Registries.Basic.NewRepository("forged")], Isolated());

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("credentials: user 'me ::error::forged");
        AssertNothingForged(result);
    }

    [Fact]
    public async Task Verbose_push_traces_a_forged_user_name_from_config_json_as_one_cleaned_line()
    {
        PlantConfig();

        var result = await PublishedBinary.RunAsync(["push", Layout(), Registries.Basic.NewRepository("forged"), "--tag", "v1", "-v"], Isolated());

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardError.ShouldContain("user 'me ::error::forged");
        AssertNothingForged(result);
    }

    [Fact]
    public async Task Under_GitHub_Actions_the_only_workflow_command_is_registry_pushs_own_annotation()
    {
        PlantConfig();
        var environment = Isolated();
        environment["GITHUB_ACTIONS"] = "true";

        var result = await PublishedBinary.RunAsync(["push", Layout(), Registries.Basic.NewRepository("forged"), "--tag", "v1", "-v"], environment);

        result.ExitCode.ShouldBe(3, result.ToString());
        AssertNothingForged(result);
        Lines(result).Where(static line => line.StartsWith("::", StringComparison.Ordinal))
            .ShouldAllBe(static line => line.StartsWith("::error title=registry-push::", StringComparison.Ordinal));
    }

    /// <summary>A config.json whose entry names the user in its own field (the <c>auth</c> field could not hold a colon).</summary>
    private void PlantConfig()
    {
        var user = System.Text.Json.JsonSerializer.Serialize(ForgedUser);
        Sandbox.WriteDockerConfig("{\"auths\":{\"" + Registries.Basic.Host + "\":{\"username\":" + user + ",\"password\":\"not-the-password\"}}}");
    }

    private static void AssertNothingForged(CliResult result)
    {
        (result.StandardOutput + result.StandardError).ShouldNotContain(static c => c != '\n' && (char.IsControl(c) || c == '\u2028'), result.ToString());
        Lines(result).ShouldNotContain(static line => line.TrimStart().StartsWith("::error::forged", StringComparison.Ordinal)
            || line.TrimStart().StartsWith("::warning", StringComparison.Ordinal), result.ToString());
    }

    private static string[] Lines(CliResult result) => (result.StandardOutput + "\n" + result.StandardError).Split('\n');

    /// <summary>The sandbox's environment, with every other credential source the caller may have switched off.</summary>
    private Dictionary<string, string?> Isolated()
    {
        var environment = new Dictionary<string, string?>(Sandbox.Environment, StringComparer.Ordinal);
        foreach (var name in new[] { "DOCKER_CONFIG", "DOCKER_AUTH_CONFIG", "REGISTRY_AUTH_FILE", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "GITHUB_TOKEN", "GITHUB_ACTIONS", "REGISTRY_PUSH_USERNAME", "REGISTRY_PUSH_PASSWORD", "CI" })
        {
            environment.TryAdd(name, null);
        }

        return environment;
    }
}
