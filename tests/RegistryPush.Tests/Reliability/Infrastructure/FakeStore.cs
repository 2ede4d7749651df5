using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace RegistryPush.Tests.Reliability.Infrastructure;

/// <summary>
/// What a <see cref="FakeRegistry"/> holds: blobs by digest, which repositories link which blobs, and manifests by
/// repository and tag or digest. Thread-safe: the pusher's requests run in parallel.
/// </summary>
internal sealed class FakeStore
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Repository, string Digest), byte> _links = new();
    private readonly ConcurrentDictionary<(string Repository, string Reference), StoredManifest> _manifests = new();

    /// <summary>The sha256 digest of <paramref name="bytes"/>, as a registry names content.</summary>
    public static string DigestOf(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The stored bytes of a blob, or null.</summary>
    public byte[]? Blob(string digest) => _blobs.TryGetValue(digest, out var bytes) ? bytes : null;

    /// <summary>True when <paramref name="repository"/> holds the blob.</summary>
    public bool Holds(string repository, string digest) => _links.ContainsKey((repository, digest));

    /// <summary>Stores a blob and links it into <paramref name="repository"/>.</summary>
    public void AddBlob(string repository, string digest, byte[] bytes)
    {
        _blobs[digest] = bytes;
        Link(repository, digest);
    }

    /// <summary>Links a blob already stored into <paramref name="repository"/> (a mount).</summary>
    public void Link(string repository, string digest) => _links[(repository, digest)] = 0;

    /// <summary>The manifest under a tag or digest, or null.</summary>
    public StoredManifest? Manifest(string repository, string reference) =>
        _manifests.TryGetValue((repository, reference), out var manifest) ? manifest : null;

    /// <summary>Stores a manifest under its own digest and under <paramref name="reference"/>.</summary>
    public void AddManifest(string repository, string reference, StoredManifest manifest)
    {
        _manifests[(repository, DigestOf(manifest.Bytes))] = manifest;
        _manifests[(repository, reference)] = manifest;
    }
}

/// <summary>A manifest as stored: its bytes and the media type it was put with.</summary>
/// <param name="Bytes">The manifest's bytes.</param>
/// <param name="MediaType">The Content-Type of the PUT that stored it.</param>
internal sealed record StoredManifest(byte[] Bytes, string MediaType);
