using RegistryPush.Tests.Infrastructure;
using RegistryPush.Tests.Reliability.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary><c>registry-push auth check REPOSITORY</c> against real registries.</summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class AuthCheckTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    [Fact]
    public async Task Auth_check_names_the_source_and_reports_pull_and_push_granted()
    {
        Sandbox.WriteAnsweringHelper("desktop", AuthRegistries.Alice, AuthRegistries.AlicePassword);
        var config = Sandbox.WriteDockerConfig("""{"credsStore":"desktop"}""");
        var repository = $"{Registries.Token.Host}/alice/{Unique("check")}";
        var cli = Cli();

        var result = await cli.RunAsync("auth", "check", repository);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain($"credentials: user 'alice' from docker-credential-desktop (credsStore in {config})");
        result.StandardOutput.ShouldContain($"asks for Bearer tokens from {Registries.Tokens.Realm} (service registry-push-test)");
        result.StandardOutput.ShouldContain("pull:        allowed (the repository does not exist yet");
        result.StandardOutput.ShouldContain($"token:       grants repository:{repository[(Registries.Token.Host.Length + 1)..]}:pull,push");
        result.StandardOutput.ShouldContain("push:        allowed");
        cli.Requests.ShouldContain(static request => request.Method == HttpMethod.Delete && request.Uri.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal),
            "the probe's upload session is cancelled");
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.Alice}:{AuthRegistries.AlicePassword}")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Auth_check_for_a_pull_only_user_reports_push_refused_with_exit_3_and_advice()
    {
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Reader, AuthRegistries.ReaderPassword);

        var path = $"alice/{Unique("check")}";

        var result = await Cli().RunAsync("auth", "check", $"{Registries.Token.Host}/{path}");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("pull:        allowed");
        result.StandardOutput.ShouldContain($"token:       grants repository:{path}:pull{Environment.NewLine}");
        result.StandardOutput.ShouldContain("push:        refused");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("may not push to");
    }

    [Fact]
    public async Task Auth_check_without_credentials_on_a_basic_registry_says_how_to_log_in()
    {
        var result = await Cli().RunAsync("auth", "check", Registries.Basic.NewRepository("check"));

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("credentials: no credentials");
        result.StandardOutput.ShouldContain("pull:        refused");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain($"docker login {Registries.Basic.Host}");
    }

    [Fact]
    public async Task Auth_check_with_a_wrong_password_is_refused_by_the_token_service_with_exit_3()
    {
        DockerConfigWith(Registries.Token.Host, AuthRegistries.Alice, "wrong");

        var result = await Cli().RunAsync("auth", "check", $"{Registries.Token.Host}/alice/{Unique("check")}");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.StandardOutput.ShouldContain("pull:        refused");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain("refused user 'alice'");
    }

    [Fact]
    public async Task Auth_check_with_explicit_credentials_on_the_basic_registry_grants_push()
    {
        var result = await Cli(AuthRegistries.BasicPassword).RunAsync(
            "auth", "check", Registries.Basic.NewRepository("check"), "--username", AuthRegistries.BasicUser, "--password-stdin");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("asks for Basic");
        result.StandardOutput.ShouldContain("push:        allowed");
    }
}

/// <summary><c>auth check</c> against the plain registry everyone shares: it agrees with <c>push</c>.</summary>
public sealed class OpenRegistryAuthCheckTests(RegistryFixture fixture) : IDisposable
{
    private readonly AuthSandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private CliRunner Cli()
    {
        var cli = new CliRunner();
        foreach (var (name, value) in _sandbox.Environment)
        {
            cli.WithEnvironment(name, value);
        }

        return cli;
    }

    [Fact]
    public async Task Auth_check_on_an_open_registry_reports_no_authentication_and_push_allowed()
    {
        var result = await new CliRunner().RunAsync("auth", "check", fixture.Registry.NewRepository("open"));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("asks for no authentication");
        result.StandardOutput.ShouldContain("push:        allowed");
    }

