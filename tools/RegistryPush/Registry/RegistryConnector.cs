using System.Collections.Concurrent;
using System.Net.Http;
using RegistryPush.References;

namespace RegistryPush.Registry;

/// <summary>
/// Owns the one <see cref="HttpClient"/> a run uses (pooled keep-alive connections to every registry), decides
/// per registry whether to speak HTTPS or plain HTTP, and hands out a <see cref="RegistryClient"/> per repository.
/// </summary>
public sealed class RegistryConnector : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _insecure;
    private readonly IPushObserver _observer;
    private readonly ConcurrentDictionary<string, Uri> _endpoints = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RegistryClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Creates a connector sending through <paramref name="pipeline"/> (auth, tracing and transport handlers).</summary>
    /// <param name="pipeline">The handler chain; disposed with the connector.</param>
    /// <param name="insecure">Allow plain HTTP and unverified TLS for non-loopback registries.</param>
    /// <param name="observer">Receives warnings (e.g. a fall-back to plain HTTP).</param>
    public RegistryConnector(HttpMessageHandler pipeline, bool insecure, IPushObserver observer)
    {
        // No client-wide timeout: a multi-gigabyte layer may take many minutes. Stalls are bounded per request instead.
        _http = new HttpClient(pipeline, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd($"registry-push/{AppInfo.Version}");
        _insecure = insecure;
        _observer = observer;
    }

    /// <summary>Picks the scheme for <paramref name="repository"/>'s registry and checks it answers <c>GET /v2/</c>.</summary>
    public async Task ConnectAsync(RepositoryReference repository, CancellationToken cancellationToken)
    {
        if (_endpoints.ContainsKey(repository.Registry))
        {
            return;
        }

        var https = new Uri($"https://{repository.ApiHost}/");
        var http = new Uri($"http://{repository.ApiHost}/");
        if (repository.IsLoopback)
        {
            // As Docker does: a registry on this machine is spoken to over plain HTTP.
            await new RegistryClient(_http, http, repository).PingAsync(cancellationToken).ConfigureAwait(false);
            _endpoints[repository.Registry] = http;
            return;
        }

        try
        {
            await new RegistryClient(_http, https, repository).PingAsync(cancellationToken).ConfigureAwait(false);
            _endpoints[repository.Registry] = https;
        }
        catch (RegistryException exception) when (_insecure && exception.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            _observer.Warning($"{repository.Registry} does not speak TLS; using plain HTTP because of --insecure");
            await new RegistryClient(_http, http, repository).PingAsync(cancellationToken).ConfigureAwait(false);
            _endpoints[repository.Registry] = http;
        }
    }

    /// <summary>The client for <paramref name="repository"/>; its registry must have been connected.</summary>
    public RegistryClient ClientFor(RepositoryReference repository) =>
        _clients.GetOrAdd(repository.ToString(), _ => new RegistryClient(
            _http,
            _endpoints.TryGetValue(repository.Registry, out var endpoint)
                ? endpoint
                : throw new InvalidOperationException($"registry {repository.Registry} was not connected"),
            repository));

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
