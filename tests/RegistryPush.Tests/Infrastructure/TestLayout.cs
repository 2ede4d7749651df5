using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RegistryPush.Oci;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// Writes real OCI image layouts for tests: random layer bytes, a config, manifests and indexes with correct
/// digests. Also breaks them on purpose (truncated or missing blobs) for the bad-input tests.
/// </summary>
public sealed class TestLayout
{
    private readonly List<JsonObject> _indexEntries = [];

    private TestLayout(string path)
    {
        Path = path;
        Directory.CreateDirectory(System.IO.Path.Combine(path, "blobs", "sha256"));
        File.WriteAllText(System.IO.Path.Combine(path, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        WriteIndex();
    }

    /// <summary>The layout directory.</summary>
    public string Path { get; }

    /// <summary>Starts an empty layout in a new temporary directory.</summary>
    public static TestLayout Create(TempDirectory directory, string name = "layout") =>
        new(System.IO.Path.Combine(directory.Path, name));

    /// <summary>A layout with one single-platform image of <paramref name="layerSizes"/> random layers.</summary>
    public static (TestLayout Layout, Descriptor Manifest) SingleImage(TempDirectory directory, params int[] layerSizes)
    {
        var layout = Create(directory);
        var manifest = layout.AddImage(layerSizes);
        layout.AddIndexEntry(manifest);
        return (layout, manifest);
    }

    /// <summary>Writes a blob; returns its digest.</summary>
    public Digest WriteBlob(ReadOnlySpan<byte> content)
    {
        var digest = Digest.Sha256Of(content);
        File.WriteAllBytes(BlobPath(digest), content.ToArray());
        return digest;
    }

    /// <summary>Random (incompressible) bytes.</summary>
    public static byte[] RandomBytes(int size) => RandomNumberGenerator.GetBytes(size);

    /// <summary>Adds an image (config + random layers + manifest); returns the manifest's descriptor.</summary>
    public Descriptor AddImage(int[] layerSizes, bool docker = false, string architecture = "amd64", IEnumerable<Descriptor>? extraLayers = null) =>
        AddImage(layerSizes, docker, architecture, extraLayers, urls: null);

    private Descriptor AddImage(int[] layerSizes, bool docker, string architecture, IEnumerable<Descriptor>? extraLayers, IReadOnlyDictionary<Digest, string>? urls)
    {
        var layerType = docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip";
        var layers = layerSizes.Select(size =>
        {
            var bytes = RandomBytes(size);
            return new Descriptor(layerType, WriteBlob(bytes), bytes.Length);
        }).Concat(extraLayers ?? []).ToList();
        return AddImage(layers, docker, architecture, urls);
    }

    /// <summary>
    /// Adds an image whose first layer is a non-distributable (foreign) one of <paramref name="mediaType"/>, written to
    /// the layout and listed with <paramref name="url"/> as where pullers fetch it, over one ordinary layer.
    /// </summary>
    public (Descriptor Manifest, Descriptor Foreign) AddImageWithForeignLayer(string mediaType, int size, string url)
    {
        var bytes = RandomBytes(size);
        var foreign = new Descriptor(mediaType, WriteBlob(bytes), bytes.Length);
        var docker = mediaType.StartsWith("application/vnd.docker.", StringComparison.Ordinal);
        var manifest = AddImage([5_000], docker, "amd64", [foreign], new Dictionary<Digest, string> { [foreign.Digest] = url });
        return (manifest, foreign);
    }

    /// <summary>Adds an image over existing layer blobs (shared bases).</summary>
    public Descriptor AddImage(IReadOnlyList<Descriptor> layers, bool docker = false, string architecture = "amd64") =>
        AddImage(layers, docker, architecture, urls: null);

    private Descriptor AddImage(IReadOnlyList<Descriptor> layers, bool docker, string architecture, IReadOnlyDictionary<Digest, string>? urls)
    {
        var config = new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["created"] = "2026-01-01T00:00:00Z",
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray(layers.Select(layer => (JsonNode)JsonValue.Create($"sha256:{layer.Digest.Hex}")!).ToArray()),
            },
            ["config"] = new JsonObject { ["Cmd"] = new JsonArray("/hello", Guid.NewGuid().ToString()) },
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configType = docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json";
        var configDescriptor = new Descriptor(configType, WriteBlob(configBytes), configBytes.Length);

        var mediaType = docker ? MediaTypes.DockerManifest : MediaTypes.OciManifest;
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = mediaType,
            ["config"] = ToJson(configDescriptor),
            ["layers"] = new JsonArray(layers.Select(layer =>
            {
                var json = ToJson(layer);
                if (urls is not null && urls.TryGetValue(layer.Digest, out var url))
                {
                    json["urls"] = new JsonArray(url);
                }

                return (JsonNode)json;
            }).ToArray()),
        };
        return WriteDocument(mediaType, manifest);
    }

