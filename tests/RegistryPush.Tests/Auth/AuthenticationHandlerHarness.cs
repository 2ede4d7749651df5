using System.Net;
using System.Text;
using System.Web;
using RegistryPush.Auth;
using RegistryPush.Registry;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// An <see cref="AuthenticationHandler"/> over an in-memory registry (shaped like GHCR, or as a test answers), with
/// credentials in a sandboxed Docker config: the shared set-up of the handshake's tests.
/// </summary>
public abstract class AuthenticationHandlerHarness : IDisposable
{
    /// <summary>The GHCR-shaped registry's address.</summary>
    protected const string Registry = "https://ghcr.io";

    /// <summary>Its token challenge.</summary>
    protected const string Challenge = "Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\"";

    private int _tokens;

    /// <summary>The credential files and environment the handler reads.</summary>
    protected AuthSandbox Sandbox { get; } = new();

    /// <summary>What the handler wrote to its verbose log.</summary>
    protected List<string> Log { get; } = [];

    /// <summary>The test's cancellation.</summary>
    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>GHCR's shape: /v2/ challenges, the realm issues a token per GET, POST is 405, a token grants what it names.</summary>
    protected HttpResponseMessage Ghcr(HttpRequestMessage request, string? body, Func<string, bool>? mayPush = null, int expiresIn = 300)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path == "/token")
        {
            if (request.Method == HttpMethod.Post)
            {
                return FakeServer.Status(HttpStatusCode.MethodNotAllowed, """{"errors":[{"code":"UNSUPPORTED","message":"method not allowed"}]}""");
            }

            if (request.Headers.Authorization?.Parameter is not { } basic
                || !Encoding.UTF8.GetString(Convert.FromBase64String(basic)).EndsWith(":ghp_right", StringComparison.Ordinal))
            {
                return FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
            }

            var scopes = HttpUtility.ParseQueryString(request.RequestUri.Query).GetValues("scope") ?? [];
            var granted = string.Join(" ", scopes.Select(scope => mayPush is null || mayPush(scope) ? scope : scope.Replace(",push", string.Empty, StringComparison.Ordinal)));
            var token = $"tok{Interlocked.Increment(ref _tokens)}|{granted}";
            return FakeServer.Json($$$$"""{"token":"{{{{token}}}}","expires_in":{{{{expiresIn}}}} }""");
        }

        var authorization = request.Headers.Authorization;
        if (authorization?.Scheme != "Bearer")
        {
            return FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", Challenge);
        }

        if (path == "/v2/")
        {
            return FakeServer.Status(HttpStatusCode.OK);
        }

        var grants = authorization.Parameter!.Split('|')[1];
        var repository = path.Split("/blobs/")[0].Split("/manifests/")[0]["/v2/".Length..];
        var needsPush = request.Method != HttpMethod.Get && request.Method != HttpMethod.Head;
        var from = HttpUtility.ParseQueryString(request.RequestUri.Query)["from"];
        var allowed = grants.Contains($"repository:{repository}:pull{(needsPush ? ",push" : string.Empty)}", StringComparison.Ordinal)
            && (from is null || grants.Contains($"repository:{from}:pull", StringComparison.Ordinal));
        if (!allowed)
        {
            return needsPush && grants.Contains($"repository:{repository}:pull", StringComparison.Ordinal)
                ? FakeServer.Status(HttpStatusCode.Forbidden, """{"errors":[{"code":"DENIED","message":"permission_denied: write_package"}]}""")
                : FakeServer.Status(HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""",
                    $"{Challenge},scope=\"repository:{repository}:pull,push{(from is null ? string.Empty : $" repository:{from}:pull")}\",error=\"insufficient_scope\"");
        }

        return FakeServer.Status(request.Method == HttpMethod.Post ? HttpStatusCode.Accepted : HttpStatusCode.OK);
    }

    /// <summary>A client whose requests go through the handler to a <see cref="FakeServer"/> answering with <paramref name="respond"/>.</summary>
    protected (HttpClient Client, FakeServer Server) Build(Func<HttpRequestMessage, string?, HttpResponseMessage> respond, TimeProvider? time = null)
    {
        var server = new FakeServer(respond);
        var redactor = new Redactor();
        var chain = AuthSetup.CreateChain(Sandbox.Context(), null, false, ["ghcr.io"], redactor);
        var handler = new AuthenticationHandler(chain, redactor, Log.Add, time) { InnerHandler = server };
        return (new HttpClient(handler), server);
    }

    /// <summary>Writes a Docker config logging octocat in to ghcr.io with <paramref name="password"/>.</summary>
    protected void LogIn(string password = "ghp_right") =>
        Sandbox.WriteDockerConfig($$$$"""{"auths":{"ghcr.io":{"auth":"{{{{AuthSandbox.Base64("octocat:" + password)}}}}"}}}""");

    /// <inheritdoc />
    public void Dispose() => Sandbox.Dispose();
}
