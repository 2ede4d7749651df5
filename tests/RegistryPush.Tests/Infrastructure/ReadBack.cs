using System.Security.Cryptography;

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
        var copied = copy.Combine("layout");
        await Skopeo.CopyToLayoutAsync(reference, copied);

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

    /// <summary>Every blob file of a layout: its name and the sha256 of its content (through symlinks).</summary>
    private static Dictionary<string, string> Blobs(string layoutDirectory) =>
        Directory.EnumerateFiles(Path.Combine(layoutDirectory, "blobs", "sha256"))
            .ToDictionary(
                static path => Path.GetFileName(path),
                static path => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))),
                StringComparer.Ordinal);
}
