using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using RegistryPush.Auth;
using RegistryPush.Registry;

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
}
