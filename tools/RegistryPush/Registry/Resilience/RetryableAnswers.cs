using System.Net;

namespace RegistryPush.Registry.Resilience;

/// <summary>
/// Decides which registry answers are worth another attempt, beyond the transient statuses
/// (<see cref="NetworkFailure.IsTransientStatus"/>): a manifest PUT refused as <c>MANIFEST_BLOB_UNKNOWN</c> (see
/// <see cref="IsLaggingManifestAnswer"/>) is, and a registry error naming <c>DENIED</c> or <c>UNAUTHORIZED</c> never
/// is, whatever its status.
/// </summary>
public static class RetryableAnswers
{
    /// <summary>A 400 to a manifest PUT: it may be <see cref="IsLaggingManifestAnswer"/>, once its errors are read.</summary>
    public static bool MayBeLaggingManifestAnswer(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.BadRequest
        && response.RequestMessage is { } request
        && request.Method == HttpMethod.Put
        && request.RequestUri?.AbsolutePath.Contains("/manifests/", StringComparison.Ordinal) == true;

    /// <summary>
    /// True when a manifest PUT was refused because the registry does not see a blob or child manifest it references.
    /// A push puts manifests only after everything under them is in the registry, so this is the registry's view
    /// lagging: the distribution registry rewrites a blob's link file in place (truncate, then write) each time
    /// another push of the same content commits the blob, and a manifest checked in that instant reads an empty link
    /// (<c>DIGEST_INVALID</c> with <c>MANIFEST_BLOB_UNKNOWN</c>); eventually consistent stores lag the same way.
    /// Another attempt a moment later succeeds. A blob that is really missing fails again after the retries.
    /// </summary>
    public static bool IsLaggingManifestAnswer(IReadOnlyList<RegistryErrorJson> errors) =>
        errors.Any(static error => error.Code == "MANIFEST_BLOB_UNKNOWN");

    /// <summary>Error codes that mean "no" however the status reads; retrying them only hammers the registry.</summary>
    public static bool IsRefusalCode(string? code) => code is "DENIED" or "UNAUTHORIZED";
}
