using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace RegistryPush.Auth;

/// <summary>What to ask a token service for.</summary>
/// <param name="Registry">The registry the token is for (named in messages).</param>
/// <param name="Realm">The token endpoint, already checked by <see cref="RealmPolicy"/>.</param>
/// <param name="Service">The challenge's <c>service</c>, if any.</param>
/// <param name="Scopes">The scopes wanted (may be empty: a registry-wide token, as <c>docker login</c> asks).</param>
/// <param name="Credential">Who asks.</param>
/// <param name="RefreshToken">A refresh token an earlier answer handed out; used instead of the credential's secret.</param>
public sealed record TokenRequest(string Registry, Uri Realm, string? Service, IReadOnlyList<TokenScope> Scopes, RegistryCredential Credential, string? RefreshToken = null);

/// <summary>
/// Gets bearer tokens from a registry's token service (distribution's token authentication). Passwords and anonymous
/// requests use <c>GET realm?service=…&amp;scope=…</c> (Basic credentials when there are some); identity tokens use
/// the OAuth2 form <c>POST</c> and fall back to GET when the service does not implement it (400/401/404/405 — GHCR
/// answers 405). Answers may carry <c>token</c> or <c>access_token</c>. Refusals become
/// <see cref="AuthenticationException"/>s with advice; anything else a <see cref="RegistryException"/>.
/// </summary>
public sealed class TokenClient
{
    /// <summary>The OAuth2 <c>client_id</c> this tool identifies itself with.</summary>
    public const string ClientId = "registry-push";

    private const int MaxResponseBytes = 1024 * 1024;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(60);
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _send;
    private readonly Redactor _redactor;
    private readonly TimeProvider _time;

    /// <summary>Creates a client sending through <paramref name="send"/> (the pipeline below authentication).</summary>
    public TokenClient(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> send, Redactor redactor, TimeProvider time)
    {
        _send = send;
        _redactor = redactor;
        _time = time;
    }

    /// <summary>Fetches a token for <paramref name="request"/>.</summary>
    public async Task<BearerToken> FetchAsync(TokenRequest request, CancellationToken cancellationToken)
    {
        var refreshToken = request.RefreshToken
            ?? (request.Credential.Kind == CredentialKind.IdentityToken ? request.Credential.Secret : null);
        if (refreshToken is not null)
        {
            using var oauth = await SendAsync(BuildOAuthPost(request, refreshToken), request, cancellationToken).ConfigureAwait(false);
            if (oauth.StatusCode is not (HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed))
            {
                return await ReadTokenAsync(oauth, request, "POST", cancellationToken).ConfigureAwait(false);
            }
        }

        using var response = await SendAsync(BuildGet(request, refreshToken), request, cancellationToken).ConfigureAwait(false);
        return await ReadTokenAsync(response, request, "GET", cancellationToken).ConfigureAwait(false);
    }

