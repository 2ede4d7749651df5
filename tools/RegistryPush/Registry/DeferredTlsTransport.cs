namespace RegistryPush.Registry;

/// <summary>
/// Sends plain-HTTP requests through one socket handler and HTTPS requests through another, made on the first HTTPS
/// request, so that TLS costs nothing (no OpenSSL loaded, no trusted roots looked for) in a run that never uses it.
/// </summary>
internal sealed class DeferredTlsTransport(HttpMessageHandler plain, Func<HttpMessageHandler> createTls) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _plain = new(plain, disposeHandler: true);
    private readonly Lazy<HttpMessageInvoker> _tls = new(() => new HttpMessageInvoker(createTls(), disposeHandler: true), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        (request.RequestUri?.Scheme == Uri.UriSchemeHttps ? _tls.Value : _plain).SendAsync(request, cancellationToken);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _plain.Dispose();
            if (_tls.IsValueCreated)
            {
                _tls.Value.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
