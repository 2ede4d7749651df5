using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RegistryPush.Tests.Infrastructure;

/// <summary>
/// Certificates made on the spot for TLS tests: a certificate authority, server certificates it issues (or that sign
/// themselves) for chosen host names and validity windows, and their PEM files for a registry or SSL_CERT_FILE.
/// </summary>
public static class TestCertificates
{
    /// <summary>A new certificate authority (with its private key), valid from a year ago to a year from now.</summary>
    public static X509Certificate2 CreateAuthority(string name = "registry-push test CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return Reload(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(1)));
    }

    /// <summary>An intermediate certificate authority named <paramref name="name"/> (with its private key), issued by <paramref name="authority"/>.</summary>
    public static X509Certificate2 CreateIntermediate(X509Certificate2 authority, string name = "registry-push test intermediate CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddMonths(6), RandomNumberGenerator.GetBytes(16));
        return Reload(issued.CopyWithPrivateKey(key));
    }

    /// <summary>
    /// A server certificate for <paramref name="hostName"/> (as its subjectAltName), issued by <paramref name="authority"/>
    /// or, when null, signed by itself; valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>
    /// (default: from yesterday for a month).
    /// </summary>
    public static X509Certificate2 CreateServer(string hostName, X509Certificate2? authority = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hostName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        if (IPAddress.TryParse(hostName, out var address))
        {
            names.AddIpAddress(address);
        }
        else
        {
            names.AddDnsName(hostName);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddMonths(1);
        if (authority is null)
        {
            return Reload(request.CreateSelfSigned(from, to));
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(authority, from, to, serial);
        return Reload(issued.CopyWithPrivateKey(key));
    }

    /// <summary>The certificate as PEM.</summary>
    public static string CertificatePem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    /// <summary>The certificate's private key as PKCS#8 PEM.</summary>
    public static string PrivateKeyPem(X509Certificate2 certificate) =>
        (certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("the certificate has no EC private key")).ExportPkcs8PrivateKeyPem();

    /// <summary>A round trip through PKCS#12, so that SslStream on Linux can use the private key as a server.</summary>
    private static X509Certificate2 Reload(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
        }
    }
}
