using System.Text;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Registry;

/// <summary>
/// The published NativeAOT binary against HTTPS endpoints under a host name (mapped to 127.0.0.1 in a private mount
/// namespace), trusting a test CA through <c>SSL_CERT_FILE</c> as the error advice tells users to: a real TLS
/// registry gets the push, and each certificate problem is named precisely even though the build strips the runtime's
/// own messages.
/// </summary>
public sealed class TlsTrustTests : IDisposable
{
    private const string Host = "registry.test";
    private readonly TempDirectory _temp = new();
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _authority = TestCertificates.CreateAuthority();

    [Fact]
    public async Task A_tls_registry_whose_ca_is_trusted_through_ssl_cert_file_gets_the_push_byte_exact()
    {
        using var certificate = TestCertificates.CreateServer(Host, _authority);
        await using var registry = await RegistryContainer.StartAsync(
            RegistryContainer.DefaultConfig + "\n  tls:\n    certificate: /etc/docker/registry/tls.crt\n    key: /etc/docker/registry/tls.key\n",
            new Dictionary<string, byte[]>
            {
                ["/etc/docker/registry/tls.crt"] = Encoding.ASCII.GetBytes(TestCertificates.CertificatePem(certificate)),
                ["/etc/docker/registry/tls.key"] = Encoding.ASCII.GetBytes(TestCertificates.PrivateKeyPem(certificate)),
            },
            tls: true,
            cancellationToken: TestContext.Current.CancellationToken);
        var (layout, manifest) = TestLayout.SingleImage(_temp, 20_000);
        var port = registry.Host[(registry.Host.LastIndexOf(':') + 1)..];

        var result = await RunAsync(["push", layout.Path, $"{Host}:{port}/app", "--tag", "v1"], trustAuthority: true);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldBe($"{Host}:{port}/app@{manifest.Digest}");
        Digest.Sha256Of(await Skopeo.InspectRawAsync($"{registry.Host}/app:v1")).ShouldBe(manifest.Digest);
    }

    [Fact]
    public async Task An_expired_certificate_from_a_trusted_ca_is_reported_as_expired_and_nothing_else()
    {
        var expired = DateTimeOffset.UtcNow.AddDays(-2);
        using var certificate = TestCertificates.CreateServer(Host, _authority, expired.AddDays(-30), expired);

        var error = await RefusalAsync(certificate, trustAuthority: true);

        error.ShouldContain($"TLS connection to {Host} refused: its certificate expired on {expired.UtcDateTime:yyyy-MM-dd}");
        error.ShouldNotContain("trust");
        error.ShouldNotContain("not for", Case.Insensitive);
    }

    [Fact]
    public async Task A_trusted_certificate_for_another_name_is_reported_as_a_name_mismatch_and_nothing_else()
    {
        using var certificate = TestCertificates.CreateServer("other.test", _authority);

        var error = await RefusalAsync(certificate, trustAuthority: true);

        error.ShouldContain($"TLS connection to {Host} refused: its certificate is for other.test, not {Host}");
        error.ShouldNotContain("trust");
        error.ShouldNotContain("expired");
    }

    [Fact]
    public async Task A_certificate_from_a_ca_this_machine_does_not_trust_names_the_issuer()
    {
        using var certificate = TestCertificates.CreateServer(Host, _authority);

        var error = await RefusalAsync(certificate, trustAuthority: false);

        error.ShouldContain("its certificate's issuer (CN=registry-push test CA) is not a certificate authority this machine trusts");
        error.ShouldContain("SSL_CERT_FILE");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _authority.Dispose();
        _temp.Dispose();
    }

    private async Task<string> RefusalAsync(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, bool trustAuthority)
    {
        await using var server = new TlsHandshakeServer(certificate);
        var (layout, _) = TestLayout.SingleImage(_temp, 1_000);

        var result = await RunAsync(["push", layout.Path, $"{Host}:{server.Port}/app", "--tag", "v1"], trustAuthority);

        result.ExitCode.ShouldBe(4, result.ToString());
        server.Connections.ShouldBe(1, "a certificate refusal is not retried");
        return result.ErrorLines.ShouldHaveSingleItem();
    }

    private async Task<CliResult> RunAsync(string[] arguments, bool trustAuthority)
    {
        var environment = new Dictionary<string, string?> { ["REGISTRY_PUSH_CACHE_DIR"] = _temp.Combine("cache") };
        if (trustAuthority)
        {
            var bundle = _temp.Combine("ca.pem");
            await File.WriteAllTextAsync(bundle, TestCertificates.CertificatePem(_authority));
            environment["SSL_CERT_FILE"] = bundle;
        }

        return await PrivateHostNames.RunPublishedBinaryAsync(_temp, [Host], arguments, environment);
    }
}
