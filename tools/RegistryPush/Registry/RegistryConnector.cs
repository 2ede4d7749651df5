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
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Picks the scheme for <paramref name="repository"/>'s registry. Sends nothing when the scheme is certain
    /// (plain HTTP on this machine, as Docker does; HTTPS elsewhere): the first real request then opens the
    /// connection and meets any challenge. Only <c>--insecure</c> against another machine asks (<c>GET /v2/</c>),
    /// to learn whether the registry speaks TLS at all.
    /// </summary>
    public async Task ConnectAsync(RepositoryReference repository, CancellationToken cancellationToken)
    {
        if (_endpoints.ContainsKey(repository.Registry))
        {
            return;
        }

        var https = new Uri($"https://{repository.ApiHost}/");
        var http = new Uri($"http://{repository.ApiHost}/");
        if (repository.IsLoopback || SpeaksVerifiedTls(repository))
        {
            _endpoints[repository.Registry] = repository.IsLoopback ? http : https;
            return;
        }

        try
        {
            await new RegistryClient(_http, https, repository).PingAsync(cancellationToken).ConfigureAwait(false);
            _endpoints[repository.Registry] = https;
        }
        catch (RegistryException exception) when (exception.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            _observer.Warning($"{repository.Registry} does not speak TLS; using plain HTTP because of --insecure");
            await new RegistryClient(_http, http, repository).PingAsync(cancellationToken).ConfigureAwait(false);
            _endpoints[repository.Registry] = http;
        }

        _verified.TryAdd(repository.Registry, 0);
    }

    /// <summary>
    /// Sets up, on the calling thread, what the first requests to <paramref name="repositories"/> need and what must
    /// not be set up while other threads make requests: TLS verification, for a registry to be spoken to over HTTPS.
    /// </summary>
    public void Prepare(IEnumerable<RepositoryReference> repositories)
    {
        if (repositories.Any(SpeaksVerifiedTls))
        {
            TlsVerification.Prepare();
        }
    }

    /// <summary>
    /// Checks once per run that <paramref name="repository"/>'s registry speaks the Distribution API
    /// (<c>GET /v2/</c>), before anything is written to it, so that a wrong host is named as such rather than as a
    /// failed upload.
    /// </summary>
    public async Task VerifyAsync(RepositoryReference repository, CancellationToken cancellationToken)
    {
        if (_verified.ContainsKey(repository.Registry))
        {
            return;
        }

        await ClientFor(repository).PingAsync(cancellationToken).ConfigureAwait(false);
        _verified.TryAdd(repository.Registry, 0);
    }

    /// <summary>A registry on another machine, without <c>--insecure</c>: HTTPS with its certificate verified.</summary>
    private bool SpeaksVerifiedTls(RepositoryReference repository) => !repository.IsLoopback && !_insecure;

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
