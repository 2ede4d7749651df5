using System.Security.Cryptography;
using RegistryPush.Oci;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>Checks what a registry serves against the layout it was pushed from, through skopeo.</summary>
public static class ReadBack
{
    /// <summary>
    /// Copies <paramref name="reference"/> (every platform, digests preserved) out of the registry with skopeo and
    /// checks that its root is <paramref name="digest"/> and that it holds exactly the blobs of
    /// <paramref name="layoutDirectory"/>, byte for byte (blob files read through their symlinks).
    /// </summary>
    public static async Task ShouldMatchLayoutAsync(string reference, string digest, string layoutDirectory)
    {
        using var copy = new TempDirectory();
        var copied = await CopyAsync(reference, copy);

        var index = await File.ReadAllTextAsync(Path.Combine(copied, "index.json"), TestContext.Current.CancellationToken);
        index.ShouldContain($"\"{digest}\"", customMessage: $"skopeo's copy of {reference} has another root than {digest}");
        var expected = Blobs(layoutDirectory);
        var actual = Blobs(copied);
        actual.Keys.Order(StringComparer.Ordinal).ShouldBe(expected.Keys.Order(StringComparer.Ordinal), $"blobs of {reference} vs {layoutDirectory}");
        foreach (var (name, hash) in expected)
        {
            actual[name].ShouldBe(hash, $"blob {name} of {reference} differs from {layoutDirectory}");
        }
    }

    /// <summary>
    /// Copies <paramref name="reference"/> out of the registry with skopeo and checks that every blob the layout's graph
    /// names came back equal to its file, byte for byte.
    /// </summary>
    public static async Task ShouldHoldEveryBlobOfAsync(string reference, string layoutDirectory)
    {
        using var copy = new TempDirectory();
        var copied = await CopyAsync(reference, copy);
        foreach (var blob in OciLayoutReader.Read(layoutDirectory).Blobs)
        {
            var path = Path.Combine(copied, "blobs", blob.Descriptor.Digest.Algorithm, blob.Descriptor.Digest.Hex);
            File.Exists(path).ShouldBeTrue($"blob {blob.Descriptor.Digest} did not come back from the registry");
            File.ReadAllBytes(path).ShouldBe(File.ReadAllBytes(blob.Path));
        }
    }

    /// <summary>skopeo's copy of <paramref name="reference"/> (every platform, digests preserved) as a new OCI layout.</summary>
    private static async Task<string> CopyAsync(string reference, TempDirectory directory)
    {
        var copied = directory.Combine("layout");
        await Skopeo.CopyToLayoutAsync(reference, copied);
        return copied;
    }

    /// <summary>Every blob file of a layout: its name and the sha256 of its content (through symlinks).</summary>
    private static Dictionary<string, string> Blobs(string layoutDirectory) =>
        Directory.EnumerateFiles(Path.Combine(layoutDirectory, "blobs", "sha256"))
            .ToDictionary(
                static path => Path.GetFileName(path),
                static path => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
                StringComparer.Ordinal);
}
