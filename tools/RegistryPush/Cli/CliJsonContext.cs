using System.Text.Json;
using System.Text.Json.Serialization;
using RegistryPush.Output;

namespace RegistryPush.Cli;

/// <summary>Source-generated JSON metadata for the command line's own files.</summary>
[JsonSourceGenerationOptions(WriteIndented = false, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PushPlanJson))]
[JsonSerializable(typeof(PushReportJson))]
[JsonSerializable(typeof(ErrorReportJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext
{
    /// <summary>For output people and scripts read: '+' in media types stays '+' rather than \u002B.</summary>
    public static CliJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });
}
