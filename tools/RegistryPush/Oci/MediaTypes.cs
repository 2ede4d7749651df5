namespace RegistryPush.Oci;

/// <summary>The manifest media types registry-push understands, OCI and Docker schema 2.</summary>
public static class MediaTypes
{
    /// <summary>OCI image manifest.</summary>
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    /// <summary>OCI image index (multi-platform).</summary>
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>Docker image manifest, schema 2.</summary>
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

    /// <summary>Docker manifest list (multi-platform), schema 2.</summary>
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>True for the media types of single-image manifests.</summary>
    public static bool IsImageManifest(string? mediaType) => mediaType is OciManifest or DockerManifest;

    /// <summary>True for the media types of indexes (manifest lists).</summary>
    public static bool IsIndex(string? mediaType) => mediaType is OciIndex or DockerManifestList;

    /// <summary>True for any manifest media type registry-push can push.</summary>
    public static bool IsManifest(string? mediaType) => IsImageManifest(mediaType) || IsIndex(mediaType);

    /// <summary>
    /// Layers whose blobs are not distributed with the image (<c>application/vnd.oci.image.layer.nondistributable.v1.tar*</c>,
    /// Docker's <c>application/vnd.docker.image.rootfs.foreign.diff.tar.gzip</c> of Windows base images): the layout
    /// may omit them, the registry does not need them, and they are uploaded only when the user allows it.
    /// </summary>
    public static bool IsNonDistributable(string? mediaType) =>
        mediaType is not null && (mediaType.Contains(".foreign.", StringComparison.Ordinal)
            || mediaType.Contains(".nondistributable.", StringComparison.Ordinal));
}
