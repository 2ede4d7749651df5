using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RegistryPush.Registry;

/// <summary>
/// Verifies a registry's certificate against roots found on demand (<see cref="TrustRoots"/>) instead of the whole
/// system store the runtime would load first, with the runtime's own rules otherwise: the chain policy SslStream
/// uses (server-authentication usage, its revocation mode, certificate downloads), the host name check SslStream
/// makes, the same diagnosis (<see cref="CertificateCheck"/>) when it fails. Used only when the runtime's machine
/// store could be kept empty (<see cref="TrustRuntimeStore"/>); otherwise the runtime's verdict stands as before.
/// </summary>
internal sealed class TlsVerification(TrustRoots roots, X509RevocationMode revocation)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.1");
    private static readonly Lazy<TlsVerification?> ForThisProcess = new(static () =>
        TrustRoots.FromEnvironment() is { } roots && TrustRuntimeStore.IsEmpty ? new TlsVerification(roots, new SslClientAuthenticationOptions().CertificateRevocationCheckMode) : null);

    /// <summary>
    /// Makes this process's TLS set-up now rather than on the first HTTPS request: it changes the process environment
    /// for a moment (<see cref="TrustRuntimeStore"/>), which is safe only while no other thread is making requests.
    /// </summary>
    public static void Prepare() => _ = ForThisProcess.Value;

    /// <summary>The TLS client options for verifying registries: on-demand roots where possible, else the runtime's store.</summary>
    public static SslClientAuthenticationOptions ClientOptions()
    {
        if (ForThisProcess.Value is not { } verification)
        {
            return new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = CertificateCheck.Validate };
        }

        return new SslClientAuthenticationOptions
        {
            // SslStream still builds a chain of its own before the callback; against the emptied store it cannot
            // succeed, so it must not go fetching issuers over the network. Its host name check is kept.
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                DisableCertificateDownloads = true,
                RevocationMode = X509RevocationMode.NoCheck,
            },
            RemoteCertificateValidationCallback = verification.Validate,
        };
    }

    /// <summary>
    /// Options for a handler made before anyone knows whether TLS will be used (the plain-HTTP one, which meets TLS
    /// only after a redirect): its callback checks with on-demand roots once those are in use for this process, and
    /// with the runtime's verdict otherwise, so that an emptied runtime store never refuses a certificate by itself.
    /// </summary>
    public static SslClientAuthenticationOptions DeferredOptions() => new()
    {
        RemoteCertificateValidationCallback = static (sender, certificate, chain, errors) =>
            ForThisProcess.IsValueCreated && ForThisProcess.Value is { } verification
                ? verification.Validate(sender, certificate, chain, errors)
                : CertificateCheck.Validate(sender, certificate, chain, errors),
    };

    /// <summary>The validation callback: the chain to on-demand roots and SslStream's name check, or the diagnosis thrown.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var host = (sender as SslStream)?.TargetHostName ?? "the registry";
        if (certificate is not X509Certificate2 leaf || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            throw new CertificateRejectedException(CertificateCheck.Describe(host, certificate as X509Certificate2, chain, errors, DateTime.UtcNow));
        }

        // SslStream's chain errors are meaningless against the empty store; its name check is not.
        var verdict = errors & ~SslPolicyErrors.RemoteCertificateChainErrors;
        var sent = chain?.ChainPolicy.ExtraStore ?? [];
        using var verified = Build(leaf, sent);
        if (!verified.Valid)
        {
            verdict |= SslPolicyErrors.RemoteCertificateChainErrors;
        }

        if (verdict != SslPolicyErrors.None)
        {
            throw new CertificateRejectedException(CertificateCheck.Describe(host, leaf, verified.Chain, verdict, DateTime.UtcNow));
        }

        return verdict == SslPolicyErrors.None;
    }

    /// <summary>
    /// The chain from <paramref name="leaf"/>: first to roots found by name, then with the bundle, then with every
    /// stored certificate and the runtime's certificate downloads — the last verdict is the runtime's own.
    /// </summary>
    private Verified Build(X509Certificate2 leaf, X509Certificate2Collection sent)
    {
        Verified? attempt = null;
        foreach (var stage in new[] { 0, 1, 2 })
        {
            attempt?.Dispose();
            var chain = new X509Chain();
            var policy = chain.ChainPolicy;
            policy.RevocationMode = revocation;
            policy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
            policy.ApplicationPolicy.Add(ServerAuthentication);
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.DisableCertificateDownloads = stage < 2;
            policy.ExtraStore.AddRange(sent);
            switch (stage)
            {
                case 0:
                    roots.AddIssuers(leaf, sent, policy.CustomTrustStore);
                    break;
                case 1:
                    roots.AddIssuers(leaf, sent, policy.CustomTrustStore);
                    roots.AddBundle(policy.CustomTrustStore);
                    break;
                default:
                    roots.AddEverything(policy.CustomTrustStore);
                    break;
            }

            attempt = new Verified(chain, chain.Build(leaf));
            if (attempt.Valid)
            {
                break;
            }
        }

        return attempt!;
    }

    private sealed class Verified(X509Chain chain, bool valid) : IDisposable
    {
        public X509Chain Chain => chain;

        public bool Valid => valid;

        public void Dispose()
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }

            chain.Dispose();
        }
    }
}
