using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using RegistryPush.Oci;

namespace RegistryPush.Registry;

/// <summary>
/// Keeps a pushed referrer (a manifest with a <c>subject</c>: an SBOM, a signature) findable on registries without
/// the referrers API (distribution 2.8, ghcr.io), as distribution-spec 1.1 asks of clients and as oras and cosign do:
/// the subject's referrers list is an OCI index under the tag <c>ALG-HEX</c> (<c>sha256-…</c>), read, extended with
/// the referrer's descriptor when it is missing, and put back.
/// </summary>
/// <remarks>
/// Read-modify-write: within one run, updates of the same list are serialized, so two referrers of one subject are
/// both listed. Two processes updating the same list at the same moment can lose one entry (the registry offers no
/// compare-and-swap on tags); pushing the lost referrer again restores it, since every push checks the list.
/// </remarks>
public sealed class ReferrersTagSchema(IPushObserver observer)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _lists = new(StringComparer.Ordinal);

    /// <summary>The fallback tag of <paramref name="subject"/>: <c>ALG-HEX</c>, the hex cut to 64 characters.</summary>
    public static string TagFor(Digest subject) => $"{subject.Algorithm}-{subject.Hex[..Math.Min(64, subject.Hex.Length)]}";

    /// <summary>
    /// Makes sure <paramref name="manifest"/> (which has a <c>subject</c>, already in the registry by digest) is in its
    /// subject's referrers list: nothing to do when the registry processed the subject itself
    /// (<paramref name="registryListed"/>: it answered <c>OCI-Subject</c>) or answers the referrers API; otherwise
    /// the fallback tag's index gets the manifest's descriptor.
    /// </summary>
    public async Task EnsureListedAsync<TRepository>(TRepository client, ManifestBlob manifest, bool registryListed, CancellationToken cancellationToken)
        where TRepository : IManifestStore, ITagStore
    {
        var referrer = manifest.Referrer ?? throw new ArgumentException("the manifest has no subject", nameof(manifest));
        var digest = manifest.Descriptor.Digest;
        if (registryListed || await client.AnswersReferrersApiAsync(referrer.Subject.Digest, cancellationToken).ConfigureAwait(false))
        {
            observer.Verbose($"{client.Repository} keeps the referrers of {referrer.Subject.Digest.Abbreviated} itself; {digest.Abbreviated} is listed there");
            return;
        }

        var tag = TagFor(referrer.Subject.Digest);
        var gate = _lists.GetOrAdd($"{client.Repository}:{tag}", static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await client.GetManifestAsync(tag, cancellationToken).ConfigureAwait(false);
            var index = current is null ? NewIndex() : Parse(current);
            if (index?["manifests"] is not JsonArray entries)
            {
                observer.Warning($"{client.Repository}:{tag} holds {current?.MediaType ?? "something"} that is not a referrers index; left as it is, so {digest.Abbreviated} is not listed as a referrer of {referrer.Subject.Digest.Abbreviated}");
                return;
            }

            if (entries.Any(entry => entry is JsonObject listed && listed["digest"] is JsonValue value && value.TryGetValue<string>(out var text) && text == digest.ToString()))
            {
                observer.Verbose($"{digest.Abbreviated} is already in the referrers of {referrer.Subject.Digest.Abbreviated} ({client.Repository}:{tag})");
                return;
            }

            entries.Add((JsonNode)Entry(manifest.Descriptor, referrer));
            var bytes = Serialize(index);
            var updated = new ManifestBlob(new Descriptor(MediaTypes.OciIndex, Digest.Sha256Of(bytes), bytes.Length), bytes);
            await client.TagAsync(updated, tag, cancellationToken).ConfigureAwait(false);
            observer.TagPushed(client.Repository, tag, updated.Descriptor.Digest);
        }
        finally
        {
            gate.Release();
        }
    }

    private static JsonObject NewIndex() => new()
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = MediaTypes.OciIndex,
        ["manifests"] = new JsonArray(),
    };

    /// <summary>The existing list, every field kept; null when it is not an OCI index.</summary>
    private static JsonObject? Parse(FetchedManifest current)
    {
        if (current.MediaType != MediaTypes.OciIndex)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(current.Content) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The list entry: media type, digest, size, artifact type and annotations of the referrer (distribution-spec 1.1).</summary>
    private static JsonObject Entry(Descriptor descriptor, Referrer referrer)
    {
        var entry = new JsonObject
        {
            ["mediaType"] = descriptor.MediaType,
            ["digest"] = descriptor.Digest.ToString(),
            ["size"] = descriptor.Size,
        };
        if (referrer.ArtifactType is { } artifactType)
        {
            entry["artifactType"] = artifactType;
        }

        if (referrer.Annotations is { Count: > 0 } annotations)
        {
            var copy = new JsonObject();
            foreach (var (key, value) in annotations)
            {
                copy[key] = value;
            }

            entry["annotations"] = copy;
        }

        return entry;
    }

    private static byte[] Serialize(JsonObject index)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            index.WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
