using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CliWrap.Buffered;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// Real distribution registries with authentication, started once for the auth integration tests:
/// one with htpasswd (Basic), one with token auth whose realm is the test token service on loopback, and one
/// reached as <c>ghcr.io</c> (see <see cref="GhcrLoopback"/>) with GHCR's realm and service names.
/// </summary>
public sealed class AuthRegistries : IAsyncLifetime
{
    public const string BasicUser = "basic-user";
    public const string BasicPassword = "basic-Pa55word";
    public const string Alice = "alice";
    public const string AlicePassword = "ghp_aliceToken0123456789";
    public const string Reader = "reader";
    public const string ReaderPassword = "ghp_readerToken0123456789";
    public const string Octocat = "octocat";
    public const string OctocatToken = "ghs_octocatWorkflowToken42";
    public const string AliceIdentityToken = "alice-refresh-token-0123456789";

    private RegistryContainer? _basic;
    private RegistryContainer? _token;
    private RegistryContainer? _ghcr;
    private string _unavailable = "the auth test registries did not start";

    public TestTokenServer Tokens { get; } = new();

    public RegistryContainer Basic => Require(_basic);

    public RegistryContainer Token => Require(_token);

    /// <summary>The registry behind the fake <c>ghcr.io</c>.</summary>
    public RegistryContainer Ghcr => Require(_ghcr);

    public async ValueTask InitializeAsync()
    {
        Tokens.Accounts[Alice] = new TokenAccount(AlicePassword, "alice/");
        Tokens.Accounts[Reader] = new TokenAccount(ReaderPassword, null);
        Tokens.Accounts[Octocat] = new TokenAccount(OctocatToken, "octocat/");
        Tokens.IdentityTokens[AliceIdentityToken] = Alice;
        if (!TestEnvironment.HasProgram("htpasswd"))
        {
            _unavailable = "'htpasswd' is not installed (scripts/test-env/setup.sh installs apache2-utils)";
            return;
        }

        try
        {
            var htpasswd = await CliWrap.Cli.Wrap("htpasswd").WithArguments(["-nbB", BasicUser, BasicPassword]).ExecuteBufferedAsync();
            var basicConfig = RegistryContainer.DefaultConfig + """

                auth:
                  htpasswd:
                    realm: registry-push-test
                    path: /etc/docker/registry/htpasswd
                """;
            var rootCertificate = new Dictionary<string, byte[]> { ["/etc/docker/registry/token-root.pem"] = Tokens.RootCertificatePem };
            var started = await Task.WhenAll(
                RegistryContainer.StartAsync(basicConfig, new Dictionary<string, byte[]> { ["/etc/docker/registry/htpasswd"] = Encoding.UTF8.GetBytes(htpasswd.StandardOutput.Trim() + "\n") }),
                RegistryContainer.StartAsync(TestTokenServer.RegistryConfig(Tokens.Realm, "registry-push-test"), rootCertificate),
                RegistryContainer.StartAsync(TestTokenServer.RegistryConfig("https://ghcr.io/token", "ghcr.io"), rootCertificate));
            (_basic, _token, _ghcr) = (started[0], started[1], started[2]);
        }
        catch (Exception exception)
        {
            _unavailable = $"cannot start the auth test registries ({exception.GetType().Name}: {exception.Message.Split('\n')[0]}); run scripts/test-env/setup.sh";
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var registry in new[] { _basic, _token, _ghcr })
        {
            if (registry is not null)
            {
                await registry.DisposeAsync();
            }
        }

        Tokens.Dispose();
    }

    private RegistryContainer Require(RegistryContainer? registry)
    {
        TestEnvironment.Require(registry is not null, _unavailable);
        return registry!;
    }
}

[CollectionDefinition(Name)]
public sealed class AuthRegistriesGroup : ICollectionFixture<AuthRegistries>
{
    public const string Name = "auth registries";
}

/// <summary>
/// Makes <c>https://ghcr.io</c> the local token-auth registry and <c>https://ghcr.io/token</c> the test token service,
/// below registry-push's own handlers, so the run behaves exactly as against GHCR: same host name, HTTPS URLs, realm
/// and service. The registry sees <c>Host: ghcr.io</c> and <c>X-Forwarded-Proto: https</c>, so the upload URLs it
/// hands out point at ghcr.io too. <see cref="Override"/> lets a test answer some requests itself (GHCR's refusals).
/// </summary>
public sealed class GhcrLoopback(string registry, int tokenPort) : DelegatingHandler
{
    public Func<HttpRequestMessage, HttpResponseMessage?>? Override { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (!uri.Host.Equals("ghcr.io", StringComparison.OrdinalIgnoreCase))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        if (Override?.Invoke(request) is { } answer)
        {
            answer.RequestMessage = request;
            return answer;
        }

        // A copy goes to the stand-ins; the original request keeps its ghcr.io URL, as after a real exchange.
        var token = uri.AbsolutePath == "/token";
        var forwarded = new HttpRequestMessage(request.Method, token ? $"http://127.0.0.1:{tokenPort}{uri.PathAndQuery}" : $"http://{registry}{uri.PathAndQuery}")
        {
            Content = request.Content,
        };
        foreach (var (name, values) in request.Headers)
        {
            forwarded.Headers.TryAddWithoutValidation(name, values);
        }

        if (!token)
        {
            forwarded.Headers.Host = "ghcr.io";
            forwarded.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");
        }

        var response = await base.SendAsync(forwarded, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    /// <summary>GHCR's answer when the token may read but not write the package.</summary>
    public static HttpResponseMessage Denied(string message = "permission_denied: write_package") =>
        new(HttpStatusCode.Forbidden)
        {
            Content = new StringContent($$"""{"errors":[{"code":"DENIED","message":"{{message}}"}]}""", new MediaTypeHeaderValue("application/json")),
        };
}
