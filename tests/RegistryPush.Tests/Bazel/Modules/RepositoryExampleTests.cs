using System.Formats.Tar;
using System.Text.Json.Nodes;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Bazel.Modules;

/// <summary>
/// This repository's own example on Bazel 7.7.1, as the README shows it:
/// <c>bazel run //python/hello_python:hello_python_image_push</c> pushes an image that carries the Python program.
/// </summary>
[Collection(Bazel7TestGroup.Name)]
public sealed class RepositoryExampleTests(RegistryFixture registry)
{
    [Fact]
    public async Task The_hello_python_push_target_pushes_an_image_whose_layer_holds_the_python_program()
    {
        var (root, installation) = BazelInstallation.Require(BazelInstallation.Sid);
        await using var workspace = BazelWorkspace.ForTestRun(root, "repository7", installation);
        var repository = $"{registry.Registry.NewRepository("owner")}/hello_python";

        // rules_pkg is in this module's graph (a dev dependency); the chroot's bazelrc points it at Debian's copy.
        var result = await workspace.RunAsync("run", ["--config=debian_rules_pkg"], ["//python/hello_python:hello_python_image_push"], ["--repository", repository]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldStartWith($"{repository}@sha256:");
        var digest = result.LastOutputLine.Split('@')[^1];
        using var copy = new TempDirectory();
        await Skopeo.CopyToLayoutAsync($"{repository}@{digest}", copy.Path);
        var program = await File.ReadAllTextAsync(Path.Combine(root, "python", "hello_python", "hello_python.py"), TestContext.Current.CancellationToken);
        (await FilesInLayers(copy.Path)).ShouldContainKeyAndValue("app/hello_python.py", program);
    }

    /// <summary>Every regular file in the image's layers (uncompressed or gzip'ed tars), by path without a leading './'.</summary>
    private static async Task<Dictionary<string, string>> FilesInLayers(string layout)
    {
        var blobs = Path.Combine(layout, "blobs", "sha256");
        var indexJson = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json"), TestContext.Current.CancellationToken))!;
        var manifestDigest = indexJson["manifests"]![0]!["digest"]!.GetValue<string>();
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(blobs, manifestDigest["sha256:".Length..]), TestContext.Current.CancellationToken))!;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in manifest["layers"]!.AsArray())
        {
            var path = Path.Combine(blobs, layer!["digest"]!.GetValue<string>()["sha256:".Length..]);
            await using var stream = File.OpenRead(path);
            Stream tar = layer["mediaType"]!.GetValue<string>().EndsWith("gzip", StringComparison.Ordinal)
                ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress)
                : stream;
            await using var reader = new TarReader(tar);
            while (await reader.GetNextEntryAsync(cancellationToken: TestContext.Current.CancellationToken) is { } entry)
            {
                if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data)
                {
                    using var text = new StreamReader(data);
                    files[entry.Name.TrimStart('.', '/')] = await text.ReadToEndAsync(TestContext.Current.CancellationToken);
                }
            }
        }

        return files;
    }
}
