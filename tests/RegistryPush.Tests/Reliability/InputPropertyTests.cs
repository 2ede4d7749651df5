using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using RegistryPush.Oci;
using RegistryPush.References;
using RegistryPush.Registry.Resilience;
using RegistryPush.Registry.Uploads;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Reliability;

/// <summary>
/// Property tests (CsCheck, shrinking to the smallest failing input): whatever bytes a layout holds and whatever
/// text a reference, tag, digest or Range header is, the parsers either succeed or throw our own one-line error,
/// never anything else; and what parses round-trips.
/// </summary>
public sealed class InputPropertyTests
{
    private const string ReferenceAlphabet = "abcXYZ019._-/:@ \t\n%[]+";

    private static readonly Gen<string> ReferenceLike = Gen.OneOf(
        Gen.Char[ReferenceAlphabet].Array[0, 40].Select(static chars => new string(chars)),
        Gen.String,
        Gen.Select(
            Gen.OneOf("ghcr.io", "127.0.0.1:5000", "localhost", "[::1]:5000", "docker.io", "Registry.Example.COM", "a..b", "-x.io", "x.io:99999", "x.io:"),
            Gen.Char["abz09._-/"].Array[0, 30],
            static (host, path) => host + "/" + new string(path)));

    [Fact]
    public void Repository_parsing_either_succeeds_and_round_trips_or_fails_with_a_usage_error()
    {
        ReferenceLike.Sample(text =>
        {
            RepositoryReference parsed;
            try
            {
                parsed = RepositoryReference.Parse(text);
            }
            catch (UsageException exception)
            {
                exception.Message.ShouldNotContain("\n");
                return;
            }

            var again = RepositoryReference.Parse(parsed.ToString());
            again.ShouldBe(parsed);
            parsed.Path.ShouldBe(parsed.Path.ToLowerInvariant());
            parsed.Path.ShouldNotStartWith("/");
        }, iter: 20_000);
    }

