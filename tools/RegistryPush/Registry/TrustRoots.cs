using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RegistryPush.Registry;

/// <summary>
/// The machine's trusted certificates, read as little as a chain needs: the same locations the runtime reads
/// (<c>SSL_CERT_DIR</c>, colon-separated, else OpenSSL's certificate directory; <c>SSL_CERT_FILE</c>, else OpenSSL's
/// bundle; the user's own .NET root store), but looked up by the issuer's subject-name hash (<c>DIR/HASH.N</c>), the
/// bundle only when those do not do, and every file only when nothing less does.
/// </summary>
internal sealed class TrustRoots
{
    private const string FallbackDirectory = "/etc/ssl/certs";
    private readonly IReadOnlyList<string> _directories;
    private readonly string? _bundle;
    private readonly bool _defaultDirectory;
    private readonly ConcurrentDictionary<string, X509Certificate2[]> _byHash = new(StringComparer.Ordinal);
    private readonly Lazy<X509Certificate2[]> _bundleCertificates;
    private readonly Lazy<X509Certificate2[]> _everything;
    private readonly Lazy<X509Certificate2[]> _userRoots = new(static () => ReadUserRoots());

    /// <summary>Roots from <paramref name="directories"/> and <paramref name="bundle"/>.</summary>
    /// <param name="directories">Certificate directories, searched in order.</param>
    /// <param name="bundle">A PEM bundle, or null.</param>
    /// <param name="defaultDirectory">Whether the directory is OpenSSL's default (the runtime then falls back to /etc/ssl/certs when it holds nothing).</param>
    public TrustRoots(IReadOnlyList<string> directories, string? bundle, bool defaultDirectory)
    {
        _directories = directories;
        _bundle = bundle;
        _defaultDirectory = defaultDirectory;
        _bundleCertificates = new(() => _bundle is null ? [] : Read(_bundle));
        _everything = new(ReadEverything);
    }

    /// <summary>The locations this process's environment names, as the runtime reads them; null when OpenSSL's defaults are needed but unknown.</summary>
    public static TrustRoots? FromEnvironment()
    {
        var directory = Environment.GetEnvironmentVariable("SSL_CERT_DIR");
        var file = Environment.GetEnvironmentVariable("SSL_CERT_FILE");
        var defaults = directory is null || file is null ? TrustRuntimeStore.OpenSslDefaults() : null;
        if ((directory ?? defaults?.Directory) is not { } directories || (file ?? defaults?.File) is not { } bundle)
        {
            return null;
        }

        // As the runtime: a set but empty variable means none; relative paths are taken from the working directory.
        return new TrustRoots(
            [.. directories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(Path.GetFullPath)],
            bundle.Length == 0 ? null : Path.GetFullPath(bundle),
            defaultDirectory: directory is null);
    }

    /// <summary>
    /// Adds to <paramref name="trust"/> the certificates that may anchor a chain from <paramref name="leaf"/> through
    /// <paramref name="sent"/>: every stored certificate named like an issuer on the way, and their issuers in turn.
    /// </summary>
    public void AddIssuers(X509Certificate2 leaf, X509Certificate2Collection sent, X509Certificate2Collection trust)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<X509Certificate2>([leaf, .. sent]);
        while (pending.TryDequeue(out var certificate))
        {
            byte[] issuer;
            try
            {
                issuer = TrustNameHash.Canonical(certificate.IssuerName);
            }
            catch (CryptographicException)
            {
                continue; // Not a name OpenSSL could file either; the bundle or the full read will be tried.
            }

            var hash = TrustNameHash.Of(issuer);
            if (!seen.Add(hash + Convert.ToHexString(issuer)))
            {
                continue;
            }

            foreach (var candidate in _byHash.GetOrAdd(hash, ReadHashed).Where(candidate => SubjectIs(candidate, issuer)))
            {
                trust.Add(candidate);
                pending.Enqueue(candidate);
            }
        }

        trust.AddRange(_userRoots.Value);
    }

    /// <summary>Adds the bundle's certificates (read once).</summary>
    public void AddBundle(X509Certificate2Collection trust) => trust.AddRange(_bundleCertificates.Value);

    /// <summary>Adds every certificate the runtime would have loaded: the bundle, every file of every directory, the user's roots (read once).</summary>
    public void AddEverything(X509Certificate2Collection trust) => trust.AddRange(_everything.Value);

    private static bool SubjectIs(X509Certificate2 candidate, byte[] issuer)
    {
        try
        {
            return TrustNameHash.Canonical(candidate.SubjectName).AsSpan().SequenceEqual(issuer);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private X509Certificate2[] ReadHashed(string hash)
    {
        var found = new List<X509Certificate2>();
        foreach (var directory in _directories)
        {
            // OpenSSL's lookup: HASH.0, HASH.1, … up to the first number that is missing.
            for (var n = 0; File.Exists(Path.Combine(directory, $"{hash}.{n}")); n++)
            {
                found.AddRange(Read(Path.Combine(directory, $"{hash}.{n}")));
            }
        }

        return [.. found];
    }

    private X509Certificate2[] ReadEverything()
    {
        var all = new List<X509Certificate2>(_bundleCertificates.Value);
        var fromDirectories = _directories.SelectMany(ReadDirectory).ToList();
        if (fromDirectories.Count == 0 && _defaultDirectory)
        {
            fromDirectories = [.. ReadDirectory(FallbackDirectory)];
        }

        all.AddRange(fromDirectories);
        all.AddRange(_userRoots.Value);
        return [.. all];
    }

    private static IEnumerable<X509Certificate2> ReadDirectory(string directory)
    {
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(directory).ToList();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return [];
        }

        return files.SelectMany(Read);
    }

    /// <summary>The certificates of one file, PEM (only <c>CERTIFICATE</c> blocks, as the runtime) or DER; none when unreadable.</summary>
    private static X509Certificate2[] Read(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.AsSpan().IndexOf("-----BEGIN"u8) >= 0)
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
                return [.. collection];
            }

            return [X509CertificateLoader.LoadCertificate(bytes)];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return [];
        }
    }

    private static X509Certificate2[] ReadUserRoots()
    {
        // The runtime trusts the user's own .NET root store as well (~/.dotnet/corefx/cryptography/x509stores/root).
        try
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            return [.. store.Certificates];
        }
        catch (CryptographicException)
        {
            return [];
        }
    }
}
