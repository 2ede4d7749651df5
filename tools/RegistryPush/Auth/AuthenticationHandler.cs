using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace RegistryPush.Auth;

/// <summary>
/// Answers registries' authentication challenges for every request of a run. It learns each registry's challenge
/// from its first 401 (usually the <c>GET /v2/</c> ping), then authorizes later requests up front: Basic with the
/// registry's own credentials, or a Bearer token scoped to the repository the URL names
/// (<c>repository:NAME:pull,push</c>, plus <c>repository:FROM:pull</c> for a cross-repository mount). A 401 to an
/// authorized request is retried once, with the challenge's scopes merged in or with a fresh token. Credentials are
/// looked up by the request's own host, so they never go to another host; redirects are followed below this
/// handler by the transport, which drops <c>Authorization</c> on every redirect.
/// </summary>
public sealed partial class AuthenticationHandler : DelegatingHandler
{
    private readonly CredentialChain _credentials;
    private readonly TokenClient _tokens;
    private readonly TokenCache _cache;
    private readonly Redactor _redactor;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, EndpointAuth> _endpoints = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, byte> _logged = new(StringComparer.Ordinal);

    // The token last put on a request per endpoint and repository, for auth check's report of what was granted.
    private readonly ConcurrentDictionary<string, BearerToken> _lastTokens = new(StringComparer.Ordinal);

    // OAuth2 services may hand out a new refresh token with each access token; the latest one is used next.
    private readonly ConcurrentDictionary<string, string> _refreshTokens = new(StringComparer.Ordinal);

    /// <summary>Creates the handler.</summary>
    /// <param name="credentials">Where credentials come from.</param>
    /// <param name="redactor">The run's redactor (told about every token).</param>
    /// <param name="log">Verbose output (<c>-v</c>); never receives a secret.</param>
    /// <param name="time">The clock for token expiry.</param>
    public AuthenticationHandler(CredentialChain credentials, Redactor redactor, Action<string> log, TimeProvider? time = null)
    {
        _credentials = credentials;
        _redactor = redactor;
        _log = log;
        _cache = new TokenCache(time ?? TimeProvider.System);
        _tokens = new TokenClient(SendInnerAsync, redactor, time ?? TimeProvider.System);
    }

    /// <summary>The challenge learned for <paramref name="uri"/>'s registry, or null if it has not asked for authentication.</summary>
    public AuthChallenge? ChallengeFor(Uri uri) => _endpoints.TryGetValue(EndpointKey(uri), out var endpoint) ? endpoint.Challenge : null;

    /// <summary>
    /// What the last token sent for <paramref name="repositoryUri"/>'s repository grants; null when no token was sent.
    /// </summary>
    public TokenGrant? GrantsFor(Uri repositoryUri)
    {
        var target = Target.Of(repositoryUri);
        return _lastTokens.TryGetValue($"{target.Endpoint}/{target.Repository}", out var token) ? new TokenGrant(TokenGrants.TryRead(token.Value)) : null;
    }

    /// <summary>The credentials this handler would use for <paramref name="query"/> (for <c>auth check</c>).</summary>
    public Task<CredentialResolution> ResolveAsync(CredentialQuery query, CancellationToken cancellationToken) =>
        _credentials.ResolveAsync(query, cancellationToken);

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("request without a URL");
        var target = Target.Of(uri);
        Applied? applied = null;
        if (_endpoints.TryGetValue(target.Endpoint, out var known))
        {
            applied = await AuthorizeAsync(request, known, target, target.Scopes, cancellationToken).ConfigureAwait(false);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !SameEndpoint(response.RequestMessage?.RequestUri ?? uri, uri))
        {
            return await RecordAsync(request, response, target, applied, null, cancellationToken).ConfigureAwait(false);
        }

