using System.Net.Http;
using RegistryPush.Registry;
using RegistryPush.Tests.Infrastructure;

namespace RegistryPush.Tests.Registry;

/// <summary>
/// A registry whose TLS certificate fails verification gets one error line saying which problem it is (not trusted,
/// expired, issued for another name) and what to do, exit code 4, and no retry: another attempt meets the same
/// certificate. The pusher reaches a real TLS endpoint under a non-loopback name (mapped to 127.0.0.1 for the run).
/// </summary>
public sealed class TlsFailureTests(RegistryFixture fixture)
{
    private const string Host = "registry.test";
    private readonly CliRunner _cli = new();

    [Fact]
    public async Task A_self_signed_certificate_is_reported_as_not_trusted_with_ssl_cert_file_and_insecure_as_the_remedies()
    {
        using var certificate = TestCertificates.CreateServer(Host);
        await using var server = new TlsHandshakeServer(certificate);

        var result = await PushAsync(server.Port);

        var error = AssertRefused(result, server);
        error.ShouldContain($"TLS connection to {Host} refused: its certificate is self-signed, and this machine does not trust it");
        error.ShouldContain("SSL_CERT_FILE");
        error.ShouldContain("--insecure");
        error.ShouldNotContain("expired");
    }

    [Fact]
    public async Task An_expired_certificate_is_reported_with_the_date_it_expired()
    {
        var expired = DateTimeOffset.UtcNow.AddDays(-3);
        using var certificate = TestCertificates.CreateServer(Host, notBefore: expired.AddDays(-30), notAfter: expired);
        await using var server = new TlsHandshakeServer(certificate);

        var result = await PushAsync(server.Port);

        var error = AssertRefused(result, server);
        error.ShouldContain($"its certificate expired on {expired.UtcDateTime:yyyy-MM-dd}");
        error.ShouldContain("renew the registry's certificate");
    }

    [Fact]
    public async Task A_certificate_for_another_host_name_is_reported_with_the_names_it_is_for()
    {
        using var certificate = TestCertificates.CreateServer("other.test");
        await using var server = new TlsHandshakeServer(certificate);

        var result = await PushAsync(server.Port);

        var error = AssertRefused(result, server);
        error.ShouldContain($"its certificate is for other.test, not {Host}");
        error.ShouldContain("subjectAltName");
    }

    [Fact]
    public async Task A_plain_http_registry_on_a_tls_address_is_told_apart_from_a_certificate_problem()
    {
        var registry = fixture.Registry;
        var port = int.Parse(registry.Host[(registry.Host.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

        var result = await PushAsync(port);

        result.ExitCode.ShouldBe(4, result.ToString());
        var error = result.ErrorLines.ShouldHaveSingleItem();
        error.ShouldContain($"TLS handshake with {Host}:{port} failed before any certificate was checked");
        error.ShouldContain("plain HTTP");
        result.StandardError.ShouldNotContain("retry");
    }

    [Fact]
    public void A_tls_handshake_failure_is_recognised_by_the_runtimes_authentication_exception_not_the_projects_own()
    {
        // The classifier lives in namespace RegistryPush.Registry, where a bare AuthenticationException names the
        // project's exit-code-3 type: the runtime's TLS exception must be matched by its full name.
        var handshake = new HttpRequestException("handshake failed", new System.Security.Authentication.AuthenticationException("handshake failed"));
        var projects = new HttpRequestException("other", new RegistryPush.AuthenticationException("not a TLS failure"));

        NetworkFailure.Describe(handshake, "registry.example").ShouldStartWith("TLS handshake with registry.example failed");
        NetworkFailure.Describe(projects, "registry.example").ShouldNotContain("TLS");
    }

    private async Task<CliResult> PushAsync(int port)
    {
        using var temp = new TempDirectory();
        var (layout, _) = TestLayout.SingleImage(temp, 1_000);
        _cli.HostMap[Host] = port;
        return await _cli.RunAsync("push", layout.Path, $"{Host}:{port}/app", "--tag", "v1");
    }

    private static string AssertRefused(CliResult result, TlsHandshakeServer server)
    {
        result.ExitCode.ShouldBe(4, result.ToString());
        server.Connections.ShouldBe(1, "a certificate refusal is not retried");
        result.StandardError.ShouldNotContain("retry");
        return result.ErrorLines.ShouldHaveSingleItem();
    }
}
