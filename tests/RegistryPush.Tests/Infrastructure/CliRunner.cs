using System.Collections.Concurrent;
using RegistryPush.Cli;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>What one run of registry-push printed and returned.</summary>
/// <param name="ExitCode">The exit code.</param>
/// <param name="StandardOutput">Everything written to stdout.</param>
/// <param name="StandardError">Everything written to stderr.</param>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The last non-empty stdout line (the pushed reference).</summary>
    public string LastOutputLine => StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? string.Empty;

    /// <summary>Lines of stderr that are errors.</summary>
    public IReadOnlyList<string> ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(static line => line.StartsWith("registry-push: error:", StringComparison.Ordinal)).ToList();

    /// <inheritdoc />
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>
/// Runs the real program in-process (same code path as the binary, real sockets to a real registry) with an
/// environment of the test's choosing, and records every HTTP request it makes.
/// </summary>
public sealed class CliRunner
{
    private readonly Dictionary<string, string?> _environment = new(StringComparer.Ordinal);

    /// <summary>Requests the last run sent, in order of completion.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Optional extra handler between the program and the socket (fault injection).</summary>
    public Func<HttpMessageHandler, DelegatingHandler>? Interceptor { get; set; }

    /// <summary>
    /// Host names the run connects to elsewhere (name → 127.0.0.1 port), as an entry in /etc/hosts would, so that a
    /// test can reach a local TLS endpoint under a non-loopback name (which the pusher speaks HTTPS to).
    /// </summary>
    public Dictionary<string, int> HostMap { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The directory relative paths resolve against.</summary>
    public string CurrentDirectory { get; set; } = Environment.CurrentDirectory;

    /// <summary>Standard input text.</summary>
    public string StandardInput { get; set; } = string.Empty;

    /// <summary>Sets an environment variable for the run (null unsets it; unset ones fall back to the process's own only when <see cref="InheritEnvironment"/>).</summary>
    public CliRunner WithEnvironment(string name, string? value)
    {
        _environment[name] = value;
        return this;
    }

    /// <summary>Whether variables not set with <see cref="WithEnvironment"/> come from this process (default: no, so a developer's own docker login never leaks into a test).</summary>
    public bool InheritEnvironment { get; set; }

    /// <summary>Runs registry-push with <paramref name="args"/>.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        Requests.Clear();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var context = new RunContext(stdout, stderr, new StringReader(StandardInput), Lookup, CurrentDirectory)
        {
            TransportFactory = insecure =>
            {
                var map = new Dictionary<string, int>(HostMap, StringComparer.OrdinalIgnoreCase);
                var sockets = RegistryPush.Registry.HttpPipeline.CreateTransport(insecure, handler =>
                {
                    if (map.Count == 0)
                    {
                        return;
                    }

                    handler.ConnectCallback = async (connection, token) =>
                    {
                        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                        var target = map.TryGetValue(connection.DnsEndPoint.Host, out var port)
                            ? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port)
                            : (System.Net.EndPoint)connection.DnsEndPoint;
                        await socket.ConnectAsync(target, token);
                        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                    };
                });

                HttpMessageHandler transport = sockets;
                if (Interceptor is not null)
                {
                    var interceptor = Interceptor(transport);
                    interceptor.InnerHandler ??= transport;
                    transport = interceptor;
                }

                return new RecordingHandler(Requests) { InnerHandler = transport };
            },
        };
        var exitCode = await RegistryPushApp.RunAsync(args, context, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    private string? Lookup(string name)
    {
        if (_environment.TryGetValue(name, out var value))
        {
            return value;
        }

        // PATH is needed to find credential helpers; everything else (HOME, DOCKER_CONFIG, tokens) is opt-in.
        return InheritEnvironment || name is "PATH" ? Environment.GetEnvironmentVariable(name) : null;
    }
}

/// <summary>One request the program sent.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The URL.</param>
/// <param name="ContentLength">The request body's length, 0 when none.</param>
/// <param name="StatusCode">The response status, or null when the request failed.</param>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, long ContentLength, int? StatusCode);

/// <summary>Records requests passing through the pipeline.</summary>
public sealed class RecordingHandler(ConcurrentQueue<RecordedRequest> log) : DelegatingHandler
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var length = request.Content?.Headers.ContentLength ?? 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            log.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, length, (int)response.StatusCode));
            return response;
        }
        catch
        {
            log.Enqueue(new RecordedRequest(request.Method, request.RequestUri!, length, null));
            throw;
        }
    }
}
