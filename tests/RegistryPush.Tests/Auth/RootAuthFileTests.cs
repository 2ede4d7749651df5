using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// As root without <c>XDG_RUNTIME_DIR</c> (CI containers, <c>sudo podman login</c>), podman and skopeo keep logins in
/// <c>/run/containers/0/auth.json</c>. The real <c>skopeo login</c> writes it and the published binary, in a clean
/// environment, must find it. Both run in a private mount namespace with a fresh tmpfs on <c>/run/containers</c>, so
/// the path is the real one and the machine's own file is never read or touched.
/// </summary>
[Collection(AuthRegistriesGroup.Name)]
public sealed class RootAuthFileTests(AuthRegistries registries) : AuthIntegrationTest(registries)
{
    private const string Script = """
        set -eu
        mount -t tmpfs registry-push-test /run/containers
        printf '%s' "$LOGIN_PASSWORD" | skopeo login --tls-verify=false -u "$LOGIN_USER" --password-stdin "$LOGIN_REGISTRY" >&2
        test -f /run/containers/0/auth.json
        exec "$REGISTRY_PUSH" push "$LAYOUT" "$REPOSITORY" --tag v1 -v
        """;

    [Fact]
    public async Task As_root_without_xdg_runtime_dir_the_login_skopeo_keeps_in_run_containers_0_is_found()
    {
        TestEnvironment.Require(Environment.UserName == "root", "needs root: /run/containers/0/auth.json is root's login file and unshare needs root");
        TestEnvironment.RequireProgram("unshare");
        TestEnvironment.RequireProgram("skopeo");
        var binary = PublishedBinary.Path;
        var repository = Registries.Basic.NewRepository("rootlogin");
        Directory.CreateDirectory("/run/containers");

        var result = await CliWrap.Cli.Wrap("unshare")
            .WithArguments(["--mount", "--propagation", "private", "sh", "-c", Script])
            .WithEnvironmentVariables(PublishedBinary.CleanEnvironment(Sandbox.Home, new Dictionary<string, string?>
            {
                ["LOGIN_USER"] = AuthRegistries.BasicUser,
                ["LOGIN_PASSWORD"] = AuthRegistries.BasicPassword,
                ["LOGIN_REGISTRY"] = Registries.Basic.Host,
                ["REGISTRY_PUSH"] = binary,
                ["LAYOUT"] = Layout(),
                ["REPOSITORY"] = repository,
            }))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        result.ExitCode.ShouldBe(0, $"stdout:\n{result.StandardOutput}\nstderr:\n{result.StandardError}");
        result.StandardError.ShouldContain($"user '{AuthRegistries.BasicUser}' from auths[\"{Registries.Basic.Host}\"] in /run/containers/0/auth.json");
        (await Skopeo.ListTagsAsync(repository, $"{AuthRegistries.BasicUser}:{AuthRegistries.BasicPassword}")).ShouldBe(["v1"]);
    }
}
