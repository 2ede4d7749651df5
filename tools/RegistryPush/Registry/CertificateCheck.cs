using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace RegistryPush.Registry;

/// <summary>
/// Verifies a registry's TLS certificate exactly as the runtime would (the platform's trust store, the host name),
/// and when it fails says which problem it is, in words: the NativeAOT build strips the runtime's own exception texts,
/// and "the SSL connection could not be established" tells nobody whether to renew a certificate, trust a CA or fix a
/// host name. The verdict travels up as the inner exception of the runtime's <see cref="HttpRequestException"/>.
/// </summary>
internal static class CertificateCheck
{
    /// <summary>The validation callback for the transport: accepts what the platform accepts, otherwise throws the diagnosis.</summary>
    public static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors != SslPolicyErrors.None)
        {
            var host = (sender as SslStream)?.TargetHostName ?? "the registry";
            throw new CertificateRejectedException(Describe(host, certificate as X509Certificate2, chain, errors, DateTime.UtcNow));
        }

        return errors == SslPolicyErrors.None;
    }

    /// <summary>What is wrong with <paramref name="certificate"/> for <paramref name="host"/>, and what to do, in one line.</summary>
    public static string Describe(string host, X509Certificate2? certificate, X509Chain? chain, SslPolicyErrors errors, DateTime now)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return $"{host} sent no TLS certificate";
        }

        var problems = new List<string>();
        var advice = new List<string>();
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add($"its certificate is for {Names(certificate)}, not {host}");
            advice.Add("use the host name the certificate names, or reissue the certificate with this name in its subjectAltName");
        }

        var status = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, static (all, one) => all | one.Status) ?? X509ChainStatusFlags.NoError;
        if (status.HasFlag(X509ChainStatusFlags.NotTimeValid) || now > certificate.NotAfter.ToUniversalTime() || now < certificate.NotBefore.ToUniversalTime())
        {
            problems.Add(now < certificate.NotBefore.ToUniversalTime()
                ? $"its certificate is not valid before {Date(certificate.NotBefore)}"
                : $"its certificate expired on {Date(certificate.NotAfter)}");
            advice.Add("renew the registry's certificate (or check this machine's clock)");
        }

        if (status.HasFlag(X509ChainStatusFlags.Revoked))
        {
            problems.Add("its certificate has been revoked");
            advice.Add("the registry needs a new certificate");
        }

        if (status.HasFlag(X509ChainStatusFlags.UntrustedRoot) || status.HasFlag(X509ChainStatusFlags.PartialChain))
        {
            problems.Add(certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
                ? "its certificate is self-signed, and this machine does not trust it"
                : $"its certificate's issuer ({certificate.Issuer}) is not a certificate authority this machine trusts");
            advice.Add("if this is your own registry, add its CA certificate to the system trust store or point SSL_CERT_FILE at a PEM bundle that holds it; "
                + "--insecure skips verification, only for a test registry on a network you trust");
        }

        if (problems.Count == 0)
        {
            problems.Add($"its certificate was refused ({(errors == SslPolicyErrors.RemoteCertificateChainErrors && status != X509ChainStatusFlags.NoError ? status : errors)})");
            advice.Add("check the certificate the registry serves (openssl s_client -connect HOST:PORT -servername HOST)");
        }

        return $"TLS connection to {host} refused: {string.Join("; ", problems)}. To fix: {string.Join("; ", advice)}";
    }

    private static string Names(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>()
            .SelectMany(static extension => extension.EnumerateDnsNames().Concat(extension.EnumerateIPAddresses().Select(static address => address.ToString())))
            .ToList();
        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } common)
        {
            names.Add(common);
        }

        return names.Count == 0 ? "no host name" : string.Join(", ", names.Take(5));
    }

    private static string Date(DateTime date) => date.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