    /// <summary>
    /// Adds an OCI 1.1 artifact attached to <paramref name="subject"/> (an SBOM, a signature): a manifest with one
    /// layer of <paramref name="content"/>, a <c>subject</c>, and either an <c>artifactType</c> over the empty config
    /// or, when <paramref name="artifactType"/> is null, a config of media type <paramref name="configType"/>.
    /// </summary>
    public Descriptor AddArtifact(Descriptor subject, string layerType, byte[] content, string? artifactType, string configType = "application/vnd.oci.empty.v1+json", IReadOnlyDictionary<string, string>? annotations = null)
    {
        var config = new Descriptor(configType, WriteBlob("{}"u8), 2);
        var layer = new Descriptor(layerType, WriteBlob(content), content.Length);
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
        };
        if (artifactType is not null)
        {
            manifest["artifactType"] = artifactType;
        }

        manifest["config"] = ToJson(config);
        manifest["layers"] = new JsonArray(ToJson(layer));
        manifest["subject"] = ToJson(subject);
        if (annotations is not null)
        {
            manifest["annotations"] = new JsonObject(annotations.Select(static pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value))));
        }

        return WriteDocument(MediaTypes.OciManifest, manifest);
    }

    /// <summary>Adds an index over <paramref name="manifests"/>; returns its descriptor.</summary>
    public Descriptor AddIndex(IEnumerable<Descriptor> manifests, bool docker = false)
    {
        var mediaType = docker ? MediaTypes.DockerManifestList : MediaTypes.OciIndex;
        var entries = manifests.Select((manifest, i) =>
        {
            var entry = ToJson(manifest);
            entry["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = i % 2 == 0 ? "amd64" : "arm64" };
            return (JsonNode)entry;
        }).ToArray();
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = mediaType, ["manifests"] = new JsonArray(entries) };
        return WriteDocument(mediaType, index);
    }

    /// <summary>Lists <paramref name="descriptor"/> in index.json, optionally under a ref name.</summary>
    public TestLayout AddIndexEntry(Descriptor descriptor, string? refName = null)
    {
        var entry = ToJson(descriptor);
        if (refName is not null)
        {
            entry["annotations"] = new JsonObject { [OciLayoutReader.RefNameAnnotation] = refName };
        }

        _indexEntries.Add(entry);
        WriteIndex();
        return this;
    }

    /// <summary>The path of a blob's file.</summary>
    public string BlobPath(Digest digest) => System.IO.Path.Combine(Path, "blobs", digest.Algorithm, digest.Hex);

    /// <summary>Cuts a blob short by <paramref name="bytes"/>.</summary>
    public void Truncate(Digest digest, int bytes = 1)
    {
        using var file = File.OpenWrite(BlobPath(digest));
        file.SetLength(file.Length - bytes);
    }

    /// <summary>Flips one byte of a blob, keeping its size.</summary>
    public void Corrupt(Digest digest)
    {
        var bytes = File.ReadAllBytes(BlobPath(digest));
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(BlobPath(digest), bytes);
    }

    /// <summary>Deletes a blob.</summary>
    public void Delete(Digest digest) => File.Delete(BlobPath(digest));

    /// <summary>The layers of the manifest <paramref name="manifest"/>, read back from the layout.</summary>
    public IReadOnlyList<Descriptor> LayersOf(Descriptor manifest)
    {
        var json = JsonNode.Parse(File.ReadAllBytes(BlobPath(manifest.Digest)))!;
        return json["layers"]!.AsArray().Select(static layer => new Descriptor(
            layer!["mediaType"]!.GetValue<string>(),
            Digest.Parse(layer["digest"]!.GetValue<string>(), "test"),
            layer["size"]!.GetValue<long>())).ToList();
    }

    private Descriptor WriteDocument(string mediaType, JsonObject document)
    {
        var bytes = Encoding.UTF8.GetBytes(document.ToJsonString());
        return new Descriptor(mediaType, WriteBlob(bytes), bytes.Length);
    }

    private void WriteIndex()
    {
        var index = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(_indexEntries.Select(static entry => entry.DeepClone()).ToArray()),
        };
        File.WriteAllText(System.IO.Path.Combine(Path, "index.json"), index.ToJsonString());
    }

    private static JsonObject ToJson(Descriptor descriptor) => new()
    {
        ["mediaType"] = descriptor.MediaType,
        ["digest"] = descriptor.Digest.ToString(),
        ["size"] = descriptor.Size,
    };
}
