using System.Net;
using RegistryPush.Registry.Uploads;

namespace RegistryPush.Registry;

/// <summary>The read-only and undoable calls <c>auth check</c> makes, through the same pipeline and error classes as a push.</summary>
public sealed partial class RegistryClient
{
    /// <summary>
    /// Whether pulling is allowed (<c>GET /v2/NAME/tags/list</c>): true when the repository answers, false when it does
    /// not exist yet (404); a refusal or failure throws as every other call does.
    /// </summary>
    public async Task<bool> CanListTagsAsync(CancellationToken cancellationToken)
    {
        var operation = $"pull check on {Repository} (listing tags)";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_repositoryBase, "tags/list"));
        using var response = await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await RegistryResponseError.CreateAsync(response, operation, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Cancels an upload session (<c>DELETE</c> on its URL) and returns the registry's status; GHCR answers 405, and an unanswered session expires on its own.</summary>
    public async Task<int> CancelUploadAsync(UploadSession session, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, session.Location);
        using var response = await SendAsync(request, $"cancel upload to {Repository}", cancellationToken).ConfigureAwait(false);
        return (int)response.StatusCode;
    }
}
