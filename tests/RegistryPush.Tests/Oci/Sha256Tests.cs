using System.Security.Cryptography;
using System.Text;
using RegistryPush.Oci;

namespace RegistryPush.Tests.Oci;

/// <summary>
/// The managed SHA-256 that digests manifests and configs must agree with the platform's (OpenSSL) on every input,
/// above all around the 64-byte block and the 56-byte padding boundary, where a one-block or two-block tail is chosen.
/// </summary>
public sealed class Sha256Tests
{
    [Fact]
    public void The_published_test_vectors_hash_to_their_known_values()
    {
        Convert.ToHexStringLower(Sha256.HashData([])).ShouldBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        Convert.ToHexStringLower(Sha256.HashData("abc"u8)).ShouldBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        Convert.ToHexStringLower(Sha256.HashData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"u8))
            .ShouldBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        Convert.ToHexStringLower(Sha256.HashData(Encoding.ASCII.GetBytes(new string('a', 1_000_000))))
            .ShouldBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    [Fact]
    public void Every_length_up_to_three_blocks_and_a_large_document_agree_with_the_platform()
    {
        var random = new Random(20251201);
        var lengths = Enumerable.Range(0, 3 * 64 + 1).Append(4 * 1024 * 1024 - 1);
        foreach (var length in lengths)
        {
            var content = new byte[length];
            random.NextBytes(content);

            Sha256.HashData(content).ShouldBe(SHA256.HashData(content), $"length {length}");
        }
    }

    [Fact]
    public void A_digest_made_from_content_uses_it()
    {
        var content = "{\"schemaVersion\":2}"u8.ToArray();

        Digest.Sha256Of(content).Hex.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
    }
}