    private static HttpRequestMessage BuildGet(TokenRequest request, string? refreshToken)
    {
        var query = new StringBuilder(request.Realm.Query.TrimStart('?'));
        if (!string.IsNullOrEmpty(request.Service))
        {
            Append(query, "service", request.Service);
        }

        // One scope parameter per scope, as the specification and Docker send them.
        foreach (var scope in request.Scopes)
        {
            Append(query, "scope", scope.ToString());
        }

        var uri = new UriBuilder(request.Realm) { Query = query.ToString() }.Uri;
        var message = new HttpRequestMessage(HttpMethod.Get, uri);
        var credential = request.Credential;
        if (refreshToken is not null)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username ?? CredentialHelper.IdentityTokenUsername}:{refreshToken}"));
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
        else if (credential.Kind == CredentialKind.UsernamePassword)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Basic", credential.BasicParameter());
        }

        return message;
    }

    private static HttpRequestMessage BuildOAuthPost(TokenRequest request, string refreshToken)
    {
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "refresh_token"),
            new("refresh_token", refreshToken),
            new("client_id", ClientId),
        };
        if (!string.IsNullOrEmpty(request.Service))
        {
            form.Add(new("service", request.Service));
        }

        if (request.Scopes.Count > 0)
        {
            // The OAuth2 form takes all scopes in one space-separated parameter.
            form.Add(new("scope", TokenScope.Format(request.Scopes)));
        }

        return new HttpRequestMessage(HttpMethod.Post, request.Realm) { Content = new FormUrlEncodedContent(form) };
    }

    private static void Append(StringBuilder query, string name, string value)
    {
        if (query.Length > 0)
        {
            query.Append('&');
        }

        query.Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, TokenRequest request, CancellationToken cancellationToken)
    {
        message.Headers.UserAgent.ParseAdd($"registry-push/{AppInfo.Version}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            return await _send(message, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new RegistryException(
                $"{request.Registry}: cannot reach its token service {Where(request)}: {NetworkFailure.Describe(exception, request.Realm.Authority, message.RequestUri)}", exception);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryException($"{request.Registry}: its token service {Where(request)} did not answer within {RequestTimeout.TotalSeconds:0} s", exception);
        }
        finally
        {
            message.Dispose();
        }
    }

    private async Task<BearerToken> ReadTokenAsync(HttpResponseMessage response, TokenRequest request, string method, CancellationToken cancellationToken)
    {
        var body = await DistributionErrors.ReadCappedAsync(response.Content, MaxResponseBytes, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = (int)response.StatusCode;
            var detail = Detail(body, response.ReasonPhrase);
            var refusal = $"{request.Registry}: the token service {Where(request)} refused {request.Credential.Describe()} ({method} → {status}{(detail.Length > 0 ? " " + detail : string.Empty)})";
            throw response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? new AuthenticationException(AuthAdvice.ForTokenRefusal(refusal, status, request))
                : new RegistryException(refusal, statusCode: response.StatusCode);
        }

        TokenResponseJson? answer = null;
        try
        {
            answer = JsonSerializer.Deserialize(body, AuthJsonContext.Default.TokenResponseJson);
        }
        catch (JsonException)
        {
            // Reported below without quoting the body: it may hold a token.
        }

        var value = answer?.Token is { Length: > 0 } token ? token : answer?.AccessToken;
        if (string.IsNullOrEmpty(value) || value.Any(char.IsControl))
        {
            throw new RegistryException($"{request.Registry}: the token service {Where(request)} answered without a usable token (expected JSON with \"token\" or \"access_token\")");
        }

        _redactor.Add(value);
        _redactor.Add(answer!.RefreshToken);
        var lifetime = answer.ExpiresIn is > 0 and < int.MaxValue ? TimeSpan.FromSeconds(answer.ExpiresIn.Value) : BearerToken.DefaultLifetime;
        return new BearerToken(value, _time.GetUtcNow(), lifetime, string.IsNullOrEmpty(answer.RefreshToken) ? null : answer.RefreshToken);
    }

    private string Detail(byte[] body, string? reasonPhrase)
    {
        string? detail = null;
        try
        {
            if (body.Length > 0 && JsonSerializer.Deserialize(body, DistributionJsonContext.Default.RegistryErrorsJson)?.Errors is { Count: > 0 } errors)
            {
                detail = string.Join("; ", errors.Select(static error => $"{error.Code}: {error.Message}"));
            }
            else if (body.Length > 0 && JsonSerializer.Deserialize(body, AuthJsonContext.Default.OAuthErrorJson) is { Error: { Length: > 0 } code } oauth)
            {
                detail = oauth.Description is { Length: > 0 } description ? $"{code}: {description}" : code;
            }
        }
        catch (JsonException)
        {
            // Not JSON: fall back to the reason phrase.
        }

        return PrintableText.Excerpt(_redactor.Scrub(detail ?? reasonPhrase ?? string.Empty));
    }

    private static string Where(TokenRequest request) => request.Realm.GetLeftPart(UriPartial.Path);
}
