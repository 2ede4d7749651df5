using System.Security.Cryptography.X509Certificates;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using RegistryPush.Oci;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Registry;

/// <summary>
/// The published binary finds trusted roots in an OpenSSL certificate directory (<c>SSL_CERT_DIR</c>, files linked by
/// <c>openssl rehash</c> under their subject-name hash) by name, reading only the issuer's file, and stays exactly as
/// strict: a certificate from a CA that is not there, one expired, one for another host and one signed by an
/// impostor CA of the same name are refused, each with its diagnosis and exit code 4. Host names map to 127.0.0.1 in
/// a private mount namespace; no bundle is trusted (<c>SSL_CERT_FILE</c> empty), so the directory is all there is.
/// </summary>
public sealed class TlsTrustDirectoryTests : IDisposable
{
    private const string Host = "registry.test";
    private readonly TempDirectory _temp = new();
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority();

    [Fact]
    public async Task A_tls_registry_whose_ca_is_in_ssl_cert_dir_gets_the_push_and_only_that_cas_file_is_read()
    {
        TestEnvironment.RequireProgram("strace");
        using var certificate = TestCertificates.CreateServer(Host, _authority);
        await using var registry = await StartRegistryAsync(certificate);
        var store = await StoreAsync(_authority, others: 30);
        var (layout, manifest) = TestLayout.SingleImage(_temp, 20_000);
        var trace = _temp.Combine("openat.log");

        var result = await RunAsync(["push", layout.Path, $"{Host}:{PortOf(registry)}/app", "--tag", "v1"], store, ["strace", "-f", "-e", "trace=openat", "-o", trace]);

        result.ExitCode.ShouldBe(0, result.ToString());
        result.LastOutputLine.ShouldBe($"{Host}:{PortOf(registry)}/app@{manifest.Digest}");
        Digest.Sha256Of(await Skopeo.InspectRawAsync($"{registry.Host}/app:v1")).ShouldBe(manifest.Digest);
        var opened = File.ReadAllLines(trace).Where(line => line.Contains($"\"{store}/", StringComparison.Ordinal) && !line.Contains("ENOENT", StringComparison.Ordinal)).ToList();
        opened.ShouldHaveSingleItem().ShouldContain($"{store}/{await OpenSslHashAsync(_authority)}.0");
    }

    [Fact]
    public async Task A_chain_through_an_intermediate_the_registry_sends_is_trusted_from_its_root_in_ssl_cert_dir()
    {
        using var intermediate = TestCertificates.CreateIntermediate(_authority);
        using var certificate = TestCertificates.CreateServer(Host, intermediate);
        await using var registry = await StartRegistryAsync(certificate, intermediate);
        var (layout, manifest) = TestLayout.SingleImage(_temp, 5_000);

        var result = await RunAsync(["push", layout.Path, $"{Host}:{PortOf(registry)}/app", "--tag", "v1"], await StoreAsync(_authority, others: 3));

        result.ExitCode.ShouldBe(0, result.ToString());
        Digest.Sha256Of(await Skopeo.InspectRawAsync($"{registry.Host}/app:v1")).ShouldBe(manifest.Digest);
    }

    [Fact]
    public async Task A_certificate_from_a_ca_missing_from_ssl_cert_dir_is_refused_naming_the_issuer()
    {
        using var certificate = TestCertificates.CreateServer(Host, _authority);

        var error = await RefusalAsync(certificate, await StoreAsync(authority: null, others: 5));

        error.ShouldContain("its certificate's issuer (CN=registry-push test CA) is not a certificate authority this machine trusts");
    }

    [Fact]
    public async Task A_self_signed_certificate_missing_from_ssl_cert_dir_is_refused()
    {
        using var certificate = TestCertificates.CreateServer(Host);

        var error = await RefusalAsync(certificate, await StoreAsync(authority: null, others: 5));

        error.ShouldContain($"TLS connection to {Host} refused: its certificate is self-signed, and this machine does not trust it");
    }

    [Fact]
    public async Task A_certificate_signed_by_an_impostor_of_a_trusted_cas_name_is_refused()
    {
        // Same subject, so the same hash file is opened, but another key (and no key identifiers to tell them apart):
        // finding by name must not mean trusting.
        using var impostor = TestCertificates.CreateAuthority();
        using var certificate = TestCertificates.CreateServer(Host, impostor);

        var error = await RefusalAsync(certificate, await StoreAsync(_authority, others: 2));

        // The runtime picks the stored CA of that name as the issuer and finds the signature wrong, as it always has.
        error.ShouldContain($"TLS connection to {Host} refused: its certificate was refused (NotSignatureValid)");
    }

