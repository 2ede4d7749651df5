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
    /// <param name="layoutPath">The layout directory.</param>
    /// <param name="refName">Which <c>index.json</c> entry, by <c>org.opencontainers.image.ref.name</c>; null when there is one.</param>
    /// <param name="allowNonDistributable">
    /// Upload non-distributable (foreign) layers the layout holds (<c>--allow-nondistributable-artifacts</c>); by
    /// default they are withheld, as the image spec asks.
    /// </param>
    /// <remarks>
    /// The layout directory is resolved physically first (Bazel reaches it through runfiles symlinks), so that relative
    /// links inside it mean what they mean to the kernel, and the graph is the same whichever path reaches the layout.
    /// </remarks>
    /// <exception cref="LayoutException">The layout is missing, malformed or incomplete.</exception>
    public static ImageGraph Read(string layoutPath, string? refName = null, bool allowNonDistributable = false)
    {
        var shown = Path.GetFullPath(layoutPath);
        var resolved = ResolvePhysically(layoutPath, "image layout", $"'{layoutPath}'");
        var layout = resolved.Entry switch
        {
            PhysicalEntry.Directory => resolved.Path,
            PhysicalEntry.File => throw new LayoutException($"image layout '{layoutPath}' is a file; expected an OCI image layout directory"),
            _ when resolved.LinksFollowed == 0 => throw new LayoutException($"image layout '{layoutPath}' does not exist"),
            _ => throw new LayoutException($"image layout '{layoutPath}' does not exist (a dangling symlink: it leads to {resolved.Path})"),
        };

        CheckMarker(layout, layoutPath);
        var indexPath = Path.Combine(layout, "index.json");
        var index = ReadDocument(indexPath, "index.json");
        var root = SelectRoot(index, refName, indexPath);

        var walker = new LayoutGraphWalker(layout, shown, allowNonDistributable);
        walker.VisitManifest(root, "index.json");
        return new ImageGraph(layout, root, walker.Blobs, walker.Manifests) { WithheldLayers = walker.WithheldLayers };
    }

    /// <summary>
    /// Resolves <paramref name="path"/> physically (see <see cref="PhysicalPath"/>), turning failures into layout errors
    /// about <paramref name="what"/>, found at <paramref name="shown"/>.
    /// </summary>
    /// <remarks>The sentences are written here: the NativeAOT build strips the runtime's exception texts.</remarks>
    internal static ResolvedPath ResolvePhysically(string path, string what, string shown)
    {
        try
        {
            return PhysicalPath.Resolve(path);
        }
        catch (SymlinkLoopException exception)
        {
            throw new LayoutException(
                $"{what} cannot be read: {shown} leads into a symlink loop (more than {PhysicalPath.MaxLinks} symlinks to follow)", exception);
        }
        catch (UnauthorizedAccessException exception)
        {
            throw new LayoutException($"{what} cannot be read: permission denied on the way to {shown}", exception);
        }
        catch (IOException exception)
        {
            throw new LayoutException($"{what} cannot be read: following the path {shown} failed with an I/O error", exception);
        }
    }

    private static void CheckMarker(string layout, string layoutPath)
    {
        var markerPath = Path.Combine(layout, "oci-layout");
        if (!File.Exists(markerPath))
        {
            throw new LayoutException($"'{layoutPath}' is not an OCI image layout: {markerPath} is missing");
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

    internal static byte[] ReadCapped(string path, long maxBytes, string what)
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
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new LayoutException($"cannot read {what} {path}: {FileErrors.Describe(exception, path)}", exception);
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
}
