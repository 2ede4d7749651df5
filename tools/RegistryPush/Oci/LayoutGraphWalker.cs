namespace RegistryPush.Oci;

/// <summary>
/// Depth-first walk over a layout's manifests that records blobs and manifests once each, children before parents.
/// </summary>
/// <param name="layout">The layout directory, physically resolved: every blob path is resolved from it.</param>
/// <param name="shownLayout">The layout directory as the user reached it: errors name blobs as found there.</param>
/// <param name="includeNonDistributable">Record non-distributable layers found in the layout as blobs to upload.</param>
internal sealed class LayoutGraphWalker(string layout, string shownLayout, bool includeNonDistributable)
{
    private readonly HashSet<Digest> _seenManifests = [];
    private readonly HashSet<Digest> _seenBlobs = [];

    /// <summary>Every distinct config and layer blob seen so far, with its physical file.</summary>
    public List<BlobFile> Blobs { get; } = [];

    /// <summary>Every distinct manifest seen so far, children before their parents.</summary>
    public List<ManifestBlob> Manifests { get; } = [];

    /// <summary>Non-distributable layers whose file is in the layout but that are left out of <see cref="Blobs"/>.</summary>
    public List<Descriptor> WithheldLayers { get; } = [];

    /// <summary>Reads, checks and records the manifest or index <paramref name="descriptor"/> and all it references.</summary>
    /// <param name="descriptor">The manifest's descriptor.</param>
    /// <param name="where">Where the descriptor was found, for errors.</param>
    /// <exception cref="LayoutException">The manifest or something it references is missing, malformed or corrupt.</exception>
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

        if (descriptor.Size > OciLayoutReader.MaxManifestBytes)
        {
            throw new LayoutException($"manifest {descriptor.Digest} is {descriptor.Size} bytes, over the registries' 4 MiB limit");
        }

        var path = BlobPath(descriptor, $"manifest {descriptor.Digest} ({where})");
        var content = OciLayoutReader.ReadCapped(path, OciLayoutReader.MaxManifestBytes, $"manifest {descriptor.Digest}");
        if (content.Length != descriptor.Size)
        {
            throw new LayoutException(
                $"manifest {descriptor.Digest} is {content.Length} bytes but its descriptor says {descriptor.Size}: {path}");
        }

        if (descriptor.Digest.ComputeSameAlgorithm(content) != descriptor.Digest)
        {
            throw new LayoutException($"manifest {descriptor.Digest} does not match its digest (corrupt file): {path}");
        }

        var manifest = OciLayoutReader.Deserialize(content, path, OciJsonContext.Default.ManifestJson);
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
                VisitManifest(OciLayoutReader.Validate(children[i], $"{self} entry {i}"), $"{self} entry {i}");
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

        Manifests.Add(new ManifestBlob(descriptor, content) { Referrer = ReferrerOf(manifest, self) });
    }

    /// <summary>The referrers-list entry data of a manifest with a <c>subject</c>; null without one.</summary>
    private static Referrer? ReferrerOf(ManifestJson manifest, string self) =>
        manifest.Subject is { } subject
            ? new Referrer(OciLayoutReader.Validate(subject, $"subject of {self}"), manifest.ArtifactType ?? manifest.Config?.MediaType, manifest.Annotations)
            : null;

    private void VisitBlob(DescriptorJson json, string where)
    {
        var descriptor = OciLayoutReader.Validate(json, where);
        if (!_seenBlobs.Add(descriptor.Digest))
        {
            return;
        }

        if (MediaTypes.IsNonDistributable(descriptor.MediaType))
        {
            // The image spec: non-distributable layers are fetched from their URLs by whoever pulls, and are never
            // uploaded unless the user allows it explicitly (crane and skopeo skip them too). One absent from the
            // layout is normal either way. File.Exists asks the kernel, which follows links physically.
            var present = File.Exists(Path.Combine(layout, RelativeBlobPath(descriptor.Digest)));
            if (!present || !includeNonDistributable)
            {
                if (present)
                {
                    WithheldLayers.Add(descriptor);
                }

                return;
            }
        }

        var path = BlobPath(descriptor, $"blob {descriptor.Digest} ({where})");
        var length = new FileInfo(path).Length;
        if (length != descriptor.Size)
        {
            throw new LayoutException(
                $"blob {descriptor.Digest} ({where}) is {length} bytes but its descriptor says {descriptor.Size}"
                + (length < descriptor.Size ? " (truncated)" : string.Empty) + $": {Shown(descriptor.Digest)}");
        }

        CheckReadable(path, descriptor, where);
        Blobs.Add(new BlobFile(descriptor, path));
    }

    /// <summary>
    /// Opens the blob's file once (no byte read): a file the user may not read fails here, offline and naming the
    /// file, rather than in the middle of its upload, after other blobs have gone out.
    /// </summary>
    private void CheckReadable(string path, Descriptor descriptor, string where)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new LayoutException(
                $"blob {descriptor.Digest} ({where}) cannot be read: {FileErrors.Describe(exception, path)}: {Shown(descriptor.Digest)}", exception);
        }
    }

    private static string RelativeBlobPath(Digest digest) => Path.Combine("blobs", digest.Algorithm, digest.Hex);

    private string Shown(Digest digest) => Path.Combine(shownLayout, RelativeBlobPath(digest));

    /// <summary>The blob's physical file (Bazel output trees are full of symlinks, relative ones included).</summary>
    private string BlobPath(Descriptor descriptor, string what)
    {
        var shown = Shown(descriptor.Digest);
        var resolved = OciLayoutReader.ResolvePhysically(Path.Combine(layout, RelativeBlobPath(descriptor.Digest)), what, shown);
        return resolved.Entry switch
        {
            PhysicalEntry.File => resolved.Path,
            PhysicalEntry.Directory => throw new LayoutException($"{what} is a directory, not a file: {shown}"),

            // The layout directory is physical, so any link followed was one inside the layout: blobs/, or the blob.
            _ when resolved.LinksFollowed == 0 => throw new LayoutException($"{what} is missing: {shown}"),
            _ => throw new LayoutException($"{what} is a dangling symlink: {shown} -> {resolved.Path} (does not exist)"),
        };
    }
}
