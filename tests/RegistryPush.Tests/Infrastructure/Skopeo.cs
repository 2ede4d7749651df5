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
    /// The tags skopeo lists for <paramref name="repository"/>; empty when the registry does not know the repository
    /// (nothing was ever pushed there). Any other failure of skopeo (unreachable, refused, TLS) fails the test with
    /// skopeo's own words, so that "no tag moved" cannot pass because skopeo could not look.
    /// </summary>
    /// <param name="repository">HOST/PATH.</param>
    /// <param name="credentials">USER:PASSWORD for registries that require authentication to list tags.</param>
    public static async Task<IReadOnlyList<string>> ListTagsAsync(string repository, string? credentials = null)
    {
        TestEnvironment.RequireProgram("skopeo");
        string[] login = credentials is null ? [] : ["--creds", credentials];
        var result = await CliWrap.Cli.Wrap("skopeo")
            .WithArguments(["list-tags", "--tls-verify=false", .. login, $"docker://{repository}"])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        if (result.ExitCode != 0)
        {
            RepositoryUnknown(result.StandardError).ShouldBeTrue(
                $"skopeo list-tags {repository} failed (exit code {result.ExitCode}), so its tags are unknown: {result.StandardError.Trim()}");
            return [];
        }

        return JsonNode.Parse(result.StandardOutput)!["Tags"]?.AsArray().Select(static tag => tag!.GetValue<string>()).ToList() ?? [];
    }

    // The registry's NAME_UNKNOWN answer to tags/list: newer skopeo quotes it, 1.9 (Debian 12) says only "404".
    private static bool RepositoryUnknown(string stderr) =>
        stderr.Contains("NAME_UNKNOWN", StringComparison.Ordinal)
        || stderr.Contains("repository name not known to registry", StringComparison.Ordinal)
        || stderr.Contains("fetching tags list: invalid status code from registry 404", StringComparison.Ordinal);

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
