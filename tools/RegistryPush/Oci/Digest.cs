using System.Security.Cryptography;

namespace RegistryPush.Oci;

/// <summary>A content digest such as <c>sha256:9f86d0…</c>, validated against the OCI digest grammar.</summary>
public readonly record struct Digest
{
    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    /// <summary>The algorithm: <c>sha256</c> or <c>sha512</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The lowercase hexadecimal encoding.</summary>
    public string Hex { get; }

    /// <summary>A short form for progress output, e.g. <c>sha256:9f86d081884c</c>.</summary>
    public string Abbreviated => $"{Algorithm}:{Hex[..12]}";

    /// <inheritdoc />
    public override string ToString() => $"{Algorithm}:{Hex}";

    /// <summary>Parses a digest; the error names the value and says which forms are accepted.</summary>
    public static bool TryParse(string? value, out Digest digest, out string error)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "empty digest";
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = $"'{value}' is not a digest (expected ALGORITHM:HEX, e.g. sha256:…)";
            return false;
        }

        var algorithm = value[..colon];
        var hex = value[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            "sha256" => 64,
            "sha512" => 128,
            _ => -1,
        };
        if (expectedLength < 0)
        {
            error = $"digest '{value}' uses the unsupported algorithm '{algorithm}' (supported: sha256, sha512)";
            return false;
        }

        if (hex.Length != expectedLength || !hex.All(static c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
        {
            error = $"digest '{value}' is malformed ({algorithm} needs {expectedLength} lowercase hex characters)";
            return false;
        }

        digest = new Digest(algorithm, hex);
        error = string.Empty;
        return true;
    }

    /// <summary>Parses a digest or throws <see cref="LayoutException"/> with <paramref name="where"/> in the message.</summary>
    public static Digest Parse(string? value, string where) =>
        TryParse(value, out var digest, out var error) ? digest : throw new LayoutException($"{where}: {error}");

    /// <summary>The SHA-256 digest of <paramref name="content"/> (in managed code: see <see cref="Sha256"/>).</summary>
    public static Digest Sha256Of(ReadOnlySpan<byte> content) =>
        new("sha256", Convert.ToHexStringLower(Sha256.HashData(content)));

    /// <summary>Computes the digest of <paramref name="content"/> with this digest's algorithm.</summary>
    public Digest ComputeSameAlgorithm(ReadOnlySpan<byte> content) => Algorithm switch
    {
        "sha512" => new Digest("sha512", Convert.ToHexStringLower(SHA512.HashData(content))),
        _ => Sha256Of(content),
    };

    /// <summary>Streams <paramref name="stream"/> through this digest's algorithm.</summary>
    public async Task<Digest> ComputeSameAlgorithmAsync(Stream stream, CancellationToken cancellationToken)
    {
        var hash = Algorithm == "sha512"
            ? await SHA512.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)
            : await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
        return new Digest(Algorithm, Convert.ToHexStringLower(hash));
    }
}
