using System.Net;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>How a <see cref="FakeRegistry"/> writes the <c>Range</c> header of an upload.</summary>
public enum RangeStyle
{
    /// <summary><c>0-1023</c>, as the distribution registry writes it.</summary>
    Plain,

    /// <summary><c>bytes=0-1023</c>.</summary>
    BytesEquals,

    /// <summary><c>bytes 0-1023/*</c>, RFC 9110's Content-Range form.</summary>
    Rfc,
}

/// <summary>
/// The quirks of real registries a <see cref="FakeRegistry"/> can imitate: plain data a test wires, read by the parts
/// of the fake each quirk concerns (the router, the upload sessions, the stored content).
/// </summary>
public sealed record FakeQuirks
{
    /// <summary>What a PATCH answers: 202 (the specification), 201 (ECR) or 204.</summary>
    public HttpStatusCode PatchStatus { get; init; } = HttpStatusCode.Accepted;

    /// <summary>Announced on new sessions as <c>OCI-Chunk-Min-Length</c>.</summary>
    public long? AnnouncedMinChunk { get; init; }

    /// <summary>Enforced at close: every chunk but the last at least this long (ECR's 5 MiB), else 400.</summary>
    public long? EnforcedMinChunk { get; init; }

    /// <summary>Any request body over this is refused with GHCR's 416 "request body is too large".</summary>
    public long? MaxBodyBytes { get; init; }

    /// <summary>How <c>Range</c> is written.</summary>
    public RangeStyle RangeStyle { get; init; } = RangeStyle.Plain;

    /// <summary>New sessions answer <c>Range: 0-0</c> (GHCR, distribution).</summary>
    public bool RangeOnNewSession { get; init; }

    /// <summary>What a HEAD for a missing blob or manifest answers: 404, or 403 as Artifactory does.</summary>
    public HttpStatusCode MissingStatus { get; init; } = HttpStatusCode.NotFound;

    /// <summary>Opening an upload session answers 403 DENIED (no push permission).</summary>
    public bool DenyPush { get; init; }

    /// <summary>What a mount request answers when set (401 Harbor, 400 Docker Hub); otherwise it mounts when it can.</summary>
    public HttpStatusCode? MountStatus { get; init; }

    /// <summary>Upload URLs are absolute (with a signed-looking query) rather than relative.</summary>
    public bool AbsoluteLocations { get; init; }

    /// <summary>A PATCH keeps only the first half of the chunk it was sent, and says so in <c>Range</c>.</summary>
    public bool ShortAccept { get; init; }

    /// <summary>The ping (<c>GET /v2/</c>) answers with a body of this many bytes.</summary>
    public int? PingBodyBytes { get; init; }

    /// <summary>The <c>Range</c> header for a session holding <paramref name="held"/> bytes, in <see cref="RangeStyle"/>.</summary>
    internal string RangeHeader(long held)
    {
        var range = held == 0 ? "0-0" : $"0-{held - 1}";
        return RangeStyle switch
        {
            RangeStyle.BytesEquals => "bytes=" + range,
            RangeStyle.Rfc => $"bytes {range}/*",
            _ => range,
        };
    }
}
