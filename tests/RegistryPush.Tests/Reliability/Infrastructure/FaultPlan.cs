using System.Text;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>What the proxy does to one request.</summary>
public abstract record Fault(string Name)
{
    /// <summary>Pass the request and its answer through untouched.</summary>
    public static readonly Fault Forward = new ForwardFault();

    /// <summary>Answer <paramref name="status"/> without asking the registry (e.g. 503 with <c>Retry-After</c>).</summary>
    public static Fault Respond(int status, string? retryAfter = null, string? body = null) => new RespondFault(status, retryAfter, body);

    /// <summary>Reset the connection (RST) as soon as the request head arrives.</summary>
    public static Fault Reset() => new ResetFault();

    /// <summary>Forward the head and the first <paramref name="afterBytes"/> body bytes, then reset both connections.</summary>
    public static Fault DropMidBody(long afterBytes) => new DropMidBodyFault(afterBytes);

    /// <summary>Let the registry act on the request, then reset the connection instead of relaying its answer.</summary>
    public static Fault DropResponse() => new DropResponseFault();

    /// <summary>Wait before forwarding the request.</summary>
    public static Fault Delay(TimeSpan delay) => new DelayFault(delay);

    /// <summary>Forward the request, then hold the registry's answer back for <paramref name="delay"/>.</summary>
    public static Fault SlowResponse(TimeSpan delay) => new SlowResponseFault(delay);

    /// <summary>Forward the request body at <paramref name="bytesPerSecond"/>.</summary>
    public static Fault Throttle(long bytesPerSecond) => new ThrottleFault(bytesPerSecond);

    /// <summary>Forward, and add a <c>Set-Cookie</c> to the answer.</summary>
    public static Fault SetCookie(string cookie) => new SetCookieFault(cookie);

    internal sealed record ForwardFault() : Fault("forward");

    internal sealed record RespondFault(int Status, string? RetryAfter, string? Body) : Fault($"respond {Status}")
    {
        public byte[] Render(bool head)
        {
            var body = Body ?? $$"""{"errors":[{"code":"UNAVAILABLE","message":"injected {{Status}}"}]}""";
            var text = new StringBuilder()
                .Append("HTTP/1.1 ").Append(Status).Append(" Injected\r\n")
                .Append("Content-Type: application/json\r\n")
                .Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
            if (RetryAfter is not null)
            {
                text.Append("Retry-After: ").Append(RetryAfter).Append("\r\n");
            }

            text.Append("\r\n");
            if (!head)
            {
                text.Append(body);
            }

            return Encoding.UTF8.GetBytes(text.ToString());
        }
    }

    internal sealed record ResetFault() : Fault("reset");

    internal sealed record DropMidBodyFault(long AfterBytes) : Fault($"drop after {AfterBytes} body bytes");

    internal sealed record DropResponseFault() : Fault("drop response");

    internal sealed record DelayFault(TimeSpan Wait) : Fault($"delay {Wait.TotalMilliseconds} ms");

    internal sealed record SlowResponseFault(TimeSpan Wait) : Fault($"slow response {Wait.TotalMilliseconds} ms");

    internal sealed record ThrottleFault(long BytesPerSecond) : Fault($"throttle {BytesPerSecond} B/s");

    internal sealed record SetCookieFault(string Cookie) : Fault("set cookie");
}

/// <summary>Which requests a rule applies to.</summary>
public static class Traffic
{
    /// <summary>Every request.</summary>
    public static readonly Func<RequestView, bool> Any = static _ => true;

    /// <summary>Requests that carry blob bytes: a monolithic PUT or a PATCH chunk.</summary>
    public static readonly Func<RequestView, bool> BlobData = static r => r.Path.Contains("/blobs/uploads/", StringComparison.Ordinal) && r.Method is "PUT" or "PATCH" && r.ContentLength > 0;

    /// <summary>PATCH chunks.</summary>
    public static readonly Func<RequestView, bool> Chunk = static r => r.Method == "PATCH";

    /// <summary>The PUT that closes an upload (with <c>digest=</c>).</summary>
    public static readonly Func<RequestView, bool> BlobCommit = static r => r.Method == "PUT" && r.Path.Contains("/blobs/uploads/", StringComparison.Ordinal);

    /// <summary>POSTs opening upload sessions.</summary>
    public static readonly Func<RequestView, bool> StartUpload = static r => r.Method == "POST" && r.Path.EndsWith("/blobs/uploads/", StringComparison.Ordinal);

