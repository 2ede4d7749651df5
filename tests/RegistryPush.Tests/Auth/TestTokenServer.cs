using RegistryPush.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace RegistryPush.Tests.Auth;

/// <summary>A user of the token service and what it may do.</summary>
/// <param name="Password">The password or personal access token it logs in with.</param>
/// <param name="PushNamespace">Repositories under this prefix may be pushed; null: pull only.</param>
public sealed record TokenAccount(string Password, string? PushNamespace);

/// <summary>One request the token service received.</summary>
public sealed record TokenServiceRequest(string Method, string? User, IReadOnlyList<string> Scopes, string? Service, string? GrantType);

/// <summary>
/// A distribution token service on 127.0.0.1, shaped like GHCR's: <c>GET /token?service=&amp;scope=</c> with Basic
/// credentials answers <c>{"token":…,"expires_in":…}</c>; <c>POST /token</c> answers 405; wrong credentials 401
/// <c>UNAUTHORIZED</c>. It signs RS256 JWTs whose header carries the signing certificate (<c>x5c</c>), which
/// distribution 2.8 verifies against its <c>rootcertbundle</c>. It grants the actions an account may have and
/// silently drops the rest, as real token services do.
/// </summary>
public sealed class TestTokenServer : IDisposable
{
    public const string Issuer = "registry-push-test-issuer";
    private readonly HttpListener _listener = new();
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly Task _loop;

    public TestTokenServer()
    {
        var request = new CertificateRequest("CN=registry-push test token issuer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, true));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // HttpListener needs a fixed port: take a free one from the kernel.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The realm registries on loopback point at.</summary>
    public string Realm => $"http://127.0.0.1:{Port}/token";

    /// <summary>The PEM certificate for the registry's <c>rootcertbundle</c>.</summary>
    public byte[] RootCertificatePem => Encoding.ASCII.GetBytes(_certificate.ExportCertificatePem());

    public ConcurrentDictionary<string, TokenAccount> Accounts { get; } = new(StringComparer.Ordinal);

    /// <summary>Identity (refresh) tokens and the user they stand for.</summary>
    public ConcurrentDictionary<string, string> IdentityTokens { get; } = new(StringComparer.Ordinal);

    // Every request, from every test of the collection: tests read only their own slice (RequestsFor).
    private readonly ConcurrentQueue<TokenServiceRequest> _requests = new();

    public int ExpiresIn { get; set; } = 300;

    /// <summary>
    /// One test's own log: the requests whose scopes name <paramref name="repositoryPath"/> (each test pushes to a
    /// repository of its own), so no other test's requests can satisfy its assertions.
    /// </summary>
    public IReadOnlyList<TokenServiceRequest> RequestsFor(string repositoryPath) =>
        _requests.Where(request => request.Scopes
            .SelectMany(static scope => scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(scope => scope.Split(':') is ["repository", var name, _] && name == repositoryPath)).ToList();

    /// <summary>The registry configuration (<c>auth: token</c>) trusting this service.</summary>
    public static string RegistryConfig(string realm, string service) => RegistryContainer.DefaultConfig + $"""

        auth:
          token:
            realm: {realm}
            service: {service}
            issuer: {Issuer}
            rootcertbundle: /etc/docker/registry/token-root.pem
        """;

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await RespondAsync(context);
            }
            catch (Exception exception) when (exception is HttpListenerException or IOException)
            {
                // The client went away.
            }
            catch (Exception exception)
            {
                // A request the test service cannot read (e.g. a malformed header): answer, and keep serving.
                await WriteAsync(context, HttpStatusCode.BadRequest, new JsonObject { ["error"] = exception.GetType().Name }.ToJsonString());
            }
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var query = HttpUtility.ParseQueryString(request.Url!.Query);
        var user = Authenticate(request.Headers["Authorization"], out var authenticated);
        if (request.HttpMethod == "POST")
        {
            string? grant = null;
            string[] asked = [];
            if (request.HasEntityBody)
            {
                using var reader = new StreamReader(request.InputStream);
                var form = HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
                grant = form["grant_type"];
                asked = form.GetValues("scope") ?? [];
            }

            _requests.Enqueue(new TokenServiceRequest("POST", user, asked, query["service"], grant));
            await WriteAsync(context, HttpStatusCode.MethodNotAllowed, """{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}""");
            return;
        }

        var scopes = query.GetValues("scope") ?? [];
        _requests.Enqueue(new TokenServiceRequest("GET", user, scopes, query["service"], null));
        if (!authenticated)
        {
            await WriteAsync(context, HttpStatusCode.Unauthorized, """{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""");
            return;
        }

        var access = new JsonArray();
        foreach (var scope in scopes.SelectMany(static scope => scope.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var parts = scope.Split(':');
            if (parts is not ["repository", var name, var actions])
            {
                continue;
            }

            var granted = actions.Split(',').Where(action => Allowed(user, name, action)).ToArray();
            if (granted.Length > 0)
            {
                access.Add(new JsonObject { ["type"] = "repository", ["name"] = name, ["actions"] = new JsonArray(granted.Select(static a => (JsonNode)a).ToArray()) });
            }
        }

        var token = Sign(user, query["service"] ?? string.Empty, access);
        await WriteAsync(context, HttpStatusCode.OK, new JsonObject { ["token"] = token, ["expires_in"] = ExpiresIn }.ToJsonString());
    }

    private bool Allowed(string? user, string repository, string action)
    {
        if (user is null || !Accounts.TryGetValue(user, out var account))
        {
            return false;
        }

        return action switch
        {
            "pull" => true,
            "push" => account.PushNamespace is { } ns && repository.StartsWith(ns, StringComparison.Ordinal),
            _ => false,
        };
    }

    /// <summary>The user of a Basic header, null when anonymous; <paramref name="authenticated"/> is false for wrong credentials.</summary>
    private string? Authenticate(string? header, out bool authenticated)
    {
        authenticated = true;
        if (header is null || !header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..]));
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var (user, secret) = (text[..colon], text[(colon + 1)..]);
        // Clients send identity tokens with the user "<token>", the name Docker's helpers give them.
        if (user == "<token>" && IdentityTokens.TryGetValue(secret, out var owner))
        {
            return owner;
        }

        // Like GHCR, the user name must match the token's owner.
        authenticated = Accounts.TryGetValue(user, out var account) && account.Password == secret;
        return user;
    }

    private string Sign(string? subject, string audience, JsonArray access)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)),
        };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = subject ?? string.Empty,
            ["aud"] = audience,
            ["exp"] = now + ExpiresIn,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signingInput = $"{Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString()))}.{Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()))}";
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task WriteAsync(HttpListenerContext context, HttpStatusCode status, string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength64 = bytes.Length;
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _certificate.Dispose();
        _key.Dispose();
    }
}
