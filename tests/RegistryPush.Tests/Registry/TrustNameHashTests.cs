using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Registry;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Registry;

/// <summary>
/// Our subject-name hash is OpenSSL's: it names every certificate of the system store exactly as <c>openssl rehash</c>
/// linked it, and agrees with <c>openssl x509 -hash</c> on names that need its canonical form (case, whitespace, string
/// types, multi-valued RDNs).
/// </summary>
public sealed partial class TrustNameHashTests
{
    [Fact]
    public void Every_certificate_in_the_system_store_is_filed_under_the_hash_we_compute()
    {
        TestEnvironment.Require(Directory.Exists("/etc/ssl/certs"), "no /etc/ssl/certs on this machine");
        var links = Directory.EnumerateFiles("/etc/ssl/certs").Where(static path => HashLink().IsMatch(Path.GetFileName(path))).ToList();
        links.Count.ShouldBeGreaterThan(50, "the store should hold the usual CA certificates under their hash links");

        var wrong = links
            .Select(static path => (Name: Path.GetFileName(path), Certificate: X509CertificateLoader.LoadCertificateFromFile(path)))
            .Where(static link => TrustNameHash.Of(link.Certificate.SubjectName) != link.Name[..8])
            .Select(static link => $"{link.Name}: {link.Certificate.Subject} -> {TrustNameHash.Of(link.Certificate.SubjectName)}")
            .ToList();

        wrong.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("CN=registry.test")]
    [InlineData("CN=  Mixed   CASE\t Name  , O=Ünïcode Örg, C=DE")]
    [InlineData("CN=A+O=b  B, OU=x")]
    [InlineData("")]
    public async Task Names_needing_the_canonical_form_hash_as_openssl_hashes_them(string name)
    {
        await AssertSameAsOpenSslAsync(new X500DistinguishedName(name));
    }

    [Fact]
    public async Task Bmp_printable_and_ia5_strings_hash_as_their_utf8_text_does_in_openssl()
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCountryOrRegion("US");
        builder.Add("2.5.4.10", "  Some   ORG ", UniversalTagNumber.BMPString);
        builder.Add("1.2.840.113549.1.9.1", "Ops@Example.TEST", UniversalTagNumber.IA5String);
        builder.Add("2.5.4.3", "Printable  Name", UniversalTagNumber.PrintableString);

        await AssertSameAsOpenSslAsync(builder.Build());
    }

    private static async Task AssertSameAsOpenSslAsync(X500DistinguishedName subject)
    {
        TestEnvironment.RequireProgram("openssl");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var result = await CliWrap.Cli.Wrap("openssl").WithArguments(["x509", "-hash", "-noout"])
            .WithStandardInputPipe(PipeSource.FromString(certificate.ExportCertificatePem()))
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);

        TrustNameHash.Of(certificate.SubjectName).ShouldBe(result.StandardOutput.Trim(), $"subject {certificate.Subject}");
    }

    [GeneratedRegex("^[0-9a-f]{8}\\.[0-9]+$")]
    private static partial Regex HashLink();
}