    /// <summary>Blob HEADs.</summary>
    public static readonly Func<RequestView, bool> BlobHead = static r => r.Method == "HEAD" && r.Path.Contains("/blobs/sha256:", StringComparison.Ordinal);

    /// <summary>Manifest PUTs (by digest or by tag).</summary>
    public static readonly Func<RequestView, bool> ManifestPut = static r => r.Method == "PUT" && r.Path.Contains("/manifests/", StringComparison.Ordinal);

    /// <summary>Manifest PUTs by tag (not by digest).</summary>
    public static readonly Func<RequestView, bool> TagPut = static r => ManifestPut(r) && !r.Path.Contains("/manifests/sha256:", StringComparison.Ordinal);

    /// <summary>The <c>GET /v2/</c> ping.</summary>
    public static readonly Func<RequestView, bool> Ping = static r => r.Method == "GET" && r.Path == "/v2/";

    /// <summary>Monolithic uploads of the blob <paramref name="digest"/> (their URL carries <c>digest=</c>).</summary>
    public static Func<RequestView, bool> UploadOf(string digest) => r => BlobData(r) && r.Query.Contains("digest=" + digest, StringComparison.Ordinal);

    /// <summary>Requests with a body larger than <paramref name="bytes"/>.</summary>
    public static Func<RequestView, bool> BodyOver(long bytes) => r => r.ContentLength > bytes;
}

/// <summary>What a rule can see of a request.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path, without the query.</param>
/// <param name="Query">The query, unescaped.</param>
/// <param name="ContentLength">The body's length.</param>
public sealed record RequestView(string Method, string Path, string Query, long ContentLength);

/// <summary>
/// A script of faults: rules tried in order; a rule applies to the matching requests after the first
/// <c>skip</c> of them, <c>times</c> times (or forever), and the first rule that applies decides. Thread-safe: the
/// pusher sends requests in parallel.
/// </summary>
public sealed class FaultPlan
{
    private readonly List<Rule> _rules = [];
    private readonly Lock _gate = new();

    /// <summary>No faults: a plain proxy.</summary>
    public static FaultPlan None => new();

    /// <summary>Adds a rule: <paramref name="fault"/> for matching requests number <paramref name="skip"/>+1 to <paramref name="skip"/>+<paramref name="times"/>.</summary>
    public FaultPlan On(Func<RequestView, bool> match, Fault fault, int times = 1, int skip = 0)
    {
        _rules.Add(new Rule(match, fault, times, skip));
        return this;
    }

    /// <summary>Adds a rule that applies to every <paramref name="period"/>-th matching request.</summary>
    public FaultPlan Every(Func<RequestView, bool> match, Fault fault, int period)
    {
        _rules.Add(new Rule(match, fault, int.MaxValue, 0, period));
        return this;
    }

    /// <summary>Adds a rule that applies to every matching request from now on.</summary>
    public FaultPlan Always(Func<RequestView, bool> match, Fault fault) => On(match, fault, int.MaxValue);

    /// <summary>How many requests each rule has faulted so far.</summary>
    public IReadOnlyList<int> Applied
    {
        get
        {
            lock (_gate)
            {
                return _rules.Select(static rule => rule.Applied).ToList();
            }
        }
    }

    internal Fault Decide(RequestHead request)
    {
        var question = request.Target.IndexOf('?', StringComparison.Ordinal);
        var view = new RequestView(
            request.Method,
            question < 0 ? request.Target : request.Target[..question],
            question < 0 ? string.Empty : Uri.UnescapeDataString(request.Target[(question + 1)..]),
            request.ContentLength);
        lock (_gate)
        {
            // Every matching rule counts the request (so "skip" means the same whatever comes first); the first
            // rule that applies decides.
            Rule? chosen = null;
            foreach (var rule in _rules)
            {
                if (!rule.Match(view))
                {
                    continue;
                }

                rule.Seen++;
                var due = rule.Period > 0 ? rule.Seen % rule.Period == 0 : rule.Seen > rule.Skip && rule.Applied < rule.Times;
                if (chosen is null && due)
                {
                    chosen = rule;
                    rule.Applied++;
                }
            }

            return chosen?.Fault ?? Fault.Forward;
        }
    }

    private sealed class Rule(Func<RequestView, bool> match, Fault fault, int times, int skip, int period = 0)
    {
        public int Period { get; } = period;

        public Func<RequestView, bool> Match { get; } = match;

        public Fault Fault { get; } = fault;

        public int Times { get; } = times;

        public int Skip { get; } = skip;

        public int Seen { get; set; }

        public int Applied { get; set; }
    }
}
