using System.Net;

namespace RegistryPush.Registry.Uploads;

/// <summary>
/// A step of a blob upload that carried blob bytes (or closed the session) failed in a way another attempt may fix.
/// Internal to the upload: when the retries run out, the <see cref="Failure"/> it wraps is what the user sees.
/// </summary>
internal sealed class UploadInterruptedException(Exception failure) : Exception(failure.Message, failure)
{
    /// <summary>The registry or network error that interrupted the upload.</summary>
    public Exception Failure { get; } = failure;
}

/// <summary>The registry no longer knows the upload session (expired, cancelled, or invalidated by a partial chunk).</summary>
internal sealed class UploadSessionLostException(string message) : Exception(message);

/// <summary>Classifies failures of the steps of a blob upload.</summary>
internal static class UploadFailures
{
    /// <summary>True when the registry refused a body for its size (413, or GHCR's 416 "request body is too large").</summary>
    public static bool IsTooLarge(Exception exception) =>
        exception is RegistryException { StatusCode: HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.RequestedRangeNotSatisfiable };
}
