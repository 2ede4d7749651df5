namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>One request the proxy saw.</summary>
public sealed class ProxiedRequest(int number, string method, string target, long contentLength, bool hadCookie)
{
    /// <summary>1 for the first request through the proxy.</summary>
    public int Number { get; } = number;

    /// <summary>The HTTP method.</summary>
    public string Method { get; } = method;

    /// <summary>Path and query.</summary>
    public string Target { get; } = target;

    /// <summary>The request's Content-Length (0 without a body).</summary>
    public long ContentLength { get; } = contentLength;

    /// <summary>Whether the request carried a Cookie header.</summary>
    public bool HadCookie { get; } = hadCookie;

    /// <summary>What the proxy did (<see cref="Fault.Name"/>).</summary>
    public string Fault { get; set; } = string.Empty;

    /// <summary>The status the registry (or the proxy) answered, when an answer was read.</summary>
    public int? Status { get; set; }

    /// <summary>The path without the query.</summary>
    public string Path => Target.Split('?')[0];

    /// <inheritdoc />
    public override string ToString() => $"#{Number} {Method} {Target} ({ContentLength} B) -> {Fault} {Status}";
}
