using System.Net;
using System.Net.Sockets;
using System.Text;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.UserErrors;

/// <summary>
/// The published binary and <c>HTTP_PROXY</c>/<c>HTTPS_PROXY</c>/<c>NO_PROXY</c>, which the runtime reads from the
/// process environment (so these tests run the binary, not the in-process runner). A registry on this machine is never
/// reached through a proxy, as with crane, skopeo and regctl; a proxy that fails is named (host and port only, never
/// the password a proxy URL may carry), not mistaken for the registry.
/// </summary>
public sealed class ProxyTests(RegistryFixture fixture)
{
    private const string ProxyPassword = "pr0xy-s3cret-pw";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    public async Task A_loopback_registry_is_reached_directly_even_when_the_proxy_variables_name_a_dead_proxy(string host)
    {
        var registry = fixture.Registry;
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 20_000);
        var repository = registry.NewRepository("proxied");
        var dead = $"http://127.0.0.1:{DeadPort()}";

        var result = await PublishedBinary.RunAsync(
            ["push", layout.Path, repository.Replace("127.0.0.1", host, StringComparison.Ordinal), "--tag", "v1", "--retries", "0"],
            Environment(temp, ("HTTP_PROXY", dead), ("HTTPS_PROXY", dead), ("ALL_PROXY", dead), ("http_proxy", dead), ("https_proxy", dead)));

        result.ExitCode.ShouldBe(0, result.ToString());
        (await Skopeo.InspectRawAsync($"{repository}:v1")).ShouldBe(File.ReadAllBytes(layout.BlobPath(manifest.Digest)));
    }

    [Fact]
    public async Task A_dead_proxy_in_front_of_a_remote_registry_is_named_in_the_error_not_taken_for_the_registry()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);
        var port = DeadPort();

        var result = await PublishedBinary.RunAsync(
            ["push", layout.Path, "registry.invalid:5000/app", "--tag", "v1", "--insecure", "--retries", "0"],
            Environment(temp, ("HTTP_PROXY", $"http://user:{ProxyPassword}@127.0.0.1:{port}"), ("HTTPS_PROXY", $"http://user:{ProxyPassword}@127.0.0.1:{port}")));

        result.ExitCode.ShouldBe(4, result.ToString());
        var line = result.ErrorLines.ShouldHaveSingleItem(result.ToString());
        line.ShouldContain($"proxy 127.0.0.1:{port}");
        line.ShouldContain("registry.invalid:5000");
        line.ShouldNotContain("is the registry running");
        result.StandardError.ShouldNotContain(ProxyPassword);
        result.StandardOutput.ShouldNotContain(ProxyPassword);
    }

    [Fact]
    public async Task A_proxy_that_refuses_the_tunnel_is_named_and_its_password_is_never_printed_even_with_verbose()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);
        await using var proxy = RefusingProxy.Start();

        var result = await PublishedBinary.RunAsync(
            ["push", layout.Path, "registry.invalid:5000/app", "--tag", "v1", "--retries", "0", "-v"],
            Environment(temp, ("HTTPS_PROXY", $"http://user:{ProxyPassword}@{proxy.Host}")));

        proxy.Connections.ShouldBeGreaterThan(0, "the request went to the proxy");
        result.ExitCode.ShouldBe(4, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem(result.ToString()).ShouldContain($"proxy {proxy.Host}");
        result.StandardError.ShouldNotContain(ProxyPassword);
        result.StandardOutput.ShouldNotContain(ProxyPassword);
    }

    [Fact]
    public async Task A_host_listed_in_NO_PROXY_is_reached_directly()
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 100);
        await using var proxy = RefusingProxy.Start();

        var result = await PublishedBinary.RunAsync(
            ["push", layout.Path, "registry.invalid:5000/app", "--tag", "v1", "--retries", "0"],
            Environment(temp, ("HTTPS_PROXY", $"http://{proxy.Host}"), ("NO_PROXY", "registry.invalid")));

        result.ExitCode.ShouldBe(4, result.ToString());
        proxy.Connections.ShouldBe(0, result.ToString());
        result.ErrorLines.ShouldHaveSingleItem().ShouldNotContain("proxy");
    }

    /// <summary>A port nothing listens on: bound, then released.</summary>
    private static int DeadPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Dictionary<string, string?> Environment(TempDirectory temp, params (string Name, string Value)[] proxies)
    {
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = temp.Path,
            ["DOCKER_CONFIG"] = temp.Combine("docker"),
            ["REGISTRY_AUTH_FILE"] = temp.Combine("auth.json"),
            ["XDG_RUNTIME_DIR"] = temp.Path,
            ["GITHUB_TOKEN"] = null,
            ["CI"] = "true",
        };
        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy" })
        {
            environment[name] = null;
        }

        foreach (var (name, value) in proxies)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>An HTTP proxy that answers every request, CONNECT included, with 502, and counts its connections.</summary>
    private sealed class RefusingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _connections;

        private RefusingProxy()
        {
            _listener.Start();
            _loop = Task.Run(AcceptAsync);
        }

        public string Host => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Connections => Volatile.Read(ref _connections);

        public static RefusingProxy Start() => new();

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _loop;
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }

            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                var stream = client.GetStream();
                var buffer = new byte[8192];
                _ = await stream.ReadAsync(buffer, _stop.Token);
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
            }
        }
    }
}
