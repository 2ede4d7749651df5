using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace RegistryPush.Registry;

/// <summary>
/// OpenSSL's subject-name hash (<c>X509_NAME_hash</c>), the name under which a certificate directory keeps a
/// certificate (<c>HASH.0</c>, <c>HASH.1</c>, … as <c>openssl rehash</c> links them): looking up a certificate's issuer
/// by it opens one or two files instead of parsing the whole directory.
/// </summary>
internal static class TrustNameHash
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF32Encoding StrictUcs4 = new(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true);

    /// <summary>The 8 lowercase hex digits OpenSSL names <paramref name="name"/>'s files by.</summary>
    /// <exception cref="CryptographicException">The name is not valid DER/BER or holds a string OpenSSL could not convert either.</exception>
    public static string Of(X500DistinguishedName name) => Of(Canonical(name));

    /// <summary>The hash of an already canonical encoding (see <see cref="Canonical"/>).</summary>
    public static string Of(byte[] canonical)
    {
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // SHA-1 is what OpenSSL names the files by; it is a lookup key, not a security check.
        SHA1.HashData(canonical, digest);
#pragma warning restore CA5350
        return BinaryPrimitives.ReadUInt32LittleEndian(digest).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// OpenSSL's canonical form of a name (<c>x509_name_canon</c>): every RDN SET re-encoded in DER with its text
    /// values as UTF8String, trimmed, inner whitespace runs collapsed to one space and ASCII lowercased; the SETs
    /// concatenated without the outer SEQUENCE. Two names OpenSSL considers equal have equal canonical forms.
    /// </summary>
    public static byte[] Canonical(X500DistinguishedName name)
    {
        try
        {
            var sequence = new AsnReader(name.RawData, AsnEncodingRules.BER).ReadSequence();
            var writer = new AsnWriter(AsnEncodingRules.DER);
            while (sequence.HasData)
            {
                var set = sequence.ReadSetOf(skipSortOrderValidation: true);
                using (writer.PushSetOf())
                {
                    while (set.HasData)
                    {
                        var entry = set.ReadSequence();
                        using (writer.PushSequence())
                        {
                            writer.WriteEncodedValue(entry.ReadEncodedValue().Span);
                            WriteValue(writer, entry.ReadEncodedValue());
                        }
                    }
                }
            }

            return writer.Encode();
        }
        catch (Exception exception) when (exception is AsnContentException or DecoderFallbackException or ArgumentException)
        {
            throw new CryptographicException("the name cannot be put in OpenSSL's canonical form", exception);
        }
    }

    private static void WriteValue(AsnWriter writer, ReadOnlyMemory<byte> encoded)
    {
        var tag = AsnDecoder.ReadEncodedValue(encoded.Span, AsnEncodingRules.BER, out var offset, out var length, out _);
        var content = encoded.Span.Slice(offset, length);
        string? text = tag.TagClass != TagClass.Universal || tag.IsConstructed ? null : (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.UTF8String => StrictUtf8.GetString(content),
            UniversalTagNumber.BMPString => Encoding.BigEndianUnicode.GetString(content),
            UniversalTagNumber.UniversalString => StrictUcs4.GetString(content),
            // OpenSSL reads these byte by byte, each byte one character (Latin-1).
            UniversalTagNumber.PrintableString or UniversalTagNumber.T61String or UniversalTagNumber.IA5String or UniversalTagNumber.VisibleString => Encoding.Latin1.GetString(content),
            _ => null,
        };
        if (text is null)
        {
            // Any other type (NumericString, a non-string value) is compared as encoded, as OpenSSL does.
            writer.WriteEncodedValue(encoded.Span);
            return;
        }

        writer.WriteCharacterString(UniversalTagNumber.UTF8String, Fold(text));
    }

    /// <summary>Trim, collapse whitespace runs to one space, lowercase ASCII letters; other characters stay as they are.</summary>
    private static string Fold(string text)
    {
        var span = text.AsSpan().Trim(" \t\n\v\f\r");
        var folded = new StringBuilder(span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (IsSpace(c))
            {
                folded.Append(' ');
                while (i + 1 < span.Length && IsSpace(span[i + 1]))
                {
                    i++;
                }
            }
            else
            {
                folded.Append(c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c);
            }
        }

        return folded.ToString();
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
