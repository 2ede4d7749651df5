using System.Text.Json.Serialization;

namespace RegistryPush.Output;

/// <summary>
/// The <c>--json</c> document of a run that failed: <c>{"error":{"code":N,"message":"…"}}</c> on stdout, so a script
/// reading stdout always gets one JSON document; the same message is the human error line on stderr.
/// </summary>
public sealed record ErrorReportJson
{
    /// <summary>What went wrong.</summary>
    [JsonPropertyName("error")] public required ErrorJson Error { get; init; }

    /// <summary>The document for a failure with exit code <paramref name="exitCode"/> and its one-line message.</summary>
    public static ErrorReportJson Of(int exitCode, string message) => new() { Error = new ErrorJson { Code = exitCode, Message = PrintableText.OneLine(message) } };
}

/// <summary>One failure.</summary>
public sealed record ErrorJson
{
    /// <summary>The process exit code (see docs/cli.md): 2 bad input, 3 authentication, 4 registry or network, 1 a bug.</summary>
    [JsonPropertyName("code")] public required int Code { get; init; }

    /// <summary>The one-line message, the same as on stderr after <c>registry-push: error: </c>.</summary>
    [JsonPropertyName("message")] public required string Message { get; init; }
}