    [Fact]
    public void Tags_and_digests_are_validated_without_ever_throwing()
    {
        ReferenceLike.Sample(text =>
        {
            _ = Tag.IsValid(text);
            _ = Digest.TryParse(text, out _, out _);
            if (Digest.TryParse("sha256:" + text, out var digest, out _))
            {
                digest.ToString().ShouldBe("sha256:" + text);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Upload_range_headers_never_throw_and_agree_with_their_numbers()
    {
        Gen.OneOf(
            Gen.String,
            Gen.Select(Gen.OneOf("", "bytes=", "bytes ", "BYTES="), Gen.Long[0, long.MaxValue / 2], Gen.OneOf("", "/*", "/123"), static (prefix, end, suffix) => $"{prefix}0-{end}{suffix}"))
        .Sample(header =>
        {
            if (UploadRange.TryParseCommitted(header, out var committed))
            {
                committed.ShouldBeGreaterThanOrEqualTo(0);
                var dash = header.IndexOf('-', StringComparison.Ordinal);
                var end = long.Parse(new string(header[(dash + 1)..].TakeWhile(char.IsAsciiDigit).ToArray()), System.Globalization.CultureInfo.InvariantCulture);
                committed.ShouldBe(end == 0 ? 0 : end + 1);
            }
        }, iter: 20_000);
    }

    [Fact]
    public void Any_bytes_in_a_layouts_json_files_give_a_layout_error_or_a_graph_never_a_crash()
    {
        using var temp = new TempDirectory();
        var (template, manifest) = TestLayout.SingleImage(temp, 100, 200);
        var targets = new[]
        {
            Path.Combine(template.Path, "index.json"),
            Path.Combine(template.Path, "oci-layout"),
            template.BlobPath(manifest.Digest),
        };
        var originals = targets.Select(File.ReadAllBytes).ToArray();

        Gen.Select(Gen.Int[0, targets.Length - 1], Mutation(), static (target, mutate) => (target, mutate))
            .Sample((target, mutate) =>
            {
                try
                {
                    File.WriteAllBytes(targets[target], mutate(originals[target]));
                    ReadExpectingOnlyLayoutErrors(template.Path);
                }
                finally
                {
                    File.WriteAllBytes(targets[target], originals[target]);
                }
            }, iter: 3_000, threads: 1);
    }

    [Fact]
    public void Any_json_shape_in_index_json_gives_a_layout_error_or_a_graph_never_a_crash()
    {
        using var temp = new TempDirectory();
        var (template, manifest) = TestLayout.SingleImage(temp, 100);
        var index = Path.Combine(template.Path, "index.json");
        var original = File.ReadAllBytes(index);
        var digest = manifest.Digest.ToString();

        JsonValueGen(3, digest).Sample(node =>
        {
            try
            {
                File.WriteAllText(index, node?.ToJsonString() ?? "null");
                ReadExpectingOnlyLayoutErrors(template.Path);
            }
            finally
            {
                File.WriteAllBytes(index, original);
            }
        }, iter: 3_000, threads: 1);
    }

    [Theory]
    [InlineData("""{"schemaVersion":2,"manifests":[null]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":[null,null]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:../../x","size":1}]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":-1}]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":99999999999999999999}]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":{}}""")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("")]
    public void Shrunk_failures_found_by_the_fuzzers_stay_layout_errors(string indexJson)
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 10);
        File.WriteAllText(Path.Combine(layout.Path, "index.json"), indexJson);

        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldNotContain("\n");
    }

    [Fact]
    public void A_symlink_loop_or_a_directory_where_a_blob_should_be_is_a_layout_error()
    {
        using var temp = new TempDirectory();
        var (layout, manifest) = TestLayout.SingleImage(temp, 100);
        var layer = layout.LayersOf(manifest)[0];
        var path = layout.BlobPath(layer.Digest);

        File.Delete(path);
        File.CreateSymbolicLink(path, path + ".loop");
        File.CreateSymbolicLink(path + ".loop", path);
        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain(layer.Digest.ToString());

        File.Delete(path);
        Directory.CreateDirectory(path);
        Should.Throw<LayoutException>(() => OciLayoutReader.Read(layout.Path)).Message.ShouldContain(layer.Digest.ToString());
    }

    private static void ReadExpectingOnlyLayoutErrors(string layout)
    {
        try
        {
            var graph = OciLayoutReader.Read(layout);
            graph.Manifests.ShouldNotBeEmpty();
        }
        catch (LayoutException exception)
        {
            exception.Message.ShouldNotContain("\n", customMessage: "errors are one line");
            exception.Message.Length.ShouldBeLessThan(2_000);
        }
    }

    /// <summary>Byte-level damage: truncation, flipped bytes, insertions, replacement by random bytes.</summary>
    private static Gen<Func<byte[], byte[]>> Mutation() => Gen.OneOf(
        Gen.Int[0, 400].Select(static cut => (Func<byte[], byte[]>)(bytes => bytes[..Math.Min(cut, bytes.Length)])),
        Gen.Select(Gen.Int[0, 10_000], Gen.Byte, static (at, value) => (Func<byte[], byte[]>)(bytes =>
        {
            var copy = (byte[])bytes.Clone();
            if (copy.Length > 0)
            {
                copy[at % copy.Length] = value;
            }

            return copy;
        })),
        Gen.Select(Gen.Int[0, 10_000], Gen.Char["{}[]\":,0-9e.\\ntfu\u00e9\u0000"].Array[1, 8], static (at, insert) => (Func<byte[], byte[]>)(bytes =>
        {
            var position = bytes.Length == 0 ? 0 : at % bytes.Length;
            return [.. bytes[..position], .. Encoding.UTF8.GetBytes(insert), .. bytes[position..]];
        })),
        Gen.Byte.Array[0, 300].Select(static random => (Func<byte[], byte[]>)(_ => random)));

    /// <summary>JSON documents over the vocabulary of OCI documents, with values of every type in every place.</summary>
    private static Gen<JsonNode?> JsonValueGen(int depth, string digest)
    {
        var names = Gen.OneOf("schemaVersion", "mediaType", "manifests", "digest", "size", "annotations", "config", "layers", "urls", "org.opencontainers.image.ref.name", "x");
        var scalars = Gen.OneOf<JsonNode?>(
            Gen.Const((JsonNode?)null),
            Gen.Bool.Select(static value => (JsonNode?)JsonValue.Create(value)),
            Gen.Long.Select(static value => (JsonNode?)JsonValue.Create(value)),
            Gen.Double.Select(static value => (JsonNode?)(double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(0.5))),
            Gen.OneOf(2, -1, 0, 100, 4 * 1024 * 1024 + 1).Select(static value => (JsonNode?)JsonValue.Create(value)),
            Gen.OneOf(
                digest,
                "sha256:",
                "sha512:abc",
                "md5:00",
                MediaTypes.OciManifest,
                MediaTypes.OciIndex,
                "application/vnd.oci.image.layer.v1.tar",
                "text/html",
                "../../etc/passwd",
                "sha256:../../../../etc/passwd",
                "").Select(static value => (JsonNode?)JsonValue.Create(value)));
        if (depth == 0)
        {
            return scalars;
        }

        var child = JsonValueGen(depth - 1, digest);
        var array = child.Array[0, 3].Select(static items => (JsonNode?)new JsonArray(items.Select(static item => item?.DeepClone()).ToArray()));
        var obj = Gen.Select(names, child, static (name, value) => (Name: name, Value: value)).Array[0, 6].Select(static pairs =>
        {
            var result = new JsonObject();
            foreach (var pair in pairs)
            {
                result[pair.Name] = pair.Value?.DeepClone();
            }

            return (JsonNode?)result;
        });
        return Gen.Frequency<JsonNode?>((1, scalars), (1, array), (3, obj));
    }
}
