using System.Net;
using System.Text;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// A known secret goes through every failure path (and successful verbose runs); it must appear — plain, base64, or
/// inside a Basic header — in no output, no error message and no file the run writes.
/// </summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class RedactionTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    private const string Secret = "Canary-S3cret-7f3a9c";
    private const string CanaryUser = "canary";

    private readonly List<CliResult> _results = [];

    private string Outputs => Temp.Combine("outputs");

    private static IEnumerable<string> Forms(string user) =>
    [
        Secret,
        Base64(Secret),
        Base64($"{user}:{Secret}"),
        Base64($"<token>:{Secret}"),
        Uri.EscapeDataString(Secret),
    ];

    private CliRunner RedactionCli(string standardInput = "")
    {
        Directory.CreateDirectory(Outputs);
        Sandbox.Environment["GITHUB_ACTIONS"] = "true";
        Sandbox.Environment["GITHUB_STEP_SUMMARY"] = Path.Combine(Outputs, "summary.md");
        Sandbox.Environment["GITHUB_OUTPUT"] = Path.Combine(Outputs, "output.txt");
        return Cli(standardInput);
    }

    private async Task<CliResult> RunAsync(CliRunner cli, params string[] args)
    {
        string[] extra = args[0] == "push" ? ["-v", "--digest-file", Path.Combine(Outputs, $"digest-{_results.Count}.txt")] : ["-v"];
        var result = await cli.RunAsync([.. args, .. extra]);
        _results.Add(result);
        return result;
    }

    private void AssertNoSecretAnywhere(string user = CanaryUser)
    {
        var files = Directory.Exists(Outputs) ? Directory.GetFiles(Outputs, "*", SearchOption.AllDirectories) : [];
        foreach (var form in Forms(user))
        {
            foreach (var result in _results)
            {
                result.StandardOutput.ShouldNotContain(form, Case.Sensitive, result.ToString());
                result.StandardError.ShouldNotContain(form, Case.Sensitive, result.ToString());
            }

            foreach (var file in files)
            {
                File.ReadAllText(file).ShouldNotContain(form, Case.Sensitive, file);
            }
        }
    }

    [Fact]
    public async Task Refused_basic_credentials_with_verbose_output_never_show_the_secret()
    {
        DockerConfigWith(Registries.Basic.Host, CanaryUser, Secret);

        (await RunAsync(RedactionCli(), "push", Layout(), Registries.Basic.NewRepository("redact"), "--tag", "v1")).ExitCode.ShouldBe(3);
        (await RunAsync(RedactionCli(Secret), "push", Layout(), Registries.Basic.NewRepository("redact"), "--tag", "v1", "--username", CanaryUser, "--password-stdin")).ExitCode.ShouldBe(3);

        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task Refused_token_credentials_and_denied_pushes_never_show_the_secret()
    {
        Registries.Tokens.Accounts[CanaryUser] = new TokenAccount(Secret, null);
        Sandbox.Environment["REGISTRY_PUSH_USERNAME"] = CanaryUser;
        Sandbox.Environment["REGISTRY_PUSH_PASSWORD"] = Secret;
        (await RunAsync(RedactionCli(), "push", Layout(), $"{Registries.Token.Host}/alice/{Unique("redact")}", "--tag", "v1")).ExitCode.ShouldBe(3);
        (await RunAsync(RedactionCli(), "auth", "check", $"{Registries.Token.Host}/alice/{Unique("redact")}")).ExitCode.ShouldBe(3);

        Sandbox.Environment["REGISTRY_PUSH_PASSWORD"] = Secret + "-wrong";
        (await RunAsync(RedactionCli(), "push", Layout(), $"{Registries.Token.Host}/alice/{Unique("redact")}", "--tag", "v1")).ExitCode.ShouldBe(3);

        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task A_successful_verbose_push_with_identity_token_and_github_outputs_never_shows_the_secret()
    {
        Registries.Tokens.IdentityTokens[Secret] = AuthRegistries.Alice;
        Sandbox.WriteAnsweringHelper("canary", "<token>", Secret);
        Sandbox.WriteDockerConfig("""{"credsStore":"canary"}""");

        var result = await RunAsync(RedactionCli(), "push", Layout(), $"{Registries.Token.Host}/alice/{Unique("redact")}", "--tag", "v1", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        Directory.GetFiles(Outputs).Length.ShouldBeGreaterThanOrEqualTo(3, "digest file, step summary and outputs were written");
        AssertNoSecretAnywhere();
    }

    [Fact]
    public async Task Hostile_servers_echoing_the_credentials_in_their_errors_are_scrubbed()
    {
        DockerConfigWith("ghcr.io", CanaryUser, Secret);
        var echo = $"you sent {Secret} as Basic {Base64($"{CanaryUser}:{Secret}")}";
        Func<HttpRequestMessage, HttpResponseMessage?> hostile = request => request.RequestUri!.AbsolutePath == "/token"
            ? new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent($$$$"""{"errors":[{"code":"DENIED","message":"{{{{echo}}}}"}]}""") }
            : null;
        var cli = RedactionCli();
        cli.Interceptor = _ => new GhcrLoopback(Registries.Ghcr.Host, Registries.Tokens.Port) { Override = request => hostile(request) };
        var refused = await RunAsync(cli, "push", Layout(), $"ghcr.io/canary/{Unique("redact")}", "--tag", "v1");
        refused.ExitCode.ShouldBe(3, refused.ToString());

        Registries.Tokens.Accounts[CanaryUser] = new TokenAccount(Secret, "canary/");
        hostile = request => request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/blobs/uploads/", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent($$$$"""{"errors":[{"code":"DENIED","message":"{{{{echo}}}}"}]}""") }
            : null;
        var denied = await RunAsync(cli, "push", Layout(), $"ghcr.io/canary/{Unique("redact")}", "--tag", "v1");
        denied.ExitCode.ShouldBe(3, denied.ToString());

        _results.ShouldAllBe(result => result.StandardError.Contains("[REDACTED]"));
        AssertNoSecretAnywhere();
    }

    [Theory]
    [InlineData("""{"auths":{"REGISTRY":{"auth":"SECRET""")]
    [InlineData("""{"auths":{"REGISTRY":{"auth":"SECRET"}}}""")]
    [InlineData("""{"auths":{"REGISTRY":{"auth":"BASE64NOCOLON"}}}""")]
    public async Task Malformed_config_files_holding_the_secret_are_reported_without_it(string template)
    {
        Sandbox.WriteDockerConfig(template.Replace("REGISTRY", Registries.Basic.Host, StringComparison.Ordinal)
            .Replace("BASE64NOCOLON", Base64(Secret), StringComparison.Ordinal)
            .Replace("SECRET", Secret, StringComparison.Ordinal));
        Sandbox.Environment["DOCKER_AUTH_CONFIG"] = "{\"auths\": \"" + Secret;

        var result = await RunAsync(RedactionCli(), "push", Layout(), Registries.Basic.NewRepository("redact"), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem();
        AssertNoSecretAnywhere();
    }

    [Theory]
    [InlineData("printf 'Username: canary Secret: %s' '" + Secret + "'")]
    [InlineData("printf '{\"Username\":\"canary\",\"Secret\":\"%s\"' '" + Secret + "'")]
    [InlineData("printf 'Secret: %s\\n' '" + Secret + "'; exit 1")]
    [InlineData("printf '{\"Username\":\"canary\",\"Secret\":\"%s\"}\\n' '" + Secret + "'; echo 'keychain: write failed' >&2; exit 1")]
    public async Task Helpers_printing_the_secret_in_garbage_output_or_before_failing_are_reported_without_it(string body)
    {
        Sandbox.WriteHelper("leaky", body);
        Sandbox.WriteDockerConfig("""{"credsStore":"leaky"}""");

        var result = await RunAsync(RedactionCli(), "push", Layout(), Registries.Basic.NewRepository("redact"), "--tag", "v1");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardError.ShouldContain("::error title=registry-push::credential helper docker-credential-leaky", customMessage: "the GitHub annotation repeats the error");
        AssertNoSecretAnywhere();
    }

    [Fact]
    public void Credentials_print_without_their_secret()
    {
        var credential = RegistryPush.Auth.RegistryCredential.FromPassword(CanaryUser, Secret, "test");

        $"{credential}".ShouldNotContain(Secret);
        credential.Describe().ShouldNotContain(Secret);
    }
}