    [Fact]
    public async Task On_an_open_registry_a_broken_creds_store_is_a_warning_for_auth_check_as_it_is_harmless_for_push()
    {
        var config = _sandbox.WriteDockerConfig("""{"credsStore":"missing-store"}""");
        var repository = fixture.Registry.NewRepository("openstore");
        using var temp = new TempDirectory();

        var push = await Cli().RunAsync("push", TestLayout.SingleImage(temp, 500).Layout.Path, repository, "--tag", "v1");
        var check = await Cli().RunAsync("auth", "check", repository);

        push.ExitCode.ShouldBe(0, push.ToString());
        check.ExitCode.ShouldBe(0, check.ToString());
        check.StandardOutput.ShouldContain("credentials: cannot be read (see below)");
        check.StandardOutput.ShouldContain("push:        allowed");
        check.StandardError.ShouldContain($"warning: credential helper docker-credential-missing-store (credsStore in {config}) is not installed");
        check.StandardError.ShouldContain("asks for no credentials, so a push does not need them");
        check.ErrorLines.ShouldBeEmpty();
    }

    [Fact]
    public async Task Auth_check_retries_transient_failures_like_push()
    {
        await using var proxy = FaultProxy.Start(fixture.Registry.Host, new FaultPlan()
            .On(Traffic.Ping, Fault.Respond(503))
            .On(static request => request.Method == "GET" && request.Path.EndsWith("/tags/list", StringComparison.Ordinal), Fault.Reset())
            .On(Traffic.StartUpload, Fault.Respond(502)));

        var result = await new CliRunner().RunAsync("auth", "check", proxy.Through(fixture.Registry.NewRepository("retry")));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.StandardOutput.ShouldContain("push:        allowed");
        proxy.Plan.Applied.ShouldBe([1, 1, 1], "each step met its fault once and was retried");
        result.StandardError.ShouldContain("retry 1 of");
    }

    [Fact]
    public async Task Auth_check_gives_up_on_a_stalled_registry_after_the_stall_timeout_and_retries_like_push()
    {
        await using var proxy = FaultProxy.Start(fixture.Registry.Host, new FaultPlan().On(Traffic.Ping, Fault.Delay(TimeSpan.FromSeconds(30))));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await new CliRunner().RunAsync("auth", "check", proxy.Through(fixture.Registry.NewRepository("stall")), "--timeout", "1");

        result.ExitCode.ShouldBe(0, result.ToString());
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
        result.StandardError.ShouldContain("retry 1 of");
    }

    [Fact]
    public async Task Auth_check_fails_an_unreachable_registry_with_exit_4_like_push()
    {
        await using var proxy = FaultProxy.Start(fixture.Registry.Host, new FaultPlan().Always(Traffic.Any, Fault.Reset()));

        var result = await new CliRunner().RunAsync("auth", "check", proxy.Through(fixture.Registry.NewRepository("down")), "--retries", "1");

        result.ExitCode.ShouldBe(4, result.ToString());
        result.StandardOutput.ShouldContain("registry:    failed");
        result.ErrorLines.ShouldHaveSingleItem().ShouldContain(proxy.Host);
    }
}

/// <summary>A registry that takes no pushes (distribution's read-only maintenance mode): push and auth check agree.</summary>
public sealed class ReadOnlyRegistryTests : IAsyncLifetime
{
    private const string ReadOnlyConfig = """
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: /var/lib/registry
          maintenance:
            readonly:
              enabled: true
        http:
          addr: :5000
        """;

    private readonly ConfiguredRegistry _readOnly = new(ReadOnlyConfig, "read-only registry");

    private RegistryContainer Registry => _readOnly.Registry;

    public ValueTask InitializeAsync() => _readOnly.InitializeAsync();

    public ValueTask DisposeAsync() => _readOnly.DisposeAsync();

    [Fact]
    public async Task Push_and_auth_check_both_fail_a_read_only_registry_with_exit_4_saying_it_takes_no_pushes()
    {
        var repository = Registry.NewRepository("readonly");
        using var temp = new TempDirectory();

        var push = await new CliRunner().RunAsync("push", TestLayout.SingleImage(temp, 500).Layout.Path, repository, "--tag", "v1");
        var check = await new CliRunner().RunAsync("auth", "check", repository);

        push.ExitCode.ShouldBe(4, push.ToString());
        check.ExitCode.ShouldBe(4, check.ToString());
        check.StandardOutput.ShouldContain("pull:        allowed (the repository does not exist yet");
        check.StandardOutput.ShouldContain("push:        failed");
        foreach (var result in new[] { push, check })
        {
            result.ErrorLines.ShouldHaveSingleItem().ShouldContain(
                "405 Method Not Allowed: the registry allows only GET, HEAD here, so it takes no pushes (it is read-only");
        }
    }
}
