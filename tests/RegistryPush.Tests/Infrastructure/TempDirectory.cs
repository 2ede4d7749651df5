namespace RegistryPush.Tests.Infrastructure;

/// <summary>A temporary directory deleted when the test ends.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <summary>Creates a fresh directory under the system temp folder.</summary>
    public TempDirectory()
    {
        Path = Directory.CreateTempSubdirectory("registry-push-test-").FullName;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>A path inside the directory.</summary>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder must not fail a test.
        }
    }
}
