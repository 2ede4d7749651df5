using System.Text.Json;

namespace RegistryPush.Oci;

/// <summary>
/// Reads an OCI image layout directory (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/ALG/HEX</c>) into an
/// <see cref="ImageGraph"/>, validating everything it reads so that a push never starts from a broken layout.
/// </summary>
/// <remarks>
/// Manifests are read, size-checked and hashed (they are small and their bytes are pushed as read). Layers are only
/// checked for presence and size here: hashing gigabytes locally would double the cost of a push, and the registry
/// verifies every blob's digest on upload anyway.
/// </remarks>
public static class OciLayoutReader
{
    /// <summary>The annotation that names an entry of <c>index.json</c>.</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    /// <summary>Registries refuse manifests larger than 4 MiB; so do we, before reading them into memory.</summary>
    public const long MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>Reads the layout at <paramref name="layoutPath"/>, choosing the entry named <paramref name="refName"/> if given.</summary>
    /// <exception cref="LayoutException">The layout is missing, malformed or incomplete.</exception>
    public static ImageGraph Read(string layoutPath, string? refName = null)
    {
        var layout = Path.GetFullPath(layoutPath);
        if (File.Exists(layout))
        {
            throw new LayoutException($"image layout '{layoutPath}' is a file; expected an OCI image layout directory");
        }

        if (!Directory.Exists(layout))
        {
            throw new LayoutException($"image layout '{layoutPath}' does not exist");
        }

        CheckMarker(layout);
        var index = ReadDocument(Path.Combine(layout, "index.json"), "index.json");
        var root = SelectRoot(index, refName, Path.Combine(layout, "index.json"));

        var walker = new GraphWalker(layout);
        walker.VisitManifest(root, "index.json");
        return new ImageGraph(layout, root, walker.Blobs, walker.Manifests);
    }

    private static void CheckMarker(string layout)
    {
        var markerPath = Path.Combine(layout, "oci-layout");
        if (!File.Exists(markerPath))
        {
            throw new LayoutException($"'{layout}' is not an OCI image layout: {markerPath} is missing");
        }

        var marker = Deserialize(ReadCapped(markerPath, 64 * 1024, "oci-layout"), markerPath, OciJsonContext.Default.OciLayoutMarkerJson);
        var version = marker.ImageLayoutVersion;
        if (version is null || !(version == "1" || version.StartsWith("1.", StringComparison.Ordinal)))
        {
            throw new LayoutException($"{markerPath}: unsupported imageLayoutVersion '{version}' (registry-push reads 1.x)");
        }
    }

    private static Descriptor SelectRoot(ManifestJson index, string? refName, string indexPath)
    {
        var entries = index.Manifests;
        if (entries is null || entries.Count == 0)
        {
            throw new LayoutException($"{indexPath} lists no manifests");
        }

        DescriptorJson chosen;
        if (refName is not null)
        {
            var matches = entries.Where(entry => RefName(entry) == refName).ToList();
            if (matches.Count != 1)
            {
                throw new LayoutException(matches.Count == 0
                    ? $"{indexPath} has no entry named '{refName}' (choices: {DescribeChoices(entries)})"
                    : $"{indexPath} has {matches.Count} entries named '{refName}'");
            }

            chosen = matches[0];
        }
        else if (entries.Count == 1)
        {
            chosen = entries[0];
        }
        else
        {
            throw new LayoutException(
                $"{indexPath} has {entries.Count} entries; choose one with --ref NAME (choices: {DescribeChoices(entries)})");
        }

        return Validate(chosen, $"{indexPath} entry {entries.IndexOf(chosen)}");
    }

    private static string? RefName(DescriptorJson? entry) =>
        entry?.Annotations is { } annotations && annotations.TryGetValue(RefNameAnnotation, out var name) ? name : null;

    private static string DescribeChoices(List<DescriptorJson> entries) =>
        string.Join(", ", entries.Select(static entry => RefName(entry) ?? $"{entry?.Digest ?? "null"} (unnamed)"));

    /// <summary>Checks a descriptor's fields; <paramref name="where"/> says where it was found, for the error.</summary>
    internal static Descriptor Validate(DescriptorJson? json, string where)
    {
        if (json is null)
        {
            // JSON null where a descriptor belongs: `"manifests": [null]`, `"config": null`.
            throw new LayoutException($"{where}: descriptor is null");
        }

        if (string.IsNullOrEmpty(json.MediaType))
        {
            throw new LayoutException($"{where}: descriptor has no mediaType");
        }

        var digest = Digest.Parse(json.Digest, where);
        if (json.Size is not { } size || size < 0)
        {
            throw new LayoutException($"{where}: descriptor {digest} has no valid size");
        }

        return new Descriptor(json.MediaType, digest, size);
    }

    private static ManifestJson ReadDocument(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new LayoutException($"{what} is missing: {path}");
        }