    [Fact]
    public async Task An_expired_certificate_from_a_ca_in_ssl_cert_dir_is_refused_as_expired_and_nothing_else()
    {
        var expired = DateTimeOffset.UtcNow.AddDays(-2);
        using var certificate = TestCertificates.CreateServer(Host, _authority, expired.AddDays(-30), expired);

        var error = await RefusalAsync(certificate, await StoreAsync(_authority, others: 2));

        error.ShouldContain($"TLS connection to {Host} refused: its certificate expired on {expired.UtcDateTime:yyyy-MM-dd}");
        error.ShouldNotContain("trust");
    }

    [Fact]
    public async Task A_certificate_from_a_ca_in_ssl_cert_dir_for_another_name_is_refused_as_a_name_mismatch_and_nothing_else()
    {
        using var certificate = TestCertificates.CreateServer("other.test", _authority);

        var error = await RefusalAsync(certificate, await StoreAsync(_authority, others: 2));

        error.ShouldContain($"TLS connection to {Host} refused: its certificate is for other.test, not {Host}");
        error.ShouldNotContain("trust");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _authority.Dispose();
        _temp.Dispose();
    }

    /// <summary>A certificate directory as <c>openssl rehash</c> makes it: <paramref name="authority"/> and <paramref name="others"/> unrelated CAs.</summary>
    private async Task<string> StoreAsync(X509Certificate2? authority, int others)
    {
        TestEnvironment.RequireProgram("openssl");
        var directory = _temp.Combine($"certs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        for (var i = 0; i < others; i++)
        {
            using var other = TestCertificates.CreateAuthority($"unrelated CA {i}");
            await File.WriteAllTextAsync(Path.Combine(directory, $"other-{i}.pem"), TestCertificates.CertificatePem(other));
        }

        if (authority is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "test-ca.pem"), TestCertificates.CertificatePem(authority));
        }

        await CliWrap.Cli.Wrap("openssl").WithArguments(["rehash", directory]).ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return directory;
    }

    private static async Task<string> OpenSslHashAsync(X509Certificate2 certificate)
    {
        var result = await CliWrap.Cli.Wrap("openssl").WithArguments(["x509", "-subject_hash", "-noout"])
            .WithStandardInputPipe(PipeSource.FromString(TestCertificates.CertificatePem(certificate)))
            .ExecuteBufferedAsync(TestContext.Current.CancellationToken);
        return result.StandardOutput.Trim();
    }

    private static async Task<RegistryContainer> StartRegistryAsync(X509Certificate2 certificate, X509Certificate2? intermediate = null)
    {
        var chain = TestCertificates.CertificatePem(certificate) + (intermediate is null ? "" : "\n" + TestCertificates.CertificatePem(intermediate));
        return await RegistryContainer.StartAsync(
            RegistryContainer.DefaultConfig + "\n  tls:\n    certificate: /etc/docker/registry/tls.crt\n    key: /etc/docker/registry/tls.key\n",
            new Dictionary<string, byte[]>
            {
                ["/etc/docker/registry/tls.crt"] = Encoding.ASCII.GetBytes(chain),
                ["/etc/docker/registry/tls.key"] = Encoding.ASCII.GetBytes(TestCertificates.PrivateKeyPem(certificate)),
            },
            tls: true,
            cancellationToken: TestContext.Current.CancellationToken);
    }

    private static string PortOf(RegistryContainer registry) => registry.Host[(registry.Host.LastIndexOf(':') + 1)..];

    private async Task<string> RefusalAsync(X509Certificate2 certificate, string store)
    {
        await using var server = new TlsHandshakeServer(certificate);
        var (layout, _) = TestLayout.SingleImage(_temp, 1_000);

        var result = await RunAsync(["push", layout.Path, $"{Host}:{server.Port}/app", "--tag", "v1"], store);

        result.ExitCode.ShouldBe(4, result.ToString());
        server.Connections.ShouldBe(1, "a certificate refusal is not retried");
        return result.ErrorLines.ShouldHaveSingleItem();
    }

    private Task<CliResult> RunAsync(string[] arguments, string store, string[]? wrapper = null) =>
        PrivateHostNames.RunPublishedBinaryAsync(
            _temp,
            [Host],
            arguments,
            new Dictionary<string, string?> { ["REGISTRY_PUSH_CACHE_DIR"] = _temp.Combine("cache"), ["SSL_CERT_DIR"] = store, ["SSL_CERT_FILE"] = "" },
            wrapper);
}
