using System.Text;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>skopeo, an independent OCI implementation, reading back what the pusher wrote.</summary>
public static class Skopeo
{
    /// <summary>The raw manifest bytes the registry serves for <paramref name="reference"/> (host/repo:tag or @digest).</summary>
    public static async Task<byte[]> InspectRawAsync(string reference)
    {
        TestEnvironment.RequireProgram("skopeo");
        using var output = new MemoryStream();
        var stderr = new StringBuilder();
        var result = await CliWrap.Cli.Wrap("skopeo")
            .WithArguments(["inspect", "--raw", "--tls-verify=false", $"docker://{reference}"])
            .WithStandardOutputPipe(PipeTarget.ToStream(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(stderr))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(TestContext.Current.CancellationToken);
        result.ExitCode.ShouldBe(0, $"skopeo inspect {reference}: {stderr}");
        return output.ToArray();
    }

    /// <summary>
    /// The tags skopeo lists for <paramref name="repository"/>; empty only when the registry says it has no such
    /// repository (NAME_UNKNOWN, which distribution answers for a repository without tags too). Any other failure of
    /// skopeo (registry unreachable, credentials refused, a crash) fails the test: an empty list must never stand in
    /// for "could not look". <paramref name="credentials"/> (<c>USER:PASSWORD</c>) is for registries that need them.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ListTagsAsync(string repository, string? credentials = null)
    {
        TestEnvironment.RequireProgram("skopeo");
        var result = await CliWrap.Cli.Wrap("skopeo")
            .WithArguments(["list-tags", "--tls-verify=false", .. credentials is null ? Array.Empty<string>() : ["--creds", credentials], $"docker://{repository}"])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        if (result.ExitCode != 0)
        {
            // skopeo 1.9 reports NAME_UNKNOWN as "fetching tags list: invalid status code from registry 404"; newer
            // versions quote the registry's code or message.
            var unknown = result.StandardError.Contains("NAME_UNKNOWN", StringComparison.Ordinal)
                || result.StandardError.Contains("repository name not known", StringComparison.Ordinal)
                || result.StandardError.Contains("fetching tags list: invalid status code from registry 404", StringComparison.Ordinal);
            unknown.ShouldBeTrue($"skopeo list-tags {repository} failed: {result.StandardError}");
            return [];
        }

        return JsonNode.Parse(result.StandardOutput)!["Tags"]?.AsArray().Select(static tag => tag!.GetValue<string>()).ToList() ?? [];
    }

    /// <summary>Copies an image (all platforms) from the registry into a new OCI layout, preserving digests.</summary>
    public static async Task CopyToLayoutAsync(string reference, string layoutDirectory, string tag = "copy")
    {
        await RunAsync("copy", "--src-tls-verify=false", "--preserve-digests", "--multi-arch", "all", $"docker://{reference}", $"oci:{layoutDirectory}:{tag}");
    }

    /// <summary>Runs skopeo; fails the test with its stderr when it fails.</summary>
    public static async Task RunAsync(params string[] arguments)
    {
        TestEnvironment.RequireProgram("skopeo");
        var result = await CliWrap.Cli.Wrap("skopeo")
            .WithArguments(arguments)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        result.ExitCode.ShouldBe(0, $"skopeo {string.Join(' ', arguments)}: {result.StandardError}");
    }
}