        return Deserialize(ReadCapped(path, MaxManifestBytes, what), path, OciJsonContext.Default.ManifestJson);
    }

    private static byte[] ReadCapped(string path, long maxBytes, string what)
    {
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length > maxBytes)
            {
                throw new LayoutException($"{what} is {stream.Length} bytes, over the {maxBytes}-byte limit: {path}");
            }

            var buffer = new byte[stream.Length];
            stream.ReadExactly(buffer);
            return buffer;
        }
        catch (IOException exception)
        {
            throw new LayoutException($"cannot read {path}: {exception.Message}", exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new LayoutException($"cannot read {path}: {exception.Message}", exception);
        }
    }

    internal static T Deserialize<T>(ReadOnlySpan<byte> content, string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(content, type)
                ?? throw new LayoutException($"{path} is not valid JSON: it is 'null'");
        }
        catch (JsonException exception)
        {
            var position = exception.LineNumber is { } line ? $" (line {line + 1})" : string.Empty;
            throw new LayoutException($"{path} is not valid JSON{position}: {FirstSentence(exception.Message)}", exception);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).Trim();
    }

    /// <summary>Depth-first walk that records blobs and manifests once each, children before parents.</summary>
    private sealed class GraphWalker(string layout)
    {
        private readonly HashSet<Digest> _seenManifests = [];
        private readonly HashSet<Digest> _seenBlobs = [];

        public List<BlobFile> Blobs { get; } = [];

        public List<ManifestBlob> Manifests { get; } = [];

        public void VisitManifest(Descriptor descriptor, string where)
        {
            if (!MediaTypes.IsManifest(descriptor.MediaType))
            {
                throw new LayoutException(
                    $"{where}: unsupported media type '{descriptor.MediaType}' for manifest {descriptor.Digest} "
                    + "(expected an OCI or Docker schema 2 manifest or index)");
            }

            if (!_seenManifests.Add(descriptor.Digest))
            {
                return;
            }

            if (descriptor.Size > MaxManifestBytes)
            {
                throw new LayoutException($"manifest {descriptor.Digest} is {descriptor.Size} bytes, over the registries' 4 MiB limit");
            }

            var path = BlobPath(descriptor, $"manifest {descriptor.Digest} ({where})");
            var content = ReadCapped(path, MaxManifestBytes, $"manifest {descriptor.Digest}");
            if (content.Length != descriptor.Size)
            {
                throw new LayoutException(
                    $"manifest {descriptor.Digest} is {content.Length} bytes but its descriptor says {descriptor.Size}: {path}");
            }

            if (descriptor.Digest.ComputeSameAlgorithm(content) != descriptor.Digest)
            {
                throw new LayoutException($"manifest {descriptor.Digest} does not match its digest (corrupt file): {path}");
            }

            var manifest = Deserialize(content, path, OciJsonContext.Default.ManifestJson);
            if (manifest.SchemaVersion != 2)
            {
                throw new LayoutException($"{path}: schemaVersion is {manifest.SchemaVersion?.ToString() ?? "missing"}, expected 2");
            }

            if (manifest.MediaType is { } declared && declared != descriptor.MediaType)
            {
                throw new LayoutException(
                    $"{path}: mediaType '{declared}' differs from the descriptor's '{descriptor.MediaType}' ({where})");
            }

            var self = $"manifest {descriptor.Digest}";
            if (MediaTypes.IsIndex(descriptor.MediaType))
            {
                var children = manifest.Manifests ?? throw new LayoutException($"{path}: index has no 'manifests' array");
                for (var i = 0; i < children.Count; i++)
                {
                    VisitManifest(Validate(children[i], $"{self} entry {i}"), $"{self} entry {i}");
                }
            }
            else
            {
                var config = manifest.Config ?? throw new LayoutException($"{path}: image manifest has no 'config'");
                VisitBlob(config, $"config of {self}");
                var layers = manifest.Layers ?? throw new LayoutException($"{path}: image manifest has no 'layers' array");
                for (var i = 0; i < layers.Count; i++)
                {
                    VisitBlob(layers[i], $"layer {i} of {self}");
                }
            }

            Manifests.Add(new ManifestBlob(descriptor, content));
        }

        private void VisitBlob(DescriptorJson json, string where)
        {
            var descriptor = Validate(json, where);
            if (!_seenBlobs.Add(descriptor.Digest))
            {
                return;
            }

            var expected = BlobPathOf(descriptor.Digest);
            if (MediaTypes.IsNonDistributable(descriptor.MediaType) && !File.Exists(expected))
            {
                // Foreign layers are fetched from their URLs by whoever pulls; the registry never needs them.
                return;
            }

            var path = BlobPath(descriptor, $"blob {descriptor.Digest} ({where})");
            var length = new FileInfo(path).Length;
            if (length != descriptor.Size)
            {
                throw new LayoutException(
                    $"blob {descriptor.Digest} ({where}) is {length} bytes but its descriptor says {descriptor.Size}"
                    + (length < descriptor.Size ? " (truncated)" : string.Empty) + $": {expected}");
            }

            Blobs.Add(new BlobFile(descriptor, path));
        }

        private string BlobPathOf(Digest digest) => Path.Combine(layout, "blobs", digest.Algorithm, digest.Hex);

        /// <summary>The blob's file with symlinks resolved (Bazel output trees are full of them).</summary>
        private string BlobPath(Descriptor descriptor, string what)
        {
            var path = BlobPathOf(descriptor.Digest);
            try
            {
                var target = File.ResolveLinkTarget(path, returnFinalTarget: true);
                var resolved = target?.FullName ?? path;
                if (!File.Exists(resolved))
                {
                    throw new LayoutException(target is null
                        ? $"{what} is missing: {path}"
                        : $"{what} is a dangling symlink: {path} -> {resolved}");
                }

                return resolved;
            }
            catch (FileNotFoundException)
            {
                throw new LayoutException($"{what} is missing: {path}");
            }
            catch (DirectoryNotFoundException)
            {
                throw new LayoutException($"{what} is missing: {path}");
            }
            catch (IOException exception)
            {
                // ELOOP and friends: a symlink cycle must not hang or crash the push.
                throw new LayoutException($"{what} cannot be read: {path}: {exception.Message}", exception);
            }
        }
    }
}
