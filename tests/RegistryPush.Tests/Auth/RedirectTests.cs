using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RegistryPush.Auth;
using RegistryPush.Registry;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Auth;

/// <summary>
/// Blob downloads and uploads are often redirected to object storage on another host; credentials must not follow.
/// Real sockets: the production transport below the authentication handler, two servers on loopback.
/// </summary>
public sealed class RedirectTests : IDisposable
{
    private readonly AuthSandbox _sandbox = new();
    private readonly List<HttpListener> _listeners = [];

    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Close();
        }

        _sandbox.Dispose();
    }

    private int Serve(Action<HttpListenerContext> respond)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _listeners.Add(listener);
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try
                {
                    var context = await listener.GetContextAsync();
                    respond(context);
                    context.Response.Close();
                }
                catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
            }
        });
        return port;
    }

    [Fact]
    public async Task Authorization_is_not_forwarded_when_the_registry_redirects_to_another_host()
    {
        var storageSaw = new ConcurrentQueue<string?>();
        var storage = Serve(context =>
        {
            storageSaw.Enqueue(context.Request.Headers["Authorization"]);
            context.Response.StatusCode = 200;
        });
        var registry = Serve(context =>
        {
            if (context.Request.Headers["Authorization"] is null)
            {
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"test\"");
                return;
            }

            context.Response.StatusCode = 307;
            context.Response.RedirectLocation = $"http://127.0.0.1:{storage}/bucket/blob?signature=abc";
        });
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"127.0.0.1:{{{{registry}}}}":{"auth":"{{{{AuthSandbox.Base64("u:do-not-forward")}}}}"}}}""");
        var redactor = new Redactor();
        var handler = new AuthenticationHandler(AuthSetup.CreateChain(_sandbox.Context(), null, false, [$"127.0.0.1:{registry}"], redactor), redactor, static _ => { });
        using var client = new HttpClient(HttpPipeline.Chain(HttpPipeline.CreateTransport(insecure: false), handler));

        await client.GetAsync($"http://127.0.0.1:{registry}/v2/", TestContext.Current.CancellationToken);
        var response = await client.GetAsync($"http://127.0.0.1:{registry}/v2/app/blobs/sha256:abc", TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        storageSaw.ShouldHaveSingleItem().ShouldBeNull();
    }

    [Fact]
    public async Task An_upload_sent_to_another_host_that_asks_for_credentials_is_explained_as_the_registrys_redirect_not_a_login_problem()
    {
        var storageSaw = new ConcurrentQueue<string?>();
        var storage = Serve(context =>
        {
            context.Request.InputStream.CopyTo(Stream.Null);
            storageSaw.Enqueue(context.Request.Headers["Authorization"]);
            context.Response.StatusCode = 401;
            context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"storage\"");
        });
        var registry = Serve(context =>
        {
            var request = context.Request;
            if (request.Headers["Authorization"] is null)
            {
                context.Response.StatusCode = 401;
                context.Response.AddHeader("WWW-Authenticate", "Basic realm=\"registry\"");
                return;
            }

            (context.Response.StatusCode, var location) = (request.HttpMethod, request.Url!.AbsolutePath) switch
            {
                ("GET", "/v2/") => (200, null),
                ("HEAD", _) => (404, null),
                ("POST", "/v2/app/blobs/uploads/") => (202, $"http://127.0.0.1:{storage}/upload/{Guid.NewGuid():N}?signed=no"),
                _ => (500, (string?)null),
            };
            if (location is not null)
            {
                context.Response.AddHeader("Location", location);
            }
        });
        _sandbox.WriteDockerConfig($$$$"""{"auths":{"127.0.0.1:{{{{registry}}}}":{"auth":"{{{{AuthSandbox.Base64("u:do-not-forward")}}}}"}}}""");
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 2_000);
        var cli = new CliRunner();
        foreach (var (name, value) in _sandbox.Environment)
        {
            cli.WithEnvironment(name, value);
        }

        var result = await cli.RunAsync("push", layout.Path, $"127.0.0.1:{registry}/app", "--tag", "v1", "--retries", "0");

        result.ExitCode.ShouldBe(3, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"127.0.0.1:{registry} sent this request on to another host, 127.0.0.1:{storage}, which asked for credentials");
        error.ShouldContain("logging in again changes nothing");
        error.ShouldNotContain("docker login");
        error.ShouldNotContain("log in again;");
        storageSaw.ShouldNotBeEmpty();
        storageSaw.ShouldAllBe(static header => header == null, "credentials never go to the other host");
    }
}