        var challenge = AuthChallenge.Preferred(WwwAuthenticateParser.Parse(
            response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) ? values : []));
        if (challenge is null)
        {
            return await RecordAsync(request, response, target, applied, null, cancellationToken).ConfigureAwait(false);
        }

        var endpoint = Learn(target.Endpoint, challenge, uri);
        if (target.Repository is null)
        {
            // A registry-wide request (the ping) only teaches the challenge. Authenticating it would need
            // registry-wide credentials, which podman's per-repository keys may not give, for a token nothing uses.
            return response;
        }

        var wanted = TokenScope.Merge(target.Scopes.Concat(challenge.Scopes.Select(TokenScope.TryParse).OfType<TokenScope>()));
        var resolution = await _credentials.ResolveAsync(target.Query, cancellationToken).ConfigureAwait(false);
        if (!ShouldRetry(endpoint, applied, wanted, resolution.Credential))
        {
            return await RecordAsync(request, response, target, applied, challenge, cancellationToken).ConfigureAwait(false);
        }

        response.Dispose();
        if (applied is { Token: { } rejected })
        {
            _cache.Invalidate(applied.CacheKey!, rejected);
        }

        applied = await AuthorizeAsync(request, endpoint, target, wanted, cancellationToken).ConfigureAwait(false);
        response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var lastChallenge = response.StatusCode == HttpStatusCode.Unauthorized
            ? AuthChallenge.Preferred(WwwAuthenticateParser.Parse(response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var again) ? again : []))
            : null;
        return await RecordAsync(request, response, target, applied, lastChallenge ?? challenge, cancellationToken).ConfigureAwait(false);
    }

    private static bool ShouldRetry(EndpointAuth endpoint, Applied? applied, IReadOnlyList<TokenScope> wanted, RegistryCredential credential)
    {
        if (endpoint.Challenge.IsBasic)
        {
            // Basic: one try with the credentials; if they were already sent and refused, asking again changes nothing.
            return credential.Kind == CredentialKind.UsernamePassword && applied is not { Scheme: "Basic" };
        }

        if (credential.Kind == CredentialKind.RegistryToken)
        {
            return applied is null;
        }

        return applied is not { Scheme: "Bearer" }
            || !TokenScope.Covers(applied.Scopes, wanted)
            || applied.FromCache;
    }

    private async Task<Applied?> AuthorizeAsync(HttpRequestMessage request, EndpointAuth endpoint, Target target, IReadOnlyList<TokenScope> scopes, CancellationToken cancellationToken)
    {
        var resolution = await _credentials.ResolveAsync(target.Query, cancellationToken).ConfigureAwait(false);
        var credential = resolution.Credential;
        LogOnce($"credentials:{target.Registry}/{target.Repository}", $"auth: {target.Registry}{(target.Repository is null ? string.Empty : "/" + target.Repository)}: {credential.Describe()}");
        foreach (var note in resolution.Notes)
        {
            LogOnce($"note:{note}", $"auth: note: {note}");
        }

        if (endpoint.Challenge.IsBasic)
        {
            if (credential.Kind != CredentialKind.UsernamePassword)
            {
                return null;
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicParameter());
            return new Applied("Basic", [], null, null, false);
        }

        if (credential.Kind == CredentialKind.RegistryToken)
        {
            if (credential.Secret!.Any(char.IsControl))
            {
                throw new CredentialException($"the registry token from {credential.Source} contains control characters and cannot be sent; log in again");
            }

            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credential.Secret);
            return new Applied("Bearer", scopes, null, null, false);
        }

        if (target.Repository is null)
        {
            // Registry-wide requests (the ping) go without a token: see SendAsync.
            return null;
        }

        var realm = endpoint.Realm!;
        var service = endpoint.Challenge["service"];
        var key = $"{realm}\n{service}\n{TokenScope.Format(scopes)}\n{credential.Fingerprint}";
        var (token, fromCache) = await _cache.GetAsync(key, async () =>
        {
            var refresh = _refreshTokens.TryGetValue(credential.Fingerprint, out var latest) ? latest : null;
            var fetched = await _tokens.FetchAsync(new TokenRequest(target.Registry, realm, service, scopes, credential, refresh), cancellationToken).ConfigureAwait(false);
            if (fetched.RefreshToken is { } next)
            {
                _refreshTokens[credential.Fingerprint] = next;
            }

            _log($"auth: {target.Registry}: token for {(scopes.Count == 0 ? "the registry" : TokenScope.Format(scopes))} from {realm.GetLeftPart(UriPartial.Path)} (valid {fetched.Lifetime.TotalSeconds:0} s)");
            return fetched;
        }).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        _lastTokens[$"{target.Endpoint}/{target.Repository}"] = token;
        return new Applied("Bearer", scopes, token, key, fromCache);
    }

    private EndpointAuth Learn(string endpointKey, AuthChallenge challenge, Uri uri)
    {
        var realm = challenge.IsBearer ? RealmPolicy.Validate(challenge["realm"], uri) : null;
        var endpoint = new EndpointAuth(challenge, realm);
        if (_endpoints.TryAdd(endpointKey, endpoint))
        {
            _log($"auth: {uri.Authority} asks for {challenge.Scheme}{(realm is null ? string.Empty : $" (token realm {realm.GetLeftPart(UriPartial.Path)})")}");
        }
        else
        {
            _endpoints[endpointKey] = endpoint;
        }

        return endpoint;
    }

    private async Task<HttpResponseMessage> RecordAsync(HttpRequestMessage request, HttpResponseMessage response, Target target, Applied? applied, AuthChallenge? challenge, CancellationToken cancellationToken)
    {
        // Credentials are looked up only when they matter: an open registry never causes a config file to be read
        // or a helper to run.
        if (target.Repository is not null && (applied is not null || response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            var resolution = await _credentials.ResolveAsync(target.Query, cancellationToken).ConfigureAwait(false);
            var scheme = challenge?.Scheme ?? (_endpoints.TryGetValue(target.Endpoint, out var known) ? known.Challenge.Scheme : null);
            request.Options.Set(AuthAttempt.OptionsKey, new AuthAttempt(
                target.Registry, target.Repository, resolution.Credential, resolution.Notes, scheme, challenge?["error"], _redactor));
        }

        return response;
    }

    private void LogOnce(string key, string message)
    {
        if (_logged.TryAdd(key, 0))
        {
            _log(message);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    private static string EndpointKey(Uri uri) => $"{uri.Scheme}://{uri.Authority}";

    private static bool SameEndpoint(Uri a, Uri b) => string.Equals(EndpointKey(a), EndpointKey(b), StringComparison.OrdinalIgnoreCase);

    // /v2/<name>/(blobs/uploads/[id] | blobs/<digest> | manifests/<ref> | tags/list | referrers/<digest>); the name
    // is matched greedily so that a repository containing "blobs" or "manifests" as a component still parses.
    [GeneratedRegex(@"^/v2/(?<name>.+)/(?:blobs/uploads/[^/]*|blobs/[^/]+|manifests/[^/]+|tags/list|referrers/[^/]+)$")]
    private static partial Regex RepositoryPathPattern();

    /// <summary>A learned challenge, with its realm already checked.</summary>
    private sealed record EndpointAuth(AuthChallenge Challenge, Uri? Realm);

    /// <summary>What was put on a request.</summary>
    private sealed record Applied(string Scheme, IReadOnlyList<TokenScope> Scopes, BearerToken? Token, string? CacheKey, bool FromCache);

    /// <summary>Who a request is for: registry, repository, the scopes it needs, and the credentials query.</summary>
    private sealed record Target(string Endpoint, string Registry, string? Repository, IReadOnlyList<TokenScope> Scopes)
    {
        public CredentialQuery Query => new(Registry, Repository);

        public static Target Of(Uri uri)
        {
            var match = RepositoryPathPattern().Match(uri.AbsolutePath);
            var repository = match.Success ? Uri.UnescapeDataString(match.Groups["name"].Value) : null;
            var scopes = new List<TokenScope>();
            if (repository is not null)
            {
                scopes.Add(TokenScope.PullPush(repository));
                if (MountSource(uri) is { } from && from != repository)
                {
                    scopes.Add(TokenScope.Pull(from));
                }
            }

            return new Target(EndpointKey(uri), uri.Authority, repository, scopes);
        }

        private static string? MountSource(Uri uri)
        {
            foreach (var part in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("from=", StringComparison.Ordinal))
                {
                    return Uri.UnescapeDataString(part[5..]);
                }
            }

            return null;
        }
    }
}
